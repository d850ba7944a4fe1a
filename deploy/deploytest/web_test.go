package deploytest

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// The web service runs the image's launcher (scripts/server.mjs, which fixes
// X-Forwarded-For) and is checked through the web app's own /healthz.

func TestComposeWebRunsTheLauncherAndChecksHealthz(t *testing.T) {
	web := project(t).Services["web"]
	if len(web.Entrypoint) != 0 || len(web.Command) != 0 {
		t.Errorf("web overrides the image's launcher: entrypoint %v command %v", web.Entrypoint, web.Command)
	}
	hc := web.HealthCheck
	if hc == nil || len(hc.Test) < 2 || hc.Test[0] != "CMD" || hc.Test[1] != "node" {
		t.Fatalf("web health check %+v, want CMD node …", hc)
	}
	if probe := strings.Join(hc.Test, " "); !strings.Contains(probe, "http://127.0.0.1:3000/healthz'") || strings.Contains(probe, "curl") {
		t.Errorf("web health check %q, want a fetch of the app's /healthz", probe)
	}
}

func TestHelmWebRunsTheLauncherAndProbesHealthz(t *testing.T) {
	r := template(t)
	web, ok := r.Deployments["parley-web"]
	if !ok {
		t.Fatal("no parley-web Deployment")
	}
	c := web.Spec.Template.Spec.Containers[0]
	if len(c.Command) != 0 || len(c.Args) != 0 {
		t.Errorf("web container overrides the image's launcher: command %v args %v", c.Command, c.Args)
	}
	for name, p := range map[string]*corev1.Probe{"liveness": c.LivenessProbe, "readiness": c.ReadinessProbe} {
		if p == nil || p.HTTPGet == nil || p.HTTPGet.Path != "/healthz" || p.HTTPGet.Port.String() != "http" {
			t.Errorf("web %s probe %+v, want GET /healthz on the http port", name, p)
		}
	}
}
