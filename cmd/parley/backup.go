package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/parley-chat/parley/internal/backup"
	"github.com/parley-chat/parley/internal/platform/config"
)

// backupVars are all that backup and restore read: no JWT secret, no Groq
// keys, nothing that the backup container does not hold.
var backupVars = []string{"PARLEY_DATABASE_URL", "PARLEY_DATABASE_CA_FILE", "PARLEY_DATA_DIR"}

func runBackup(ctx context.Context, e env, args []string) error {
	if wantsHelp(args) {
		return backupHelp(ctx, e, backup.Command)
	}
	db, err := backupDatabase(e)
	if err != nil {
		return err
	}
	return backup.Command(ctx, args, db, e.stdout)
}

func runRestore(ctx context.Context, e env, args []string) error {
	if wantsHelp(args) {
		return backupHelp(ctx, e, backup.RestoreCommand)
	}
	db, err := backupDatabase(e)
	if err != nil {
		return err
	}
	return backup.RestoreCommand(ctx, args, db, e.stdout)
}

// backupDatabase is the database serve would use: PARLEY_DATABASE_URL (with
// PARLEY_DATABASE_CA_FILE as its sslrootcert), else the SQLite file in the
// data dir. Reading it writes nothing.
func backupDatabase(e env) (string, error) {
	cfg, err := config.LoadOnly(e.lookup, backupVars...)
	if err != nil {
		return "", err
	}
	if cfg.DatabaseURL == "" {
		return filepath.Join(cfg.DataDir, "parley.db"), nil
	}
	return withCAFile(cfg.DatabaseURL, cfg.DatabaseCAFile), nil
}

// withCAFile adds sslrootcert=ca to a PostgreSQL URL that names none, as
// serve's store does, so pg_dump verifies the server the same way.
func withCAFile(db, ca string) string {
	if ca == "" || !(strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")) {
		return db
	}
	u, err := url.Parse(db)
	if err != nil {
		return db // the backup package reports the bad URL without showing it
	}
	q := u.Query()
	if q.Get("sslrootcert") == "" {
		q.Set("sslrootcert", ca)
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// backupHelp prints the command's own usage, then the variables it reads.
func backupHelp(ctx context.Context, e env, cmd func(context.Context, []string, string, io.Writer) error) error {
	if err := cmd(ctx, []string{"-h"}, "", e.stdout); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "\nEnvironment:")
	envSubset(e.stdout, backupVars...)
	return nil
}

func wantsHelp(args []string) bool {
	for _, a := range args {
		if a == "-h" || a == "-help" || a == "--help" {
			return true
		}
	}
	return false
}
