package httpapi_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"github.com/parley-chat/parley/internal/groqmock"
	"github.com/parley-chat/parley/internal/store"
	"github.com/parley-chat/parley/internal/store/storetest"
)

// finishTurn sends content and reads the stream to its end.
func (e *chatEnv) finishTurn(t *testing.T, tok, conv, content string) {
	t.Helper()
	_, s := e.openStream(context.Background(), "/api/v1/conversations/"+conv+"/messages", tok, map[string]string{"content": content})
	s.must(t, "start", nil)
	if _, _, last := readAnswer(t, s); last.name != "done" {
		t.Fatalf("turn ended with %s %s", last.name, last.data)
	}
}

// TestChatErrorsBeforeTheStream are plain problem+json answers.
func TestChatErrorsBeforeTheStream(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st store.Store) {
		e := startChat(t, st, chatOptions{})
		tok, _ := e.NewUser()
		otherTok, _ := e.NewUser()
		conv := e.conversation(tok)
		for _, tc := range []struct {
			name   string
			token  string
			path   string
			body   any
			status int
			code   string
			field  string
		}{
			{"unknown conversation", tok, "/api/v1/conversations/01a2151a-0000-7000-8000-000000000000/messages", map[string]string{"content": "hi"}, 404, "not_found", ""},
			{"someone else's conversation", otherTok, "/api/v1/conversations/" + conv + "/messages", map[string]string{"content": "hi"}, 404, "not_found", ""},
			{"empty content", tok, "/api/v1/conversations/" + conv + "/messages", map[string]string{"content": "  "}, 422, "validation", "content"},
			{"unknown model", tok, "/api/v1/conversations/" + conv + "/messages", map[string]string{"content": "hi", "model": "no/such"}, 422, "validation", "model"},
			{"unknown field", tok, "/api/v1/conversations/" + conv + "/messages", map[string]string{"content": "hi", "temperature": "2"}, 422, "validation", "temperature"},
			{"nothing to regenerate", tok, "/api/v1/conversations/" + conv + "/regenerate", nil, 400, "invalid", ""},
			{"no token", "", "/api/v1/conversations/" + conv + "/messages", map[string]string{"content": "hi"}, 401, "unauthorized", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p := e.Want(e.Call("POST", tc.path, tc.token, tc.body), tc.status).Problem(t)
				if p.Code != tc.code || (tc.field != "" && (len(p.Errors) != 1 || p.Errors[0].Field != tc.field)) {
					t.Errorf("problem %+v, want code %s field %q", p, tc.code, tc.field)
				}
			})
		}
	})
}

func TestChatQuotaExceeded(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st store.Store) {
		e := startChat(t, st, chatOptions{quota: 20})
		tok, _ := e.NewUser()
		conv := e.conversation(tok)
		e.finishTurn(t, tok, conv, "hello") // uses more than 20 tokens
		res := e.Want(e.Call("POST", "/api/v1/conversations/"+conv+"/messages", tok, map[string]string{"content": "more"}), 429)
		p := res.Problem(t)
		ra, _ := strconv.Atoi(res.Header.Get("Retry-After"))
		if p.Code != "quota_exceeded" || p.RetryAfter <= 0 || p.RetryAfter > 86400 || ra != p.RetryAfter {
			t.Errorf("problem %+v with Retry-After %q; want quota_exceeded with seconds to UTC midnight", p, res.Header.Get("Retry-After"))
		}
		var u struct {
			Quota     *int64 `json:"quota"`
			Used      int64  `json:"used"`
			Remaining *int64 `json:"remaining"`
		}
		e.Want(e.Call("GET", "/api/v1/usage", tok, nil), 200).Decode(t, &u)
		if u.Quota == nil || *u.Quota != 20 || u.Remaining == nil || *u.Remaining != 0 || u.Used <= 20 {
			t.Errorf("usage %+v", u)
		}
	})
}

// TestChatPoolRateLimited: when every org is cooling down past the queue
// timeout, the answer is 429 with a true Retry-After, before any stream.
func TestChatPoolRateLimited(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st store.Store) {
		e := startChat(t, st, chatOptions{limits: map[string]groqmock.Limits{chatModel: {RPM: 1}}})
		tok, _ := e.NewUser()
		conv := e.conversation(tok)
		e.finishTurn(t, tok, conv, "one")
		res := e.Want(e.Call("POST", "/api/v1/conversations/"+conv+"/messages", tok, map[string]string{"content": "two"}), http.StatusTooManyRequests)
		p := res.Problem(t)
		ra, err := strconv.Atoi(res.Header.Get("Retry-After"))
		if p.Code != "rate_limited" || err != nil || ra < 1 || ra > 60 || p.RetryAfter != ra {
			t.Errorf("problem %+v, Retry-After %q; want rate_limited within the minute", p, res.Header.Get("Retry-After"))
		}
	})
}
