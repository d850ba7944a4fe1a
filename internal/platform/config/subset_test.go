package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadOnlyReadsTheNamedVariables(t *testing.T) {
	url := filepath.Join(t.TempDir(), "db-url")
	if err := os.WriteFile(url, []byte("postgres://backup@db/parley\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{
		"PARLEY_DATABASE_URL_FILE": url, "PARLEY_DATA_DIR": "/srv/parley",
		// Broken or missing settings a backup does not read.
		"PARLEY_JWT_SECRET": "short", "PARLEY_GROQ_API_KEYS_FILE": "/run/secrets/missing", "PARLEY_SIGNUP": "sometimes",
	}
	c, err := LoadOnly(lookup(vars), "PARLEY_DATABASE_URL", "PARLEY_DATA_DIR")
	if err != nil {
		t.Fatal(err)
	}
	if c.DatabaseURL != "postgres://backup@db/parley" || c.DataDir != "/srv/parley" || c.JWTSecret != "" || c.Signup != "" {
		t.Errorf("LoadOnly = %+v", c)
	}
	c, err = LoadOnly(lookup(map[string]string{}), "PARLEY_DATA_DIR")
	if err != nil || c.DataDir != "./data" {
		t.Errorf("default: %q %v", c.DataDir, err)
	}
	_, err = LoadOnly(lookup(map[string]string{"PARLEY_DATABASE_URL_FILE": url + ".missing"}), "PARLEY_DATABASE_URL")
	if err == nil || !strings.Contains(err.Error(), "PARLEY_DATABASE_URL_FILE") {
		t.Errorf("missing file: %v", err)
	}
}
