// Package apitest starts parley's real HTTP API on a real store for
// end-to-end tests, and offers helpers to call it (register, log in, JSON).
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/auth"
	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/httpapi"
	"github.com/parley-chat/parley/internal/httpapi/problem"
	"github.com/parley-chat/parley/internal/platform/testkit"
	"github.com/parley-chat/parley/internal/store"
	"github.com/parley-chat/parley/internal/usage"
)

// DefaultSecret signs access tokens unless Options.Secret is set.
var DefaultSecret = []byte("apitest-secret-0123456789abcdef-0123456789")

// Options tune the server a test starts; the zero value is a sensible default.
type Options struct {
	Signup          string // account.SignupOpen when empty
	Secret          []byte
	PreviousSecrets [][]byte
	AccessTTL       time.Duration
	RefreshTTL      time.Duration
	MaxBodyBytes    int64
	// Clock drives token issuing/verification and refresh expiry; a clock
	// starting at the real time when nil.
	Clock               *testkit.Clock
	AccountThrottle     account.Throttle
	AccountWideThrottle account.Throttle
	AddressThrottle     account.Throttle
	// Hasher bounds concurrent password hashing; nil: the default limit
	// with a minute's queue wait (a loaded test machine is slow, and only
	// the tests of the limit itself want 503s).
	Hasher *auth.Hasher
	// MaxAPITokens caps each user's API tokens (account.Options.MaxAPITokens).
	MaxAPITokens int
	// Completer answers the chat routes; nil: one with no model and no key.
	Completer chat.Completer
	// Usage accounts tokens and checks quotas; nil: a recorder on the store
	// without a quota.
	Usage *usage.Recorder
	// Extra rows of the route table (failing handlers) and readiness checks.
	Extra []httpapi.Route
	Ready []httpapi.ReadyCheck
	// Deps, when set, may change the Deps just before httpapi.New.
	Deps func(*httpapi.Deps)
}

// Env is a running API server and what it was built from.
type Env struct {
	T        testing.TB
	URL      string
	Store    store.Store
	Server   *httpapi.Server
	Accounts *account.Service
	Chat     *chat.Service
	Tokens   *auth.Tokens
	Clock    *testkit.Clock
	Registry *prometheus.Registry
	Logs     *testkit.Buffer
	Client   *http.Client
}

// Start serves the API on 127.0.0.1:0 over st; it stops with the test.
func Start(t testing.TB, st store.Store, o Options) *Env {
	t.Helper()
	if o.Clock == nil {
		o.Clock = testkit.NewClock(time.Now())
	}
	if o.Secret == nil {
		o.Secret = DefaultSecret
	}
	ks, err := auth.NewKeySet(o.Secret, o.PreviousSecrets...)
	if err != nil {
		t.Fatal(err)
	}
	if o.Hasher == nil {
		o.Hasher = auth.NewHasher(0, time.Minute)
	}
	tokens := auth.NewTokens(ks, auth.TokenConfig{TTL: o.AccessTTL, Now: o.Clock.Now})
	logs := &testkit.Buffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	accts, err := account.NewService(st, tokens, account.Options{
		Signup: o.Signup, RefreshTTL: o.RefreshTTL, Logger: log, Now: o.Clock.Now,
		AccountThrottle: o.AccountThrottle, AccountWideThrottle: o.AccountWideThrottle, AddressThrottle: o.AddressThrottle,
		Hasher: o.Hasher, MaxAPITokens: o.MaxAPITokens,
	})
	if err != nil {
		t.Fatal(err)
	}
	if o.Completer == nil {
		o.Completer = noUpstream{}
	}
	if o.Usage == nil {
		rec, err := usage.NewRecorder(usage.Options{Store: st, FlushInterval: time.Hour, Now: o.Clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = rec.Close(context.Background()) })
		o.Usage = rec
	}
	chats, err := chat.NewService(chat.ServiceOptions{Store: st, Completer: o.Completer, Quota: o.Usage,
		DefaultModel: DefaultModel, Now: o.Clock.Now, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	deps := httpapi.Deps{
		Logger: log, Accounts: accts, Chat: chats, Usage: o.Usage, AuditLog: st, Metrics: reg,
		MaxBodyBytes: o.MaxBodyBytes, Extra: o.Extra,
		Ready: append([]httpapi.ReadyCheck{
			{Name: "database", Check: st.Ping},
			{Name: "migrations", Check: func(ctx context.Context) error { return st.Migrator().Check(ctx) }},
		}, o.Ready...),
	}
	if o.Deps != nil {
		o.Deps(&deps)
	}
	srv := httpapi.New(deps)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &Env{T: t, URL: ts.URL, Store: st, Server: srv, Accounts: accts, Chat: chats, Tokens: tokens,
		Clock: o.Clock, Registry: reg, Logs: logs, Client: ts.Client()}
}

// DefaultModel is the chat service's default model in these tests.
const DefaultModel = "openai/gpt-oss-120b"

// noUpstream is the Completer of an API without a Groq key: no models, and
// every completion unavailable.
type noUpstream struct{}

func (noUpstream) Complete(context.Context, chat.CompletionRequest) (chat.Completion, error) {
	return chat.Completion{}, errs.E(errs.Unavailable, "no Groq key is configured")
}
func (noUpstream) Stream(context.Context, chat.CompletionRequest) (chat.Stream, error) {
	return nil, errs.E(errs.Unavailable, "no Groq key is configured")
}
func (noUpstream) Models(context.Context) ([]chat.Model, error) { return nil, nil }

// Response is a buffered HTTP answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Decode unmarshals the body into v, failing the test on error.
func (r *Response) Decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %d answer %q: %v", r.Status, r.Body, err)
	}
}

// Problem decodes the body as a problem document.
func (r *Response) Problem(t testing.TB) problem.Doc {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("status %d with Content-Type %q, want application/problem+json; body %s", r.Status, ct, r.Body)
	}
	var p problem.Doc
	r.Decode(t, &p)
	return p
}

// Request is a call to make; Body is JSON-encoded unless it is a string or
// []byte (sent as is). ContentType defaults to application/json when there is a body.
type Request struct {
	Method      string
	Path        string
	Body        any
	Token       string
	ContentType string
	Header      http.Header
}

// Do sends req and buffers the answer.
func (e *Env) Do(req Request) *Response {
	e.T.Helper()
	var body io.Reader
	switch b := req.Body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	case []byte:
		body = bytes.NewReader(b)
	case io.Reader:
		body = b
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.T.Fatal(err)
		}
		body = bytes.NewReader(raw)
	}
	hr, err := http.NewRequest(req.Method, e.URL+req.Path, body)
	if err != nil {
		e.T.Fatal(err)
	}
	for k, v := range req.Header {
		hr.Header[k] = v
	}
	if body != nil {
		ct := req.ContentType
		if ct == "" {
			ct = "application/json"
		}
		if ct != "-" {
			hr.Header.Set("Content-Type", ct)
		}
	}
	if req.Token != "" {
		hr.Header.Set("Authorization", "Bearer "+req.Token)
	}
	res, err := e.Client.Do(hr)
	if err != nil {
		e.T.Fatalf("%s %s: %v", req.Method, req.Path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		e.T.Fatalf("%s %s: read body: %v", req.Method, req.Path, err)
	}
	return &Response{Status: res.StatusCode, Header: res.Header, Body: raw}
}

// Call is Do for the common case: JSON body (or nil) with an optional token.
func (e *Env) Call(method, path, token string, body any) *Response {
	e.T.Helper()
	return e.Do(Request{Method: method, Path: path, Token: token, Body: body})
}

// Want fails the test unless res has status.
func (e *Env) Want(res *Response, status int) *Response {
	e.T.Helper()
	if res.Status != status {
		e.T.Fatalf("status %d, want %d; body %s", res.Status, status, res.Body)
	}
	return res
}

// Password is what Register uses unless told otherwise.
const Password = "correct horse battery"

// Register signs up email with Password and returns the auth answer.
func (e *Env) Register(email string) httpapi.AuthJSON {
	e.T.Helper()
	res := e.Want(e.Call("POST", "/api/v1/auth/register", "", map[string]string{"email": email, "password": Password, "name": "Test " + email}), http.StatusCreated)
	var a httpapi.AuthJSON
	res.Decode(e.T, &a)
	return a
}

var userSeq struct {
	sync.Mutex
	n int
}

// NewUser registers a fresh user and returns their access token and auth answer.
func (e *Env) NewUser() (string, httpapi.AuthJSON) {
	e.T.Helper()
	userSeq.Lock()
	userSeq.n++
	n := userSeq.n
	userSeq.Unlock()
	a := e.Register(fmt.Sprintf("user%d-%d@example.com", n, time.Now().UnixNano()))
	return a.AccessToken, a
}
