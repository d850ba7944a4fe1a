package redis

import (
	"context"
	"log/slog"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/parley-chat/parley/internal/account"
)

// throttleLua is shared by the throttle scripts: the clock (ARGV[1] in ms,
// 0 = the Redis server's, one clock for every replica) and the policy's
// back-off, as account.ThrottlePolicy.Delay computes it. ARGV: now_ms, free,
// base_ms, max_ms, window_ms.
const throttleLua = `
local now = tonumber(ARGV[1])
if now == 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local free, base, maxd, window = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local function delay(f)
  local over = f - free
  if over <= 0 then return 0 end
  local d = base
  for i = 2, over do
    if d >= maxd then break end
    d = d * 2
  end
  if d > maxd then d = maxd end
  return d
end
local v = redis.call('HMGET', KEYS[1], 'f', 'l', 'p')
local f, l, p = 0, 0, 0
if v[1] then
  f, l, p = tonumber(v[1]), tonumber(v[2]), tonumber(v[3] or v[2])
  if now - l > window + delay(f) then f = 0 end -- forgotten, as in memory
end
`

// throttleTakeScript reserves one attempt of KEYS[1] in one step, so
// parallel attempts on any replica cannot all see a free slot: it returns
// the milliseconds still to wait (nothing counted), or 0 once it counted
// the attempt as a failure.
var throttleTakeScript = goredis.NewScript(throttleLua + `
if f > 0 then
  local w = l + delay(f) - now
  if w > 0 then return w end
else
  l = now
end
f = f + 1
redis.call('HSET', KEYS[1], 'f', f, 'l', now, 'p', l)
redis.call('PEXPIRE', KEYS[1], window + delay(f) + 1000)
return 0
`)

// throttleRefundScript gives back one attempt of KEYS[1]: one failure
// fewer, and the back-off clock back at the attempt before.
var throttleRefundScript = goredis.NewScript(throttleLua + `
if f <= 1 then
  redis.call('DEL', KEYS[1])
  return 0
end
f = f - 1
redis.call('HSET', KEYS[1], 'f', f, 'l', p, 'p', p)
return f
`)

// Throttle is an account.Throttle shared by every replica using one
// Redis: failed logins counted on one replica slow the next attempt on all.
// While Redis fails it counts in Fallback (one replica's view) and logs the
// outage once, so logins keep working.
type Throttle struct {
	client   goredis.UniversalClient
	prefix   string
	policy   account.ThrottlePolicy
	fallback account.Throttle
	log      *slog.Logger
	// Now, when set, replaces the Redis server clock (tests).
	Now func() time.Time

	mu       sync.Mutex
	down     bool
	nextLog  time.Time
	logEvery time.Duration
}

// NewThrottle returns a throttle with policy keeping its state under
// prefix+"throttle:"; fallback (a MemoryThrottle of the same policy when
// nil) serves while Redis is unreachable.
func NewThrottle(c goredis.UniversalClient, prefix string, policy account.ThrottlePolicy, fallback account.Throttle, log *slog.Logger) *Throttle {
	if fallback == nil {
		fallback = account.NewMemoryThrottle(policy, nil)
	}
	if log == nil {
		log = slog.Default()
	}
	return &Throttle{client: c, prefix: prefix + "throttle:", policy: policy, fallback: fallback, log: log, logEvery: 10 * time.Second}
}

func (t *Throttle) args() []any {
	var now int64
	if t.Now != nil {
		now = t.Now().UnixMilli()
	}
	return []any{now, t.policy.Free, t.policy.Base.Milliseconds(), t.policy.Max.Milliseconds(), t.policy.Window.Milliseconds()}
}

// Take implements account.Throttle.
func (t *Throttle) Take(ctx context.Context, key string) (time.Duration, error) {
	ms, err := throttleTakeScript.Run(ctx, t.client, []string{t.prefix + key}, t.args()...).Int64()
	if t.failed(err) {
		return t.fallback.Take(ctx, key)
	}
	return time.Duration(ms) * time.Millisecond, nil
}

// Refund implements account.Throttle.
func (t *Throttle) Refund(ctx context.Context, key string) error {
	err := throttleRefundScript.Run(ctx, t.client, []string{t.prefix + key}, t.args()...).Err()
	if t.failed(err) {
		return t.fallback.Refund(ctx, key)
	}
	return nil
}

// Reset implements account.Throttle.
func (t *Throttle) Reset(ctx context.Context, key string) error {
	err := t.client.Del(ctx, t.prefix+key).Err()
	_ = t.fallback.Reset(ctx, key) // failures counted during an outage go too
	t.failed(err)
	return nil
}

// failed notes Redis's health, logging an outage at most every logEvery and
// its end once, and reports whether err means "use the fallback".
func (t *Throttle) failed(err error) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err == nil {
		if t.down {
			t.down = false
			t.log.Info("login throttle: Redis is back, counting failures across replicas again")
		}
		return false
	}
	now := time.Now()
	if !t.down || now.After(t.nextLog) {
		t.log.Error("login throttle: Redis unavailable, counting failures on this replica only", "err", err.Error())
		t.nextLog = now.Add(t.logEvery)
	}
	t.down = true
	return true
}

var _ account.Throttle = (*Throttle)(nil)
