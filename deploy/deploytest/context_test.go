package deploytest

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// buildContext matches paths against the repository's .dockerignore the way
// Docker does (the same pattern library).
func buildContext(t *testing.T) *patternmatcher.PatternMatcher {
	t.Helper()
	f, err := os.Open(filepath.Join(repoRoot, ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	patterns, err := ignorefile.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		t.Fatal(err)
	}
	return pm
}

func excluded(t *testing.T, pm *patternmatcher.PatternMatcher, path string) bool {
	t.Helper()
	ex, err := pm.MatchesOrParentMatches(path)
	if err != nil {
		t.Fatal(err)
	}
	return ex
}

// TestBuildContext proves the images get what their Dockerfiles copy from the
// build context (the repository root) and never secrets, data or VCS files.
func TestBuildContext(t *testing.T) {
	pm := buildContext(t)
	for _, name := range []string{"api.Dockerfile", "web.Dockerfile"} {
		for _, s := range parseDockerfile(t, name) {
			for _, c := range s.find("copy") {
				if slices.ContainsFunc(c.Flags, func(f string) bool { return strings.HasPrefix(f, "--from=") }) {
					continue
				}
				a := args(c)
				for _, src := range a[:len(a)-1] {
					src = strings.TrimSuffix(src, "/")
					if _, err := os.Stat(filepath.Join(repoRoot, src)); err != nil {
						t.Errorf("%s stage %s copies %s, which does not exist", name, s.Name, src)
					}
					if excluded(t, pm, src) {
						t.Errorf("%s stage %s copies %s, which .dockerignore excludes", name, s.Name, src)
					}
				}
			}
		}
	}
	for _, p := range []string{
		"deploy/compose/secrets/jwt_secret", ".env", "deploy/compose/.env", "web/.env.local", ".git/HEAD",
		"web/node_modules/next/package.json", "web/.next/BUILD_ID", "data/parley.db", "internal/backup/backup.test",
		"backups/parley-pg-20261125T030000Z.dump", "deploy/helm/parley/values.yaml", "key.pem",
	} {
		if !excluded(t, pm, p) {
			t.Errorf("%s would be sent to the Docker build", p)
		}
	}
	for _, p := range []string{"go.mod", "cmd/parley/main.go", "internal/backup/backup.go", "web/package.json", "web/app/page.tsx"} {
		if excluded(t, pm, p) {
			t.Errorf("%s is excluded but the images need it", p)
		}
	}
}

// TestAPIImageCopiesEveryPackage checks that the API image's build stage
// (which copies go.mod, go.sum, cmd/ and internal/) holds every package of
// this module that cmd/parley imports, embedded files included.
func TestAPIImageCopiesEveryPackage(t *testing.T) {
	var copied []string
	for _, c := range byName(t, parseDockerfile(t, "api.Dockerfile"), "build").find("copy") {
		a := args(c)
		copied = append(copied, a[:len(a)-1]...)
	}
	root := mustAbsPath(t, repoRoot)
	cmd := exec.Command("go", "list", "-e", "-deps", "-f", "{{.Module}}|{{.Dir}}|{{join .EmbedFiles \",\"}}", "./cmd/parley")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	pm := buildContext(t)
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		parts := strings.SplitN(line, "|", 3)
		if parts[0] != "github.com/parley-chat/parley" {
			continue
		}
		rel, err := filepath.Rel(root, parts[1])
		if err != nil {
			t.Fatal(err)
		}
		top := strings.Split(filepath.ToSlash(rel), "/")[0]
		if !slices.Contains(copied, top) {
			t.Errorf("cmd/parley needs %s, which the build stage does not copy (it copies %v)", rel, copied)
		}
		files := []string{}
		if parts[2] != "" {
			files = strings.Split(parts[2], ",")
		}
		for _, f := range files {
			if p := filepath.ToSlash(filepath.Join(rel, f)); excluded(t, pm, p) {
				t.Errorf("embedded file %s is excluded by .dockerignore", p)
			}
		}
	}
	for _, f := range []string{"go.mod", "go.sum"} {
		if !slices.ContainsFunc(copied, func(c string) bool { return c == f }) {
			t.Errorf("build stage does not copy %s", f)
		}
	}
}

func mustAbsPath(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
