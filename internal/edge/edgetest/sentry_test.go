package edgetest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/parley-chat/parley/internal/platform/testenv"
)

// sentryIngest receives what the Sentry SDK sends, like Sentry's ingest.
type sentryIngest struct {
	mu     sync.Mutex
	raw    strings.Builder
	events []map[string]any
}

func (s *sentryIngest) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.Method != "POST" || r.URL.Path != "/api/1/envelope/" {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	s.raw.Write(b)
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	sc.Scan() // envelope header
	for sc.Scan() {
		var item struct {
			Type string `json:"type"`
		}
		_ = json.Unmarshal(sc.Bytes(), &item)
		if !sc.Scan() {
			break
		}
		if item.Type == "event" {
			var ev map[string]any
			_ = json.Unmarshal(sc.Bytes(), &ev)
			s.events = append(s.events, ev)
		}
	}
}

// TestServerErrorReachesSentry breaks parley's database under it (the
// conversations table disappears), makes a call that fails with a 500, and
// checks the local Sentry endpoint got the event with the request id, route
// and opaque user id — and without credentials, body or email.
func TestServerErrorReachesSentry(t *testing.T) {
	ingest := &sentryIngest{}
	srv := httptest.NewServer(ingest)
	defer srv.Close()
	dbURL := testenv.NewPostgresDB(t)
	p := startParley(t, map[string]string{
		"PARLEY_DATABASE_URL": dbURL,
		"PARLEY_SENTRY_DSN":   "http://public@" + strings.TrimPrefix(srv.URL, "http://") + "/1",
	})
	n := strings.ReplaceAll(uuid.NewString(), "-", "")
	email, password, title := "sentry-"+n[:8]+"@example.com", "Pw-"+n, "private title "+n
	reg := callJSON(t, "POST", p.URL+"/api/v1/auth/register", "", map[string]string{"email": email, "password": password}, 201)
	token := reg["access_token"].(string)
	userID := reg["user"].(map[string]any)["id"].(string)

	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "ALTER TABLE conversations RENAME TO conversations_gone"); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)

	raw, _ := json.Marshal(map[string]string{"title": title})
	req, _ := http.NewRequest("POST", p.URL+"/api/v1/conversations", bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusInternalServerError {
		t.Fatalf("status %d, want 500", res.StatusCode)
	}
	requestID := res.Header.Get("X-Request-Id")

	p.terminate(t) // shutdown flushes the SDK's queue
	wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err, ok := p.wait(wctx); !ok || err != nil {
		t.Fatalf("parley did not exit cleanly: %v (exited %v)", err, ok)
	}
	ingest.mu.Lock()
	defer ingest.mu.Unlock()
	if len(ingest.events) != 1 {
		t.Fatalf("%d events reached Sentry, want 1", len(ingest.events))
	}
	ev := ingest.events[0]
	tags, _ := ev["tags"].(map[string]any)
	user, _ := ev["user"].(map[string]any)
	got := []any{tags["request_id"], tags["http.route"], user["id"], ev["release"]}
	want := []any{requestID, "POST /api/v1/conversations", userID, "parley@dev"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("event field %d = %v, want %v", i, got[i], want[i])
		}
	}
	raw2 := ingest.raw.String()
	for name, secret := range map[string]string{"access token": token, "password": password, "title (body)": title, "email": email, "Authorization header": "Authorization\""} {
		if strings.Contains(raw2, secret) {
			t.Errorf("the %s reached Sentry", name)
		}
	}
	t.Logf("500 on POST /api/v1/conversations reached Sentry as 1 event with request id %s; no token, password, body or email in %d bytes sent", requestID, len(raw2))
}
