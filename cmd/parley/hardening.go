package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/audit"
	"github.com/parley-chat/parley/internal/cache"
	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/edge"
	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/errtrack"
	"github.com/parley-chat/parley/internal/groq"
	"github.com/parley-chat/parley/internal/httpapi"
	"github.com/parley-chat/parley/internal/limit"
	"github.com/parley-chat/parley/internal/platform/config"
	"github.com/parley-chat/parley/internal/platform/metrics"
	"github.com/parley-chat/parley/internal/status"
	"github.com/parley-chat/parley/internal/statuspage"
	"github.com/parley-chat/parley/internal/store"
	"github.com/parley-chat/parley/internal/waf"
)

// hardening is serve's production layer: Redis (when configured), rate
// limits, CORS, stream caps, the audit log of API calls, the read cache,
// error tracking and the status page. The API's middleware order,
// outermost first, with these in it:
//
//	requestID → recoverer → errtrack (Capture) → accessLog → metrics → securityHeaders → bodyLimit
//	→ audit → CORS → per-address limit (Edge) → router → auth
//	→ login/register, user and token limits → stream cap → WAF (PerRoute) → handler
type hardening struct {
	log     *slog.Logger
	prefix  string        // of every Redis key
	redis   *redis.Client // nil without PARLEY_REDIS_URL
	limiter limit.Limiter
	cache   *cache.Cache
	tracker *errtrack.Tracker
	metrics *edge.Metrics
	streams *edge.Streams
	stack   *edge.Stack
	waf     *waf.Firewall // PARLEY_WAF; Off unless configured
	status  *statuspage.Page
	audit   *audit.Writer // nil until startAudit
}

// newHardening connects to Redis (refusing to start when it is configured
// but unreachable) and builds the limiter, cache, tracker and edge.
// Its Redis keys start with prefix ("parley:"; tests sharing a Redis use their own).
func newHardening(ctx context.Context, cfg config.Config, prefix string, log *slog.Logger, reg prometheus.Registerer) (*hardening, error) {
	h := &hardening{log: log, prefix: prefix, metrics: edge.NewMetrics(reg)}
	if cfg.RedisURL != "" {
		opt, err := redis.ParseURL(cfg.RedisURL)
		if err != nil {
			return nil, errors.New("PARLEY_REDIS_URL: not a valid Redis URL (value not shown)")
		}
		h.redis = redis.NewClient(opt)
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err = h.redis.Ping(pctx).Err()
		cancel()
		if err != nil {
			_ = h.redis.Close()
			return nil, fmt.Errorf("PARLEY_REDIS_URL: cannot reach Redis: %w", err)
		}
		registerRedisPool(reg, h.redis)
		h.limiter = limit.NewRedisLimiter(h.redis, prefix)
		log.Info("redis connected: shared rate limits and cache")
	} else {
		h.limiter = limit.NewMemoryLimiter(nil)
	}
	var err error
	copts := cache.Options{Prefix: prefix + "cache:", Logger: log}
	if h.redis != nil { // never a typed nil in the interface
		copts.Redis = h.redis
	}
	if h.cache, err = cache.New(ctx, copts); err != nil {
		h.closeRedis()
		return nil, err
	}
	if h.tracker, err = errtrack.New(errtrack.Options{DSN: cfg.SentryDSN, Release: "parley@" + version, Logger: log}); err != nil {
		h.closeRedis()
		return nil, err
	}
	if h.tracker.Enabled() {
		log.Info("error tracking enabled")
	}
	origins, err := edge.ParseOrigins(strings.Join(cfg.CORSOrigins, ","))
	if err != nil {
		h.closeRedis()
		return nil, err
	}
	h.streams = edge.NewStreams(cfg.MaxStreamsPerUser, h.metrics)
	h.stack = edge.NewStack(edge.StackOptions{
		Limiter: h.limiter, RPS: cfg.RateLimitRPS, Burst: cfg.RateLimitBurst, AuthRPM: cfg.AuthRateLimitRPM,
		Origins: origins, Streams: h.streams, Metrics: h.metrics,
		ClientIP: httpapi.ClientIP, UserID: httpapi.UserID,
		Errors: httpapi.WriteProblem, OpenAIErrors: writeOpenAILimit, Logger: log,
	})
	if h.waf, err = newFirewall(cfg, log, reg); err != nil {
		h.closeRedis()
		return nil, err
	}
	return h, nil
}

// newFirewall loads the OWASP rules when PARLEY_WAF is detect or block;
// its 403s are problems carrying the request id.
func newFirewall(cfg config.Config, log *slog.Logger, reg prometheus.Registerer) (*waf.Firewall, error) {
	mode, err := waf.ParseMode(cfg.WAF)
	if err != nil {
		return nil, err
	}
	fw, err := waf.New(waf.Options{
		Mode: mode, Paranoia: cfg.WAFParanoia, MaxBody: cfg.MaxBodyBytes,
		ClientIP: httpapi.ClientIP, UserID: httpapi.UserID,
		RequestID: func(r *http.Request) string { return httpapi.RequestID(r.Context()) },
		Errors:    writeFirewallBlock, Logger: log, Registerer: reg,
	})
	if err != nil {
		return nil, err
	}
	if mode != waf.Off {
		log.Info("web application firewall on", "mode", string(mode), "paranoia", cfg.WAFParanoia,
			"load_ms", fw.LoadTime().Milliseconds())
	}
	return fw, nil
}

// startAudit starts the asynchronous audit writer every API call is
// recorded through; closeAudit flushes it (after the HTTP servers stopped,
// before the store closes).
func (h *hardening) startAudit(st audit.Store, reg prometheus.Registerer) error {
	w, err := audit.NewWriter(audit.WriterOptions{Store: st, Logger: h.log, Registerer: reg})
	if err != nil {
		return err
	}
	h.audit = w
	return nil
}

// closeAudit writes every queued audit entry.
func (h *hardening) closeAudit() {
	if h.audit == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := h.audit.Close(ctx); err != nil {
		h.log.Error("audit entries not flushed at shutdown", "err", err.Error())
		return
	}
	h.log.Info("audit log flushed")
}

// hooks joins the audit log, the edge and error tracking to the API's
// middleware chain. Audit is outermost in Edge so refusals are recorded.
func (h *hardening) hooks() httpapi.Hooks {
	edgeMW := h.stack.Outer
	if h.audit != nil {
		rec := edge.Audit(edge.AuditOptions{
			Recorder: h.audit, Route: httpapi.RoutePattern, UserID: httpapi.UserID, ClientIP: httpapi.ClientIP,
			RequestID: func(r *http.Request) string { return httpapi.RequestID(r.Context()) },
			Skip:      func(r *http.Request) bool { return r.URL.Path == "/healthz" || r.URL.Path == "/readyz" },
		})
		edgeMW = func(next http.Handler) http.Handler { return rec(h.stack.Outer(next)) }
	}
	return httpapi.Hooks{
		Capture: h.tracker.Middleware(errtrack.MiddlewareOptions{
			RequestID: httpapi.RequestID,
			Describe: func(r *http.Request) errtrack.RequestInfo {
				return errtrack.RequestInfo{Route: httpapi.RoutePattern(r), UserID: httpapi.UserID(r)}
			},
		}),
		Edge: edgeMW,
		// The firewall runs innermost: after the route's body cap and the
		// rate limits (cheap refusals first), knowing the route's pattern.
		PerRoute: func(pattern string, authenticated bool) func(http.Handler) http.Handler {
			limits, firewall := h.stack.PerRoute(pattern, authenticated), h.waf.Route(pattern)
			return func(next http.Handler) http.Handler { return limits(firewall(next)) }
		},
	}
}

// throttle is the failed-login back-off of policy: shared in Redis when it
// is configured (a local count serves through an outage), else nil for the
// account service's in-memory default.
func (h *hardening) throttle(policy account.ThrottlePolicy) account.Throttle {
	if h.redis == nil {
		return nil
	}
	return limit.NewRedisThrottle(h.redis, h.prefix, policy, nil, h.log)
}

// accounts and chats wrap the stores with the read cache: token and user
// lookups on the auth path, the first page of conversation lists.
func (h *hardening) accounts(s account.Store) account.Store { return cache.NewAccountStore(s, h.cache) }
func (h *hardening) chats(s chat.Store) chat.Store          { return cache.NewChatStore(s, h.cache) }

// completer caches the model list (shared by replicas with Redis).
func (h *hardening) completer(c chat.Completer) chat.Completer { return cache.NewCompleter(c, h.cache) }

// readyChecks are the /readyz checks this layer adds: Redis when configured,
// and the Groq key pool when one is given.
func (h *hardening) readyChecks(pool *groq.Pool) []httpapi.ReadyCheck {
	var out []httpapi.ReadyCheck
	if h.redis != nil {
		out = append(out, httpapi.ReadyCheck{Name: "redis", Check: h.redisPing})
	}
	if pool != nil {
		out = append(out, httpapi.ReadyCheck{Name: "groq", Check: func(ctx context.Context) error {
			if c := poolCheck(pool.Snapshot(ctx)); c.Status == status.Outage {
				return errors.New(c.Detail)
			}
			return nil
		}})
	}
	return out
}

func (h *hardening) redisPing(ctx context.Context) error { return h.redis.Ping(ctx).Err() }

// poolCheck judges the key pool: a key that is not dead is usable (a cooling
// one only for a while). Without any configured key chat is off but the
// rest works: degraded, and still ready (readiness fails only on outage).
func poolCheck(keys []groq.KeyStatus) statuspage.Check {
	if len(keys) == 0 {
		return statuspage.Check{Status: status.Degraded, Detail: "no Groq keys configured"}
	}
	active, cooling := 0, 0
	for _, k := range keys {
		switch k.State {
		case groq.StateActive:
			active++
		case groq.StateCooling:
			cooling++
		}
	}
	switch {
	case active > 0:
		return statuspage.Check{Status: status.Operational}
	case cooling > 0:
		return statuspage.Check{Status: status.Degraded, Detail: "every key is cooling down"}
	}
	return statuspage.Check{Status: status.Outage, Detail: "no usable Groq key"}
}

// startStatus watches api, database, redis (when configured) and groq (when
// a pool is given) until ctx ends, and returns the public status route.
func (h *hardening) startStatus(ctx context.Context, st store.Store, pool *groq.Pool) httpapi.Route {
	comps := []statuspage.Component{
		{Name: "api", Critical: true, Probe: func(context.Context) statuspage.Check {
			return statuspage.Check{Status: status.Operational}
		}},
		{Name: "database", Critical: true, Probe: statuspage.ProbeErr(st.Ping)},
	}
	if h.redis != nil {
		comps = append(comps, statuspage.Component{Name: "redis", Probe: statuspage.ProbeErr(h.redisPing)})
	}
	if pool != nil {
		comps = append(comps, statuspage.Component{Name: "groq", Critical: true, Probe: func(ctx context.Context) statuspage.Check {
			return poolCheck(pool.Snapshot(ctx))
		}})
	}
	h.status = statuspage.New(statuspage.Options{Components: comps, Store: st, Logger: h.log})
	go h.status.Run(ctx)
	return httpapi.Route{Pattern: "GET /api/v1/status", Access: httpapi.Public,
		Handler: func(w http.ResponseWriter, r *http.Request) error { h.status.ServeHTTP(w, r); return nil }}
}

// close flushes error tracking and releases the cache and Redis; serve
// calls it after the HTTP servers stopped.
func (h *hardening) close() {
	h.tracker.Flush(5 * time.Second)
	if err := h.cache.Close(); err != nil {
		h.log.Warn("close cache", "err", err.Error())
	}
	h.closeRedis()
}

func (h *hardening) closeRedis() {
	if h.redis != nil {
		_ = h.redis.Close()
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

// writeFirewallBlock answers a firewall refusal: a problem (with the
// request id) on the API, OpenAI's envelope on /v1, whose clients parse
// only that (the request id is in the X-Request-Id header).
func writeFirewallBlock(w http.ResponseWriter, r *http.Request, err error) {
	if !strings.HasPrefix(r.URL.Path, "/v1/") {
		httpapi.WriteProblem(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusForbidden)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
		"message": waf.BlockedMessage, "type": "invalid_request_error", "param": nil, "code": "forbidden",
	}})
}

// writeOpenAILimit answers an edge refusal on /v1 in OpenAI's envelope.
func writeOpenAILimit(w http.ResponseWriter, r *http.Request, err error) {
	status, typ, code := http.StatusTooManyRequests, "rate_limit_error", "rate_limit_exceeded"
	e, ok := errs.As(err)
	if !ok || e.Code != errs.RateLimited {
		httpapi.WriteProblem(w, r, err)
		return
	}
	if e.RetryAfterSeconds > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfterSeconds))
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
		"message": e.Message, "type": typ, "param": nil, "code": code,
	}})
}
