package groq

import (
	"encoding/json"
	"errors"

	"github.com/parley-chat/parley/internal/chat"
)

type wireCompletion struct {
	Choices []struct {
		Message struct {
			Content *string `json:"content"`
		} `json:"message"`
		FinishReason string `json:"finish_reason"`
	} `json:"choices"`
	Usage *wireUsage `json:"usage"`
	XGroq *struct {
		Usage *wireUsage `json:"usage"`
	} `json:"x_groq"`
}

// parseCompletion reads a non-streamed answer; an error means garbage.
func parseCompletion(body []byte) (chat.Completion, error) {
	var w wireCompletion
	if err := json.Unmarshal(body, &w); err != nil {
		return chat.Completion{}, err
	}
	if w.Choices == nil {
		return chat.Completion{}, errors.New("completion without choices")
	}
	out := chat.Completion{Body: json.RawMessage(body)}
	if len(w.Choices) > 0 {
		if c := w.Choices[0].Message.Content; c != nil {
			out.Content = *c
		}
		out.FinishReason = w.Choices[0].FinishReason
	}
	u := w.Usage
	if u == nil && w.XGroq != nil {
		u = w.XGroq.Usage
	}
	if uu := u.usage(); uu != nil {
		out.Usage = *uu
	}
	return out, nil
}
