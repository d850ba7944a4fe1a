package redis

import (
	"context"
	"errors"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/parley-chat/parley/internal/usage"
)

// redisKeyTTL keeps a day's counter a little past the day, so a request that
// straddles midnight still finds it.
const redisKeyTTL = 48 * time.Hour

// incrIfExists adds to a counter only when it exists: a missing key (first
// use today, or Redis lost it) must first be seeded from the store.
var incrIfExists = goredis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local v = redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return v`)

// reserveIfBelow adds ARGV[1] to a counter that is below ARGV[2]: 1 when it
// did, 0 when the quota is used up, nil when the key must first be seeded.
var reserveIfBelow = goredis.NewScript(`
local v = redis.call('GET', KEYS[1])
if not v then return false end
if tonumber(v) >= tonumber(ARGV[2]) then return 0 end
redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1`)

// UsageCounter keeps today's totals in Redis (INCRBY on one key per user and
// day, with expiry), so every replica checks quotas against the same numbers.
type UsageCounter struct {
	rdb    goredis.UniversalClient
	prefix string
	seed   usage.Seed
}

// NewUsageCounter returns a Counter in Redis under keys starting with prefix,
// seeded from st when a user's key for the day does not exist yet.
func NewUsageCounter(rdb goredis.UniversalClient, prefix string, st usage.Store) *UsageCounter {
	return &UsageCounter{rdb: rdb, prefix: prefix, seed: usage.SeedFromStore(st)}
}

func (c *UsageCounter) key(userID string, day time.Time) string {
	return c.prefix + "usage:" + day.Format(time.DateOnly) + ":" + userID
}

// Add implements usage.Counter.
func (c *UsageCounter) Add(ctx context.Context, userID string, day time.Time, tokens int64) (int64, error) {
	key := c.key(userID, day)
	ttl := int64(redisKeyTTL / time.Second)
	for range 2 {
		v, err := incrIfExists.Run(ctx, c.rdb, []string{key}, tokens, ttl).Int64()
		if err == nil {
			return v, nil
		}
		if !errors.Is(err, goredis.Nil) {
			return 0, fmt.Errorf("usage counter incr: %w", err)
		}
		if err := c.seedKey(ctx, userID, day, key); err != nil {
			return 0, err
		}
	}
	return 0, errors.New("usage counter incr: key vanished after seeding")
}

// Reserve implements usage.Counter, atomically across replicas (Lua).
func (c *UsageCounter) Reserve(ctx context.Context, userID string, day time.Time, tokens, quota int64) (bool, error) {
	key := c.key(userID, day)
	ttl := int64(redisKeyTTL / time.Second)
	for range 2 {
		v, err := reserveIfBelow.Run(ctx, c.rdb, []string{key}, tokens, quota, ttl).Int64()
		if err == nil {
			return v == 1, nil
		}
		if !errors.Is(err, goredis.Nil) {
			return false, fmt.Errorf("usage counter reserve: %w", err)
		}
		if err := c.seedKey(ctx, userID, day, key); err != nil {
			return false, err
		}
	}
	return false, errors.New("usage counter reserve: key vanished after seeding")
}

// Used implements usage.Counter.
func (c *UsageCounter) Used(ctx context.Context, userID string, day time.Time) (int64, error) {
	key := c.key(userID, day)
	v, err := c.rdb.Get(ctx, key).Int64()
	if err == nil {
		return v, nil
	}
	if !errors.Is(err, goredis.Nil) {
		return 0, fmt.Errorf("usage counter get: %w", err)
	}
	if err := c.seedKey(ctx, userID, day, key); err != nil {
		return 0, err
	}
	v, err = c.rdb.Get(ctx, key).Int64()
	if err != nil {
		return 0, fmt.Errorf("usage counter get: %w", err)
	}
	return v, nil
}

// seedKey sets a missing key to the stored total; a replica that seeded it
// first wins (SET NX), so nothing is counted twice.
func (c *UsageCounter) seedKey(ctx context.Context, userID string, day time.Time, key string) error {
	n, err := c.seed(ctx, userID, day)
	if err != nil {
		return err
	}
	if err := c.rdb.SetNX(ctx, key, n, redisKeyTTL).Err(); err != nil {
		return fmt.Errorf("usage counter seed: %w", err)
	}
	return nil
}

var _ usage.Counter = (*UsageCounter)(nil)
