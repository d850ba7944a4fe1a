package groq_test

import (
	"context"
	"errors"
	"strings"
)

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func errorsIsCanceled(err error) bool { return errors.Is(err, context.Canceled) }
