package httpapi

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/httpapi/problem"
	"github.com/parley-chat/parley/internal/platform/reqctx"
)

type sendBody struct {
	Content  string `json:"content"`
	Model    string `json:"model"`
	ParentID string `json:"parent_id"`
	EditOf   string `json:"edit_of"`
}

type regenerateBody struct {
	Model     string `json:"model"`
	MessageID string `json:"message_id"`
}

// sendMessage answers POST /api/v1/conversations/{id}/messages with a stream.
func (s *Server) sendMessage(w http.ResponseWriter, r *http.Request) error {
	var in sendBody
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	u, _ := CurrentUser(r)
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	turn, err := s.d.Chat.Send(ctx, u, r.PathValue("id"),
		chat.SendInput{Content: in.Content, Model: in.Model, ParentID: in.ParentID, EditOf: in.EditOf})
	if err != nil {
		return err
	}
	s.stream(ctx, cancel, w, r, u, turn)
	return nil
}

// regenerate answers POST /api/v1/conversations/{id}/regenerate with a stream.
func (s *Server) regenerate(w http.ResponseWriter, r *http.Request) error {
	var in regenerateBody
	if err := DecodeOptionalJSON(r, &in); err != nil {
		return err
	}
	u, _ := CurrentUser(r)
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	turn, err := s.d.Chat.Regenerate(ctx, u, r.PathValue("id"), chat.RegenerateInput{Model: in.Model, MessageID: in.MessageID})
	if err != nil {
		return err
	}
	s.stream(ctx, cancel, w, r, u, turn)
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

// turnStep is one result of Turn.Next.
type turnStep struct {
	delta string
	err   error
}

// stream writes a turn as server-sent events: start, delta…, then done or
// error, each flushed as written, with a comment line as keep-alive while
// upstream is silent (so proxies do not cut an idle stream). ctx is the
// turn's context; cancel ends it (and the upstream call) when the client
// cannot be written to any more.
func (s *Server) stream(ctx context.Context, cancel context.CancelFunc, w http.ResponseWriter, r *http.Request,
	u account.User, turn *chat.Turn) {
	steps := make(chan turnStep)
	readerDone := make(chan struct{})
	go func() { // the only caller of Next; Close waits for it below
		defer close(readerDone)
		for {
			d, err := turn.Next()
			select {
			case steps <- turnStep{d, err}:
			case <-ctx.Done():
				if err == nil {
					continue // Next notices the cancellation and stores the partial answer
				}
				return
			}
			if err != nil {
				return
			}
		}
	}()
	defer func() {
		cancel()
		<-readerDone
		_ = turn.Close()
	}()

	sse := newSSEWriter(w, r)
	start := startEvent{AssistantMessageID: turn.AssistantID, Model: turn.Model}
	if turn.UserMessage != nil {
		m := NewMessageJSON(*turn.UserMessage)
		start.UserMessage = &m
	}
	if err := sse.event("start", start); err != nil {
		return // the client is gone; the answer is kept as partial
	}
	keepAlive := time.NewTicker(s.d.KeepAlive)
	defer keepAlive.Stop()
	for {
		var st turnStep
		select {
		case st = <-steps:
		case <-ctx.Done(): // the client went away: Close keeps the partial answer
			clientGone(r)
			return
		case <-keepAlive.C:
			if sse.raw([]byte(": keep-alive\n\n")) != nil {
				return
			}
			continue
		}
		switch {
		case errors.Is(st.err, io.EOF):
			_ = sse.event("done", doneEvent{Message: NewMessageJSON(turn.Message()), Usage: turn.Usage()})
			return
		case st.err != nil && ctx.Err() != nil:
			clientGone(r)
			return
		case st.err != nil:
			streamError(sse, r, u, st.err)
			return
		}
		if err := sse.event("delta", deltaEvent{Content: st.delta}); err != nil {
			return
		}
		keepAlive.Reset(s.d.KeepAlive)
	}
}

// streamError ends a stream with an error event carrying a problem.
func streamError(sse *sseWriter, r *http.Request, u account.User, err error) {
	p := problem.For(r, err)
	if e, ok := errs.As(err); ok && e.Code != errs.Internal && e.Err != nil {
		reqctx.Logger(r.Context()).WarnContext(r.Context(), "chat stream broke off", slog.String("user_id", u.ID),
			slog.String("code", string(e.Code)), slog.String("err", e.Err.Error()))
	}
	_ = sse.event("error", p)
}

// clientGone notes in the request record that the client hung up.
func clientGone(r *http.Request) {
	if rec := reqctx.From(r.Context()); rec != nil {
		rec.ClientGone = true
	}
}
