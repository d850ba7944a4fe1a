// Package chat is parley's domain core: conversations, messages, and the
// interfaces the chat service consumes (Store, Completer).
package chat

import (
	"context"
	"time"
)

// Message roles.
const (
	RoleSystem    = "system"
	RoleUser      = "user"
	RoleAssistant = "assistant"
)

// Message statuses: an assistant answer can be cut short.
const (
	StatusComplete = "complete"
	StatusPartial  = "partial" // client went away or the stream was stopped
	StatusError    = "error"   // upstream failed mid-answer
)

// Conversation is a titled thread of messages that belongs to one user.
type Conversation struct {
	ID     string
	UserID string
	Title  string
	Model  string
	// ActiveLeafID is the message that ends the branch shown and continued
	// by default; "" while the conversation has no message.
	ActiveLeafID string
	// SystemPrompt is sent first (after the operator's), "" for none.
	SystemPrompt string
	Params       Params
	FolderID     string // "" when unfiled
	Pinned       bool
	Archived     bool
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Folder groups a user's conversations.
type Folder struct {
	ID        string
	UserID    string
	Name      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// FolderStore persists folders, scoped by user like Store.
type FolderStore interface {
	CreateFolder(ctx context.Context, f Folder) (Folder, error)
	// Folders lists the user's folders by name.
	Folders(ctx context.Context, userID string) ([]Folder, error)
	RenameFolder(ctx context.Context, userID, id, name string) (Folder, error)
	// DeleteFolder removes the folder; its conversations stay, unfiled.
	DeleteFolder(ctx context.Context, userID, id string) error
}

// Params are a conversation's generation parameters; nil means the
// model's default. Stored and served as this JSON.
type Params struct {
	Temperature     *float64 `json:"temperature"`
	TopP            *float64 `json:"top_p"`
	MaxTokens       *int     `json:"max_tokens"`
	ReasoningEffort *string  `json:"reasoning_effort"`
}

// Message is one turn of a conversation. Messages form a tree: ParentID
// is the message this one follows ("" for a first message), and siblings
// are alternative versions (an edited question, a regenerated answer).
type Message struct {
	ID               string
	ConversationID   string
	ParentID         string
	Role             string
	Content          string
	Model            string
	Status           string
	PromptTokens     int
	CompletionTokens int
	CreatedAt        time.Time
	// Reasoning is a reasoning model's thinking before the answer ("" for
	// none); ReasoningMS the time it took, in milliseconds.
	Reasoning   string
	ReasoningMS int
}

// ListParams pages through a user's conversations: pinned first, then
// newest (by UpdatedAt) first.
type ListParams struct {
	Limit  int
	Cursor string // opaque, from the previous page
	Query  string // optional case-insensitive title substring
	// FolderID keeps the conversations of that folder only.
	FolderID string
	// Pinned, when set, keeps pinned (or unpinned) conversations only.
	Pinned *bool
	// Archived picks archived conversations (true) or the others (false,
	// the default).
	Archived bool
}

// ConversationUpdate lists changeable fields; nil means unchanged.
type ConversationUpdate struct {
	Title *string
	Model *string
	// ActiveLeafID switches branch; it must name a message of the
	// conversation (errs.Invalid on field active_leaf_id otherwise).
	ActiveLeafID *string
	SystemPrompt *string
	Params       *Params // replaces all of them
	// FolderID files the conversation in one of the user's folders (else
	// errs.Invalid on field folder_id); "" unfiles it.
	FolderID *string
	Pinned   *bool
	Archived *bool
}

// Store persists conversations and messages. Every method is scoped by
// userID: a conversation of another user is errs.NotFound, never its data.
type Store interface {
	PresetStore
	FolderStore
	SearchStore

	CreateConversation(ctx context.Context, c Conversation) (Conversation, error)
	Conversation(ctx context.Context, userID, id string) (Conversation, error)
	ListConversations(ctx context.Context, userID string, p ListParams) (convs []Conversation, nextCursor string, err error)
	UpdateConversation(ctx context.Context, userID, id string, upd ConversationUpdate) (Conversation, error)
	// SetTitleIf sets the conversation's title to title only while it is
	// still old (a compare-and-set, so a rename made meanwhile wins), without
	// touching UpdatedAt; it reports whether the title changed.
	SetTitleIf(ctx context.Context, userID, id, old, title string) (bool, error)
	// DeleteConversation removes the conversation and its messages.
	DeleteConversation(ctx context.Context, userID, id string) error

	// AddMessage stores m under m.ParentID ("" for a first message; else
	// a message of the same conversation, or errs.Invalid on field
	// parent_id), makes it the conversation's active leaf and bumps the
	// conversation's UpdatedAt, in one transaction.
	AddMessage(ctx context.Context, userID string, m Message) (Message, error)
	// Messages returns every message of a conversation (all branches),
	// oldest first.
	Messages(ctx context.Context, userID, conversationID string) ([]Message, error)
	// DeleteMessage removes one message and the messages that follow it
	// (its subtree); an active leaf inside it moves to the message's parent.
	DeleteMessage(ctx context.Context, userID, conversationID, id string) error
}

// Preset is a named starting point for conversations: a model, a system
// prompt and parameters. A shared preset (made by an admin) is visible to
// everyone; any other only to its owner.
type Preset struct {
	ID           string
	UserID       string // owner
	Name         string
	Description  string
	Model        string // "" for the default model
	SystemPrompt string
	Params       Params
	Shared       bool
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// PresetUpdate lists changeable fields; nil means unchanged.
type PresetUpdate struct {
	Name         *string
	Description  *string
	Model        *string
	SystemPrompt *string
	Params       *Params
	Shared       *bool
}

// PresetStore persists presets. Visibility rules live in the Service; the
// store answers errs.NotFound for an unknown id.
type PresetStore interface {
	CreatePreset(ctx context.Context, p Preset) (Preset, error)
	Preset(ctx context.Context, id string) (Preset, error)
	// ListPresets returns the user's own presets and every shared one,
	// shared first, then by name.
	ListPresets(ctx context.Context, userID string) ([]Preset, error)
	UpdatePreset(ctx context.Context, id string, upd PresetUpdate) (Preset, error)
	DeletePreset(ctx context.Context, id string) error
}

// SearchParams pages through a user's search hits, newest first.
type SearchParams struct {
	// Terms are words (letters and digits only, lower-cased), all of
	// which a hit holds.
	Terms  []string
	Limit  int
	Cursor string
}

// SearchHit is a message (MessageID set) or a conversation title
// (MessageID "") holding every term; Body is its whole text.
type SearchHit struct {
	ConversationID string
	MessageID      string
	Title          string
	Body           string
	CreatedAt      time.Time
}

// SearchStore finds text in a user's conversations through full-text
// indexes the store keeps in step with every write.
type SearchStore interface {
	Search(ctx context.Context, userID string, p SearchParams) (hits []SearchHit, nextCursor string, err error)
}
