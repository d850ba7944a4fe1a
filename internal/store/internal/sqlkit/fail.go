package sqlkit

import (
	"context"
	"errors"
	"fmt"

	"github.com/parley-chat/parley/internal/errs"
)

// Kind is what an engine's driver error means, as far as callers care.
type Kind int

// The kinds of driver error the stores translate.
const (
	Other      Kind = iota
	NoRows          // the query matched nothing
	Unique          // a unique index refused the row
	ForeignKey      // a referenced row does not exist
	Check           // a CHECK or NOT NULL constraint refused a value
)

// Msgs are the client-safe messages for one call site.
type Msgs struct {
	NotFound string // e.g. "user not found"
	Conflict string // e.g. "email already registered"
}

// Fail translates err (classified by the engine as kind) into parley's
// vocabulary. Context cancellation passes through unchanged; the driver's
// text (which may quote SQL) only ever travels as the internal cause.
func Fail(ctx context.Context, op string, err error, kind Kind, m Msgs) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w", op, err)
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("%s: %w (%v)", op, ctxErr, err)
	}
	if _, ok := errs.As(err); ok {
		return err // already translated
	}
	cause := fmt.Errorf("%s: %w", op, err)
	switch kind {
	case NoRows, ForeignKey:
		return errs.Wrap(errs.NotFound, cause, "%s", orDefault(m.NotFound, "not found"))
	case Unique:
		return errs.Wrap(errs.Conflict, cause, "%s", orDefault(m.Conflict, "already exists"))
	case Check:
		return errs.Wrap(errs.Invalid, cause, "invalid value")
	}
	return errs.Wrap(errs.Internal, cause, "database error")
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
