package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/cache"
	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/errtrack"
	"github.com/parley-chat/parley/internal/platform/config"
	"github.com/parley-chat/parley/internal/platform/metrics"
	redisstore "github.com/parley-chat/parley/internal/store/redis"
)

// defaultRedisPrefix namespaces every key parley writes to Redis.
const defaultRedisPrefix = "parley:"

// infra is what serve shares between its parts before any service exists:
// Redis (when PARLEY_REDIS_URL is set), the read cache on it, and error
// tracking.
type infra struct {
	log     *slog.Logger
	prefix  string        // of every Redis key
	redis   *redis.Client // nil without PARLEY_REDIS_URL
	cache   *cache.Cache
	tracker *errtrack.Tracker
}

// openInfra connects to Redis (refusing to start when it is configured but
// unreachable), and builds the cache and the error tracker. Its Redis keys
// start with prefix ("parley:"; tests sharing a Redis use their own).
func openInfra(ctx context.Context, cfg config.Config, prefix string, log *slog.Logger, reg prometheus.Registerer) (*infra, error) {
	in := &infra{log: log, prefix: prefix}
	if cfg.RedisURL != "" {
		opt, err := redis.ParseURL(cfg.RedisURL)
		if err != nil {
			return nil, errors.New("PARLEY_REDIS_URL: not a valid Redis URL (value not shown)")
		}
		in.redis = redis.NewClient(opt)
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err = in.redis.Ping(pctx).Err()
		cancel()
		if err != nil {
			_ = in.redis.Close()
			return nil, fmt.Errorf("PARLEY_REDIS_URL: cannot reach Redis: %w", err)
		}
		registerRedisPool(reg, in.redis)
		log.Info("redis connected: shared rate limits and cache")
	}
	var err error
	copts := cache.Options{Prefix: prefix + "cache:", Logger: log}
	if in.redis != nil { // never a typed nil in the interface
		copts.Redis = in.redis
	}
	if in.cache, err = cache.New(ctx, copts); err != nil {
		in.closeRedis()
		return nil, err
	}
	if in.tracker, err = errtrack.New(errtrack.Options{DSN: cfg.SentryDSN, Release: "parley@" + version, Logger: log}); err != nil {
		in.closeRedis()
		return nil, err
	}
	if in.tracker.Enabled() {
		log.Info("error tracking enabled")
	}
	return in, nil
}

// accounts and chats wrap the stores with the read cache: token and user
// lookups on the auth path, the first page of conversation lists.
func (in *infra) accounts(s account.Store) account.Store { return cache.NewAccountStore(s, in.cache) }
func (in *infra) chats(s chat.Store) chat.Store          { return cache.NewChatStore(s, in.cache) }

// throttle is the failed-login back-off of policy: shared in Redis when it
// is configured (a local count serves through an outage), else nil for the
// account service's in-memory default.
func (in *infra) throttle(policy account.ThrottlePolicy) account.Throttle {
	if in.redis == nil {
		return nil
	}
	return redisstore.NewThrottle(in.redis, in.prefix, policy, nil, in.log)
}

func (in *infra) redisPing(ctx context.Context) error { return in.redis.Ping(ctx).Err() }

// close flushes error tracking and releases the cache and Redis; serve
// calls it after the HTTP servers stopped.
func (in *infra) close() {
	in.tracker.Flush(5 * time.Second)
	if err := in.cache.Close(); err != nil {
		in.log.Warn("close cache", "err", err.Error())
	}
	in.closeRedis()
}

func (in *infra) closeRedis() {
	if in.redis != nil {
		_ = in.redis.Close()
	}
}

// registerRedisPool exposes parley_redis_pool_connections{state}.
func registerRedisPool(reg prometheus.Registerer, c *redis.Client) {
	if reg == nil {
		return
	}
	for state, read := range map[string]func(*redis.PoolStats) uint32{
		"total": func(s *redis.PoolStats) uint32 { return s.TotalConns },
		"idle":  func(s *redis.PoolStats) uint32 { return s.IdleConns },
		"stale": func(s *redis.PoolStats) uint32 { return s.StaleConns },
	} {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: metrics.Namespace, Name: "redis_pool_connections",
			Help:        "Connections of the Redis client pool, by state.",
			ConstLabels: prometheus.Labels{"state": state},
		}, func() float64 { return float64(read(c.PoolStats())) }))
	}
}
