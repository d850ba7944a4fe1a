// Package deploytest checks parley's deployment files without a container
// engine: the Compose stack, the Dockerfiles, the Prometheus and Alertmanager
// configuration, the Grafana dashboards and the Helm chart. Its helpers also
// list the metric names the dashboards query, so a test can prove each one
// exists in parley's /metrics.
package deploytest

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// promqlKeywords are identifiers that PromQL reserves (never metric names).
var promqlKeywords = map[string]bool{
	"and": true, "or": true, "unless": true, "by": true, "without": true, "on": true,
	"ignoring": true, "group_left": true, "group_right": true, "bool": true, "offset": true,
	"inf": true, "nan": true, "Inf": true, "NaN": true,
}

var (
	reString     = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|` + "`[^`]*`")
	reMatchers   = regexp.MustCompile(`\{[^{}]*\}`)
	reRange      = regexp.MustCompile(`\[[^\[\]]*\]`)
	reGrouping   = regexp.MustCompile(`\b(by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)`)
	reIdentifier = regexp.MustCompile(`[a-zA-Z_:][a-zA-Z0-9_:]*`)
	reDuration   = regexp.MustCompile(`^\d`)
)

// QueryMetricNames returns the metric names a PromQL expression selects,
// sorted and without duplicates. Function names, keywords, label names and
// values, durations and Grafana variables are not metric names.
func QueryMetricNames(expr string) []string {
	s := reString.ReplaceAllString(expr, `""`)
	s = reMatchers.ReplaceAllString(s, " ")
	s = reRange.ReplaceAllString(s, " ")
	s = reGrouping.ReplaceAllString(s, " ")
	seen := map[string]bool{}
	for _, loc := range reIdentifier.FindAllStringIndex(s, -1) {
		name := s[loc[0]:loc[1]]
		if loc[0] > 0 && (s[loc[0]-1] == '$' || reDuration.MatchString(s[loc[0]-1:loc[0]]) || s[loc[0]-1] == '.') {
			continue // $variable, or the unit of a number like 26h / 1e3
		}
		rest := strings.TrimLeft(s[loc[1]:], " \t\n")
		if strings.HasPrefix(rest, "(") || promqlKeywords[name] {
			continue // a function call or a keyword
		}
		seen[name] = true
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// BaseMetric maps a histogram or summary series name to the metric family
// that declares it (x_bucket, x_sum, x_count → x); other names are unchanged.
func BaseMetric(name string) string {
	for _, suffix := range []string{"_bucket", "_sum", "_count"} {
		if base, ok := strings.CutSuffix(name, suffix); ok {
			return base
		}
	}
	return name
}

// dashboard is the part of a Grafana dashboard JSON the checks read.
type dashboard struct {
	UID    string  `json:"uid"`
	Title  string  `json:"title"`
	Panels []panel `json:"panels"`
}

type panel struct {
	ID         int         `json:"id"`
	Type       string      `json:"type"`
	Title      string      `json:"title"`
	Datasource *datasource `json:"datasource"`
	Targets    []struct {
		Datasource *datasource `json:"datasource"`
		Expr       string      `json:"expr"`
	} `json:"targets"`
	Panels []panel `json:"panels"`
}

type datasource struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

// DashboardMetrics parses a Grafana dashboard JSON file and returns, sorted,
// the metric names its Prometheus queries select (Loki queries are skipped).
func DashboardMetrics(path string) ([]string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var d dashboard
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	seen := map[string]bool{}
	var walk func([]panel)
	walk = func(ps []panel) {
		for _, p := range ps {
			for _, t := range p.Targets {
				ds := t.Datasource
				if ds == nil {
					ds = p.Datasource
				}
				if t.Expr == "" || (ds != nil && ds.Type != "prometheus") {
					continue
				}
				for _, n := range QueryMetricNames(t.Expr) {
					seen[n] = true
				}
			}
			walk(p.Panels)
		}
	}
	walk(d.Panels)
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out, nil
}

// ParleyMetrics keeps the parley_ names of metrics, mapped to their family.
func ParleyMetrics(names []string) []string {
	seen := map[string]bool{}
	for _, n := range names {
		if strings.HasPrefix(n, "parley_") {
			seen[BaseMetric(n)] = true
		}
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

var reDocMetric = regexp.MustCompile(`parley_[a-z0-9_]+`)

// ArchitectureMetrics returns the parley_ metric names declared in the
// "## Metrics" section of docs/ARCHITECTURE.md.
func ArchitectureMetrics(docPath string) ([]string, error) {
	raw, err := os.ReadFile(docPath)
	if err != nil {
		return nil, err
	}
	doc := string(raw)
	start := strings.Index(doc, "## Metrics")
	if start < 0 {
		return nil, fmt.Errorf("%s has no \"## Metrics\" section", docPath)
	}
	section := doc[start+len("## Metrics"):]
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}
	seen := map[string]bool{}
	for _, m := range reDocMetric.FindAllString(section, -1) {
		if m != "parley_" {
			seen[m] = true
		}
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out, nil
}

// ExposedFamilies parses a Prometheus text exposition (a /metrics body) and
// returns the metric family names it holds. A labelled metric that has never
// been observed has no series and so no family here.
func ExposedFamilies(r io.Reader) (map[string]bool, error) {
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(r)
	if err != nil {
		return nil, fmt.Errorf("parse exposition: %w", err)
	}
	out := make(map[string]bool, len(fams))
	for name := range fams {
		out[name] = true
	}
	return out, nil
}

// Missing returns the names (mapped to their family) not in exposed, sorted.
func Missing(names []string, exposed map[string]bool) []string {
	var out []string
	for _, n := range names {
		if !exposed[BaseMetric(n)] && !exposed[n] {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}
