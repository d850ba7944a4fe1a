package httpapi_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/parley-chat/parley/internal/groqmock"
	"github.com/parley-chat/parley/internal/store/storetest"
)

// TestOpenAIStreamBreaksOff: a mid-stream upstream failure reaches the
// client as a stream error, never as Groq's own text.
func TestOpenAIStreamBreaksOff(t *testing.T) {
	e := startChat(t, storetest.Open(t, "sqlite"), chatOptions{})
	_, key := e.apiUser()
	e.mock.InjectFault(groqmock.Fault{Kind: groqmock.FaultMidStreamError, AfterChunks: 2, Status: 500, Message: "groq internal detail"})
	c := e.openAIClient(key)
	s := c.Chat.Completions.NewStreaming(context.Background(), userMessage("hi"))
	n := 0
	for s.Next() {
		n++
	}
	err := s.Err()
	if err == nil || strings.Contains(err.Error(), "groq internal detail") {
		t.Fatalf("after %d chunks the stream ended with %v; want a client-safe error", n, err)
	}
	if n < 2 {
		t.Errorf("%d chunks before the error, want the 2 upstream sent", n)
	}
}

// TestOpenAIStreamClientGone: a client that stops reading cancels the upstream call.
func TestOpenAIStreamClientGone(t *testing.T) {
	e := startChat(t, storetest.Open(t, "sqlite"), chatOptions{})
	_, key := e.apiUser()
	e.mock.InjectFault(groqmock.Fault{Kind: groqmock.FaultHang, AfterChunks: 2})
	ctx, cancel := context.WithCancel(context.Background())
	c := e.openAIClient(key)
	s := c.Chat.Completions.NewStreaming(ctx, userMessage("hi"))
	if !s.Next() {
		t.Fatalf("no first chunk: %v", s.Err())
	}
	cancel()
	_ = s.Close()
	if err := <-e.ended; !errors.Is(err, context.Canceled) {
		t.Errorf("upstream request ended with %v, want it cancelled", err)
	}
}

func TestOpenAIQuota(t *testing.T) {
	e := startChat(t, storetest.Open(t, "sqlite"), chatOptions{quota: 20})
	_, key := e.apiUser()
	rt := &recordingTransport{}
	c := e.openAIClient(key, option.WithMaxRetries(2), option.WithHTTPClient(&http.Client{Transport: rt}))
	if _, err := c.Chat.Completions.New(context.Background(), userMessage("use it up")); err != nil {
		t.Fatal(err)
	}
	_, err := c.Chat.Completions.New(context.Background(), userMessage("more"))
	var ae *openai.Error
	if !errors.As(err, &ae) || ae.StatusCode != 429 || ae.Code != "insufficient_quota" {
		t.Fatalf("over quota: %v", err)
	}
	if ra := ae.Response.Header.Get("Retry-After"); ra == "" {
		t.Error("quota 429 without Retry-After")
	}
	// X-Should-Retry: false keeps the client from retrying until midnight.
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if len(rt.attempts) != 2 {
		t.Errorf("the client made %d attempts, want 2 (no retry of the quota 429)", len(rt.attempts))
	}
}
