package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/parley-chat/parley/internal/audit"
	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/groq"
	"github.com/parley-chat/parley/internal/httpapi"
	"github.com/parley-chat/parley/internal/limit"
	"github.com/parley-chat/parley/internal/platform/config"
	"github.com/parley-chat/parley/internal/store"
	"github.com/parley-chat/parley/internal/usage"
)

// defaultRedisPrefix namespaces the keys the chat side writes to Redis.
const defaultRedisPrefix = "parley:"

// chatParts are serve's chat side: the Groq key pool, usage accounting and
// quotas, the chat service with its routes, and audit retention.
type chatParts struct {
	pool     *groq.Pool
	routes   []httpapi.Route
	recorder *usage.Recorder
	log      *slog.Logger
}

// wireChat builds the chat side on the hardening layer's Redis (when
// configured) and read cache. Background loops stop when ctx ends.
func wireChat(ctx context.Context, e env, cfg config.Config, st store.Store, chats chat.Store, hard *hardening,
	log *slog.Logger, reg prometheus.Registerer) (*chatParts, error) {
	prefix := defaultRedisPrefix
	if e.redisPrefix != "" {
		prefix = e.redisPrefix
	}
	var ledger limit.Ledger = limit.NewMemoryLedger(time.Now)
	var counter usage.Counter = usage.NewMemoryCounter(st)
	if hard.redis != nil {
		ledger = limit.NewFailoverLedger(limit.NewRedisLedger(hard.redis, prefix, time.Now), time.Now, log)
		counter = usage.NewRedisCounter(hard.redis, prefix, st)
	}
	pool, err := groq.New(groq.Options{
		Keys: cfg.GroqAPIKeys, BaseURL: cfg.GroqBaseURL, Ledger: ledger,
		QueueTimeout: cfg.QueueTimeout, UpstreamTimeout: cfg.UpstreamTimeout, DeadKeyTTL: cfg.GroqDeadKeyTTL,
		Logger: log, Registerer: reg,
	})
	if err != nil {
		return nil, fmt.Errorf("groq key pool: %w", err)
	}
	if !pool.Configured() {
		log.Warn("no Groq key configured (PARLEY_GROQ_API_KEYS): chat is unavailable until one is set")
	}
	recorder, err := usage.NewRecorder(usage.Options{Store: st, Counter: counter, DefaultQuota: cfg.DailyTokenQuota,
		Logger: log, Registerer: reg})
	if err != nil {
		pool.Close()
		return nil, err
	}
	p := &chatParts{pool: pool, recorder: recorder, log: log}
	completer := hard.completer(pool)
	svc, err := chat.NewService(chat.ServiceOptions{Store: chats, Completer: completer, Quota: recorder,
		DefaultModel: cfg.DefaultModel, PlaceholderTitle: httpapi.DefaultTitle, Logger: log})
	if err != nil {
		p.close(context.Background())
		return nil, err
	}
	api, err := httpapi.NewChatAPI(httpapi.ChatDeps{Chat: svc, Completer: completer, Usage: recorder,
		Accounts: hard.accounts(st), IsConfigured: pool.Configured, Logger: log,
		// The cached account store beneath is invalidated on every replica
		// when a token is revoked; a per-replica copy on top would keep a
		// revoked token working elsewhere for its TTL.
		TokenCacheTTL: time.Nanosecond})
	if err != nil {
		p.close(context.Background())
		return nil, err
	}
	p.routes = append(api.Routes(), adminRoutes(pool, st)...) // GET /admin/keys, /admin/audit: wire_admin.go
	go audit.RunPruner(ctx, st, audit.PrunerOptions{Retention: cfg.AuditRetention, Logger: log})
	startKeyReloader(ctx, e, pool, log) // SIGHUP and keys-file changes: keyreload.go
	return p, nil
}

// close flushes usage counts and stops the pool; serve calls it after the
// HTTP servers stopped, before the store closes.
func (p *chatParts) close(ctx context.Context) {
	if err := p.recorder.Close(ctx); err != nil {
		p.log.Error("flush usage", "err", err.Error())
	}
	p.pool.Close()
}
