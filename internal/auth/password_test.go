package auth

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parley-chat/parley/internal/errs"
)

func TestPasswordHash(t *testing.T) {
	h1, err := HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := HashPassword("correct horse")
	if h1 == h2 {
		t.Error("two hashes of one password are equal: salt not random")
	}
	if !strings.HasPrefix(h1, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q does not carry its parameters", h1)
	}
	for _, tc := range []struct {
		pw   string
		want bool
	}{{"correct horse", true}, {"correct horsE", false}, {"", false}, {"correct horse ", false}} {
		ok, err := VerifyPassword(h1, tc.pw)
		if err != nil || ok != tc.want {
			t.Errorf("VerifyPassword(%q) = %v, %v; want %v", tc.pw, ok, err, tc.want)
		}
	}
	// A hash made with other (cheaper) parameters still verifies: they are read from the string.
	cheap, _ := hashWith(Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, "pw-123456")
	if ok, err := VerifyPassword(cheap, "pw-123456"); !ok || err != nil {
		t.Errorf("cheap hash: %v %v", ok, err)
	}
	if !NeedsRehash(cheap) || NeedsRehash(h1) {
		t.Error("NeedsRehash wrong")
	}
}

func TestVerifyMalformedHash(t *testing.T) {
	for _, h := range []string{"", "plain", "$argon2i$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=999999999,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=18$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=1024,t=1,p=1$!!$aGFzaGhhc2hoYXNoaGFzaA"} {
		if ok, err := VerifyPassword(h, "x"); ok || err == nil {
			t.Errorf("VerifyPassword(%q) = %v, %v; want error", h, ok, err)
		}
	}
}

func TestPasswordPolicy(t *testing.T) {
	for _, tc := range []struct {
		pw string
		ok bool
	}{
		{"1234567", false}, {"12345678", true}, {"ééééééé", false}, {"éééééééé", true},
		{strings.Repeat("x", 256), true}, {strings.Repeat("x", 257), false}, {strings.Repeat("é", 129), false},
	} {
		err := CheckPasswordPolicy("password", tc.pw)
		if (err == nil) != tc.ok {
			t.Errorf("policy(%d bytes) = %v, want ok=%v", len(tc.pw), err, tc.ok)
		}
		if e, isErr := errs.As(err); isErr && e.Fields["password"] == "" {
			t.Errorf("policy error does not name the field: %+v", e)
		}
	}
}

func TestLoadOrCreateSecret(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	s1, err := LoadOrCreateSecret(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(s1) < 32 {
		t.Fatalf("secret of %d bytes", len(s1))
	}
	fi, err := os.Stat(filepath.Join(dir, SecretFileName))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	s2, err := LoadOrCreateSecret(dir)
	if err != nil || string(s2) != string(s1) {
		t.Fatalf("second load gave a different secret (%v)", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("data dir holds %d entries, want only the secret", len(entries))
	}
	if err := os.WriteFile(filepath.Join(dir, SecretFileName), []byte("short\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateSecret(dir); err == nil {
		t.Error("short secret accepted")
	}
}
