package chat

import "encoding/json"

// Token estimate: about one token per four bytes of UTF-8 (English text on
// the Llama and GPT tokenizers averages 4 to 4.5), rounded up, plus
// messageOverhead per message for role and framing. Deliberately rough and a
// little generous: it decides what history fits and what the key pool
// reserves, and the real count comes back in the answer's usage.
const messageOverhead = 4

// EstimateTokens estimates the tokens of one message's text.
func EstimateTokens(text string) int {
	return (len(text)+3)/4 + messageOverhead
}

// wireMessage is one message as the upstream API takes it.
type wireMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// trimHistory keeps what fits in budget tokens: every system message, then
// the newest other messages, newest first, stopping at the first that does
// not fit (so the kept history has no holes). It returns the messages in
// order and their estimated tokens. The newest message must fit.
func trimHistory(system []wireMessage, history []wireMessage, budget int) (kept []wireMessage, tokens int, ok bool) {
	for _, m := range system {
		tokens += EstimateTokens(m.Content)
	}
	start := len(history)
	for i := len(history) - 1; i >= 0; i-- {
		t := EstimateTokens(history[i].Content)
		if tokens+t > budget {
			break
		}
		tokens += t
		start = i
	}
	if len(history) > 0 && start == len(history) {
		return nil, tokens, false
	}
	kept = make([]wireMessage, 0, len(system)+len(history)-start)
	kept = append(kept, system...)
	kept = append(kept, history[start:]...)
	return kept, tokens, true
}

// history turns a branch of stored messages into what is sent: the
// operator's system prompt, then the conversation's, then system messages
// apart, and empty answers (an upstream error before any text) left out.
func (s *Service) history(conv Conversation, msgs []Message) (system, rest []wireMessage) {
	if s.o.SystemPrompt != "" {
		system = append(system, wireMessage{Role: RoleSystem, Content: s.o.SystemPrompt})
	}
	if conv.SystemPrompt != "" {
		system = append(system, wireMessage{Role: RoleSystem, Content: conv.SystemPrompt})
	}
	for _, m := range msgs {
		switch {
		case m.Role == RoleSystem:
			system = append(system, wireMessage{Role: m.Role, Content: m.Content})
		case m.Content == "":
		default:
			rest = append(rest, wireMessage{Role: m.Role, Content: m.Content})
		}
	}
	return system, rest
}

// completionBody is the request sent upstream for a chat turn.
type completionBody struct {
	Model               string         `json:"model"`
	Messages            []wireMessage  `json:"messages"`
	Stream              bool           `json:"stream"`
	StreamOptions       map[string]any `json:"stream_options,omitempty"`
	MaxCompletionTokens int            `json:"max_completion_tokens,omitempty"`
	Temperature         *float64       `json:"temperature,omitempty"`
	TopP                *float64       `json:"top_p,omitempty"`
	ReasoningEffort     *string        `json:"reasoning_effort,omitempty"`
}

func marshalBody(model string, msgs []wireMessage, maxCompletion int, p Params) (json.RawMessage, error) {
	return json.Marshal(completionBody{
		Model: model, Messages: msgs, Stream: true,
		StreamOptions:       map[string]any{"include_usage": true},
		MaxCompletionTokens: maxCompletion,
		Temperature:         p.Temperature, TopP: p.TopP, ReasoningEffort: p.ReasoningEffort,
	})
}
