package httpapi

import (
	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/chat"
)

// UserJSON is the API's User object.
type UserJSON struct {
	ID              string `json:"id"`
	Email           string `json:"email"`
	Name            string `json:"name"`
	Role            string `json:"role"`
	Disabled        bool   `json:"disabled"`
	DailyTokenQuota *int64 `json:"daily_token_quota"`
	CreatedAt       Time   `json:"created_at"`
	UpdatedAt       Time   `json:"updated_at"`
}

// NewUserJSON converts a user (never its password hash).
func NewUserJSON(u account.User) UserJSON {
	return UserJSON{ID: u.ID, Email: u.Email, Name: u.Name, Role: u.Role, Disabled: u.Disabled,
		DailyTokenQuota: u.DailyTokenQuota, CreatedAt: Time(u.CreatedAt), UpdatedAt: Time(u.UpdatedAt)}
}

// AuthJSON is the answer of register, login and refresh.
type AuthJSON struct {
	User         UserJSON `json:"user"`
	AccessToken  string   `json:"access_token"`
	RefreshToken string   `json:"refresh_token"`
	TokenType    string   `json:"token_type"`
	ExpiresIn    int      `json:"expires_in"`
}

func newAuthJSON(s account.Session) AuthJSON {
	return AuthJSON{User: NewUserJSON(s.User), AccessToken: s.AccessToken, RefreshToken: s.RefreshToken,
		TokenType: "Bearer", ExpiresIn: int(s.ExpiresIn.Seconds())}
}

// ConversationJSON is the API's Conversation object; Messages only on GET one.
type ConversationJSON struct {
	ID           string         `json:"id"`
	Title        string         `json:"title"`
	Model        string         `json:"model"`
	ActiveLeafID *string        `json:"active_leaf_id"`
	SystemPrompt string         `json:"system_prompt"`
	Params       chat.Params    `json:"params"`
	FolderID     *string        `json:"folder_id"`
	Pinned       bool           `json:"pinned"`
	Archived     bool           `json:"archived"`
	CreatedAt    Time           `json:"created_at"`
	UpdatedAt    Time           `json:"updated_at"`
	Messages     *[]MessageJSON `json:"messages,omitempty"`
}

// NewConversationJSON converts a conversation.
func NewConversationJSON(c chat.Conversation) ConversationJSON {
	return ConversationJSON{ID: c.ID, Title: c.Title, Model: c.Model, ActiveLeafID: optional(c.ActiveLeafID),
		SystemPrompt: c.SystemPrompt, Params: c.Params, FolderID: optional(c.FolderID), Pinned: c.Pinned, Archived: c.Archived,
		CreatedAt: Time(c.CreatedAt), UpdatedAt: Time(c.UpdatedAt)}
}

// optional is "" as JSON null.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// MessageJSON is the API's Message object.
type MessageJSON struct {
	ID               string  `json:"id"`
	ConversationID   string  `json:"conversation_id"`
	ParentID         *string `json:"parent_id"`
	Role             string  `json:"role"`
	Content          string  `json:"content"`
	Model            string  `json:"model"`
	Status           string  `json:"status"`
	PromptTokens     int     `json:"prompt_tokens"`
	CompletionTokens int     `json:"completion_tokens"`
	CreatedAt        Time    `json:"created_at"`
}

// NewMessageJSON converts a message.
func NewMessageJSON(m chat.Message) MessageJSON {
	return MessageJSON{ID: m.ID, ConversationID: m.ConversationID, ParentID: optional(m.ParentID), Role: m.Role, Content: m.Content, Model: m.Model,
		Status: m.Status, PromptTokens: m.PromptTokens, CompletionTokens: m.CompletionTokens, CreatedAt: Time(m.CreatedAt)}
}
