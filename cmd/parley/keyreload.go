package main

import (
	"context"
	"crypto/sha256"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/parley-chat/parley/internal/groq"
	"github.com/parley-chat/parley/internal/platform/config"
)

// defaultKeysPoll is how often the Groq keys file is checked for changes.
const defaultKeysPoll = 5 * time.Second

// keyReloader re-reads the Groq keys on SIGHUP and whenever the file named
// by PARLEY_GROQ_API_KEYS_FILE changes, and swaps them into the pool. A file
// that cannot be read or parsed keeps the keys in use.
type keyReloader struct {
	pool   *groq.Pool
	lookup config.Lookup
	file   string
	poll   time.Duration
	log    *slog.Logger
	hup    chan os.Signal
	done   func(fingerprints []string, err error) // test hook, may be nil
	last   fileState
}

// fileState is what tells that the keys file changed: a rewrite in place, a
// rename over it, or a Kubernetes secret's symlink swap all change one.
type fileState struct {
	size    int64
	modTime time.Time
	sum     [sha256.Size]byte
	ok      bool
}

// startKeyReloader listens for SIGHUP at once (so a signal sent as soon as
// serve is up is not lost) and watches the keys file until ctx ends.
func startKeyReloader(ctx context.Context, e env, pool *groq.Pool, log *slog.Logger) {
	r := &keyReloader{pool: pool, lookup: e.lookup, file: config.GroqKeysFile(e.lookup), poll: e.keysPoll,
		log: log, hup: make(chan os.Signal, 1), done: e.keysReloaded}
	if r.poll <= 0 {
		r.poll = defaultKeysPoll
	}
	if r.file != "" {
		r.last = statKeys(r.file)
	}
	signal.Notify(r.hup, syscall.SIGHUP)
	go r.run(ctx)
}

func (r *keyReloader) run(ctx context.Context) {
	defer signal.Stop(r.hup)
	var tick <-chan time.Time
	if r.file != "" {
		t := time.NewTicker(r.poll)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-r.hup:
			r.log.Info("SIGHUP: reloading Groq keys")
			if r.file != "" {
				r.last = statKeys(r.file)
			}
			r.reload()
		case <-tick:
			st := statKeys(r.file)
			if st == r.last {
				continue
			}
			r.last = st
			r.log.Info("Groq keys file changed: reloading")
			r.reload()
		}
	}
}

// reload reads the keys and swaps them in, or logs why it kept the old set.
func (r *keyReloader) reload() {
	entries, err := config.GroqKeys(r.lookup)
	if err == nil {
		err = r.pool.Reload(entries)
	}
	if err != nil { // the errors name entries by position or fingerprint only
		r.log.Error("Groq keys not reloaded: keeping the keys in use", "err", err.Error())
		r.report(nil, err)
		return
	}
	fps := make([]string, 0, len(entries))
	for _, e := range entries {
		key, _, _ := strings.Cut(e, "@")
		fps = append(fps, groq.Fingerprint(key))
	}
	r.log.Info("Groq keys in use", "count", len(fps), "fingerprints", fps)
	r.report(fps, nil)
}

func (r *keyReloader) report(fps []string, err error) {
	if r.done != nil {
		r.done(fps, err)
	}
}

// statKeys reads the file's size, time and content hash; a file that cannot
// be read has ok false (and counts as a change when it comes back).
func statKeys(path string) fileState {
	fi, err := os.Stat(path)
	if err != nil {
		return fileState{}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return fileState{}
	}
	st := fileState{size: fi.Size(), modTime: fi.ModTime(), sum: sha256.Sum256(b), ok: true}
	clear(b)
	return st
}
