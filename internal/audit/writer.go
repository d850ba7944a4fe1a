package audit

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// WriterOptions configure a Writer. Store is required; the rest have defaults.
type WriterOptions struct {
	Store Store
	// QueueSize bounds the entries waiting to be written; when it is full,
	// Record waits (backpressure) instead of dropping. 0 means 10,000.
	QueueSize int
	// BatchSize is the most entries one InsertAudit writes; 0 means 256.
	BatchSize int
	// Interval is the longest an entry waits for its batch to fill; 0 means 1s.
	Interval time.Duration
	// RetryDelay is the pause before a failed batch is tried again; 0 means 1s.
	RetryDelay time.Duration
	// Logger receives write failures; nil means slog.Default().
	Logger *slog.Logger
	// Registerer, when set, receives parley_audit_entries_written_total and
	// parley_audit_queue_length.
	Registerer prometheus.Registerer
}

// Writer writes audit entries in batches off the request path. It loses
// nothing: a full queue makes Record wait, a failed batch is retried, and
// Close writes everything still queued.
type Writer struct {
	store      Store
	batchSize  int
	interval   time.Duration
	retryDelay time.Duration
	log        *slog.Logger
	written    prometheus.Counter

	queue chan Entry

	mu     sync.RWMutex // Record holds it shared while it sends; Close exclusively
	closed bool

	stop chan struct{} // closed by Close: drain the queue and return
	done chan struct{} // closed when the loop has returned
}

// NewWriter starts a Writer; Close flushes it.
func NewWriter(o WriterOptions) (*Writer, error) {
	if o.Store == nil {
		return nil, errors.New("audit: WriterOptions.Store is required")
	}
	w := &Writer{
		store:      o.Store,
		batchSize:  cmpOr(o.BatchSize, 256),
		interval:   cmpOr(o.Interval, time.Second),
		retryDelay: cmpOr(o.RetryDelay, time.Second),
		log:        o.Logger,
		queue:      make(chan Entry, cmpOr(o.QueueSize, 10000)),
		stop:       make(chan struct{}),
		done:       make(chan struct{}),
	}
	if w.log == nil {
		w.log = slog.Default()
	}
	w.written = prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: "parley", Name: "audit_entries_written_total",
		Help: "Audit entries written to the store.",
	})
	if o.Registerer != nil {
		queueLen := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: "parley", Name: "audit_queue_length",
			Help: "Audit entries waiting to be written.",
		}, func() float64 { return float64(len(w.queue)) })
		for _, c := range []prometheus.Collector{w.written, queueLen} {
			if err := o.Registerer.Register(c); err != nil {
				return nil, err
			}
		}
	}
	go w.loop()
	return w, nil
}

func cmpOr[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// Record queues e. It returns at once unless the queue is full, in which
// case it waits for room. After Close, e is written synchronously.
func (w *Writer) Record(e Entry) {
	if e.At.IsZero() {
		e.At = time.Now().UTC()
	}
	w.mu.RLock()
	if !w.closed {
		w.queue <- e // the loop keeps draining until Close holds the lock
		w.mu.RUnlock()
		return
	}
	w.mu.RUnlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := w.store.InsertAudit(ctx, []Entry{e}); err != nil {
		w.log.Error("audit write after close", slog.Any("error", err))
		return
	}
	w.written.Inc()
}

// QueueLength is how many entries wait to be written.
func (w *Writer) QueueLength() int { return len(w.queue) }

func (w *Writer) loop() {
	defer close(w.done)
	t := time.NewTicker(w.interval)
	defer t.Stop()
	batch := make([]Entry, 0, w.batchSize)
	for {
		select {
		case e := <-w.queue:
			batch = append(batch, e)
			if len(batch) >= w.batchSize {
				batch = w.write(batch, false)
			}
		case <-t.C:
			batch = w.write(batch, false)
		case <-w.stop:
			for {
				select {
				case e := <-w.queue:
					batch = append(batch, e)
					if len(batch) >= w.batchSize {
						batch = w.write(batch, true)
					}
				default:
					w.write(batch, true)
					return
				}
			}
		}
	}
}

// write inserts batch, retrying until it succeeds; while it retries the
// queue fills and Record waits, which is the backpressure. When stopping,
// it gives up after a few tries so shutdown cannot hang on a dead store.
func (w *Writer) write(batch []Entry, stopping bool) []Entry {
	if len(batch) == 0 {
		return batch
	}
	for attempt := 1; ; attempt++ {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := w.store.InsertAudit(ctx, batch)
		cancel()
		if err == nil {
			w.written.Add(float64(len(batch)))
			return batch[:0]
		}
		w.log.Error("audit write", slog.Int("entries", len(batch)), slog.Int("attempt", attempt), slog.Any("error", err))
		if stopping && attempt >= 3 {
			w.log.Error("audit entries lost at shutdown", slog.Int("entries", len(batch)))
			return batch[:0]
		}
		time.Sleep(w.retryDelay)
	}
}

// Close stops accepting queued entries, writes everything queued and
// returns when done or when ctx ends. Call it after the HTTP server stopped.
func (w *Writer) Close(ctx context.Context) error {
	w.mu.Lock()
	already := w.closed
	w.closed = true
	w.mu.Unlock()
	if !already {
		close(w.stop)
	}
	select {
	case <-w.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
