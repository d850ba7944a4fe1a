package backup

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parley-chat/parley/internal/errs"
)

func TestCommandBacksUpAndRestores(t *testing.T) {
	ctx := context.Background()
	dbPath := filepath.Join(t.TempDir(), "parley.db")
	db, err := sql.Open("sqlite", "file:"+dbPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('kept')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	dir := t.TempDir()
	var out bytes.Buffer
	if err := Command(ctx, []string{"--dir", dir, "--keep-daily", "3"}, dbPath, &out); err != nil {
		t.Fatalf("backup: %v\n%s", err, out.String())
	}
	list, err := List(dir)
	if err != nil || len(list) != 1 {
		t.Fatalf("backups %v %v", list, err)
	}
	if !strings.Contains(out.String(), list[0].Path) {
		t.Errorf("output %q does not name the backup", out.String())
	}
	out.Reset()
	if err := RestoreCommand(ctx, []string{"--file", list[0].Path}, dbPath, &out); err != nil {
		t.Fatalf("restore: %v", err)
	}
	if got := sqliteRows(t, dbPath); len(got) != 1 || got[0] != "1:kept" {
		t.Fatalf("restored rows %v", got)
	}
}

func TestCommandRejectsBadInput(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		run  func() error
	}{
		{"unknown flag", func() error { return Command(ctx, []string{"--nope"}, "x.db", &bytes.Buffer{}) }},
		{"stray argument", func() error { return Command(ctx, []string{"extra"}, "x.db", &bytes.Buffer{}) }},
		{"negative retention", func() error {
			return Command(ctx, []string{"--keep-daily=-1", "--dir", t.TempDir()}, "x.db", &bytes.Buffer{})
		}},
		{"negative interval", func() error { return Command(ctx, []string{"--every=-1h"}, "x.db", &bytes.Buffer{}) }},
		{"no database", func() error { return Command(ctx, []string{"--dir", t.TempDir()}, "", &bytes.Buffer{}) }},
		{"restore without file", func() error { return RestoreCommand(ctx, nil, "x.db", &bytes.Buffer{}) }},
		{"restore unknown flag", func() error { return RestoreCommand(ctx, []string{"--force"}, "x.db", &bytes.Buffer{}) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.run(); errs.CodeOf(err) != errs.Invalid {
				t.Fatalf("err = %v, want code invalid", err)
			}
		})
	}
}
