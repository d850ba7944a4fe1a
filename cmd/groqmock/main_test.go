package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/parley-chat/parley/internal/groqmock"
	"github.com/parley-chat/parley/internal/platform/testkit"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestParseOptions(t *testing.T) {
	o, err := parseOptions([]string{"-org", "org_a=gsk_a1, gsk_a2", "-org", "org_b=gsk_b1", "-limit", "*=30/1000/8000/200000",
		"-limit", "org_b:openai/gpt-oss-20b=1/2/3/4", "-limit", "org_a:whisper-large-v3=20/2000/0/0/7200/28800", "-tps", "50"},
		env(map[string]string{"GROQMOCK_ADDR": "127.0.0.1:9999", "GROQMOCK_FLEX_CAPACITY_EXCEEDED": "true", "GROQMOCK_TPS": "5"}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	def := groqmock.Limits{RPM: 30, RPD: 1000, TPM: 8000, TPD: 200000}
	want := []groqmock.Org{
		{ID: "org_a", Keys: []string{"gsk_a1", "gsk_a2"}, Limits: map[string]groqmock.Limits{"": def,
			"whisper-large-v3": {RPM: 20, RPD: 2000, ASH: 7200, ASD: 28800}}},
		{ID: "org_b", Keys: []string{"gsk_b1"}, Limits: map[string]groqmock.Limits{"": def, "openai/gpt-oss-20b": {RPM: 1, RPD: 2, TPM: 3, TPD: 4}}},
	}
	if diff := cmp.Diff(want, o.mock.Orgs); diff != "" {
		t.Errorf("orgs (-want +got):\n%s", diff)
	}
	if o.addr != "127.0.0.1:9999" || !o.mock.FlexCapacityExceeded || o.mock.TokensPerSecond != 50 {
		t.Errorf("addr %q flex %v tps %v (flags must beat env)", o.addr, o.mock.FlexCapacityExceeded, o.mock.TokensPerSecond)
	}
}

func TestParseOptionsDefaultsAndErrors(t *testing.T) {
	o, err := parseOptions(nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.addr != "127.0.0.1:8081" || len(o.orgs) != 1 || o.orgs[0].Keys[0] != demoKey {
		t.Errorf("defaults: addr %q orgs %+v", o.addr, o.orgs)
	}
	if o.mock.Answers != groqmock.AnswersEcho || o.mock.Models != nil {
		t.Errorf("defaults: answers %q models %v", o.mock.Answers, o.mock.Models)
	}
	_, err = parseOptions([]string{"-org", "nokeys", "-limit", "m=1/2/3", "-answers", "poetry"}, env(map[string]string{"GROQMOCK_LIMITS": "x=a/b/c/d"}), io.Discard)
	for _, part := range []string{`-org "nokeys"`, `-limit "m=1/2/3"`, `-limit "x=a/b/c/d"`, `-answers "poetry"`} {
		if err == nil || !strings.Contains(err.Error(), part) {
			t.Errorf("error %v does not report %s", err, part)
		}
	}
	var help bytes.Buffer
	if _, err := parseOptions([]string{"--help"}, env(nil), &help); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("--help: %v", err)
	}
	for _, name := range []string{"-addr", "-org", "-limit", "-free-plan", "-latency", "-tps", "-flex-capacity-exceeded", "-log-level", "GROQMOCK_ORGS",
		"-answers", "GROQMOCK_ANSWERS", "-compound"} {
		if !strings.Contains(help.String(), name) {
			t.Errorf("--help does not list %s", name)
		}
	}
}

func TestRunServesAndShutsDown(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	var logs testkit.Buffer
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-log-requests", "-org", "org_x=gsk_secret_key"}, env(nil), &logs, io.Discard, ready)
	}()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/openai/v1/chat/completions",
		strings.NewReader(`{"model":"openai/gpt-oss-120b","messages":[{"role":"user","content":"hi"}]}`))
	req.Header.Set("Authorization", "Bearer gsk_secret_key")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), groqmock.Reply("hi")) {
		t.Errorf("%d %s", resp.StatusCode, body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	out := logs.String()
	if strings.Contains(out, "gsk_secret_key") || !strings.Contains(out, fingerprint("gsk_secret_key")) || !strings.Contains(out, "status=200") {
		t.Errorf("logs leak the key or miss the request:\n%s", out)
	}
}

func TestRunDemo(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-answers", "demo", "-compound", "-free-plan"}, env(nil), io.Discard, io.Discard, ready)
	}()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatal(err)
	}
	get := func(method, path, body string) (int, string) {
		req, _ := http.NewRequest(method, "http://"+addr+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+demoKey)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if status, body := get(http.MethodGet, "/openai/v1/models", ""); status != 200 || !strings.Contains(body, `"groq/compound-mini"`) ||
		!strings.Contains(body, `"whisper-large-v3-turbo"`) || !strings.Contains(body, `"canopylabs/orpheus-v1-english"`) {
		t.Errorf("models: %d %s", status, body)
	}
	status, body := get(http.MethodPost, "/openai/v1/chat/completions",
		`{"model":"openai/gpt-oss-120b","messages":[{"role":"user","content":"write a python function"}]}`)
	if status != 200 || !strings.Contains(body, "```python") || !strings.Contains(body, `"reasoning":"`) || !strings.Contains(body, "| Step |") {
		t.Errorf("demo answer: %d %s", status, body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
