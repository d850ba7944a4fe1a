package chat

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTrimHistory(t *testing.T) {
	sys := wireMessage{Role: RoleSystem, Content: "be brief"} // 2+4 = 6 tokens
	m := func(role string, n int) wireMessage {               // n*4 chars: n+4 tokens
		return wireMessage{Role: role, Content: strings.Repeat("abcd", n)}
	}
	u1, a1, u2, a2, u3 := m(RoleUser, 10), m(RoleAssistant, 20), m(RoleUser, 10), m(RoleAssistant, 20), m(RoleUser, 6)
	history := []wireMessage{u1, a1, u2, a2, u3} // 14, 24, 14, 24, 10 tokens
	tests := []struct {
		name   string
		system []wireMessage
		budget int
		want   []wireMessage
		tokens int
		ok     bool
	}{
		{"everything fits", []wireMessage{sys}, 1000, []wireMessage{sys, u1, a1, u2, a2, u3}, 92, true},
		{"oldest dropped first", []wireMessage{sys}, 60, []wireMessage{sys, u2, a2, u3}, 54, true},
		{"no holes: stop at the first that does not fit", nil, 40, []wireMessage{a2, u3}, 34, true},
		{"system kept even when tight", []wireMessage{sys}, 16, []wireMessage{sys, u3}, 16, true},
		{"newest does not fit", []wireMessage{sys}, 15, nil, 6, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, tokens, ok := trimHistory(tc.system, history, tc.budget)
			if ok != tc.ok || tokens != tc.tokens {
				t.Fatalf("ok %v tokens %d; want %v %d", ok, tokens, tc.ok, tc.tokens)
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(wireMessage{})); diff != "" {
				t.Errorf("kept (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTitleFrom(t *testing.T) {
	long := strings.Repeat("word ", 30)
	for _, tc := range []struct{ in, want string }{
		{"  Hello   world \nsecond line", "Hello world"},
		{long, strings.TrimSpace(long[:79]) + "…"},
		{"ünïcødé ✓", "ünïcødé ✓"},
	} {
		if got := titleFrom(tc.in); got != tc.want {
			t.Errorf("titleFrom(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
