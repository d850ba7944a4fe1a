package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/parley-chat/parley/internal/groq"
	"github.com/parley-chat/parley/internal/incident"
	"github.com/parley-chat/parley/internal/statuspage"
)

func TestPoolCheck(t *testing.T) {
	key := func(state string) groq.KeyStatus { return groq.KeyStatus{State: state} }
	tests := []struct {
		name string
		keys []groq.KeyStatus
		want statuspage.Check
	}{
		{"no keys", nil, statuspage.Check{Status: incident.Degraded, Detail: "no Groq keys configured"}},
		{"one active among dead", []groq.KeyStatus{key(groq.StateDead), key(groq.StateActive)}, statuspage.Check{Status: incident.Operational}},
		{"all cooling", []groq.KeyStatus{key(groq.StateCooling), key(groq.StateDead)}, statuspage.Check{Status: incident.Degraded, Detail: "every key is cooling down"}},
		{"all dead", []groq.KeyStatus{key(groq.StateDead)}, statuspage.Check{Status: incident.Outage, Detail: "no usable Groq key"}},
	}
	for _, tt := range tests {
		if d := cmp.Diff(tt.want, poolCheck(tt.keys)); d != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, d)
		}
	}
}
