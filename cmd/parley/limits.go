package main

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/parley-chat/parley/internal/httpapi"
	"github.com/parley-chat/parley/internal/platform/config"
	"github.com/parley-chat/parley/internal/ratelimit"
	redisstore "github.com/parley-chat/parley/internal/store/redis"
)

// limits are the API's rate limits and stream cap: in memory on one
// replica, in Redis (one budget for all replicas) when it is configured.
func (in *infra) limits(cfg config.Config, reg prometheus.Registerer) (httpapi.Limits, *ratelimit.Streams) {
	m := ratelimit.NewMetrics(reg)
	var l ratelimit.Limiter = ratelimit.NewMemory(nil)
	streams := ratelimit.NewStreams(cfg.MaxStreamsPerUser, m)
	if in.redis != nil {
		l = redisstore.NewLimiter(in.redis, in.prefix)
		streams = ratelimit.NewSharedStreams(cfg.MaxStreamsPerUser, m, redisstore.NewStreams(in.redis, in.prefix), nil) // one count for all replicas
	}
	return httpapi.Limits{
		Limiter: l, Metrics: m,
		Each:  ratelimit.Limit{Rate: cfg.RateLimitRPS, Burst: cfg.RateLimitBurst},
		Login: ratelimit.AuthLimit(cfg.AuthRateLimitRPM),
	}, streams
}
