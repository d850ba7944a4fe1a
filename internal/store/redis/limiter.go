package redis

import (
	"context"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/parley-chat/parley/internal/ratelimit"
)

// gcraScript runs GCRA atomically. KEYS[1] holds the tat in microseconds.
// ARGV: now_us (0 = use the Redis server clock), interval_us, burst.
// Returns {allowed, remaining, retry_after_us, reset_after_us}.
var gcraScript = goredis.NewScript(`
local now = tonumber(ARGV[1])
if now == 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local interval = tonumber(ARGV[2])
local tolerance = interval * tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local new_tat = tat + interval
local diff = new_tat - now
if diff > tolerance then
  return {0, 0, diff - tolerance, tat - now}
end
redis.call('SET', KEYS[1], new_tat, 'PX', math.ceil(diff / 1000) + 1)
return {1, math.floor((tolerance - diff) / interval), 0, diff}
`)

// Limiter is a GCRA Limiter shared by every replica using one Redis.
type Limiter struct {
	client goredis.UniversalClient
	prefix string
	// Now, when set, replaces the Redis server clock (tests). Leave nil in
	// production so every replica shares one clock.
	Now func() time.Time
}

// NewLimiter returns a limiter storing its state under prefix.
func NewLimiter(c goredis.UniversalClient, prefix string) *Limiter {
	return &Limiter{client: c, prefix: prefix}
}

// Allow implements ratelimit.Limiter.
func (r *Limiter) Allow(ctx context.Context, key string, l ratelimit.Limit) (ratelimit.Result, error) {
	if err := l.Validate(); err != nil {
		return ratelimit.Result{}, err
	}
	var now int64
	if r.Now != nil {
		now = r.Now().UnixMicro()
	}
	interval := int64(float64(time.Second/time.Microsecond) / l.Rate)
	if interval < 1 {
		interval = 1
	}
	v, err := gcraScript.Run(ctx, r.client, []string{r.prefix + "rl:" + key}, now, interval, l.Burst).Int64Slice()
	if err != nil {
		return ratelimit.Result{}, fmt.Errorf("ratelimit: redis allow: %w", err)
	}
	return ratelimit.Result{
		Allowed:    v[0] == 1,
		Remaining:  int(v[1]),
		RetryAfter: time.Duration(v[2]) * time.Microsecond,
		ResetAfter: time.Duration(v[3]) * time.Microsecond,
	}, nil
}

var _ ratelimit.Limiter = (*Limiter)(nil)
