package deploytest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/yaml"
)

// helmVersion is the Helm the chart is checked with. When no helm is on PATH
// the test builds this version once into the user cache (about 5 minutes
// cold, then reused).
const helmVersion = "v3.22.0"

var chartDir = filepath.Join(repoRoot, "deploy/helm/parley")

var (
	helmOnce sync.Once
	helmBin  string
	helmErr  error
)

func helm(t *testing.T, args ...string) []byte {
	t.Helper()
	helmOnce.Do(func() {
		if p, err := exec.LookPath("helm"); err == nil {
			helmBin = p
			return
		}
		cache, err := os.UserCacheDir()
		if err != nil {
			helmErr = err
			return
		}
		dir := filepath.Join(cache, "parley-tools", "helm-"+helmVersion)
		helmBin = filepath.Join(dir, "helm")
		if _, err := os.Stat(helmBin); err == nil {
			return
		}
		cmd := exec.Command("go", "install", "helm.sh/helm/v3/cmd/helm@"+helmVersion)
		cmd.Env = append(os.Environ(), "GOBIN="+dir, "CGO_ENABLED=0")
		cmd.Dir = os.TempDir() // outside this module: its go.mod must not steer the build
		if out, err := cmd.CombinedOutput(); err != nil {
			helmErr = fmt.Errorf("build helm %s: %v\n%s", helmVersion, err, out)
		}
	})
	if helmErr != nil {
		t.Fatal(helmErr)
	}
	cmd := exec.Command(helmBin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("helm %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr.String())
	}
	return out
}

// rendered is `helm template` output, decoded strictly into the Kubernetes
// API types: a misspelt or misplaced field fails the decode.
type rendered struct {
	Deployments  map[string]appsv1.Deployment
	Services     map[string]corev1.Service
	HPAs         map[string]autoscalingv2.HorizontalPodAutoscaler
	PDBs         map[string]policyv1.PodDisruptionBudget
	Ingresses    map[string]networkingv1.Ingress
	Policies     map[string]networkingv1.NetworkPolicy
	CronJobs     map[string]batchv1.CronJob
	Others       map[string]map[string]any // kind/name → object (CRDs such as ServiceMonitor)
	KindsInOrder []string
}

func strict[T any](t *testing.T, doc []byte) T {
	t.Helper()
	var v T
	if err := yaml.UnmarshalStrict(doc, &v); err != nil {
		t.Fatalf("decode %T: %v\n%s", v, err, doc)
	}
	return v
}

func template(t *testing.T, sets ...string) rendered {
	t.Helper()
	args := []string{"template", "parley", chartDir, "--kube-version", "1.31.0"}
	for _, s := range sets {
		args = append(args, "--set", s)
	}
	out := helm(t, args...)
	r := rendered{Deployments: map[string]appsv1.Deployment{}, Services: map[string]corev1.Service{},
		HPAs: map[string]autoscalingv2.HorizontalPodAutoscaler{}, PDBs: map[string]policyv1.PodDisruptionBudget{},
		Ingresses: map[string]networkingv1.Ingress{}, Policies: map[string]networkingv1.NetworkPolicy{}, CronJobs: map[string]batchv1.CronJob{}, Others: map[string]map[string]any{}}
	for _, doc := range bytes.Split(out, []byte("\n---")) {
		var head struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Metadata   struct {
				Name string `json:"name"`
			} `json:"metadata"`
		}
		if err := yaml.Unmarshal(doc, &head); err != nil {
			t.Fatalf("rendered YAML: %v\n%s", err, doc)
		}
		if head.Kind == "" {
			continue
		}
		r.KindsInOrder = append(r.KindsInOrder, head.APIVersion+" "+head.Kind)
		name := head.Metadata.Name
		switch head.Kind {
		case "Deployment":
			r.Deployments[name] = strict[appsv1.Deployment](t, doc)
		case "Service":
			r.Services[name] = strict[corev1.Service](t, doc)
		case "HorizontalPodAutoscaler":
			r.HPAs[name] = strict[autoscalingv2.HorizontalPodAutoscaler](t, doc)
		case "PodDisruptionBudget":
			r.PDBs[name] = strict[policyv1.PodDisruptionBudget](t, doc)
		case "Ingress":
			r.Ingresses[name] = strict[networkingv1.Ingress](t, doc)
		case "NetworkPolicy":
			r.Policies[name] = strict[networkingv1.NetworkPolicy](t, doc)
		case "CronJob":
			r.CronJobs[name] = strict[batchv1.CronJob](t, doc)
		case "PersistentVolumeClaim":
			strict[corev1.PersistentVolumeClaim](t, doc)
		case "ServiceAccount":
			strict[corev1.ServiceAccount](t, doc)
		default:
			r.Others[head.Kind+"/"+name] = strict[map[string]any](t, doc)
		}
	}
	sort.Strings(r.KindsInOrder)
	return r
}

func TestHelmLint(t *testing.T) {
	helm(t, "lint", chartDir, "--strict", "--kube-version", "1.31.0")
	helm(t, "lint", chartDir, "--strict", "--kube-version", "1.31.0",
		"--set", "serviceMonitor.enabled=true,api.autoscaling.enabled=false,ingress.tls.enabled=false")
}

func TestHelmRendersAHardenedRelease(t *testing.T) {
	r := template(t, "serviceMonitor.enabled=true")
	want := []string{
		"apps/v1 Deployment", "apps/v1 Deployment",
		"autoscaling/v2 HorizontalPodAutoscaler", "autoscaling/v2 HorizontalPodAutoscaler",
		"batch/v1 CronJob",
		"monitoring.coreos.com/v1 ServiceMonitor",
		"networking.k8s.io/v1 Ingress", "networking.k8s.io/v1 NetworkPolicy",
		"policy/v1 PodDisruptionBudget", "policy/v1 PodDisruptionBudget",
		"v1 PersistentVolumeClaim", "v1 Service", "v1 Service", "v1 ServiceAccount",
	}
	if diff := cmp.Diff(want, r.KindsInOrder); diff != "" {
		t.Fatalf("rendered kinds (-want +got):\n%s", diff)
	}

	api := r.Deployments["parley-api"]
	c := api.Spec.Template.Spec.Containers[0]
	if c.LivenessProbe == nil || c.LivenessProbe.HTTPGet == nil || c.LivenessProbe.HTTPGet.Path != "/healthz" {
		t.Errorf("api liveness probe %+v, want GET /healthz", c.LivenessProbe)
	}
	if c.ReadinessProbe == nil || c.ReadinessProbe.HTTPGet == nil || c.ReadinessProbe.HTTPGet.Path != "/readyz" {
		t.Errorf("api readiness probe %+v, want GET /readyz", c.ReadinessProbe)
	}
	if api.Spec.Replicas != nil {
		t.Errorf("api replicas fixed at %d while the HPA scales it", *api.Spec.Replicas)
	}
	env := map[string]string{}
	for _, e := range c.Env {
		env[e.Name] = e.Value
		if e.ValueFrom != nil {
			t.Errorf("env %s reads a secret into the environment; secrets are files", e.Name)
		}
	}
	for _, k := range []string{"PARLEY_DATABASE_URL_FILE", "PARLEY_REDIS_URL_FILE", "PARLEY_JWT_SECRET_FILE", "PARLEY_GROQ_API_KEYS_FILE", "PARLEY_SENTRY_DSN_FILE"} {
		if !strings.HasPrefix(env[k], "/run/secrets/parley/") {
			t.Errorf("%s = %q, want a file of the mounted Secret", k, env[k])
		}
	}
	if vs := api.Spec.Template.Spec.Volumes; !slices.ContainsFunc(vs, func(v corev1.Volume) bool {
		return v.Secret != nil && v.Secret.SecretName == "parley"
	}) {
		t.Errorf("api does not mount the Secret %q", "parley")
	}

	for name, d := range r.Deployments {
		ps := d.Spec.Template.Spec
		if ps.SecurityContext == nil || ps.SecurityContext.RunAsNonRoot == nil || !*ps.SecurityContext.RunAsNonRoot ||
			ps.SecurityContext.RunAsUser == nil || *ps.SecurityContext.RunAsUser == 0 {
			t.Errorf("%s: pod not forced non-root: %+v", name, ps.SecurityContext)
		}
		for _, c := range ps.Containers {
			sc := c.SecurityContext
			if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
				sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation ||
				sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, corev1.Capability("ALL")) {
				t.Errorf("%s/%s: container security context %+v", name, c.Name, sc)
			}
			if c.Resources.Limits.Cpu().IsZero() || c.Resources.Limits.Memory().IsZero() ||
				c.Resources.Requests.Cpu().IsZero() || c.Resources.Requests.Memory().IsZero() {
				t.Errorf("%s/%s: requests and limits needed, got %+v", name, c.Name, c.Resources)
			}
			if c.ReadinessProbe == nil || c.LivenessProbe == nil {
				t.Errorf("%s/%s: no probes", name, c.Name)
			}
		}
	}

	for _, comp := range []string{"api", "web"} {
		hpa := r.HPAs["parley-"+comp]
		if hpa.Spec.ScaleTargetRef.Name != "parley-"+comp || len(hpa.Spec.Metrics) != 1 ||
			hpa.Spec.Metrics[0].Resource == nil || hpa.Spec.Metrics[0].Resource.Name != corev1.ResourceCPU {
			t.Errorf("%s HPA %+v, want CPU-based on its Deployment", comp, hpa.Spec)
		}
		if hpa.Spec.MinReplicas == nil || *hpa.Spec.MinReplicas < 2 {
			t.Errorf("%s HPA min replicas %v, want at least 2", comp, hpa.Spec.MinReplicas)
		}
		pdb := r.PDBs["parley-"+comp]
		if pdb.Spec.MinAvailable == nil || pdb.Spec.MinAvailable.IntValue() != 1 {
			t.Errorf("%s PDB min available %v", comp, pdb.Spec.MinAvailable)
		}
		sel := r.Deployments["parley-"+comp].Spec.Selector.MatchLabels
		if diff := cmp.Diff(sel, pdb.Spec.Selector.MatchLabels); diff != "" {
			t.Errorf("%s PDB selects other pods (-deployment +pdb):\n%s", comp, diff)
		}
		if diff := cmp.Diff(sel, r.Services["parley-"+comp].Spec.Selector); diff != "" {
			t.Errorf("%s Service selects other pods (-deployment +service):\n%s", comp, diff)
		}
	}

	ing := r.Ingresses["parley"]
	if len(ing.Spec.TLS) != 1 || ing.Spec.TLS[0].SecretName == "" || len(ing.Spec.Rules) != 1 {
		t.Fatalf("ingress %+v, want one TLS host", ing.Spec)
	}
	for _, p := range ing.Spec.Rules[0].HTTP.Paths {
		if p.Backend.Service.Name != "parley-web" {
			t.Errorf("ingress routes %s to %s: only web is public", p.Path, p.Backend.Service.Name)
		}
	}
	webEnv := r.Deployments["parley-web"].Spec.Template.Spec.Containers[0].Env
	if !slices.ContainsFunc(webEnv, func(e corev1.EnvVar) bool {
		return e.Name == "PARLEY_API_URL" && e.Value == "http://parley-api:8080"
	}) {
		t.Errorf("web does not reach the api Service: %+v", webEnv)
	}
	if _, ok := r.Others["ServiceMonitor/parley-api"]; !ok {
		t.Error("no ServiceMonitor when serviceMonitor.enabled=true")
	}

	cj := r.CronJobs["parley-backup"]
	if cj.Spec.Schedule == "" || cj.Spec.ConcurrencyPolicy != batchv1.ForbidConcurrent {
		t.Errorf("backup CronJob schedule %q policy %q", cj.Spec.Schedule, cj.Spec.ConcurrencyPolicy)
	}
	pod := cj.Spec.JobTemplate.Spec.Template.Spec
	bc := pod.Containers[0]
	if diff := cmp.Diff([]string{"backup", "--dir=/backups", "--keep-daily=7", "--keep-weekly=4", "--keep-monthly=6"}, bc.Args); diff != "" {
		t.Errorf("backup args (-want +got):\n%s", diff)
	}
	if pod.SecurityContext == nil || pod.SecurityContext.RunAsUser == nil || *pod.SecurityContext.RunAsUser != 70 ||
		bc.SecurityContext == nil || bc.SecurityContext.ReadOnlyRootFilesystem == nil || !*bc.SecurityContext.ReadOnlyRootFilesystem {
		t.Errorf("backup pod not non-root with a read-only root filesystem")
	}
	if !slices.ContainsFunc(bc.Env, func(e corev1.EnvVar) bool {
		return e.Name == "PARLEY_DATABASE_URL_FILE" && e.Value == "/run/secrets/parley/database-url"
	}) {
		t.Errorf("backup does not read the database URL from the Secret: %+v", bc.Env)
	}
	if !slices.ContainsFunc(pod.Volumes, func(v corev1.Volume) bool {
		return v.PersistentVolumeClaim != nil && v.PersistentVolumeClaim.ClaimName == "parley-backups"
	}) {
		t.Errorf("backups are not written to the parley-backups claim")
	}
}

func TestHelmWithoutAutoscaling(t *testing.T) {
	r := template(t, "api.autoscaling.enabled=false", "web.autoscaling.enabled=false", "api.replicaCount=3")
	if len(r.HPAs) != 0 {
		t.Errorf("HPAs rendered with autoscaling off: %v", r.HPAs)
	}
	if n := r.Deployments["parley-api"].Spec.Replicas; n == nil || *n != 3 {
		t.Errorf("api replicas %v, want 3", n)
	}
	if _, ok := r.Others["ServiceMonitor/parley-api"]; ok {
		t.Error("ServiceMonitor rendered although disabled by default")
	}
}

// TestHelmTrustsOnlyTheWebTier: the API believes X-Forwarded-For from the web
// pods' network, which its NetworkPolicy narrows to web pods alone (so one
// attacker's failed logins throttle that attacker, not every user behind
// web); web believes X-Forwarded-* from the ingress controller and follows
// the ingress host for redirects and cookies.
func TestHelmTrustsOnlyTheWebTier(t *testing.T) {
	envMap := func(d appsv1.Deployment) map[string]string {
		m := map[string]string{}
		for _, e := range d.Spec.Template.Spec.Containers[0].Env {
			m[e.Name] = e.Value
		}
		return m
	}
	r := template(t)
	api, web := envMap(r.Deployments["parley-api"]), envMap(r.Deployments["parley-web"])
	if got := api["PARLEY_TRUSTED_PROXIES"]; got != "10.244.0.0/16" {
		t.Errorf("api PARLEY_TRUSTED_PROXIES = %q, want the web pods' CIDR (clientAddress.webPodCIDR)", got)
	}
	if got := web["PARLEY_WEB_TRUSTED_PROXIES"]; got != "10.244.0.0/16" {
		t.Errorf("web PARLEY_WEB_TRUSTED_PROXIES = %q, want the ingress controller's CIDR (clientAddress.ingressCIDR)", got)
	}
	if got := web["PARLEY_PUBLIC_URL"]; got != "https://chat.example.com" {
		t.Errorf("web PARLEY_PUBLIC_URL = %q, want the ingress host", got)
	}
	// Trusting a CIDR is trusting whoever can reach the API's http port from it: web pods only.
	pol := r.Policies["parley-api"]
	for _, rule := range pol.Spec.Ingress {
		for _, port := range rule.Ports {
			if port.Port == nil || port.Port.String() != "http" {
				continue
			}
			if len(rule.From) != 1 || rule.From[0].PodSelector == nil || rule.From[0].PodSelector.MatchLabels["app.kubernetes.io/component"] != "web" ||
				rule.From[0].NamespaceSelector != nil || rule.From[0].IPBlock != nil {
				t.Errorf("the API's http port admits %+v, want web pods only", rule.From)
			}
		}
	}

	r = template(t, "clientAddress.webPodCIDR=10.8.0.0/14", "clientAddress.ingressCIDR=10.8.0.0/14", "ingress.tls.enabled=false")
	api, web = envMap(r.Deployments["parley-api"]), envMap(r.Deployments["parley-web"])
	if api["PARLEY_TRUSTED_PROXIES"] != "10.8.0.0/14" || web["PARLEY_WEB_TRUSTED_PROXIES"] != "10.8.0.0/14" {
		t.Errorf("clientAddress not applied: api %q web %q", api["PARLEY_TRUSTED_PROXIES"], web["PARLEY_WEB_TRUSTED_PROXIES"])
	}
	if web["PARLEY_PUBLIC_URL"] != "http://chat.example.com" {
		t.Errorf("without TLS PARLEY_PUBLIC_URL = %q", web["PARLEY_PUBLIC_URL"])
	}
}
