package httpapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/groqmock"
	"github.com/parley-chat/parley/internal/httpapi"
	"github.com/parley-chat/parley/internal/httpapi/problem"
	"github.com/parley-chat/parley/internal/store"
	"github.com/parley-chat/parley/internal/store/storetest"
)

type startData struct {
	UserMessage        *httpapi.MessageJSON `json:"user_message"`
	AssistantMessageID string               `json:"assistant_message_id"`
	Model              string               `json:"model"`
}

type doneData struct {
	Message httpapi.MessageJSON `json:"message"`
	Usage   chat.Usage          `json:"usage"`
}

type deltaData struct {
	Content string `json:"content"`
}

// readAnswer reads delta events until done or error, returning the text,
// the number of deltas and the final event.
func readAnswer(t *testing.T, s *sseStream) (string, int, sseEvent) {
	t.Helper()
	var text strings.Builder
	n := 0
	for {
		ev, err := s.next()
		if err != nil {
			t.Fatalf("stream ended without done or error: %v", err)
		}
		if ev.name != "delta" {
			if _, err := s.next(); !errors.Is(err, io.EOF) {
				t.Errorf("after %s the stream goes on (%v)", ev.name, err)
			}
			return text.String(), n, ev
		}
		var d deltaData
		if err := json.Unmarshal([]byte(ev.data), &d); err != nil {
			t.Fatal(err)
		}
		text.WriteString(d.Content)
		n++
	}
}

func TestChatStream(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st store.Store) {
		e := startChat(t, st, chatOptions{})
		tok, _ := e.NewUser()
		conv := e.conversation(tok)
		const prompt = "Where is the Eiffel tower?"
		res, s := e.openStream(context.Background(), "/api/v1/conversations/"+conv+"/messages", tok, map[string]string{"content": prompt})
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status %d", res.StatusCode)
		}
		for h, want := range map[string]string{
			"Content-Type": "text/event-stream", "Cache-Control": "no-cache, no-transform", "X-Accel-Buffering": "no",
		} {
			if got := res.Header.Get(h); got != want {
				t.Errorf("%s = %q, want %q", h, got, want)
			}
		}
		if ce := res.Header.Get("Content-Encoding"); ce != "" {
			t.Errorf("Content-Encoding %q: the stream must not be compressed", ce)
		}
		var start startData
		s.must(t, "start", &start)
		if start.UserMessage == nil || start.UserMessage.Content != prompt || start.Model != chatModel || start.AssistantMessageID == "" {
			t.Fatalf("start %+v", start)
		}
		text, deltas, last := readAnswer(t, s)
		want := groqmock.Reply(prompt)
		if last.name != "done" || text != want || deltas < 5 {
			t.Fatalf("%d deltas %q then %s; want several making %q, then done", deltas, text, last.name, want)
		}
		var done doneData
		_ = json.Unmarshal([]byte(last.data), &done)
		m := done.Message
		if m.ID != start.AssistantMessageID || m.Status != chat.StatusComplete || m.Content != want ||
			done.Usage.CompletionTokens != groqmock.CountTokens(want) || done.Usage.TotalTokens != done.Usage.PromptTokens+done.Usage.CompletionTokens {
			t.Errorf("done %+v", done)
		}
		var got httpapi.ConversationJSON
		e.Want(e.Call("GET", "/api/v1/conversations/"+conv, tok, nil), 200).Decode(t, &got)
		if got.Messages == nil || len(*got.Messages) != 2 || (*got.Messages)[1].ID != m.ID || got.Title != prompt {
			t.Errorf("conversation after the turn %+v", got)
		}
	})
}

// TestChatStreamIsIncrementalAndClientGoneKeepsPartial has upstream send
// three chunks and then stall: the client sees those deltas while the
// answer is still open (nothing is buffered), then hangs up; parley cancels
// the upstream call and keeps the partial answer.
func TestChatStreamIsIncrementalAndClientGoneKeepsPartial(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st store.Store) {
		e := startChat(t, st, chatOptions{})
		tok, _ := e.NewUser()
		conv := e.conversation(tok)
		e.mock.InjectFault(groqmock.Fault{Kind: groqmock.FaultHang, AfterChunks: 3})
		ctx, hangUp := context.WithCancel(context.Background())
		defer hangUp()
		_, s := e.openStream(ctx, "/api/v1/conversations/"+conv+"/messages", tok, map[string]string{"content": "a story please"})
		var start startData
		s.must(t, "start", &start)
		var text strings.Builder
		for range 3 {
			var d deltaData
			s.must(t, "delta", &d)
			text.WriteString(d.Content)
		}
		hangUp()
		if err := <-e.ended; !errors.Is(err, context.Canceled) {
			t.Errorf("upstream request ended with %v, want it cancelled", err)
		}
		if p := <-e.handled; !strings.HasSuffix(p, "/messages") {
			t.Fatalf("handler %q returned", p)
		}
		var got httpapi.ConversationJSON
		e.Want(e.Call("GET", "/api/v1/conversations/"+conv, tok, nil), 200).Decode(t, &got)
		msgs := *got.Messages
		if len(msgs) != 2 || msgs[1].ID != start.AssistantMessageID || msgs[1].Status != chat.StatusPartial || msgs[1].Content != text.String() {
			t.Fatalf("stored %+v; want the partial answer %q", msgs, text.String())
		}
	})
}

func TestChatStreamUpstreamErrorMidAnswer(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st store.Store) {
		e := startChat(t, st, chatOptions{})
		tok, _ := e.NewUser()
		conv := e.conversation(tok)
		e.mock.InjectFault(groqmock.Fault{Kind: groqmock.FaultMidStreamError, AfterChunks: 2, Status: 500,
			Message: "secret internal stack trace"})
		_, s := e.openStream(context.Background(), "/api/v1/conversations/"+conv+"/messages", tok, map[string]string{"content": "hi"})
		s.must(t, "start", nil)
		text, deltas, last := readAnswer(t, s)
		if last.name != "error" || deltas != 2 {
			t.Fatalf("%d deltas then %q; want 2 then error", deltas, last.name)
		}
		var p problem.Doc
		_ = json.Unmarshal([]byte(last.data), &p)
		if p.Code != "upstream" || p.Status != 502 || p.Detail == "" || strings.Contains(last.data, "secret") || p.RequestID == "" {
			t.Errorf("error event %s", last.data)
		}
		<-e.handled
		var got httpapi.ConversationJSON
		e.Want(e.Call("GET", "/api/v1/conversations/"+conv, tok, nil), 200).Decode(t, &got)
		msgs := *got.Messages
		if len(msgs) != 2 || msgs[1].Status != chat.StatusError || msgs[1].Content != text {
			t.Fatalf("stored %+v; want the cut answer %q with status error", msgs, text)
		}
	})
}

func TestChatRegenerate(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st store.Store) {
		e := startChat(t, st, chatOptions{})
		tok, _ := e.NewUser()
		conv := e.conversation(tok)
		_, s := e.openStream(context.Background(), "/api/v1/conversations/"+conv+"/messages", tok, map[string]string{"content": "hello"})
		s.must(t, "start", nil)
		if _, _, last := readAnswer(t, s); last.name != "done" {
			t.Fatalf("first answer ended with %s", last.name)
		}
		_, s = e.openStream(context.Background(), "/api/v1/conversations/"+conv+"/regenerate", tok, map[string]string{"model": "openai/gpt-oss-20b"})
		var start startData
		s.must(t, "start", &start)
		if start.UserMessage != nil || start.Model != "openai/gpt-oss-20b" {
			t.Errorf("regenerate start %+v", start)
		}
		text, _, last := readAnswer(t, s)
		if last.name != "done" || text != groqmock.Reply("hello") {
			t.Fatalf("regenerated %q then %s", text, last.name)
		}
		var got httpapi.ConversationJSON
		e.Want(e.Call("GET", "/api/v1/conversations/"+conv, tok, nil), 200).Decode(t, &got)
		msgs := *got.Messages // the first answer stays: the new one is its sibling, and the active leaf
		if len(msgs) != 3 || msgs[2].ID != start.AssistantMessageID || msgs[2].Model != "openai/gpt-oss-20b" ||
			*msgs[2].ParentID != msgs[0].ID || *msgs[1].ParentID != msgs[0].ID || *got.ActiveLeafID != msgs[2].ID {
			t.Fatalf("after regenerate %+v", msgs)
		}
	})
}

// TestChatStreamKeepAlive: while upstream is silent, the stream carries
// comment lines so proxies do not close it as idle.
func TestChatStreamKeepAlive(t *testing.T) {
	e := startChat(t, storetest.Open(t, "sqlite"), chatOptions{keepAlive: 5 * time.Millisecond})
	tok, _ := e.NewUser()
	conv := e.conversation(tok)
	e.mock.InjectFault(groqmock.Fault{Kind: groqmock.FaultHang, AfterChunks: 1})
	ctx, hangUp := context.WithCancel(context.Background())
	defer hangUp()
	_, s := e.openStream(ctx, "/api/v1/conversations/"+conv+"/messages", tok, map[string]string{"content": "think hard"})
	s.must(t, "start", nil)
	s.must(t, "delta", nil)
	for {
		line, err := s.r.ReadString('\n')
		if err != nil {
			t.Fatalf("stream ended before a keep-alive: %v", err)
		}
		if line == ": keep-alive\n" {
			break
		}
		if line != "\n" {
			t.Fatalf("unexpected line %q while upstream is silent", line)
		}
	}
	hangUp()
	<-e.handled
}

// TestChatUserMessageStoredBeforeUpstream: while the upstream call is
// still waiting for Groq, the user's message can already be read back.
func TestChatUserMessageStoredBeforeUpstream(t *testing.T) {
	e := startChat(t, storetest.Open(t, "sqlite"), chatOptions{})
	tok, _ := e.NewUser()
	conv := e.conversation(tok)
	e.mock.InjectFault(groqmock.Fault{Kind: groqmock.FaultHang})
	ctx, hangUp := context.WithCancel(context.Background())
	defer hangUp()
	go func() {
		req, _ := http.NewRequestWithContext(ctx, "POST", e.URL+"/api/v1/conversations/"+conv+"/messages",
			strings.NewReader(`{"content":"are you there?"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		if res, err := e.Client.Do(req); err == nil {
			_ = res.Body.Close()
		}
	}()
	<-e.arrived
	var got httpapi.ConversationJSON
	e.Want(e.Call("GET", "/api/v1/conversations/"+conv, tok, nil), 200).Decode(t, &got)
	if msgs := *got.Messages; len(msgs) != 1 || msgs[0].Content != "are you there?" || msgs[0].Role != "user" {
		t.Fatalf("while upstream works: %+v", msgs)
	}
	hangUp()
	<-e.handled
}
