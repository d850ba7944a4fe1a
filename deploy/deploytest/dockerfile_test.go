package deploytest

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// stage is one FROM … AS name block of a Dockerfile.
type stage struct {
	Name, Base string
	Inst       []*parser.Node
}

// find returns the stage's instructions of one kind (lower case: "user").
func (s stage) find(kind string) []*parser.Node {
	var out []*parser.Node
	for _, n := range s.Inst {
		if strings.EqualFold(n.Value, kind) {
			out = append(out, n)
		}
	}
	return out
}

// args returns an instruction's arguments.
func args(n *parser.Node) []string {
	var out []string
	for a := n.Next; a != nil; a = a.Next {
		out = append(out, a.Value)
	}
	return out
}

func parseDockerfile(t *testing.T, name string) []stage {
	t.Helper()
	f, err := os.Open(filepath.Join(repoRoot, "deploy/docker", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := parser.Parse(f)
	if err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	var stages []stage
	globalArgs := map[string]string{} // ARGs before the first FROM, as FROM sees them
	for _, n := range res.AST.Children {
		if len(stages) == 0 && strings.EqualFold(n.Value, "arg") {
			for _, a := range args(n) {
				k, v, _ := strings.Cut(a, "=")
				globalArgs[k] = v
			}
		}
		if strings.EqualFold(n.Value, "from") {
			a := args(n)
			s := stage{Base: os.Expand(a[0], func(k string) string { return globalArgs[k] })}
			if len(a) == 3 && strings.EqualFold(a[1], "as") {
				s.Name = a[2]
			}
			stages = append(stages, s)
			continue
		}
		if len(stages) == 0 {
			continue // ARG before the first FROM
		}
		stages[len(stages)-1].Inst = append(stages[len(stages)-1].Inst, n)
	}
	return stages
}

func byName(t *testing.T, stages []stage, name string) stage {
	t.Helper()
	for _, s := range stages {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no stage %q", name)
	return stage{}
}

// checkRuntime asserts what every image that runs in production must have.
func checkRuntime(t *testing.T, s stage, wantUser string) {
	t.Helper()
	users := s.find("user")
	if len(users) == 0 {
		t.Fatalf("stage %s: no USER", s.Name)
	}
	last := args(users[len(users)-1])[0]
	if u := strings.SplitN(last, ":", 2)[0]; u == "root" || u == "0" || u != wantUser {
		t.Errorf("stage %s runs as %q, want %q", s.Name, last, wantUser)
	}
	hc := s.find("healthcheck")
	if len(hc) != 1 || !strings.Contains(hc[0].Original, "CMD [") {
		t.Errorf("stage %s: want one exec-form HEALTHCHECK CMD, got %v", s.Name, hc)
	}
	labels := strings.Join(func() []string {
		var out []string
		for _, l := range s.find("label") {
			out = append(out, l.Original)
		}
		return out
	}(), " ")
	for _, l := range []string{"org.opencontainers.image.title", "org.opencontainers.image.source", "org.opencontainers.image.version"} {
		if !strings.Contains(labels, l) {
			t.Errorf("stage %s: no %s label", s.Name, l)
		}
	}
	for _, n := range append(s.find("cmd"), s.find("entrypoint")...) {
		if !n.Attributes["json"] {
			t.Errorf("stage %s: %q is shell form; exec form needs no shell", s.Name, n.Original)
		}
	}
}

func TestAPIDockerfile(t *testing.T) {
	stages := parseDockerfile(t, "api.Dockerfile")
	var names []string
	for _, s := range stages {
		names = append(names, s.Name)
	}
	// runtime last: it is what `docker build` without --target produces.
	if diff := cmp.Diff([]string{"build", "backup", "runtime"}, names); diff != "" {
		t.Fatalf("stages (-want +got):\n%s", diff)
	}

	build := byName(t, stages, "build")
	if !strings.HasPrefix(build.Base, "golang:") {
		t.Errorf("build stage on %s, want golang", build.Base)
	}
	var goBuild *parser.Node
	for _, r := range build.find("run") {
		if strings.Contains(r.Original, "go build") {
			goBuild = r
		}
	}
	if goBuild == nil {
		t.Fatal("no go build step")
	}
	for _, want := range []string{"CGO_ENABLED=0", "-trimpath", "./cmd/parley"} {
		if !strings.Contains(goBuild.Original, want) {
			t.Errorf("go build step lacks %s", want)
		}
	}
	if !slices.ContainsFunc(goBuild.Flags, func(f string) bool { return strings.Contains(f, "type=cache") && strings.Contains(f, "/go/pkg/mod") }) ||
		!slices.ContainsFunc(goBuild.Flags, func(f string) bool { return strings.Contains(f, "go-build") }) {
		t.Errorf("go build step has no module and build cache mounts: %v", goBuild.Flags)
	}

	rt := byName(t, stages, "runtime")
	if !strings.HasPrefix(rt.Base, "gcr.io/distroless/static") || !strings.HasSuffix(rt.Base, ":nonroot") {
		t.Errorf("runtime base %s, want distroless static nonroot (no shell)", rt.Base)
	}
	checkRuntime(t, rt, "65532")
	if hc := rt.find("healthcheck"); len(hc) == 1 && !strings.Contains(hc[0].Original, `"/usr/local/bin/parley", "healthcheck"`) {
		t.Errorf("runtime health check %q does not run parley healthcheck", hc[0].Original)
	}
	var exposed []string
	for _, e := range rt.find("expose") {
		exposed = append(exposed, args(e)...)
	}
	if diff := cmp.Diff([]string{"8080", "9091"}, exposed); diff != "" {
		t.Errorf("runtime EXPOSE (-want +got):\n%s", diff)
	}
	for _, c := range rt.find("copy") {
		if !slices.Contains(c.Flags, "--from=build") {
			t.Errorf("runtime copies %q from the build context; only the built binary belongs there", c.Original)
		}
	}

	bk := byName(t, stages, "backup")
	if !strings.HasPrefix(bk.Base, "postgres:") || !strings.Contains(bk.Base, "alpine") {
		t.Errorf("backup base %s, want postgres alpine (pg_dump of the server's major version)", bk.Base)
	}
	checkRuntime(t, bk, "70")
}

func TestWebDockerfile(t *testing.T) {
	stages := parseDockerfile(t, "web.Dockerfile")
	var names []string
	for _, s := range stages {
		names = append(names, s.Name)
		if !strings.HasPrefix(s.Base, "node:") || !strings.HasSuffix(s.Base, "-alpine") {
			t.Errorf("stage %s on %s, want node alpine", s.Name, s.Base)
		}
	}
	if diff := cmp.Diff([]string{"deps", "build", "runner"}, names); diff != "" {
		t.Fatalf("stages (-want +got):\n%s", diff)
	}
	runner := byName(t, stages, "runner")
	checkRuntime(t, runner, "nextjs")
	if hc := runner.find("healthcheck"); len(hc) != 1 || !strings.Contains(hc[0].Original, `"node"`) ||
		strings.Contains(hc[0].Original, "curl") || !strings.Contains(hc[0].Original, "/healthz'") {
		t.Errorf("web health check %v: want node fetching the app's /healthz, no curl", hc)
	}
	var copies []string
	for _, c := range runner.find("copy") {
		copies = append(copies, strings.Join(args(c), " "))
	}
	want := []string{"/app/.next/standalone ./", "/app/.next/static ./.next/static", "/app/public ./public",
		"/app/scripts/server.mjs ./scripts/server.mjs"}
	if diff := cmp.Diff(want, copies); diff != "" {
		t.Errorf("runner copies (-want +got):\n%s", diff)
	}
	if runs := runner.find("run"); len(runs) != 1 || !strings.Contains(runs[0].Original, "adduser") || !strings.Contains(runs[0].Original, "nextjs") {
		t.Errorf("runner does not create the nextjs user")
	}
	// scripts/server.mjs appends the connecting peer to X-Forwarded-For; the
	// bare standalone server.js would pass on whatever chain a client claims.
	if cmd := runner.find("cmd"); len(cmd) != 1 || strings.Join(args(cmd[0]), " ") != "node scripts/server.mjs" {
		t.Errorf("runner CMD %v, want node scripts/server.mjs", cmd)
	}
	if ep := runner.find("entrypoint"); len(ep) != 0 {
		t.Errorf("runner ENTRYPOINT %q would wrap the launcher", ep[0].Original)
	}
}

func TestComposeBuildsFromTheseDockerfiles(t *testing.T) {
	p := project(t)
	want := map[string][2]string{
		"api":    {"deploy/docker/api.Dockerfile", "runtime"},
		"backup": {"deploy/docker/api.Dockerfile", "backup"},
		"web":    {"deploy/docker/web.Dockerfile", ""},
	}
	for svc, w := range want {
		b := p.Services[svc].Build
		if b == nil {
			t.Errorf("%s has no build section", svc)
			continue
		}
		if b.Dockerfile != w[0] || b.Target != w[1] {
			t.Errorf("%s builds %s target %q, want %s target %q", svc, b.Dockerfile, b.Target, w[0], w[1])
		}
		root, _ := filepath.Abs(repoRoot)
		if b.Context != root {
			t.Errorf("%s build context %s, want the repository root", svc, b.Context)
		}
	}
}
