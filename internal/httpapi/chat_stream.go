package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

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
	ctx, cancel := context.WithCancel(chat.WithRequestID(r.Context(), RequestID(r.Context())))
	defer cancel()
	turn, err := a.d.Chat.Send(ctx, u, r.PathValue("id"), in.Content, in.Model)
	if err != nil {
		return err
	}
	a.stream(ctx, cancel, w, r, u, turn)
	return nil
}

// regenerate answers POST /api/v1/conversations/{id}/regenerate with a stream.
func (a *ChatAPI) regenerate(w http.ResponseWriter, r *http.Request) error {
	var in regenerateBody
	if err := DecodeOptionalJSON(r, &in); err != nil {
		return err
	}
	u, _ := CurrentUser(r)
	ctx, cancel := context.WithCancel(chat.WithRequestID(r.Context(), RequestID(r.Context())))
	defer cancel()
	turn, err := a.d.Chat.Regenerate(ctx, u, r.PathValue("id"), in.Model)
	if err != nil {
		return err
	}
	a.stream(ctx, cancel, w, r, u, turn)
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
func (a *ChatAPI) stream(ctx context.Context, cancel context.CancelFunc, w http.ResponseWriter, r *http.Request,
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
	keepAlive := time.NewTicker(a.keepAlive)
	defer keepAlive.Stop()
	for {
		var st turnStep
		select {
		case st = <-steps:
		case <-ctx.Done(): // the client went away: Close keeps the partial answer
			if info := infoFrom(r.Context()); info != nil {
				info.clientGone = true
			}
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
			if info := infoFrom(r.Context()); info != nil {
				info.clientGone = true
			}
			return
		case st.err != nil:
			a.streamError(sse, r, u, st.err)
			return
		}
		if err := sse.event("delta", deltaEvent{Content: st.delta}); err != nil {
			return
		}
		keepAlive.Reset(a.keepAlive)
	}
}

// streamError ends a stream with an error event carrying a problem.
func (a *ChatAPI) streamError(sse *sseWriter, r *http.Request, u account.User, err error) {
	p, unexpected := ProblemFor(r, err)
	if unexpected {
		Logger(r).ErrorContext(r.Context(), "chat stream failed", "error_id", p.ErrorID, "err", err.Error())
	} else if e, ok := errs.As(err); ok && e.Err != nil {
		Logger(r).WarnContext(r.Context(), "chat stream broke off", slog.String("user_id", u.ID),
			slog.String("code", string(e.Code)), slog.String("err", e.Err.Error()))
	}
	_ = sse.event("error", p)
}

// sseWriter writes server-sent events and flushes each one. Before each
// it renews the connection's write deadline by the server's WriteTimeout:
// the stream lasts as long as events come, but a client that stops reading
// is cut once one event has waited that long (see deadline.go).
type sseWriter struct {
	w            http.ResponseWriter
	rc           *http.ResponseController
	writeTimeout time.Duration
	started      bool
}

// newSSEWriter is called once the request body has been read.
func newSSEWriter(w http.ResponseWriter, r *http.Request) *sseWriter {
	return &sseWriter{w: w, rc: http.NewResponseController(w), writeTimeout: writeTimeout(r)}
}

// begin sends the headers of an event stream.
func (s *sseWriter) begin() {
	if s.started {
		return
	}
	s.started = true
	liftReadDeadline(s.rc) // the body is in; the stream must not time out reading
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

// data writes one unnamed event ("data: …"), and flushes. JSON spread
// over lines is compacted first: a line break would end the data field.
func (s *sseWriter) data(b []byte) error {
	if bytes.ContainsAny(b, "\r\n") {
		var c bytes.Buffer
		if err := json.Compact(&c, b); err != nil {
			return err
		}
		b = c.Bytes()
	}
	return s.raw(append(append([]byte("data: "), b...), '\n', '\n'))
}

func (s *sseWriter) raw(frame []byte) error {
	s.begin()
	renewWriteDeadline(s.rc, s.writeTimeout)
	if _, err := s.w.Write(frame); err != nil {
		return err
	}
	return s.rc.Flush()
}

// detach returns a context for work that must finish after the client left.
func detach(ctx context.Context) context.Context { return context.WithoutCancel(ctx) }
