package logging

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
)

func TestNew(t *testing.T) {
	var buf bytes.Buffer
	log, err := New(&buf, "warn", "json")
	if err != nil {
		t.Fatal(err)
	}
	log.Info("hidden")
	log.Warn("shown", "n", 1)
	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("not one JSON line: %q", buf.String())
	}
	if line["msg"] != "shown" || line["level"] != "WARN" {
		t.Errorf("line = %v", line)
	}
	buf.Reset()
	log, _ = New(&buf, "debug", "text")
	log.Debug("dbg")
	if !strings.Contains(buf.String(), "msg=dbg") {
		t.Errorf("text output %q", buf.String())
	}
	for _, bad := range [][2]string{{"loud", "json"}, {"info", "xml"}} {
		if _, err := New(&buf, bad[0], bad[1]); err == nil {
			t.Errorf("New(%q, %q) accepted", bad[0], bad[1])
		}
	}
}

func TestWithContext(t *testing.T) {
	type key struct{}
	var buf bytes.Buffer
	base, _ := New(&buf, "info", "json")
	log := slog.New(WithContext(base.Handler(), func(ctx context.Context) []slog.Attr {
		if id, ok := ctx.Value(key{}).(string); ok {
			return []slog.Attr{slog.String("request_id", id)}
		}
		return nil
	})).With("svc", "x")
	log.InfoContext(context.WithValue(context.Background(), key{}, "r-1"), "hello")
	if !strings.Contains(buf.String(), `"request_id":"r-1"`) || !strings.Contains(buf.String(), `"svc":"x"`) {
		t.Errorf("line %q", buf.String())
	}
	buf.Reset()
	log.Info("no ctx")
	if strings.Contains(buf.String(), "request_id") {
		t.Errorf("line %q", buf.String())
	}
}
