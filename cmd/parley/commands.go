package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"
	"strings"
	"text/tabwriter"

	"github.com/parley-chat/parley/internal/platform/config"
)

// command is one subcommand of parley.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e env, args []string) error
}

// commands is the subcommand table; parley --help lists it in this order.
func commands() []command {
	return []command{
		{"serve", "run the API server", runServe},
		{"migrate", "apply, roll back or list database migrations (up|down|status)", runMigrate},
		{"user", "manage users without the HTTP API (create)", runUser},
		{"backup", "back up the database (pg_dump or SQLite online backup), checksummed, with retention", runBackup},
		{"restore", "restore a checksummed backup into the configured database", runRestore},
		{"healthcheck", "exit 0 when the local server answers ready (for container health checks)", runHealthcheck},
		{"version", "print the version", runVersion},
	}
}

// run dispatches to the subcommand named by the first argument.
func run(ctx context.Context, e env) error {
	if len(e.args) == 0 {
		printUsage(e.stderr)
		return usageError{"missing command"}
	}
	name, rest := e.args[0], e.args[1:]
	switch name {
	case "-h", "-help", "--help", "help":
		printUsage(e.stdout)
		return nil
	case "-v", "--version":
		return runVersion(ctx, e, nil)
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(ctx, e, rest)
		}
	}
	printUsage(e.stderr)
	return usageError{fmt.Sprintf("unknown command %q", name)}
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "parley — a self-hosted AI chat service on Groq.")
	fmt.Fprintln(w, "\nUsage: parley <command> [flags]   (parley <command> --help for its flags)")
	fmt.Fprintln(w, "\nCommands:")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, c := range commands() {
		fmt.Fprintf(tw, "  %s\t%s\n", c.name, c.summary)
	}
	_ = tw.Flush()
	fmt.Fprintln(w, "\nEnvironment (every secret may also be given as NAME_FILE, a path to a file holding it):")
	config.PrintHelp(w)
}

// newFlags returns a flag set whose --help lists the flags, then the
// environment variables the command reads.
func newFlags(e env, name, usage string, envHelp func(io.Writer)) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "Usage: parley %s\n", usage)
		var hasFlags bool
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			fmt.Fprintln(w, "\nFlags:")
			fs.PrintDefaults()
		}
		if envHelp != nil {
			fmt.Fprintln(w, "\nEnvironment:")
			envHelp(w)
		}
	}
	return fs
}

// parseFlags parses args; --help prints usage to stdout and ends the
// command successfully (errHelpShown).
func parseFlags(e env, fs *flag.FlagSet, args []string) error {
	for _, a := range args {
		if a == "-h" || a == "-help" || a == "--help" {
			fs.SetOutput(e.stdout)
			fs.Usage()
			return errHelpShown
		}
	}
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	return nil
}

// errHelpShown ends a command after --help without an error status.
var errHelpShown = errors.New("help shown")

// allEnv lists every configuration variable.
func allEnv(w io.Writer) { config.PrintHelp(w) }

func runVersion(_ context.Context, e env, args []string) error {
	fs := newFlags(e, "version", "version", nil)
	if err := parseFlags(e, fs, args); err != nil {
		return helpOK(err)
	}
	fmt.Fprintf(e.stdout, "parley %s (%s, %s/%s)\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}

// helpOK turns errHelpShown into success.
func helpOK(err error) error {
	if errors.Is(err, errHelpShown) {
		return nil
	}
	return err
}

func oneOf(s string, allowed ...string) bool {
	for _, a := range allowed {
		if strings.EqualFold(s, a) {
			return true
		}
	}
	return false
}

// dbEnv lists the variables migrate reads.
func dbEnv(w io.Writer) { envSubset(w, "PARLEY_DATA_DIR", "PARLEY_DATABASE_", "PARLEY_DB_") }

// userEnv lists the variables user create reads.
func userEnv(w io.Writer) {
	envSubset(w, "PARLEY_USER_PASSWORD", "PARLEY_DATA_DIR", "PARLEY_DATABASE_", "PARLEY_DB_", "PARLEY_MIGRATE")
}

func envSubset(w io.Writer, prefixes ...string) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	if prefixes[0] == "PARLEY_USER_PASSWORD" {
		fmt.Fprintf(tw, "  PARLEY_USER_PASSWORD\t-\tThe new user's password when --password-file is not given (secret).\n")
	}
	for _, v := range config.Vars {
		for _, p := range prefixes {
			if strings.HasPrefix(v.Name, p) {
				def := v.Default
				if def == "" {
					def = "-"
				}
				fmt.Fprintf(tw, "  %s\t%s\t%s\n", v.Name, def, strings.ReplaceAll(v.Description, "`", ""))
				break
			}
		}
	}
	_ = tw.Flush()
}
