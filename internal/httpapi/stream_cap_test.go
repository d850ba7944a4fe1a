package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/parley-chat/parley/internal/groqmock"
	"github.com/parley-chat/parley/internal/platform/testenv"
	"github.com/parley-chat/parley/internal/ratelimit"
	"github.com/parley-chat/parley/internal/store"
	redisstore "github.com/parley-chat/parley/internal/store/redis"
	"github.com/parley-chat/parley/internal/store/storetest"
)

// One user's open streams are capped in total, across the web chat and all
// their API tokens, and across two replicas counting in one Redis.
func TestStreamCapPerUserAcrossTokensAndReplicas(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st store.Store) {
		const limit = 3
		rc, prefix := testenv.Redis(t)
		replica := func() *chatEnv {
			e := startChat(t, st, chatOptions{streams: ratelimit.NewSharedStreams(limit, nil, redisstore.NewStreams(rc, prefix), nil)})
			e.mock.InjectFault(groqmock.Fault{Kind: groqmock.FaultHang, AfterChunks: 1, Count: 10}) // streams stay open
			return e
		}
		a, b := replica(), replica()
		access, _ := a.NewUser()
		var keys []string
		for range 3 {
			keys = append(keys, a.newAPIToken(access, map[string]any{"name": "script"}).Token)
		}
		body := map[string]any{"model": chatModel, "stream": true, "messages": []map[string]string{{"role": "user", "content": "hi"}}}
		openV1 := func(e *chatEnv, key string) (*http.Response, context.CancelFunc) {
			ctx, hangUp := context.WithCancel(context.Background())
			t.Cleanup(hangUp)
			res, s := e.openStream(ctx, "/v1/chat/completions", key, body)
			if res.StatusCode == http.StatusOK {
				if ev, err := s.next(); err != nil || !strings.Contains(ev.data, "chat.completion.chunk") {
					t.Fatalf("first chunk: %+v %v", ev, err)
				}
			}
			return res, hangUp
		}
		// The web chat on replica a, two API tokens on b and a: the cap.
		ctx, hangUpWeb := context.WithCancel(context.Background())
		defer hangUpWeb()
		_, web := a.openStream(ctx, "/api/v1/conversations/"+a.conversation(access)+"/messages", access, map[string]string{"content": "hi"})
		web.must(t, "start", nil)
		res, hangUp1 := openV1(b, keys[0])
		if res.StatusCode != http.StatusOK {
			t.Fatalf("second stream: status %d", res.StatusCode)
		}
		if res, _ := openV1(a, keys[1]); res.StatusCode != http.StatusOK {
			t.Fatalf("third stream: status %d", res.StatusCode)
		}

		// A fourth, by a third token or the web chat, on either replica, is refused.
		res, _ = openV1(b, keys[2])
		if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
			t.Fatalf("fourth stream (third token, other replica): status %d, want 429 with Retry-After", res.StatusCode)
		}
		var env struct {
			Error struct{ Message, Type, Code string }
		}
		if err := json.NewDecoder(res.Body).Decode(&env); err != nil || env.Error.Code != "rate_limit_exceeded" ||
			env.Error.Type != "rate_limit_error" || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
			t.Errorf("/v1 429 is not OpenAI's envelope: %+v (%v), Content-Type %q", env, err, res.Header.Get("Content-Type"))
		}
		res, _ = b.openStream(context.Background(), "/api/v1/conversations/"+b.conversation(access)+"/messages", access, map[string]string{"content": "hi"})
		if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Content-Type") != "application/problem+json" {
			t.Fatalf("fourth stream (web chat, other replica): status %d %q, want a 429 problem", res.StatusCode, res.Header.Get("Content-Type"))
		}

		// Closing one frees one place, on any replica.
		// Replica b has handled two /v1 calls once the closed one is done
		// (the refused one is the other): its slot is free by then.
		hangUp1()
		for seen := 0; seen < 2; {
			if p := <-b.handled; strings.Contains(p, "/v1/chat/completions") {
				seen++
			}
		}
		if res, _ := openV1(a, keys[2]); res.StatusCode != http.StatusOK {
			t.Fatalf("after one closed: status %d, want 200", res.StatusCode)
		}
	})
}
