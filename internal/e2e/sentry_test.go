package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/parley-chat/parley/internal/errtrack/errtracktest"
	"github.com/parley-chat/parley/internal/platform/testenv"
)

// TestServerErrorReachesSentry breaks parley's database under it (the
// conversations table disappears), makes a call that fails with a 500, and
// checks the local Sentry endpoint got the event with the request id, route
// and opaque user id — and without credentials, body or email.
func TestServerErrorReachesSentry(t *testing.T) {
	ingest := &errtracktest.Receiver{}
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
	events, raw2, paths := ingest.Snapshot()
	for _, p := range paths {
		if p != "POST /api/1/envelope/" {
			t.Errorf("the SDK sent %s, not to the DSN's envelope endpoint", p)
		}
	}
	if len(events) != 1 {
		t.Fatalf("%d events reached Sentry, want 1", len(events))
	}
	ev := events[0]
	tags, _ := ev["tags"].(map[string]any)
	user, _ := ev["user"].(map[string]any)
	got := []any{tags["request_id"], tags["http.route"], user["id"], ev["release"]}
	want := []any{requestID, "POST /api/v1/conversations", userID, "parley@dev"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("event field %d = %v, want %v", i, got[i], want[i])
		}
	}
	for name, secret := range map[string]string{"access token": token, "password": password, "title (body)": title, "email": email, "Authorization header": "Authorization\""} {
		if strings.Contains(raw2, secret) {
			t.Errorf("the %s reached Sentry", name)
		}
	}
	t.Logf("500 on POST /api/v1/conversations reached Sentry as 1 event with request id %s; no token, password, body or email in %d bytes sent", requestID, len(raw2))
}
