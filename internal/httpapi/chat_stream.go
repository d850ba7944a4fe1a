package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/errs"
)

type sendBody struct {
	Content string `json:"content"`
	Model   string `json:"model"`
}

type regenerateBody struct {
	Model string `json:"model"`
}

// sendMessage answers POST /api/v1/conversations/{id}/messages with a stream.
func (a *ChatAPI) sendMessage(w http.ResponseWriter, r *http.Request) error {
	var in sendBody
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	u, _ := CurrentUser(r)
	ctx := chat.WithRequestID(r.Context(), RequestID(r.Context()))
	turn, err := a.d.Chat.Send(ctx, u, r.PathValue("id"), in.Content, in.Model)
	if err != nil {
		return err
	}
	a.stream(w, r, u, turn)
	return nil
}

// regenerate answers POST /api/v1/conversations/{id}/regenerate with a stream.
func (a *ChatAPI) regenerate(w http.ResponseWriter, r *http.Request) error {
	var in regenerateBody
	if err := DecodeOptionalJSON(r, &in); err != nil {
		return err
	}
	u, _ := CurrentUser(r)
	ctx := chat.WithRequestID(r.Context(), RequestID(r.Context()))
	turn, err := a.d.Chat.Regenerate(ctx, u, r.PathValue("id"), in.Model)
	if err != nil {
		return err
	}
	a.stream(w, r, u, turn)
	return nil
}

type startEvent struct {
	UserMessage        *MessageJSON `json:"user_message"`
	AssistantMessageID string       `json:"assistant_message_id"`
	Model              string       `json:"model"`
}

type deltaEvent struct {
	Content string `json:"content"`
}

type doneEvent struct {
	Message MessageJSON `json:"message"`
	Usage   chat.Usage  `json:"usage"`
}

// stream writes a turn as server-sent events: start, delta…, then done or
// error. Each event is flushed as it is written.
func (a *ChatAPI) stream(w http.ResponseWriter, r *http.Request, u account.User, turn *chat.Turn) {
	defer turn.Close()
	sse := newSSEWriter(w)
	start := startEvent{AssistantMessageID: turn.AssistantID, Model: turn.Model}
	if turn.UserMessage != nil {
		m := NewMessageJSON(*turn.UserMessage)
		start.UserMessage = &m
	}
	if err := sse.event("start", start); err != nil {
		return // the client is gone; Close keeps the answer as partial
	}
	for {
		delta, err := turn.Next()
		switch {
		case errors.Is(err, io.EOF):
			_ = sse.event("done", doneEvent{Message: NewMessageJSON(turn.Message()), Usage: turn.Usage()})
			return
		case err != nil && r.Context().Err() != nil:
			if info := infoFrom(r.Context()); info != nil {
				info.clientGone = true
			}
			return
		case err != nil:
			p, unexpected := ProblemFor(r, err)
			if unexpected {
				Logger(r).ErrorContext(r.Context(), "chat stream failed", "error_id", p.ErrorID, "err", err.Error())
			} else if e, ok := errs.As(err); ok && e.Err != nil {
				Logger(r).WarnContext(r.Context(), "chat stream broke off", slog.String("user_id", u.ID),
					slog.String("code", string(e.Code)), slog.String("err", e.Err.Error()))
			}
			_ = sse.event("error", p)
			return
		}
		if err := sse.event("delta", deltaEvent{Content: delta}); err != nil {
			return
		}
	}
}

// sseWriter writes server-sent events and flushes each one.
type sseWriter struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	started bool
}

func newSSEWriter(w http.ResponseWriter) *sseWriter {
	return &sseWriter{w: w, rc: http.NewResponseController(w)}
}

// begin sends the headers of an event stream.
func (s *sseWriter) begin() {
	if s.started {
		return
	}
	s.started = true
	h := s.w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache, no-transform")
	h.Set("X-Accel-Buffering", "no")
	h.Del("Content-Length")
	s.w.WriteHeader(http.StatusOK)
}

// event writes one named event with v as JSON data, and flushes.
func (s *sseWriter) event(name string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.raw(append(append([]byte("event: "+name+"\ndata: "), data...), '\n', '\n'))
}

// data writes one unnamed event ("data: …"), and flushes.
func (s *sseWriter) data(b []byte) error {
	return s.raw(append(append([]byte("data: "), b...), '\n', '\n'))
}

func (s *sseWriter) raw(frame []byte) error {
	s.begin()
	if _, err := s.w.Write(frame); err != nil {
		return err
	}
	return s.rc.Flush()
}

// detach returns a context for work that must finish after the client left.
func detach(ctx context.Context) context.Context { return context.WithoutCancel(ctx) }
