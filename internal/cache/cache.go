// Package cache is a small read-through cache for parley's hot reads (API
// token and user lookups, the model list, the first page of a user's
// conversations) with invalidation on write. Without Redis it is a bounded
// in-process LRU; with Redis the values live in Redis, each replica keeps a
// short-lived local copy, and an invalidation is published to every replica
// and acknowledged before Invalidate returns.
package cache

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Options configure a Cache.
type Options struct {
	// Redis, when set, shares values and invalidations between replicas.
	Redis redis.UniversalClient
	// Prefix namespaces every Redis key and the invalidation channel
	// (default "parley:cache:").
	Prefix string
	// MaxEntries bounds the local copy (default 10000).
	MaxEntries int
	// LocalTTL caps how long a replica keeps a local copy (default 30s with
	// Redis, none without: then an entry's own TTL applies). It bounds
	// staleness should an invalidation message ever be lost.
	LocalTTL time.Duration
	// AckTimeout bounds how long Invalidate waits for every replica to
	// confirm (default 2s).
	AckTimeout time.Duration
	// Now is the clock; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
}

// Cache is a read-through cache; create it with New and Close it on
// shutdown.
type Cache struct {
	opts Options
	rdb  redis.UniversalClient

	mu    sync.Mutex
	local *lru
	// epoch grows with every invalidation seen by this replica; a value
	// loaded while it moved may be stale and is not stored.
	epoch uint64

	// healthy is false while the invalidation subscription is down: the
	// local copy is then bypassed.
	healthy atomic.Bool
	sub     *subscriber
	// lastWarn throttles Redis failure logs to one per 10 s.
	lastWarn atomic.Int64
}

// warn logs a Redis failure at most once per 10 s: an outage must not
// flood the log with one line per request.
func (c *Cache) warn(ctx context.Context, msg string, err error) {
	now, last := time.Now().UnixNano(), c.lastWarn.Load()
	if now-last > int64(10*time.Second) && c.lastWarn.CompareAndSwap(last, now) {
		c.opts.Logger.WarnContext(ctx, msg, slog.Any("error", err))
	}
}

// New returns a Cache. With opts.Redis it subscribes to the invalidation
// channel before returning, so invalidations published afterwards reach it.
func New(ctx context.Context, opts Options) (*Cache, error) {
	if opts.Prefix == "" {
		opts.Prefix = "parley:cache:"
	}
	if opts.MaxEntries <= 0 {
		opts.MaxEntries = 10000
	}
	if opts.LocalTTL <= 0 && opts.Redis != nil {
		opts.LocalTTL = 30 * time.Second
	}
	if opts.AckTimeout <= 0 {
		opts.AckTimeout = 2 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	c := &Cache{opts: opts, rdb: opts.Redis, local: newLRU(opts.MaxEntries)}
	if c.rdb == nil {
		c.healthy.Store(true)
		return c, nil
	}
	sub, err := subscribe(ctx, c)
	if err != nil {
		return nil, err
	}
	c.sub = sub
	return c, nil
}

// Close stops the invalidation subscriber. The Redis client stays open.
func (c *Cache) Close() error {
	if c.sub != nil {
		return c.sub.close()
	}
	return nil
}

// GetOrLoad returns the value cached under key, or calls load, caches its
// result for ttl and returns it. Errors of load are returned and nothing is
// cached. Redis failures are logged and the value is loaded directly: the
// cache never makes a request fail.
func GetOrLoad[T any](ctx context.Context, c *Cache, key string, ttl time.Duration, load func(context.Context) (T, error)) (T, error) {
	var zero T
	epoch := c.snapshot()
	if b, ok := c.localGet(key); ok {
		var v T
		if err := json.Unmarshal(b, &v); err == nil {
			return v, nil
		}
	}
	if c.rdb == nil {
		v, err := load(ctx)
		if err != nil {
			return zero, err
		}
		if b, err := json.Marshal(v); err == nil {
			c.localSet(key, b, ttl, epoch)
		}
		return v, nil
	}
	b, gen, err := c.redisGet(ctx, key)
	if err != nil {
		c.warn(ctx, "cache: redis read failed; loading directly", err)
		return load(ctx)
	}
	if b != nil {
		var v T
		if err := json.Unmarshal(b, &v); err == nil {
			c.localSet(key, b, ttl, epoch)
			return v, nil
		}
	}
	v, err := load(ctx)
	if err != nil {
		return zero, err
	}
	b, err = json.Marshal(v)
	if err != nil {
		return v, nil
	}
	stored, err := c.redisFill(ctx, key, gen, b, ttl)
	if err != nil {
		c.warn(ctx, "cache: redis fill failed", err)
		return v, nil
	}
	if stored {
		c.localSet(key, b, ttl, epoch)
	}
	return v, nil
}

// Invalidate drops keys everywhere. With Redis it returns once every
// subscribed replica acknowledged dropping its local copy, or an error when
// that did not happen within AckTimeout (stale local copies then expire
// after LocalTTL at the latest). Call it after the write committed.
func (c *Cache) Invalidate(ctx context.Context, keys ...string) error {
	if len(keys) == 0 {
		return nil
	}
	c.dropLocal(keys)
	if c.rdb == nil {
		return nil
	}
	return c.redisInvalidate(ctx, keys)
}

func (c *Cache) snapshot() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.epoch
}

func (c *Cache) localGet(key string) ([]byte, bool) {
	if !c.healthy.Load() {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.local.get(key, c.opts.Now())
}

// localSet stores val unless an invalidation happened since epoch.
func (c *Cache) localSet(key string, val []byte, ttl time.Duration, epoch uint64) {
	if !c.healthy.Load() {
		return
	}
	if c.opts.LocalTTL > 0 && (ttl <= 0 || ttl > c.opts.LocalTTL) {
		ttl = c.opts.LocalTTL
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.epoch != epoch {
		return
	}
	c.local.set(key, val, c.opts.Now().Add(ttl))
}

func (c *Cache) dropLocal(keys []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	for _, k := range keys {
		c.local.del(k)
	}
}

// flushLocal forgets every local copy (the subscription was interrupted).
func (c *Cache) flushLocal() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	c.local.clear()
}

// LocalLen reports how many entries this replica holds locally.
func (c *Cache) LocalLen() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.local.len()
}

func (c *Cache) key(k string) string { return c.opts.Prefix + "v:" + k }
func (c *Cache) gen(k string) string { return c.opts.Prefix + "g:" + k }

// errNotAcked reports replicas that did not confirm an invalidation.
type errNotAcked struct{ want, got int }

func (e errNotAcked) Error() string {
	return fmt.Sprintf("cache: invalidation acknowledged by %d of %d replicas", e.got, e.want)
}
