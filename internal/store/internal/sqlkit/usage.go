package sqlkit

import (
	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/usage"
)

// CheckUsage refuses negative counts and text neither engine stores alike.
func CheckUsage(recs []usage.Record) error {
	for _, r := range recs {
		if r.Requests < 0 || r.PromptTokens < 0 || r.CompletionTokens < 0 {
			return errs.Validation(map[string]string{"usage": "counts must not be negative"})
		}
		if err := CheckText("model", r.Model); err != nil {
			return err
		}
	}
	return nil
}
