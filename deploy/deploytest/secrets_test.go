package deploytest

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var secretsDir = filepath.Join(repoRoot, "deploy/compose/secrets")

func TestComposeSecretsComeFromFiles(t *testing.T) {
	p := project(t)
	absSecrets, err := filepath.Abs(secretsDir)
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range p.Secrets {
		if s.File != filepath.Join(absSecrets, name) {
			t.Errorf("secret %s comes from %q, want a file under deploy/compose/secrets/", name, s.File)
		}
	}

	secretish := regexp.MustCompile(`PASSWORD|SECRET|TOKEN|DSN|API_KEY|_KEYS|DATABASE_URL|REDIS_URL|WEBHOOK`)
	for name, s := range p.Services {
		var mounted []string
		for _, sec := range s.Secrets {
			mounted = append(mounted, sec.Source)
		}
		for k, v := range s.Environment {
			if !secretish.MatchString(k) {
				continue
			}
			if !strings.HasSuffix(k, "_FILE") {
				t.Errorf("%s: %s is set directly; secrets go through a *_FILE variable", name, k)
				continue
			}
			if v == nil || !strings.HasPrefix(*v, "/run/secrets/") {
				t.Errorf("%s: %s does not point into /run/secrets", name, k)
				continue
			}
			if sec := strings.TrimPrefix(*v, "/run/secrets/"); !slices.Contains(mounted, sec) {
				t.Errorf("%s: %s reads secret %s, which the service does not mount", name, k, sec)
			}
		}
	}

	wantMounted := map[string][]string{
		"api":          {"database_url", "groq_api_keys", "jwt_secret", "postgres_tls_cert", "redis_url", "sentry_dsn"},
		"backup":       {"database_url", "postgres_tls_cert"},
		"postgres":     {"postgres_password", "postgres_tls_cert", "postgres_tls_key"},
		"redis":        {"redis_password"},
		"grafana":      {"grafana_admin_password"},
		"alertmanager": {"alertmanager_webhook_url"},
	}
	for svc, want := range wantMounted {
		var got []string
		for _, sec := range p.Services[svc].Secrets {
			got = append(got, sec.Source)
		}
		sort.Strings(got)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s secrets (-want +got):\n%s", svc, diff)
		}
	}

	raw, err := os.ReadFile(composeFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{"gsk_", "POSTGRES_PASSWORD:", "GF_SECURITY_ADMIN_PASSWORD:", "requirepass \"", "env_file"} {
		if strings.Contains(string(raw), leak) {
			t.Errorf("compose.yaml contains %q", leak)
		}
	}
}

func TestComposeRequiresItsSettings(t *testing.T) {
	_, err := loadCompose(t, []string{"PARLEY_DOMAIN=chat.example.test"})
	if err == nil || !strings.Contains(err.Error(), "ACME_EMAIL") {
		t.Fatalf("loading without ACME_EMAIL: %v, want an error naming it", err)
	}
	p := project(t)
	cmd := strings.Join(p.Services["traefik"].Command, " ")
	for _, flag := range []string{
		"--certificatesresolvers.letsencrypt.acme.email=ops@example.test",
		"--certificatesresolvers.letsencrypt.acme.tlsChallenge=true",
		"--entrypoints.web.http.redirections.entryPoint.to=websecure",
		"--entrypoints.web.http.redirections.entryPoint.scheme=https",
		"--entrypoints.websecure.http.middlewares=security-headers@file,rate-limit@file",
		"--api.dashboard=false",
	} {
		if !strings.Contains(cmd, flag) {
			t.Errorf("traefik command lacks %s", flag)
		}
	}
	if got := *p.Services["api"].Environment["PARLEY_CORS_ORIGINS"]; got != "https://chat.example.test" {
		t.Errorf("PARLEY_CORS_ORIGINS = %q", got)
	}
}

func TestGenSecrets(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "secrets")
	script := filepath.Join(repoRoot, "deploy/compose/gen-secrets.sh")
	run := func() {
		t.Helper()
		out, err := exec.Command("bash", script, dir).CombinedOutput()
		if err != nil {
			t.Fatalf("gen-secrets.sh: %v\n%s", err, out)
		}
	}
	// An operator's own value is never replaced.
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "groq_api_keys"), []byte("gsk_operator_key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run()
	read := func(name string) string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("secret %s: %v", name, err)
		}
		return strings.TrimSpace(string(b))
	}
	first := map[string]string{}
	for name := range project(t).Secrets {
		first[name] = read(name)
	}
	strong := regexp.MustCompile(`^[A-Za-z0-9]{32,}$`)
	for _, name := range []string{"postgres_password", "redis_password", "jwt_secret", "grafana_admin_password"} {
		if !strong.MatchString(first[name]) {
			t.Errorf("%s = %d chars, want 32+ random alphanumerics", name, len(first[name]))
		}
	}
	if first["postgres_password"] == first["redis_password"] {
		t.Error("two secrets share a value")
	}
	if !strings.Contains(first["database_url"], ":"+first["postgres_password"]+"@postgres:5432/parley?sslmode=verify-full") {
		t.Errorf("database_url does not use the generated password with verify-full TLS")
	}
	if !strings.Contains(first["redis_url"], ":"+first["redis_password"]+"@redis:6379") {
		t.Errorf("redis_url does not use the generated password")
	}
	if !strings.HasPrefix(first["postgres_tls_cert"], "-----BEGIN CERTIFICATE-----") ||
		!strings.Contains(first["postgres_tls_key"], "PRIVATE KEY-----") {
		t.Error("no PostgreSQL TLS certificate and key")
	}
	if first["groq_api_keys"] != "gsk_operator_key" {
		t.Errorf("groq_api_keys overwritten: %q", first["groq_api_keys"])
	}
	if st, err := os.Stat(dir); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("secrets dir mode %v (%v), want 0700", st.Mode().Perm(), err)
	}

	run() // a second run changes nothing
	for name, v := range first {
		if got := read(name); got != v {
			t.Errorf("second run changed %s", name)
		}
	}
}

func TestSecretsAreNotCommitted(t *testing.T) {
	for _, f := range []string{"deploy/compose/secrets/jwt_secret", "deploy/compose/secrets/postgres_password", "deploy/compose/.env", ".env"} {
		cmd := exec.Command("git", "check-ignore", "-q", f)
		cmd.Dir = repoRoot
		if err := cmd.Run(); err != nil {
			t.Errorf("%s is not git-ignored: %v", f, err)
		}
	}
	for _, f := range []string{".dockerignore", "web/.dockerignore"} {
		raw, err := os.ReadFile(filepath.Join(repoRoot, f))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		lines := strings.Fields(string(raw))
		for _, want := range []string{"node_modules", ".env", ".git"} {
			if !slices.ContainsFunc(lines, func(l string) bool { return strings.TrimPrefix(l, "**/") == want }) {
				t.Errorf("%s does not exclude %s", f, want)
			}
		}
	}
	raw, _ := os.ReadFile(filepath.Join(repoRoot, ".dockerignore"))
	for _, want := range []string{"deploy/compose/secrets", "data", "**/*.test"} {
		if !slices.Contains(strings.Fields(string(raw)), want) {
			t.Errorf(".dockerignore does not exclude %s", want)
		}
	}
}
