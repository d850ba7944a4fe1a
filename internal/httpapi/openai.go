package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/httpapi/problem"
)

// The OpenAI-compatible API (/v1): personal API tokens, errors in OpenAI's
// envelope (the route rows say so), bodies passed through to Groq.

// openAIChat answers POST /v1/chat/completions through the chat service,
// which checks the model and quota and accounts the tokens.
func (s *Server) openAIChat(w http.ResponseWriter, r *http.Request) error {
	u, _ := CurrentUser(r)
	body, err := io.ReadAll(r.Body)
	if err != nil {
		if tl, ok := asTooLarge(err); ok {
			return tl
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return errs.E(errs.Invalid, "the request body did not arrive in time")
		}
		return errs.Wrap(errs.Invalid, err, "could not read the request body")
	}
	req, err := chat.ParseAPIRequest(bytes.TrimSpace(body))
	if err != nil {
		return err
	}
	if !req.Stream {
		c, err := s.d.Chat.CompleteAPI(r.Context(), u, req)
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(c.Body)
		return nil
	}
	st, err := s.d.Chat.StreamAPI(r.Context(), u, req)
	if err != nil {
		return err
	}
	relay(w, r, st)
	return nil
}

// relay passes upstream chunks through as they come and ends with [DONE].
// A mid-stream failure ends the stream with an error frame in OpenAI's
// envelope (what OpenAI's clients read as an error).
func relay(w http.ResponseWriter, r *http.Request, st *chat.APIStream) {
	defer st.Close()
	sse := newSSEWriter(w, r)
	for {
		c, err := st.Next()
		switch {
		case errors.Is(err, io.EOF):
			_ = sse.data([]byte("[DONE]"))
			return
		case err != nil && r.Context().Err() != nil:
			clientGone(r)
			return
		case err != nil:
			_, body := problem.OpenAIFor(r, err)
			b, _ := json.Marshal(body)
			_ = sse.data(b)
			return
		}
		if len(c.Data) > 0 && sse.data(c.Data) != nil {
			return
		}
	}
}

type openAIModel struct {
	ID            string `json:"id"`
	Object        string `json:"object"`
	Created       int64  `json:"created"`
	OwnedBy       string `json:"owned_by"`
	ContextWindow int    `json:"context_window,omitempty"`
	MaxCompletion int    `json:"max_completion_tokens,omitempty"`
}

type openAIModelList struct {
	Object string        `json:"object"`
	Data   []openAIModel `json:"data"`
}

// openAIModels answers GET /v1/models.
func (s *Server) openAIModels(w http.ResponseWriter, r *http.Request) error {
	out := openAIModelList{Object: "list", Data: []openAIModel{}}
	if s.configured() {
		ms, err := s.d.Chat.Models(r.Context())
		if err != nil {
			return err
		}
		for _, m := range ms {
			out.Data = append(out.Data, openAIModel{ID: m.ID, Object: "model", Created: m.Created, OwnedBy: m.OwnedBy,
				ContextWindow: m.ContextWindow, MaxCompletion: m.MaxCompletion})
		}
	}
	return WriteJSON(w, http.StatusOK, out)
}
