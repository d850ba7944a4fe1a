// Package migrations embeds parley's numbered SQLite schema migrations.
package migrations

import "embed"

// FS holds the migration files, run by goose.
//
//go:embed *.sql
var FS embed.FS
