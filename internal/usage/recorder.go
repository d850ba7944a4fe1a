package usage

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Options configure a Recorder. Store is required; the rest have defaults.
type Options struct {
	Store Store
	// Counter keeps today's per-user totals; nil means NewMemoryCounter(Store).
	Counter Counter
	// DefaultQuota is the daily token quota of users without an override
	// (PARLEY_DAILY_TOKEN_QUOTA); 0 means unlimited.
	DefaultQuota int64
	// FlushInterval is how often aggregates are written; 0 means 5s.
	FlushInterval time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives flush failures; nil means slog.Default().
	Logger *slog.Logger
	// Registerer, when set, receives parley_tokens_total{model,kind}.
	Registerer prometheus.Registerer
}

type recKey struct {
	userID string
	day    time.Time
	model  string
}

// Recorder accounts every call's tokens to its user by UTC day and model
// without a database write on the request's path: it aggregates in memory and
// writes the aggregates to the Store in batches, on an interval and on Close.
type Recorder struct {
	store  Store
	count  Counter
	quota  int64
	now    func() time.Time
	log    *slog.Logger
	tokens *prometheus.CounterVec

	mu      sync.Mutex
	pending map[recKey]*Record
	closed  bool

	flushMu sync.Mutex // one flush at a time
	stop    chan struct{}
	done    chan struct{}
}

// NewRecorder starts a Recorder; Close stops it and writes what is pending.
func NewRecorder(o Options) (*Recorder, error) {
	if o.Store == nil {
		return nil, errors.New("usage: Options.Store is required")
	}
	if o.DefaultQuota < 0 {
		return nil, errors.New("usage: negative default quota")
	}
	r := &Recorder{
		store:   o.Store,
		count:   o.Counter,
		quota:   o.DefaultQuota,
		now:     o.Now,
		log:     o.Logger,
		pending: make(map[recKey]*Record),
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	if r.count == nil {
		r.count = NewMemoryCounter(o.Store)
	}
	if r.now == nil {
		r.now = time.Now
	}
	if r.log == nil {
		r.log = slog.Default()
	}
	if o.Registerer != nil {
		r.tokens = prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "parley", Name: "tokens_total",
			Help: "Tokens used upstream, by model and kind (prompt, completion).",
		}, []string{"model", "kind"})
		if err := o.Registerer.Register(r.tokens); err != nil {
			return nil, err
		}
	}
	interval := o.FlushInterval
	if interval <= 0 {
		interval = 5 * time.Second
	}
	go r.loop(interval)
	return r, nil
}

// Day returns the UTC midnight that starts t's day.
func Day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Record accounts one call. It touches only memory (and Redis when the
// Counter lives there); the store write happens later, in a batch. A counter
// failure is logged, never the caller's problem: the call already happened.
func (r *Recorder) Record(ctx context.Context, userID, model string, promptTokens, completionTokens int) {
	day := Day(r.now())
	k := recKey{userID: userID, day: day, model: model}
	r.mu.Lock()
	rec := r.pending[k]
	if rec == nil {
		rec = &Record{UserID: userID, Day: day, Model: model}
		r.pending[k] = rec
	}
	rec.Requests++
	rec.PromptTokens += int64(promptTokens)
	rec.CompletionTokens += int64(completionTokens)
	closed := r.closed
	r.mu.Unlock()
	if closed { // after Close nothing flushes on a timer: write now
		if err := r.Flush(ctx); err != nil {
			r.log.ErrorContext(ctx, "usage flush after close", slog.Any("error", err))
		}
	}
	if r.tokens != nil {
		r.tokens.WithLabelValues(model, "prompt").Add(float64(promptTokens))
		r.tokens.WithLabelValues(model, "completion").Add(float64(completionTokens))
	}
	if _, err := r.count.Add(ctx, userID, day, int64(promptTokens+completionTokens)); err != nil {
		r.log.ErrorContext(ctx, "usage counter add", slog.String("user_id", userID), slog.Any("error", err))
	}
}

// Flush writes every pending aggregate to the store now. On failure the
// aggregates are put back, to be written by the next flush.
func (r *Recorder) Flush(ctx context.Context) error {
	r.flushMu.Lock()
	defer r.flushMu.Unlock()
	r.mu.Lock()
	batch := make([]Record, 0, len(r.pending))
	for _, rec := range r.pending {
		batch = append(batch, *rec)
	}
	r.pending = make(map[recKey]*Record)
	r.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	if err := r.store.AddUsage(ctx, batch); err != nil {
		r.mu.Lock()
		for _, b := range batch {
			r.mergeLocked(b)
		}
		r.mu.Unlock()
		return err
	}
	return nil
}

func (r *Recorder) mergeLocked(b Record) {
	k := recKey{userID: b.UserID, day: b.Day, model: b.Model}
	rec := r.pending[k]
	if rec == nil {
		rec = &Record{UserID: b.UserID, Day: b.Day, Model: b.Model}
		r.pending[k] = rec
	}
	rec.Requests += b.Requests
	rec.PromptTokens += b.PromptTokens
	rec.CompletionTokens += b.CompletionTokens
}

func (r *Recorder) loop(interval time.Duration) {
	defer close(r.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-r.stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), interval)
			if err := r.Flush(ctx); err != nil {
				r.log.Error("usage flush", slog.Any("error", err))
			}
			cancel()
		}
	}
}

// Close stops the timer and writes everything pending; call it on shutdown,
// after the HTTP server has stopped. Records made after Close are written
// at once.
func (r *Recorder) Close(ctx context.Context) error {
	r.mu.Lock()
	already := r.closed
	r.closed = true
	r.mu.Unlock()
	if !already {
		close(r.stop)
	}
	select {
	case <-r.done:
	case <-ctx.Done():
		return ctx.Err()
	}
	return r.Flush(ctx)
}

// pendingFor returns the not yet written aggregates of a user's day.
func (r *Recorder) pendingFor(userID string, day time.Time) []Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Record
	for k, rec := range r.pending {
		if k.userID == userID && k.day.Equal(day) {
			out = append(out, *rec)
		}
	}
	return out
}
