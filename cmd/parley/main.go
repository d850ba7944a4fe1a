// Command parley is the parley API server and its operator tools: serve,
// migrate, user, backup, restore, healthcheck and version.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/platform/config"
)

// version is set at build time: -ldflags "-X main.version=v1.2.3".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := run(ctx, env{
		args: os.Args[1:], stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, lookup: os.LookupEnv,
	})
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "parley:", err)
		var ue usageError
		if errors.As(err, &ue) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// env is everything run may touch of the outside world, so tests can call
// run directly.
type env struct {
	args   []string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	lookup config.Lookup
	// listening, when set, receives the API's bound address once serve
	// accepts connections (tests listen on 127.0.0.1:0).
	listening func(addr string)
	// metricsListening, when set, receives the metrics server's address.
	metricsListening func(addr string)
	// draining, when set, is called once serve starts draining (tests).
	draining func()
	// redisPrefix, when set, replaces the "parley:" key prefix (tests
	// sharing one Redis).
	redisPrefix string
	// keysPoll, when set, replaces how often the Groq keys file is checked
	// (tests); keysReloaded, when set, is told each reload's outcome.
	keysPoll     time.Duration
	keysReloaded func(fingerprints []string, err error)
	// loginThrottle, when set, replaces both failed-login back-off policies
	// (tests).
	loginThrottle *account.ThrottlePolicy
}

// policyOr is the test's login throttle policy, or def.
func (e env) policyOr(def account.ThrottlePolicy) account.ThrottlePolicy {
	if e.loginThrottle != nil {
		return *e.loginThrottle
	}
	return def
}

// keyPrefix starts every Redis key serve writes: "parley:", or the test's.
func (e env) keyPrefix() string {
	if e.redisPrefix != "" {
		return e.redisPrefix
	}
	return defaultRedisPrefix
}

// usageError is a command-line mistake (exit status 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }
