package cache

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"
)

// fillScript stores a loaded value only if no invalidation bumped the key's
// generation since the reader looked: a slow reader never puts back a value
// that a writer already invalidated. KEYS: value, generation. ARGV: the
// generation seen ("" for none), value, ttl in ms.
var fillScript = redis.NewScript(`
local g = redis.call('GET', KEYS[2]) or ''
if g ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
`)

// genTTL keeps generations far longer than any load takes.
const genTTL = time.Hour

func (c *Cache) redisGet(ctx context.Context, key string) (val []byte, gen string, err error) {
	vs, err := c.rdb.MGet(ctx, c.key(key), c.gen(key)).Result()
	if err != nil {
		return nil, "", fmt.Errorf("cache: mget: %w", err)
	}
	if s, ok := vs[0].(string); ok {
		val = []byte(s)
	}
	if s, ok := vs[1].(string); ok {
		gen = s
	}
	return val, gen, nil
}

func (c *Cache) redisFill(ctx context.Context, key, gen string, val []byte, ttl time.Duration) (bool, error) {
	if ttl <= 0 {
		ttl = time.Minute
	}
	n, err := fillScript.Run(ctx, c.rdb, []string{c.key(key), c.gen(key)}, gen, val, ttl.Milliseconds()).Int()
	if err != nil {
		return false, fmt.Errorf("cache: fill: %w", err)
	}
	return n == 1, nil
}

// invalidation is the message every replica receives.
type invalidation struct {
	ID   string   `json:"id"`
	Keys []string `json:"keys"`
}

func (c *Cache) channel() string         { return c.opts.Prefix + "invalidate" }
func (c *Cache) ackKey(id string) string { return c.opts.Prefix + "ack:" + id }

func (c *Cache) redisInvalidate(ctx context.Context, keys []string) error {
	_, err := c.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		for _, k := range keys {
			p.Incr(ctx, c.gen(k))
			p.PExpire(ctx, c.gen(k), genTTL)
			p.Del(ctx, c.key(k))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("cache: invalidate: %w", err)
	}
	msg := invalidation{ID: uuid.NewString(), Keys: keys}
	b, _ := json.Marshal(msg)
	n, err := c.rdb.Publish(ctx, c.channel(), b).Result()
	if err != nil {
		return fmt.Errorf("cache: publish invalidation: %w", err)
	}
	deadline := time.Now().Add(c.opts.AckTimeout)
	got := 0
	for got < int(n) {
		left := time.Until(deadline)
		if left <= 0 {
			break
		}
		_, err := c.rdb.BLPop(ctx, max(left, time.Second), c.ackKey(msg.ID)).Result()
		if errors.Is(err, redis.Nil) {
			break
		}
		if err != nil {
			return fmt.Errorf("cache: wait for acknowledgements: %w", err)
		}
		got++
	}
	c.rdb.Del(context.WithoutCancel(ctx), c.ackKey(msg.ID))
	if got < int(n) {
		return errNotAcked{want: int(n), got: got}
	}
	return nil
}

// subscriber applies invalidations published by any replica.
type subscriber struct {
	ps     *redis.PubSub
	cancel context.CancelFunc
	done   chan struct{}
}

// healthEvery is how long the subscriber waits for a message before it
// pings to check its connection.
const healthEvery = 5 * time.Second

func subscribe(ctx context.Context, c *Cache) (*subscriber, error) {
	ps := c.rdb.Subscribe(ctx, c.channel())
	if _, err := ps.Receive(ctx); err != nil { // the subscription confirmation
		_ = ps.Close()
		return nil, fmt.Errorf("cache: subscribe: %w", err)
	}
	c.healthy.Store(true)
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s := &subscriber{ps: ps, cancel: cancel, done: make(chan struct{})}
	go s.run(runCtx, c)
	return s, nil
}

func (s *subscriber) run(ctx context.Context, c *Cache) {
	defer close(s.done)
	for {
		m, err := s.ps.ReceiveTimeout(ctx, healthEvery)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				if perr := s.ps.Ping(ctx); perr == nil {
					continue
				}
			}
			if c.healthy.Swap(false) {
				c.opts.Logger.Warn("cache: invalidation subscription lost; local copies bypassed", slog.Any("error", err))
			}
			c.flushLocal()
			select { // back off before the client reconnects
			case <-ctx.Done():
				return
			case <-time.After(200 * time.Millisecond):
			}
			continue
		}
		switch m := m.(type) {
		case *redis.Subscription:
			// A (re)subscription: anything may have been missed meanwhile.
			c.flushLocal()
			if !c.healthy.Swap(true) {
				c.opts.Logger.Info("cache: invalidation subscription restored")
			}
		case *redis.Message:
			var inv invalidation
			if err := json.Unmarshal([]byte(m.Payload), &inv); err != nil {
				c.flushLocal()
				continue
			}
			c.dropLocal(inv.Keys)
			ack := c.ackKey(inv.ID)
			_, err := c.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.RPush(ctx, ack, "1")
				p.PExpire(ctx, ack, time.Minute)
				return nil
			})
			if err != nil {
				c.opts.Logger.Warn("cache: acknowledge invalidation", slog.Any("error", err))
			}
		}
	}
}

func (s *subscriber) close() error {
	s.cancel()
	err := s.ps.Close()
	<-s.done
	return err
}
