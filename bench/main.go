// Command bench measures what parley adds on top of Groq, against baselines
// taken in the same run: groqmock called directly, and a bare
// httputil.ReverseProxy hop in front of it. `make bench` runs it and writes
// bench/RESULTS.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) > 3 && os.Args[1] == "-serve-proxy" {
		serveProxy(os.Args[2], os.Args[3], os.Args[4:]...)
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type options struct {
	duration time.Duration
	repeats  int
	rates    []int
	ramp     []int
	streams  int
	ttftN    int
	out      string
	heap     string
	only     string
	logins   int
}

func run(ctx context.Context, args []string) error {
	o := options{rates: []int{200, 1000}, ramp: []int{1000, 2000, 3000, 4000}}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.DurationVar(&o.duration, "duration", 5*time.Second, "length of each fixed-rate run")
	fs.IntVar(&o.repeats, "repeats", 3, "runs per target and rate (medians are reported)")
	fs.IntVar(&o.streams, "streams", 2000, "concurrent open streams for the memory measurement")
	fs.IntVar(&o.ttftN, "ttft", 200, "streamed requests per target for time to first token")
	fs.StringVar(&o.out, "out", "bench/RESULTS.md", "where to write the results")
	fs.StringVar(&o.heap, "heap-profile", "", "save parley's heap profile, taken with every stream open, to this file")
	fs.StringVar(&o.only, "only", "", "run only this part: `logins` (password hashing memory)")
	fs.IntVar(&o.logins, "logins", 80, "concurrent logins for the password-hashing memory measurement")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.only == "logins" {
		dir, err := os.MkdirTemp("", "parley-bench-")
		if err != nil {
			return err
		}
		e := &env{dir: dir}
		defer e.stop()
		if err := e.build(ctx, "parley"); err != nil {
			return err
		}
		return runLogins(ctx, e, o)
	} else if o.only != "" {
		return fmt.Errorf("-only %q: the only part is logins", o.only)
	}

	env, err := startEnv(ctx)
	if err != nil {
		return err
	}
	defer env.stop()
	env.heapProfile = o.heap

	res := results{ttft: map[string][]metrics{}}
	res.started = time.Now().UTC()
	res.host = hostInfo()

	// Fixed rates: alternate direct, proxy and parley runs so drift hits all alike.
	for _, rate := range o.rates {
		for i := 0; i < o.repeats; i++ {
			for _, t := range env.targets() {
				m, err := attack(ctx, t, rate, o.duration)
				if err != nil {
					return err
				}
				res.add(fixedKey{t.name, rate}, m)
				fmt.Fprintf(os.Stderr, "rate %5d/s %-8s p50 %7.3f ms  p99 %7.3f ms  ok %.2f%%\n",
					rate, t.name, ms(m.p50), ms(m.p99), 100*m.success)
			}
		}
	}
	// Throughput ramp: the highest rate each target holds without errors.
	for _, t := range env.targets() {
		for _, rate := range o.ramp {
			m, err := attack(ctx, t, rate, 3*time.Second)
			if err != nil {
				return err
			}
			res.ramp = append(res.ramp, rampRow{t.name, rate, m})
			fmt.Fprintf(os.Stderr, "ramp %5d/s %-8s achieved %7.0f/s ok %.2f%% p99 %.2f ms\n",
				rate, t.name, m.throughput, 100*m.success, ms(m.p99))
		}
	}
	// Time to first token, streaming.
	for i := 0; i < o.repeats; i++ {
		for _, t := range env.streamTargets() {
			d, err := ttft(ctx, t, o.ttftN)
			if err != nil {
				return err
			}
			res.ttft[t.name] = append(res.ttft[t.name], d)
			fmt.Fprintf(os.Stderr, "ttft %-8s p50 %.3f ms p99 %.3f ms\n", t.name, ms(d.p50), ms(d.p99))
		}
	}
	// Memory per open stream in the parley process, with either upstream protocol.
	for _, p := range []parleyProc{env.slowH1, env.slowH2} {
		mem, err := env.streamMemory(ctx, p, o.streams)
		if err != nil {
			return fmt.Errorf("memory (%s): %w", p.name, err)
		}
		res.memory = append(res.memory, mem)
		fmt.Fprintf(os.Stderr, "memory %s: %d streams, heap+stacks %.1f → %.1f MiB (%.1f KiB per stream), RSS %.1f → %.1f MiB, goroutines %d → %d\n",
			p.name, mem.streams, mib(mem.heapBefore), mib(mem.heapAfter), float64(mem.heapAfter-mem.heapBefore)/float64(mem.streams)/1024,
			mib(mem.before), mib(mem.after), mem.goroutinesBefore, mem.goroutinesAfter)
	}

	res.finished = time.Now().UTC()
	if err := res.write(o); err != nil {
		return err
	}
	return runLogins(ctx, env, o)
}
