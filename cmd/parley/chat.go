package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/parley-chat/parley/internal/audit"
	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/groq"
	"github.com/parley-chat/parley/internal/groq/ledger"
	"github.com/parley-chat/parley/internal/platform/config"
	"github.com/parley-chat/parley/internal/store"
	redisstore "github.com/parley-chat/parley/internal/store/redis"
	"github.com/parley-chat/parley/internal/usage"
)

// chatParts are serve's chat side: the Groq key pool, usage accounting and
// quotas, and the chat service.
type chatParts struct {
	pool     *groq.Pool
	recorder *usage.Recorder
	service  *chat.Service
	log      *slog.Logger
}

// wireChat builds the chat side on infra's Redis (when configured): the
// pool's budgets and the quota counters are shared by replicas there.
// Background loops (audit pruning, key reloads) stop when ctx ends.
func wireChat(ctx context.Context, e env, cfg config.Config, st store.Store, chats chat.Store, in *infra,
	log *slog.Logger, reg prometheus.Registerer) (*chatParts, error) {
	var budgets ledger.Ledger = ledger.NewMemory(time.Now)
	var counter usage.Counter = usage.NewMemoryCounter(st)
	if in.redis != nil {
		budgets = ledger.NewFailover(ledger.NewRedis(in.redis, in.prefix, time.Now), time.Now, log)
		counter = redisstore.NewUsageCounter(in.redis, in.prefix, st)
	}
	pool, err := groq.New(groq.Options{
		Keys: cfg.GroqAPIKeys, BaseURL: cfg.GroqBaseURL, Ledger: budgets,
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
	p.service, err = chat.NewService(chat.ServiceOptions{Store: chats, Completer: pool, Quota: recorder,
		DefaultModel: cfg.DefaultModel, Logger: log})
	if err != nil {
		p.close(context.Background())
		return nil, err
	}
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

// groqKeysCheck reports PARLEY_GROQ_API_KEYS entries the key pool would
// refuse (its grammar: gsk_… or gsk_…@org_…), with every other
// configuration problem at start-up; never the keys themselves.
func groqKeysCheck(c config.Config) []string {
	if _, err := groq.ParseKeys(c.GroqAPIKeys); err != nil {
		msg := err.Error()
		if e, ok := errs.As(err); ok {
			msg = e.Message
		}
		return []string{"PARLEY_GROQ_API_KEYS: " + msg}
	}
	return nil
}
