package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func lookup(m map[string]string) Lookup {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestDefaultsRunOutOfTheBox(t *testing.T) {
	c, err := Load(lookup(nil))
	if err != nil {
		t.Fatalf("defaults do not validate: %v", err)
	}
	want := Config{
		Addr: ":8080", MetricsAddr: "127.0.0.1:9091", DataDir: "./data",
		DBMaxConns: 10, DBMaxConnIdleTime: 5 * time.Minute, DBMaxConnLifetime: time.Hour, Migrate: "auto",
		AccessTokenTTL: 15 * time.Minute, RefreshTokenTTL: 720 * time.Hour, Signup: "open",
		GroqBaseURL: "https://api.groq.com/openai/v1", GroqDeadKeyTTL: 24 * time.Hour, QueueTimeout: 10 * time.Second, UpstreamTimeout: 120 * time.Second,
		DefaultModel: "openai/gpt-oss-120b", RateLimitRPS: 10, RateLimitBurst: 20, AuthRateLimitRPM: 20, PasswordHashQueueTimeout: 2 * time.Second,
		MaxBodyBytes: 1 << 20, MaxStreamsPerUser: 3, MaxAPITokensPerUser: 50, WAF: "off", WAFParanoia: 1,
		ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: time.Minute, IdleTimeout: 2 * time.Minute,
		ShutdownTimeout: 30 * time.Second, AuditRetention: 2160 * time.Hour,
		LogLevel: "info", LogFormat: "json",
	}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
	if c.DatabaseEngine() != "sqlite" {
		t.Errorf("engine %q", c.DatabaseEngine())
	}
}

func TestParsing(t *testing.T) {
	c, err := Load(lookup(map[string]string{
		"PARLEY_DATABASE_URL":         "postgres://u:p@db:5432/parley?sslmode=verify-full",
		"PARLEY_GROQ_API_KEYS":        " gsk_aaaaaaaa , gsk_bbbbbbbb@org_123 ,, ",
		"PARLEY_TRUSTED_PROXIES":      "10.0.0.0/8, 192.168.1.1",
		"PARLEY_RATE_LIMIT_RPS":       "2.5",
		"PARLEY_SHUTDOWN_TIMEOUT":     "45s",
		"PARLEY_DAILY_TOKEN_QUOTA":    "100000",
		"PARLEY_CORS_ORIGINS":         "https://chat.example.com,http://localhost:3000",
		"PARLEY_JWT_PREVIOUS_SECRETS": "0123456789abcdef0123456789abcdef,fedcba9876543210fedcba9876543210",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"gsk_aaaaaaaa", "gsk_bbbbbbbb@org_123"}, c.GroqAPIKeys); diff != "" {
		t.Error(diff)
	}
	if c.RateLimitRPS != 2.5 || c.ShutdownTimeout != 45*time.Second || c.DailyTokenQuota != 100000 || len(c.JWTPreviousSecrets) != 2 {
		t.Errorf("parsed %+v", c)
	}
	p, _ := c.TrustedProxyPrefixes()
	if len(p) != 2 || p[1].String() != "192.168.1.1/32" || c.DatabaseEngine() != "postgres" {
		t.Errorf("proxies %v engine %s", p, c.DatabaseEngine())
	}
}

func TestValidateListsEveryProblem(t *testing.T) {
	_, err := Load(lookup(map[string]string{
		"PARLEY_ADDR":                 "8080",
		"PARLEY_DATABASE_URL":         "mysql://root:hunter2@db/parley",
		"PARLEY_DB_MAX_CONNS":         "many",
		"PARLEY_DB_MIN_CONNS":         "50",
		"PARLEY_MIGRATE":              "sometimes",
		"PARLEY_JWT_SECRET":           "tooshort",
		"PARLEY_ACCESS_TOKEN_TTL":     "-1m",
		"PARLEY_REFRESH_TOKEN_TTL":    "a week",
		"PARLEY_SIGNUP":               "maybe",
		"PARLEY_GROQ_API_KEYS":        "sk-openai-key",
		"PARLEY_GROQ_BASE_URL":        "ftp://groq",
		"PARLEY_REDIS_URL":            "localhost:6379",
		"PARLEY_TRUSTED_PROXIES":      "everyone",
		"PARLEY_CORS_ORIGINS":         "chat.example.com",
		"PARLEY_MAX_BODY_BYTES":       "12",
		"PARLEY_LOG_LEVEL":            "loud",
		"PARLEY_LOG_FORMAT":           "xml",
		"PARLEY_RATE_LIMIT_RPS":       "0",
		"PARLEY_MAX_STREAMS_PER_USER": "0",
		"PARLEY_READ_TIMEOUT":         "0s",
		"PARLEY_WRITE_TIMEOUT":        "-1s",
		"PARLEY_IDLE_TIMEOUT":         "0s",
		"PARLEY_WAF":                  "on",
		"PARLEY_WAF_PARANOIA":         "5",
	}))
	var p Problems
	if !errors.As(err, &p) {
		t.Fatalf("Load = %v, want Problems", err)
	}
	for _, name := range []string{"PARLEY_ADDR", "PARLEY_DATABASE_URL", "PARLEY_DB_MAX_CONNS", "PARLEY_DB_MIN_CONNS", "PARLEY_MIGRATE",
		"PARLEY_JWT_SECRET", "PARLEY_ACCESS_TOKEN_TTL", "PARLEY_REFRESH_TOKEN_TTL", "PARLEY_SIGNUP",
		"PARLEY_GROQ_BASE_URL", "PARLEY_REDIS_URL", "PARLEY_TRUSTED_PROXIES", "PARLEY_CORS_ORIGINS", "PARLEY_MAX_BODY_BYTES",
		"PARLEY_LOG_LEVEL", "PARLEY_LOG_FORMAT", "PARLEY_RATE_LIMIT_RPS", "PARLEY_MAX_STREAMS_PER_USER",
		"PARLEY_READ_TIMEOUT", "PARLEY_WRITE_TIMEOUT", "PARLEY_IDLE_TIMEOUT", "PARLEY_WAF", "PARLEY_WAF_PARANOIA"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("problems lack %s", name)
		}
	}
	for _, secret := range []string{"hunter2", "tooshort", "sk-openai-key"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("problems reveal secret %q:\n%v", secret, err)
		}
	}
}

func TestSecretFiles(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "jwt")
	if err := os.WriteFile(secret, []byte("from-a-file-0123456789abcdef-0123456789\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	keys := filepath.Join(dir, "keys")
	if err := os.WriteFile(keys, []byte("gsk_one11111,gsk_two22222@org_x\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(lookup(map[string]string{"PARLEY_JWT_SECRET_FILE": secret, "PARLEY_GROQ_API_KEYS_FILE": keys}))
	if err != nil {
		t.Fatal(err)
	}
	if c.JWTSecret != "from-a-file-0123456789abcdef-0123456789" || len(c.GroqAPIKeys) != 2 {
		t.Errorf("from files: %q %v", c.JWTSecret, c.GroqAPIKeys)
	}
	_, err = Load(lookup(map[string]string{
		"PARLEY_JWT_SECRET_FILE": secret, "PARLEY_JWT_SECRET": "also-set-directly-0123456789abcdef",
		"PARLEY_SENTRY_DSN_FILE": filepath.Join(dir, "missing"),
		"PARLEY_ADDR_FILE":       secret, // not a secret: _FILE is not read, the default stays
	}))
	if err == nil || !strings.Contains(err.Error(), "both set") || !strings.Contains(err.Error(), "PARLEY_SENTRY_DSN_FILE") {
		t.Errorf("file problems: %v", err)
	}
	if strings.Contains(err.Error(), "from-a-file") {
		t.Error("a secret's content leaked into the error")
	}
}

func TestMaskedHidesSecrets(t *testing.T) {
	c, err := Load(lookup(map[string]string{"PARLEY_JWT_SECRET": "super-secret-value-0123456789abcdef", "PARLEY_DATABASE_URL": "postgres://u:pw@h/db"}))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, a := range c.Masked() {
		got[a.Key] = a.Value.String()
	}
	if len(got) != len(Vars) {
		t.Errorf("dump has %d entries for %d vars", len(got), len(Vars))
	}
	if got["PARLEY_JWT_SECRET"] != "set" || got["PARLEY_DATABASE_URL"] != "set" || got["PARLEY_REDIS_URL"] != "unset" || got["PARLEY_ADDR"] != ":8080" {
		t.Errorf("masked = %v", got)
	}
}

// TestREADMEListsEveryVariable keeps README.md's configuration table equal
// to the table generated from Vars. Run with -update to rewrite it.
func TestREADMEListsEveryVariable(t *testing.T) {
	path := filepath.Join("..", "..", "..", "README.md")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "<!-- config:begin -->\n", "<!-- config:end -->"
	s := string(raw)
	i, j := strings.Index(s, begin), strings.Index(s, end)
	if i < 0 || j < i {
		t.Fatalf("README.md lacks the %q … %q markers", begin, end)
	}
	want := s[:i+len(begin)] + MarkdownTable() + s[j:]
	if os.Getenv("UPDATE_README") != "" {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if s != want {
		t.Errorf("README.md configuration table is stale: run UPDATE_README=1 go test ./internal/platform/config")
	}
	for _, v := range Vars {
		if !strings.Contains(s, "`"+v.Name+"`") {
			t.Errorf("README.md lacks %s", v.Name)
		}
	}
}
