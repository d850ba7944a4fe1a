package redis

import (
	"context"
	"fmt"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/parley-chat/parley/internal/ratelimit"
)

// streamAcquire takes a slot named ARGV[1] in every sorted set of KEYS, or
// none when one already holds ARGV[2] live slots. A slot's score is when its
// lease lapses (ms, Redis clock), so a dead replica's slots free themselves.
// ARGV[3] is the lease in ms. Returns 1 when taken.
var streamAcquire = goredis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local max, lease = tonumber(ARGV[2]), tonumber(ARGV[3])
for _, k in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', k, '-inf', now)
  if redis.call('ZCARD', k) >= max then return 0 end
end
for _, k in ipairs(KEYS) do
  redis.call('ZADD', k, now + lease, ARGV[1])
  redis.call('PEXPIRE', k, lease * 2)
end
return 1
`)

// streamRenew extends the lease of slot ARGV[1] in every set it is in.
var streamRenew = goredis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease = tonumber(ARGV[2])
for _, k in ipairs(KEYS) do
  redis.call('ZADD', k, 'XX', now + lease, ARGV[1])
  redis.call('PEXPIRE', k, lease * 2)
end
return 1
`)

// StreamLease is how long a stream slot outlives its last renewal.
const StreamLease = 30 * time.Second

// Streams is the stream-slot counter every replica using one Redis shares.
type Streams struct {
	client goredis.UniversalClient
	prefix string

	mu     sync.Mutex
	renews map[string]context.CancelFunc
}

// NewStreams returns a shared stream counter storing its sets under prefix.
func NewStreams(c goredis.UniversalClient, prefix string) *Streams {
	return &Streams{client: c, prefix: prefix, renews: map[string]context.CancelFunc{}}
}

// keys puts one request's sets in one hash slot (Redis Cluster runs a
// script only on keys of one slot): all are tagged with the first key.
func (s *Streams) keys(keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = s.prefix + "streams:{" + keys[0] + "}"
		if i > 0 {
			out[i] += ":" + k
		}
	}
	return out
}

// Acquire implements ratelimit.SharedStreams; the slot's lease is renewed
// until Release.
func (s *Streams) Acquire(ctx context.Context, id string, keys []string, max int) (bool, error) {
	ks := s.keys(keys)
	n, err := streamAcquire.Run(ctx, s.client, ks, id, max, StreamLease.Milliseconds()).Int()
	if err != nil {
		return false, fmt.Errorf("streams: redis acquire: %w", err)
	}
	if n != 1 {
		return false, nil
	}
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s.mu.Lock()
	s.renews[id] = cancel
	s.mu.Unlock()
	go func() {
		tick := time.NewTicker(StreamLease / 3)
		defer tick.Stop()
		for {
			select {
			case <-rctx.Done():
				return
			case <-tick.C:
				_ = streamRenew.Run(rctx, s.client, ks, id, StreamLease.Milliseconds()).Err()
			}
		}
	}()
	return true, nil
}

// Release implements ratelimit.SharedStreams.
func (s *Streams) Release(ctx context.Context, id string, keys []string) error {
	s.mu.Lock()
	if cancel := s.renews[id]; cancel != nil {
		cancel()
		delete(s.renews, id)
	}
	s.mu.Unlock()
	pipe := s.client.Pipeline()
	for _, k := range s.keys(keys) {
		pipe.ZRem(ctx, k, id)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("streams: redis release: %w", err)
	}
	return nil
}

var _ ratelimit.SharedStreams = (*Streams)(nil)
