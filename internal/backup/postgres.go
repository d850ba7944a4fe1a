package backup

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"

	"github.com/parley-chat/parley/internal/errs"
)

// pgxOnlyParams are URL parameters pgx understands and libpq rejects.
var pgxOnlyParams = []string{
	"statement_cache_capacity", "description_cache_capacity", "default_query_exec_mode",
	"min_read_buffer_size", "prefer_simple_protocol",
}

// libpqTarget turns a parley database URL into what pg_dump/pg_restore take:
// the URL without its password (so it never shows in the process list) and
// the environment carrying the password instead.
func libpqTarget(raw string) (string, []string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", nil, errs.Validation(map[string]string{"database": "not a valid URL"})
	}
	env := os.Environ()
	if u.User != nil {
		if pw, ok := u.User.Password(); ok {
			env = append(env, "PGPASSWORD="+pw)
			u.User = url.User(u.User.Username())
		}
	}
	q := u.Query()
	for k := range q {
		if strings.HasPrefix(k, "pool_") {
			q.Del(k)
		}
	}
	for _, k := range pgxOnlyParams {
		q.Del(k)
	}
	u.RawQuery = q.Encode()
	return u.String(), env, nil
}

// dumpPostgres runs pg_dump in custom format (compressed) into out.
func dumpPostgres(ctx context.Context, bin, dbURL, out string) error {
	if bin == "" {
		bin = "pg_dump"
	}
	target, env, err := libpqTarget(dbURL)
	if err != nil {
		return err
	}
	args := []string{"--format=custom", "--compress=6", "--no-password", "--file=" + out, "--dbname=" + target}
	return runTool(ctx, bin, args, env, "pg_dump")
}

// restorePostgres runs pg_restore of file into dbURL in one transaction.
func restorePostgres(ctx context.Context, bin, dbURL, file string, clean bool) error {
	if bin == "" {
		bin = "pg_restore"
	}
	target, env, err := libpqTarget(dbURL)
	if err != nil {
		return err
	}
	args := []string{"--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", "--no-password", "--dbname=" + target}
	if clean {
		args = append(args, "--clean", "--if-exists")
	}
	args = append(args, file)
	return runTool(ctx, bin, args, env, "pg_restore")
}

// runTool runs a PostgreSQL client tool, turning a failure into an error that
// carries the tool's last stderr lines (libpq never prints the password).
func runTool(ctx context.Context, bin string, args, env []string, name string) error {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return fmt.Errorf("%s: %w", name, ctx.Err())
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return errs.Wrap(errs.Unavailable, err, "%s could not be started (is the PostgreSQL client installed?)", name)
	}
	return fmt.Errorf("%s failed: %s: %w", name, lastLines(stderr.String(), 5), err)
}

// lastLines returns at most n trailing non-empty lines of s, joined by "; ".
func lastLines(s string, n int) string {
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "; ")
}
