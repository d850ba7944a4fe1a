package sqlkit

import (
	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/errs"
)

// CheckUserFields refuses a role or quota the schema would refuse, naming
// the field; nil pointers are not checked.
func CheckUserFields(role *string, quota *int64) error {
	bad := map[string]string{}
	if role != nil && *role != account.RoleUser && *role != account.RoleAdmin {
		bad["role"] = "must be user or admin"
	}
	if quota != nil && *quota < 0 {
		bad["daily_token_quota"] = "must not be negative"
	}
	if len(bad) > 0 {
		return errs.Validation(bad)
	}
	return nil
}

// CheckMessage refuses a message role or status the schema would refuse,
// and text neither engine stores alike.
func CheckMessage(m chat.Message) error {
	bad := map[string]string{}
	switch m.Role {
	case chat.RoleSystem, chat.RoleUser, chat.RoleAssistant:
	default:
		bad["role"] = "must be system, user or assistant"
	}
	switch m.Status {
	case chat.StatusComplete, chat.StatusPartial, chat.StatusError:
	default:
		bad["status"] = "must be complete, partial or error"
	}
	if m.PromptTokens < 0 || m.CompletionTokens < 0 || m.ReasoningMS < 0 {
		bad["tokens"] = "must not be negative"
	}
	if err := CheckText("content", m.Content, "model", m.Model, "parent_id", m.ParentID, "reasoning", m.Reasoning); err != nil {
		e, _ := errs.As(err)
		for k, v := range e.Fields {
			bad[k] = v
		}
	}
	if len(bad) > 0 {
		return errs.Validation(bad)
	}
	return nil
}
