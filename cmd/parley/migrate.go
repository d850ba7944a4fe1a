package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/parley-chat/parley/internal/platform/config"
	"github.com/parley-chat/parley/internal/store"
)

func runMigrate(ctx context.Context, e env, args []string) error {
	fs := newFlags(e, "migrate", "migrate up|down|status", dbEnv)
	if err := parseFlags(e, fs, args); err != nil {
		return helpOK(err)
	}
	if fs.NArg() != 1 || !oneOf(fs.Arg(0), "up", "down", "status") {
		fs.Usage()
		return usageError{"migrate needs one of: up, down, status"}
	}
	cfg, err := config.Load(e.lookup)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, storeConfig(cfg, nil))
	if err != nil {
		return err
	}
	defer st.Close()
	m := st.Migrator()
	switch fs.Arg(0) {
	case "up":
		if err := m.Up(ctx); err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, "migrations applied")
	case "down":
		if err := m.Down(ctx); err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, "rolled back one migration")
	}
	list, err := m.Status(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "VERSION\tNAME\tAPPLIED\n")
	for _, s := range list {
		applied := "pending"
		if s.Applied {
			applied = s.AppliedAt.UTC().Format("2006-01-02 15:04:05Z")
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\n", s.Version, s.Name, applied)
	}
	return tw.Flush()
}
