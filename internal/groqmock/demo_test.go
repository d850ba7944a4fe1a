package groqmock

import (
	"strings"
	"testing"
)

// TestDemoAnswers: every topic has a heading, a list and a table; the
// overview has every element; answers are deterministic and name the subject.
func TestDemoAnswers(t *testing.T) {
	prompts := map[string][]string{
		"Tell me about black holes":     {"## black holes", "- **", "|---|", "```python", "$$"},
		"write a Go function to sort":   {"## a Go function to sort", "1. ", "|---|", "```go"},
		"write a python script":         {"```python", "|---|"},
		"explain the quadratic formula": {"$$\nx = \\frac{-b", "|---|", "```python"},
		"compare Postgres vs SQLite":    {"| Criterion |", "### Choose A when", "$\\text{score}"},
		"plan a weekend trip to Lisbon": {"### Steps", "| When |", "- [ ]", "```bash"},
		"":                              {"## getting started with groqmock"},
	}
	for p, wants := range prompts {
		a := DemoAnswer(p)
		if a != DemoAnswer(p) {
			t.Errorf("%q: not deterministic", p)
		}
		for _, w := range wants {
			if !strings.Contains(a, w) {
				t.Errorf("%q: answer lacks %q:\n%s", p, w, a)
			}
		}
		if strings.Contains(a, "%!") {
			t.Errorf("%q: formatting error in %s", p, a)
		}
	}
	if r := ReasoningFor("x", "high", true); strings.Count(r, ". ") < 2 || r == ReasoningFor("x", "low", true) {
		t.Errorf("reasoning by effort: %q", r)
	}
}
