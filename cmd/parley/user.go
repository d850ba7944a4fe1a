package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/auth"
	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/platform/config"
	"github.com/parley-chat/parley/internal/platform/logging"
)

func runUser(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		if len(args) > 0 && (args[0] == "--help" || args[0] == "-h") {
			fmt.Fprintln(e.stdout, "Usage: parley user create --email EMAIL [--name NAME] [--admin] [--password-file PATH]")
			return nil
		}
		return usageError{"usage: parley user create --email EMAIL [--name NAME] [--admin] [--password-file PATH]"}
	}
	fs := newFlags(e, "user create", "user create --email EMAIL [--name NAME] [--admin] [--password-file PATH]", userEnv)
	email := fs.String("email", "", "email address of the new user (required)")
	name := fs.String("name", "", "display name")
	admin := fs.Bool("admin", false, "give the user the admin role")
	pwFile := fs.String("password-file", "", "read the password from this file (else PARLEY_USER_PASSWORD, else a prompt on the terminal or the first line of stdin)")
	if err := parseFlags(e, fs, args[1:]); err != nil {
		return helpOK(err)
	}
	if *email == "" {
		fs.Usage()
		return usageError{"--email is required"}
	}
	password, err := readPassword(e, *pwFile)
	if err != nil {
		return err
	}
	cfg, err := config.Load(e.lookup)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg, logging.Discard())
	if err != nil {
		return err
	}
	defer st.Close()
	// The service needs a token issuer; user create never issues a token.
	ephemeral := make([]byte, 32)
	_, _ = rand.Read(ephemeral)
	ks, err := auth.NewKeySet(ephemeral)
	if err != nil {
		return err
	}
	svc, err := account.NewService(st, auth.NewTokens(ks, auth.TokenConfig{}), account.Options{})
	if err != nil {
		return err
	}
	u, err := svc.CreateUser(ctx, *email, *name, password, *admin)
	if err != nil {
		if e, ok := errs.As(err); ok && len(e.Fields) > 0 {
			var parts []string
			for f, m := range e.Fields {
				parts = append(parts, f+" "+m)
			}
			return fmt.Errorf("cannot create user: %s", strings.Join(parts, "; "))
		}
		return fmt.Errorf("cannot create user: %w", err)
	}
	fmt.Fprintf(e.stdout, "created %s %s (id %s)\n", u.Role, u.Email, u.ID)
	return nil
}

// readPassword takes the password from a file, PARLEY_USER_PASSWORD, a
// no-echo terminal prompt, or the first line of piped stdin — never from a
// flag value that would land in shell history.
func readPassword(e env, file string) (string, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("read --password-file: %w", err)
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	}
	if pw, ok := e.lookup("PARLEY_USER_PASSWORD"); ok && pw != "" {
		return pw, nil
	}
	if f, ok := e.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(e.stderr, "Password: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		return string(b), nil
	}
	line, err := bufio.NewReader(io.LimitReader(e.stdin, 4096)).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("read password from stdin: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", usageError{"no password: use --password-file, PARLEY_USER_PASSWORD or stdin"}
	}
	return line, nil
}
