package groq

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/groq/ledger"
	"github.com/prometheus/client_golang/prometheus"
)

// Options configure a Pool. Only Keys is required.
type Options struct {
	// Keys are PARLEY_GROQ_API_KEYS entries ("gsk_…" or "gsk_…@org_…").
	Keys []string
	// BaseURL defaults to DefaultBaseURL.
	BaseURL string
	// HTTPClient defaults to a client on NewTransport(UpstreamTimeout).
	HTTPClient *http.Client
	// Ledger holds the shared budgets; nil means a ledger.Memory (one
	// replica). Use ledger.NewRedis to share budgets across replicas.
	Ledger ledger.Ledger
	// QueueTimeout is how long a request may wait for an org to have room
	// (default 10s); past it the caller gets errs.RateLimited.
	QueueTimeout time.Duration
	// UpstreamTimeout bounds the wait for response headers and a whole
	// non-streamed answer (default 60s).
	UpstreamTimeout time.Duration
	// StreamIdleTimeout ends a stream on which Groq sent nothing for that
	// long (default UpstreamTimeout), so a stalled stream never hangs.
	StreamIdleTimeout time.Duration
	// MaxAttempts bounds tries after transient failures (5xx, timeouts,
	// dropped connections, garbage); default 4.
	MaxAttempts int
	// Backoff is the wait before transient retry n (1, 2, …); nil means
	// jittered exponential from 100ms up to 2s.
	Backoff func(n int) time.Duration
	// ModelsTTL is how long the model list is cached (default 5m).
	ModelsTTL time.Duration
	// DeadKeyTTL is how long a key Groq refused (401, 403, organization
	// restricted) stays out of rotation before it is tried again; a key still
	// refused is taken out for another DeadKeyTTL. Default 24h.
	DeadKeyTTL time.Duration
	// KeySync is how often dead keys and learned orgs are read back from the
	// ledger (other replicas' findings); default 5s.
	KeySync time.Duration
	// ReservationTTL bounds a budget reservation whose release never comes
	// (a crashed replica); default 10m.
	ReservationTTL time.Duration
	// Now and After are the clock (defaults time.Now, time.After); tests
	// inject a manual clock so nothing sleeps.
	Now   func() time.Time
	After func(time.Duration) <-chan time.Time
	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// Registerer receives the pool's metrics; nil registers none.
	Registerer prometheus.Registerer
}

// Pool spreads chat completions over Groq keys so that each org's per-model
// budget is respected: it implements chat.Completer.
type Pool struct {
	opts    Options
	client  *client
	ledger  ledger.Ledger
	log     *slog.Logger
	metrics *metrics

	syncMu   sync.Mutex // serialises syncKeys
	mu       sync.Mutex
	keys     []*key
	byOrg    map[string][]*key // live and dead keys by current org
	rr       map[string]int    // key rotation per org
	orgRR    int
	affinity *affinityCache
	lastSync time.Time
	wake     chan struct{}

	modelsMu  sync.Mutex
	models    []chat.Model
	modelsAt  time.Time
	modelsSet bool
}

// key is one Groq key and what the pool knows about it.
type key struct {
	secret     string
	fp         string
	org        string // budget org: declared, learned, or provisional
	orgSource  string // "declared", "learned", "unknown"
	dead       bool
	deadReason string
	// deadUntil is when this replica tries a dead key again: the mark's
	// deadline for a key it took out itself, the next sync for a key another
	// replica took out (the shared mark decides then).
	deadUntil time.Time
}

// Org sources in the admin view.
const (
	OrgDeclared = "declared"
	OrgLearned  = "learned"
	OrgUnknown  = "unknown"
)

// New builds a Pool from opts.
func New(opts Options) (*Pool, error) {
	cfgs, err := ParseKeys(opts.Keys)
	if err != nil {
		return nil, err
	}
	if opts.QueueTimeout <= 0 {
		opts.QueueTimeout = 10 * time.Second
	}
	if opts.UpstreamTimeout <= 0 {
		opts.UpstreamTimeout = 60 * time.Second
	}
	if opts.StreamIdleTimeout <= 0 {
		opts.StreamIdleTimeout = opts.UpstreamTimeout
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 4
	}
	if opts.Backoff == nil {
		opts.Backoff = defaultBackoff
	}
	if opts.ModelsTTL <= 0 {
		opts.ModelsTTL = 5 * time.Minute
	}
	if opts.DeadKeyTTL <= 0 {
		opts.DeadKeyTTL = 24 * time.Hour
	}
	if opts.KeySync <= 0 {
		opts.KeySync = 5 * time.Second
	}
	if opts.ReservationTTL <= 0 {
		opts.ReservationTTL = 10 * time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.After == nil {
		opts.After = time.After
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Ledger == nil {
		opts.Ledger = ledger.NewMemory(opts.Now)
	}
	hc := opts.HTTPClient
	if hc == nil {
		hc = &http.Client{Transport: NewTransport(opts.UpstreamTimeout)}
	}
	p := &Pool{
		opts:     opts,
		client:   &client{base: normalizeBase(opts.BaseURL), hc: hc},
		ledger:   opts.Ledger,
		log:      opts.Logger,
		affinity: newAffinityCache(10000),
		wake:     make(chan struct{}),
	}
	p.setKeys(cfgs, nil)
	m, err := newMetrics(opts.Registerer, p)
	if err != nil {
		return nil, err
	}
	p.metrics = m
	return p, nil
}

// defaultBackoff is jittered exponential: ~100ms, 200ms, 400ms, … up to 2s.
func defaultBackoff(n int) time.Duration {
	d := 100 * time.Millisecond << min(n-1, 5)
	d = min(d, 2*time.Second)
	return d/2 + rand.N(d/2+1)
}

// Reload swaps the key set (entries as in Options.Keys). Keys that remain
// keep what the pool learned about them; streams in flight are untouched.
// A key added by the reload starts alive even if it was marked dead before
// it was removed: putting it back is the operator saying it works again.
func (p *Pool) Reload(entries []string) error {
	cfgs, err := ParseKeys(entries)
	if err != nil {
		return err
	}
	p.mu.Lock()
	old := make(map[string]*key, len(p.keys))
	for _, k := range p.keys {
		old[k.secret] = k
	}
	var added []string
	for _, c := range cfgs {
		if old[c.Key] == nil {
			added = append(added, Fingerprint(c.Key))
		}
	}
	p.setKeysLocked(cfgs, old)
	p.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, fp := range added {
		if err := p.ledger.ReviveKey(ctx, fp); err != nil {
			p.log.Warn("groq re-added key not cleared in shared state", "key", fp, "err", err)
		}
	}
	p.log.Info("groq keys reloaded", "keys", len(cfgs))
	p.broadcast()
	return nil
}

func (p *Pool) setKeys(cfgs []KeyConfig, old map[string]*key) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.setKeysLocked(cfgs, old)
}

// setKeysLocked installs cfgs, reusing the state of keys in old; p.mu held.
func (p *Pool) setKeysLocked(cfgs []KeyConfig, old map[string]*key) {
	keys := make([]*key, 0, len(cfgs))
	for _, c := range cfgs {
		k := &key{secret: c.Key, fp: Fingerprint(c.Key)}
		if prev := old[c.Key]; prev != nil {
			k = prev
		}
		switch {
		case c.Org != "" && (k.orgSource != OrgLearned || k.org == c.Org):
			k.org, k.orgSource = c.Org, OrgDeclared
		case c.Org == "" && k.orgSource == OrgDeclared, k.org == "":
			k.org, k.orgSource = provisionalOrg(k.fp), OrgUnknown
		}
		keys = append(keys, k)
	}
	p.keys = keys
	p.rebuildLocked()
}

// rebuildLocked recomputes byOrg; p.mu held.
func (p *Pool) rebuildLocked() {
	p.byOrg = make(map[string][]*key)
	for _, k := range p.keys {
		p.byOrg[k.org] = append(p.byOrg[k.org], k)
	}
	if p.rr == nil {
		p.rr = map[string]int{}
	}
}

// broadcast wakes requests waiting for room.
func (p *Pool) broadcast() {
	p.mu.Lock()
	close(p.wake)
	p.wake = make(chan struct{})
	p.mu.Unlock()
}

// syncKeys reads other replicas' findings (dead keys, learned orgs) at most
// every KeySync.
// Concurrent callers wait for a sync in progress, so none acts on old facts.
func (p *Pool) syncKeys(ctx context.Context) {
	p.syncMu.Lock()
	defer p.syncMu.Unlock()
	now := p.opts.Now()
	p.mu.Lock()
	due := now.Sub(p.lastSync) >= p.opts.KeySync
	if due {
		p.lastSync = now
	}
	p.mu.Unlock()
	if !due {
		return
	}
	dead, orgs, err := p.ledger.Keys(ctx)
	if err != nil {
		p.log.Warn("groq key sync failed", "err", err)
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	changed := false
	for _, k := range p.keys {
		if r, ok := dead[k.fp]; ok {
			if !k.dead {
				k.dead, k.deadReason, changed = true, r, true
			}
			k.deadUntil = later(k.deadUntil, now.Add(p.opts.KeySync))
		} else if k.dead && !now.Before(k.deadUntil) {
			k.dead, k.deadReason, k.deadUntil, changed = false, "", time.Time{}, true
			p.log.Info("groq key back in rotation: its dead mark lapsed", "key", k.fp)
		}
		if o, ok := orgs[k.fp]; ok && k.org != o {
			k.org, k.orgSource, changed = o, OrgLearned, true
		}
	}
	if changed {
		p.rebuildLocked()
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// Configured reports whether any key is configured (dead or alive).
func (p *Pool) Configured() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.keys) > 0
}

// Close drops idle upstream connections; streams in flight are untouched.
func (p *Pool) Close() {
	p.client.hc.CloseIdleConnections()
}

var _ chat.Completer = (*Pool)(nil)
