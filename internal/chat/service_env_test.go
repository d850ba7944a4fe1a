package chat_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/groq"
	"github.com/parley-chat/parley/internal/groqmock"
	"github.com/parley-chat/parley/internal/store"
	"github.com/parley-chat/parley/internal/store/storetest"
	"github.com/parley-chat/parley/internal/usage"
)

const (
	groqKey  = "gsk_test_key_1"
	groqOrg  = "org_test1"
	bigModel = "openai/gpt-oss-20b"
	// tinyModel has a 300-token window, so history must be trimmed.
	tinyModel = "tiny/context-300"
)

// env is parley's chat core on real parts: a store, the key pool, groqmock.
type env struct {
	name  string
	st    store.Store
	mock  *groqmock.Server
	pool  *groq.Pool
	rec   *usage.Recorder
	svc   *chat.Service
	user  account.User
	other account.User
	// arrived receives every chat request's arrival at groqmock;
	// ended its context error when the handler returns.
	arrived chan struct{}
	ended   chan error
}

type envOptions struct {
	quota           int64
	maxContentChars int
	tokensPerSecond float64
}

// engines lists the storage engines every chat test runs on.
func engines(*testing.T) []string { return storetest.Engines }

func newEnv(t *testing.T, engine string, o envOptions) *env {
	t.Helper()
	st := storetest.Open(t, engine)
	models := append(groqmock.DefaultModels(), groqmock.Model{ID: tinyModel, OwnedBy: "test", ContextWindow: 300, MaxCompletionTokens: 100})
	mock := groqmock.New(groqmock.Config{
		Orgs:            []groqmock.Org{{ID: groqOrg, Keys: []string{groqKey}}},
		Models:          models,
		TokensPerSecond: o.tokensPerSecond,
	})
	e := &env{name: engine, st: st, mock: mock, arrived: make(chan struct{}, 16), ended: make(chan error, 16)}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/openai/v1/chat/completions" {
			mock.ServeHTTP(w, r)
			return
		}
		select { // tests that do not watch arrivals must not block here
		case e.arrived <- struct{}{}:
		default:
		}
		mock.ServeHTTP(w, r)
		select {
		case e.ended <- r.Context().Err():
		default:
		}
	}))
	t.Cleanup(hs.Close)
	t.Cleanup(mock.Close)
	var err error
	e.pool, err = groq.New(groq.Options{Keys: []string{groqKey + "@" + groqOrg}, BaseURL: hs.URL + "/openai/v1", MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	e.rec, err = usage.NewRecorder(usage.Options{Store: st, DefaultQuota: o.quota, FlushInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.rec.Close(context.Background()) })
	e.svc, err = chat.NewService(chat.ServiceOptions{
		Store: st, Completer: e.pool, Quota: e.rec, DefaultModel: bigModel, MaxContentChars: o.maxContentChars,
	})
	if err != nil {
		t.Fatal(err)
	}
	e.user = e.newUser(t, "alice@example.com")
	e.other = e.newUser(t, "mallory@example.com")
	return e
}

func (e *env) newUser(t *testing.T, email string) account.User {
	t.Helper()
	u, err := e.st.CreateUser(context.Background(), account.User{Email: email, Name: "U", PasswordHash: "x", Role: account.RoleUser}, account.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func (e *env) newConversation(t *testing.T, model string) chat.Conversation {
	t.Helper()
	c, err := e.st.CreateConversation(context.Background(), chat.Conversation{UserID: e.user.ID, Model: model})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (e *env) messages(t *testing.T, convID string) []chat.Message {
	t.Helper()
	ms, err := e.st.Messages(context.Background(), e.user.ID, convID)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// drain reads a turn to its end and returns the deltas and the final error.
func drain(t *testing.T, turn *chat.Turn) ([]string, error) {
	t.Helper()
	var deltas []string
	for {
		d, err := turn.Next()
		if err != nil {
			_ = turn.Close()
			return deltas, err
		}
		deltas = append(deltas, d)
	}
}
