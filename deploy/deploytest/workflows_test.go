package deploytest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/google/go-cmp/cmp"
)

// GitHub Actions cannot run here: these tests read the workflow files as
// GitHub does (YAML 1.2: `on` is a string key) and check what matters.

type workflow struct {
	Name        string            `yaml:"name"`
	On          map[string]any    `yaml:"on"`
	Permissions map[string]string `yaml:"permissions"`
	Env         map[string]string `yaml:"env"`
	Jobs        map[string]ghJob  `yaml:"jobs"`
}

type ghJob struct {
	Needs       []string             `yaml:"needs"`
	Uses        string               `yaml:"uses"`
	Permissions map[string]string    `yaml:"permissions"`
	Environment map[string]string    `yaml:"environment"`
	Services    map[string]ghService `yaml:"services"`
	Env         map[string]string    `yaml:"env"`
	Strategy    struct {
		Matrix struct {
			Include []map[string]string `yaml:"include"`
		} `yaml:"matrix"`
	} `yaml:"strategy"`
	Steps []ghStep `yaml:"steps"`
}

type ghService struct {
	Image string   `yaml:"image"`
	Ports []string `yaml:"ports"`
}

type ghStep struct {
	Name string            `yaml:"name"`
	ID   string            `yaml:"id"`
	Uses string            `yaml:"uses"`
	Run  string            `yaml:"run"`
	With map[string]any    `yaml:"with"`
	Env  map[string]string `yaml:"env"`
}

func readWorkflow(t *testing.T, name string) workflow {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot, ".github/workflows", name))
	if err != nil {
		t.Fatal(err)
	}
	var w workflow
	if err := yaml.Unmarshal(raw, &w); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return w
}

// stepUsing returns the job's first step that uses action (owner/repo).
func (j ghJob) stepUsing(action string) (ghStep, bool) {
	for _, s := range j.Steps {
		if strings.HasPrefix(s.Uses, action+"@") {
			return s, true
		}
	}
	return ghStep{}, false
}

// runs reports whether some step's script contains every one of the words.
func (j ghJob) runs(words ...string) bool {
	return slices.ContainsFunc(j.Steps, func(s ghStep) bool {
		for _, w := range words {
			if !strings.Contains(s.Run, w) {
				return false
			}
		}
		return true
	})
}

// command returns the shell command of the job that starts with prefix,
// continuation lines joined, comments left out; "" when there is none.
func (j ghJob) command(prefix string) string {
	for _, s := range j.Steps {
		joined := strings.ReplaceAll(s.Run, "\\\n", " ")
		for _, line := range strings.Split(joined, "\n") {
			if line = strings.TrimSpace(line); strings.HasPrefix(line, prefix) {
				return strings.Join(strings.Fields(line), " ")
			}
		}
	}
	return ""
}

func TestCIRunsTheREADMETestCommand(t *testing.T) {
	w := readWorkflow(t, "ci.yml")
	var triggers []string
	for k := range w.On {
		triggers = append(triggers, k)
	}
	sort.Strings(triggers)
	if diff := cmp.Diff([]string{"pull_request", "push", "workflow_call"}, triggers); diff != "" {
		t.Errorf("ci triggers (-want +got):\n%s", diff)
	}

	test := w.Jobs["test"]
	if !test.runs("bash .ci/run") {
		t.Fatal("the test job does not run .ci/run")
	}
	ciRun, err := os.ReadFile(filepath.Join(repoRoot, ".ci/run"))
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^make test$`).Match(ciRun) || !strings.Contains(string(readme), "make test") {
		t.Error(".ci/run and README.md no longer agree on `make test`")
	}

	// Real PostgreSQL and Redis, where the tests look for them.
	images := map[string]string{}
	for name, s := range test.Services {
		images[name] = strings.Split(s.Image, ":")[0]
	}
	if diff := cmp.Diff(map[string]string{"postgres": "postgres", "redis": "redis"}, images); diff != "" {
		t.Errorf("service containers (-want +got):\n%s", diff)
	}
	for name, port := range map[string]string{"postgres": "5432", "redis": "6379"} {
		if !slices.Contains(test.Services[name].Ports, port+":"+port) {
			t.Errorf("%s not published on %s: %v", name, port, test.Services[name].Ports)
		}
	}
	if u := test.Env["PARLEY_TEST_POSTGRES_URL"]; !strings.Contains(u, "@127.0.0.1:5432/") {
		t.Errorf("PARLEY_TEST_POSTGRES_URL = %q", u)
	}
	if u := test.Env["PARLEY_TEST_REDIS_URL"]; !strings.HasPrefix(u, "redis://127.0.0.1:6379") {
		t.Errorf("PARLEY_TEST_REDIS_URL = %q", u)
	}

	// The toolchains the tests build with, at the versions the images use.
	if s, ok := test.stepUsing("actions/setup-go"); !ok || s.With["go-version-file"] != "${{ env.GO_VERSION_FILE }}" || w.Env["GO_VERSION_FILE"] != "go.mod" {
		t.Errorf("Go not set up from go.mod: %+v", s)
	}
	webNode := dockerfileArg(t, "web.Dockerfile", "NODE_VERSION")
	if _, ok := test.stepUsing("actions/setup-node"); !ok || w.Env["NODE_VERSION"] != webNode {
		t.Errorf("Node %q in CI, %q in the web image", w.Env["NODE_VERSION"], webNode)
	}
	if _, ok := test.stepUsing("browser-actions/setup-chrome"); !ok || !test.runs("/usr/local/bin/chromium", "PARLEY_CHROMIUM") {
		t.Error("no Chromium for the end-to-end tests")
	}
	if w.Env["HELM_VERSION"] != helmVersion {
		t.Errorf("CI installs Helm %s, the chart tests pin %s", w.Env["HELM_VERSION"], helmVersion)
	}

	lint := w.Jobs["lint"]
	for _, words := range [][]string{{"make lint"}, {"staticcheck@v"}, {"govulncheck@v"}} {
		if !lint.runs(words...) {
			t.Errorf("lint job does not run %q", words)
		}
	}
	mk, err := os.ReadFile(filepath.Join(repoRoot, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	recipe := regexp.MustCompile(`(?m)^lint:\n((?:\t.*\n)+)`).FindSubmatch(mk)
	if recipe == nil {
		t.Fatal("Makefile has no lint target")
	}
	for _, want := range []string{"vet", "gofmt", "typecheck", "run lint"} {
		if !strings.Contains(string(recipe[1]), want) {
			t.Errorf("make lint does not run %s", want)
		}
	}
}

func dockerfileArg(t *testing.T, file, name string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot, "deploy/docker", file))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^ARG ` + name + `=(\S+)`).FindSubmatch(raw)
	if m == nil {
		t.Fatalf("%s has no ARG %s", file, name)
	}
	return string(m[1])
}

var (
	pinnedAction = regexp.MustCompile(`^[\w.-]+/[\w./-]+@(v\d+\.\d+\.\d+|[0-9a-f]{40})$`)
	goRunTool    = regexp.MustCompile(`go (?:run|install) (\S+)`)
	pinnedTool   = regexp.MustCompile(`@v\d+\.\d+\.\d+$`)
)

func TestWorkflowsArePinnedAndLeastPrivileged(t *testing.T) {
	// Write scopes each job may hold; everything else reads at most.
	allowedWrites := map[string][]string{
		"release.yml/images": {"attestations", "id-token", "packages"},
		"release.yml/chart":  {"packages"},
	}
	for _, file := range []string{"ci.yml", "release.yml"} {
		w := readWorkflow(t, file)
		if diff := cmp.Diff(map[string]string{"contents": "read"}, w.Permissions); diff != "" {
			t.Errorf("%s: top-level permissions (-want +got):\n%s", file, diff)
		}
		for name, j := range w.Jobs {
			var writes []string
			for scope, level := range j.Permissions {
				if level == "write" {
					writes = append(writes, scope)
				}
			}
			sort.Strings(writes)
			if diff := cmp.Diff(allowedWrites[file+"/"+name], writes); diff != "" {
				t.Errorf("%s/%s: write permissions (-allowed +got):\n%s", file, name, diff)
			}
			for _, s := range j.Steps {
				if s.Uses != "" && !pinnedAction.MatchString(s.Uses) {
					t.Errorf("%s/%s: %q is not pinned to vX.Y.Z or a commit", file, name, s.Uses)
				}
				for _, m := range goRunTool.FindAllStringSubmatch(s.Run, -1) {
					if !pinnedTool.MatchString(m[1]) {
						t.Errorf("%s/%s: %q is not pinned to a version", file, name, m[1])
					}
				}
				if s.Uses == "actions/checkout@v4.2.2" && s.With["persist-credentials"] != false {
					t.Errorf("%s/%s: checkout keeps the token in .git/config", file, name)
				}
			}
		}
	}
}

func TestWorkflowsNeverPrintSecrets(t *testing.T) {
	for _, file := range []string{"ci.yml", "release.yml"} {
		w := readWorkflow(t, file)
		raw, _ := os.ReadFile(filepath.Join(repoRoot, ".github/workflows", file))
		for _, lit := range []string{"gsk_", "ghp_", "github_pat_", "BEGIN ", "password: \"", "token: \""} {
			if strings.Contains(string(raw), lit) {
				t.Errorf("%s holds what looks like a credential (%q)", file, lit)
			}
		}
		for name, j := range w.Jobs {
			for _, s := range j.Steps {
				if strings.Contains(s.Run, "${{") {
					t.Errorf("%s/%s: step %q expands ${{ }} inside its script; pass values through env", file, name, s.Name)
				}
				if strings.Contains(s.Run, "set -x") {
					t.Errorf("%s/%s: step %q traces its commands (set -x)", file, name, s.Name)
				}
				for v, val := range s.Env {
					if !strings.Contains(val, "secrets.") {
						continue
					}
					for _, line := range strings.Split(s.Run, "\n") {
						if !strings.Contains(line, "$"+v) {
							continue
						}
						piped := regexp.MustCompile(`printf '%s' "\$` + v + `" \|`).MatchString(line)
						if !piped || strings.Contains(line, "GITHUB_ENV") || strings.Contains(line, "GITHUB_OUTPUT") {
							t.Errorf("%s/%s: secret %s leaves its pipe: %q", file, name, v, line)
						}
					}
				}
			}
		}
	}
}

func TestReleasePublishesOnlyTestedCode(t *testing.T) {
	w := readWorkflow(t, "release.yml")
	push, _ := w.On["push"].(map[string]any)
	if len(w.On) != 1 || push == nil || push["tags"] == nil || push["branches"] != nil {
		t.Fatalf("release triggers %v, want version tags only", w.On)
	}
	if w.Jobs["test"].Uses != "./.github/workflows/ci.yml" {
		t.Fatalf("release does not run the CI workflow: %q", w.Jobs["test"].Uses)
	}
	// Every other job waits, directly or through others, for the tests.
	var dependsOnTest func(name string, seen map[string]bool) bool
	dependsOnTest = func(name string, seen map[string]bool) bool {
		if seen[name] {
			return false
		}
		seen[name] = true
		for _, n := range w.Jobs[name].Needs {
			if n == "test" || dependsOnTest(n, seen) {
				return true
			}
		}
		return false
	}
	for name := range w.Jobs {
		if name != "test" && !dependsOnTest(name, map[string]bool{}) {
			t.Errorf("job %s can run without the tests passing", name)
		}
	}

	// Images: one per chart image, built from a stage that exists, pushed
	// with version tags and provenance.
	images := w.Jobs["images"]
	values := chartValues(t)
	built := map[string]string{}
	for _, m := range images.Strategy.Matrix.Include {
		built["ghcr.io/parley-chat/"+m["image"]] = m["dockerfile"] + "#" + m["target"]
		byName(t, parseDockerfile(t, filepath.Base(m["dockerfile"])), m["target"])
	}
	for _, repo := range []string{values.API.Image.Repository, values.Web.Image.Repository, values.Backup.Image.Repository} {
		if built[repo] == "" {
			t.Errorf("the chart runs %s, which the release does not build (builds %v)", repo, built)
		}
	}
	meta, _ := images.stepUsing("docker/metadata-action")
	if tags, _ := meta.With["tags"].(string); !strings.Contains(tags, "type=semver,pattern={{version}}") {
		t.Errorf("images not tagged with the release version: %q", tags)
	}
	build, ok := images.stepUsing("docker/build-push-action")
	if !ok || build.With["push"] != true || build.With["provenance"] != "mode=max" || build.With["sbom"] != true ||
		build.With["tags"] != "${{ steps.meta.outputs.tags }}" {
		t.Errorf("build-push step %+v", build.With)
	}
	if _, ok := images.stepUsing("docker/setup-buildx-action"); !ok {
		t.Error("images not built with buildx")
	}

	chart := w.Jobs["chart"]
	if !chart.runs("helm package deploy/helm/parley", `--version "$version"`, `--app-version "$version"`) || !chart.runs("helm push", "oci://") {
		t.Error("the chart is not packaged at the release version and pushed")
	}

	deploy := w.Jobs["deploy"]
	if deploy.Environment["name"] != "production" {
		t.Errorf("deploy environment %v, want the protected `production`", deploy.Environment)
	}
	upgrade := deploy.command("helm upgrade --install")
	for _, flag := range []string{"--atomic", "--wait", "--timeout", `api.image.tag="$version"`, `web.image.tag="$version"`, `backup.image.tag="$version"`} {
		if !slices.Contains(strings.Fields(upgrade), flag) && !strings.Contains(upgrade, " "+flag) {
			t.Errorf("deploy's helm upgrade lacks %s: %q", flag, upgrade)
		}
	}
	if !slices.ContainsFunc(deploy.Steps, func(s ghStep) bool { return strings.Contains(s.Env["KUBECONFIG_B64"], "secrets.KUBECONFIG_B64") }) {
		t.Error("cluster credentials do not come from the environment's secret")
	}
}

// chartValues is the part of the chart's values.yaml the release relies on.
type chartImages struct {
	API, Web, Backup struct {
		Image struct{ Repository string }
	}
}

func chartValues(t *testing.T) chartImages {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(chartDir, "values.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var v chartImages
	if err := yaml.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// actionlintVersion checks the workflows as GitHub would (expressions,
// job graph, runner labels, inputs of well-known actions). Built once into
// the user cache, like helm.
const actionlintVersion = "v1.7.12"

var (
	actionlintOnce sync.Once
	actionlintBin  string
	actionlintErr  error
)

func TestActionlint(t *testing.T) {
	actionlintOnce.Do(func() {
		cache, err := os.UserCacheDir()
		if err != nil {
			actionlintErr = err
			return
		}
		dir := filepath.Join(cache, "parley-tools", "actionlint-"+actionlintVersion)
		actionlintBin = filepath.Join(dir, "actionlint")
		if _, err := os.Stat(actionlintBin); err == nil {
			return
		}
		cmd := exec.Command("go", "install", "github.com/rhysd/actionlint/cmd/actionlint@"+actionlintVersion)
		cmd.Env = append(os.Environ(), "GOBIN="+dir, "CGO_ENABLED=0")
		cmd.Dir = os.TempDir() // outside this module
		if out, err := cmd.CombinedOutput(); err != nil {
			actionlintErr = fmt.Errorf("build actionlint %s: %v\n%s", actionlintVersion, err, out)
		}
	})
	if actionlintErr != nil {
		t.Fatal(actionlintErr)
	}
	// shellcheck and pyflakes are used when installed; their absence is not an error.
	cmd := exec.Command(actionlintBin, "-no-color", ".github/workflows/ci.yml", ".github/workflows/release.yml")
	cmd.Dir = repoRoot
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("actionlint: %v\n%s", err, out)
	}
}
