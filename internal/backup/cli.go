package backup

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/parley-chat/parley/internal/errs"
)

// BackupUsage documents `parley backup`'s flags.
const BackupUsage = `usage: parley backup [flags]

Takes a backup of parley's database (PostgreSQL: pg_dump custom format,
compressed; SQLite: online VACUUM INTO) into --dir, writes <file>.sha256 beside
it and prunes old backups by the retention flags. With --every it keeps running,
taking a backup at start and then every interval, and serves /metrics
(parley_backup_last_success_timestamp_seconds) and /healthz on --metrics-addr.
`

// RestoreUsage documents `parley restore`'s flags.
const RestoreUsage = `usage: parley restore --file BACKUP [flags]

Verifies BACKUP against BACKUP.sha256 and restores it. PostgreSQL: pg_restore
into the configured (normally empty) database in one transaction; --clean
replaces existing objects. SQLite: stop the server first; the database file is
replaced and the old one kept as <db>.pre-restore.
`

// Command runs `parley backup` with its command-line args. database is the
// configured database (PARLEY_DATABASE_URL, or the SQLite path when unset);
// --database overrides it.
func Command(ctx context.Context, args []string, database string, out io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() { fmt.Fprint(out, BackupUsage); fs.PrintDefaults() }
	o := Options{}
	var s ServeOptions
	fs.StringVar(&o.Database, "database", database, "PostgreSQL URL or SQLite path to back up (default: parley's configured database)")
	fs.StringVar(&o.Dir, "dir", "./backups", "directory receiving the backups")
	fs.IntVar(&o.Keep.Daily, "keep-daily", DefaultRetention.Daily, "keep the newest backup of this many days")
	fs.IntVar(&o.Keep.Weekly, "keep-weekly", DefaultRetention.Weekly, "keep the newest backup of this many ISO weeks")
	fs.IntVar(&o.Keep.Monthly, "keep-monthly", DefaultRetention.Monthly, "keep the newest backup of this many months")
	fs.StringVar(&o.PGDump, "pg-dump", "pg_dump", "pg_dump binary")
	fs.DurationVar(&s.Every, "every", 0, "keep running and back up at this interval (e.g. 24h); 0 backs up once")
	fs.StringVar(&s.MetricsAddr, "metrics-addr", ":9092", "with --every: address serving /metrics and /healthz")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errs.Wrap(errs.Invalid, err, "bad backup flags")
	}
	if fs.NArg() > 0 {
		return errs.E(errs.Invalid, "unexpected argument %q", fs.Arg(0))
	}
	if s.Every < 0 {
		return errs.Validation(map[string]string{"every": "must not be negative"})
	}
	if s.Every > 0 {
		s.Logger = slog.Default()
		return Serve(ctx, o, s)
	}
	res, err := Run(ctx, o)
	if res.Path != "" {
		fmt.Fprintf(out, "%s  %s (%d bytes, %s)\n", res.SHA256, res.Path, res.Size, res.Taken.Format(time.RFC3339))
		for _, r := range res.Removed {
			fmt.Fprintf(out, "pruned %s\n", r)
		}
	}
	return err
}

// RestoreCommand runs `parley restore` with its command-line args; database
// is the configured database, as for Command.
func RestoreCommand(ctx context.Context, args []string, database string, out io.Writer) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() { fmt.Fprint(out, RestoreUsage); fs.PrintDefaults() }
	o := RestoreOptions{}
	fs.StringVar(&o.File, "file", "", "backup file to restore (its .sha256 must sit beside it)")
	fs.StringVar(&o.Database, "database", database, "PostgreSQL URL or SQLite path to restore into (default: parley's configured database)")
	fs.BoolVar(&o.Clean, "clean", false, "PostgreSQL: drop the objects the backup holds before recreating them")
	fs.StringVar(&o.PGRestore, "pg-restore", "pg_restore", "pg_restore binary")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errs.Wrap(errs.Invalid, err, "bad restore flags")
	}
	if fs.NArg() > 0 {
		return errs.E(errs.Invalid, "unexpected argument %q", fs.Arg(0))
	}
	if err := Restore(ctx, o); err != nil {
		return err
	}
	fmt.Fprintf(out, "restored %s\n", o.File)
	return nil
}
