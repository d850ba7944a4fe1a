package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

func conversationTitles(t *testing.T, s *server, tok string) []string {
	t.Helper()
	status, list := get(t, s.url+"/api/v1/conversations?limit=50", tok)
	if status != 200 {
		t.Fatalf("list conversations: %d %v", status, list)
	}
	var titles []string
	for _, c := range list["data"].([]any) {
		titles = append(titles, c.(map[string]any)["title"].(string))
	}
	slices.Sort(titles)
	return titles
}

// TestBackupAndRestoreSQLite: `parley backup` copies a live SQLite database
// without touching the data dir, `parley restore` brings it into a fresh
// data dir, and a server there shows the same users and conversations.
// Neither command needs a JWT secret or Groq keys.
func TestBackupAndRestoreSQLite(t *testing.T) {
	vars := baseVars(t)
	s := startServe(t, vars)
	status, auth := post(t, s.url+"/api/v1/auth/register", "", map[string]string{"email": "kept@example.com", "password": "password-1"})
	if status != 201 {
		t.Fatalf("register: %d %v", status, auth)
	}
	tok := auth["access_token"].(string)
	for _, title := range []string{"alpha", "beta", "gamma"} {
		if status, c := post(t, s.url+"/api/v1/conversations", tok, map[string]string{"title": title}); status != 201 {
			t.Fatalf("conversation: %d %v", status, c)
		}
	}
	want := conversationTitles(t, s, tok)

	toolVars := map[string]string{
		"PARLEY_DATA_DIR": vars["PARLEY_DATA_DIR"],
		// Broken settings backup and restore do not read.
		"PARLEY_JWT_SECRET": "short", "PARLEY_GROQ_API_KEYS_FILE": filepath.Join(t.TempDir(), "missing"), "PARLEY_SIGNUP": "sometimes",
	}
	before := dirNames(t, vars["PARLEY_DATA_DIR"])
	backups := filepath.Join(t.TempDir(), "backups")
	out, errOut, err := cli(t, toolVars, "", "backup", "--dir", backups)
	if err != nil {
		t.Fatalf("backup of the live database: %v\n%s%s", err, out, errOut)
	}
	fields := strings.Fields(out)
	if len(fields) < 2 || !strings.HasPrefix(fields[1], backups) {
		t.Fatalf("backup output: %q", out)
	}
	file := fields[1]
	if _, err := os.Stat(file + ".sha256"); err != nil {
		t.Errorf("no checksum beside the backup: %v", err)
	}
	if after := dirNames(t, vars["PARLEY_DATA_DIR"]); !cmp.Equal(before, after) {
		t.Errorf("backup changed the data dir: %v → %v", before, after)
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}

	fresh := filepath.Join(t.TempDir(), "restored")
	toolVars["PARLEY_DATA_DIR"] = fresh
	if out, errOut, err = cli(t, toolVars, "", "restore", "--file", file); err != nil {
		t.Fatalf("restore: %v\n%s%s", err, out, errOut)
	}
	if got := dirNames(t, fresh); !cmp.Equal(got, []string{"parley.db"}) {
		t.Errorf("restored data dir holds %v, want only parley.db", got)
	}
	vars2 := baseVars(t)
	vars2["PARLEY_DATA_DIR"] = fresh
	s2 := startServe(t, vars2)
	status, auth = post(t, s2.url+"/api/v1/auth/login", "", map[string]string{"email": "kept@example.com", "password": "password-1"})
	if status != 200 {
		t.Fatalf("login on the restored database: %d %v", status, auth)
	}
	if got := conversationTitles(t, s2, auth["access_token"].(string)); !cmp.Equal(want, got) {
		t.Errorf("restored conversations (-want +got)\n%s", cmp.Diff(want, got))
	}

	if _, _, err := cli(t, toolVars, "", "restore", "--file", filepath.Join(backups, "nothing.db")); err == nil {
		t.Error("restore of a missing file succeeded")
	}
	for _, cmd := range []string{"backup", "restore"} {
		out, _, err := cli(t, nil, "", cmd, "--help")
		if err != nil || !strings.Contains(out, "--dir") && !strings.Contains(out, "-file") || !strings.Contains(out, "PARLEY_DATABASE_URL") {
			t.Errorf("%s --help: %v\n%s", cmd, err, out)
		}
	}
}
