package limit

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// gcraScript runs GCRA atomically. KEYS[1] holds the tat in microseconds.
// ARGV: now_us (0 = use the Redis server clock), interval_us, burst.
// Returns {allowed, remaining, retry_after_us, reset_after_us}.
var gcraScript = redis.NewScript(`
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

// RedisLimiter is a GCRA Limiter shared by every replica using one Redis.
type RedisLimiter struct {
	client redis.UniversalClient
	prefix string
	// Now, when set, replaces the Redis server clock (tests). Leave nil in
	// production so every replica shares one clock.
	Now func() time.Time
}

// NewRedisLimiter returns a limiter storing its state under prefix.
func NewRedisLimiter(c redis.UniversalClient, prefix string) *RedisLimiter {
	return &RedisLimiter{client: c, prefix: prefix}
}

// Allow implements Limiter.
func (r *RedisLimiter) Allow(ctx context.Context, key string, l Limit) (Result, error) {
	if err := l.validate(); err != nil {
		return Result{}, err
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
		return Result{}, fmt.Errorf("limit: redis allow: %w", err)
	}
	return Result{
		Allowed:    v[0] == 1,
		Remaining:  int(v[1]),
		RetryAfter: time.Duration(v[2]) * time.Microsecond,
		ResetAfter: time.Duration(v[3]) * time.Microsecond,
	}, nil
}

var _ Limiter = (*RedisLimiter)(nil)
