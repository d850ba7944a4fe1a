package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/parley-chat/parley/internal/store/migrate"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/auth"
	"github.com/parley-chat/parley/internal/httpapi"
	"github.com/parley-chat/parley/internal/httpapi/middleware"
	"github.com/parley-chat/parley/internal/platform/config"
	"github.com/parley-chat/parley/internal/platform/logging"
	"github.com/parley-chat/parley/internal/platform/metrics"
	"github.com/parley-chat/parley/internal/platform/reqctx"
	"github.com/parley-chat/parley/internal/store"
)

// maxHeaderBytes caps request headers (431 beyond): not worth a setting.
const maxHeaderBytes = 64 << 10

// apiListenConfig opens the API listener. Tests give it a Control that
// shrinks the socket send buffer, so that a client that stops reading
// blocks the server's writes after kilobytes rather than megabytes.
var apiListenConfig net.ListenConfig

func runServe(ctx context.Context, e env, args []string) error {
	fs := newFlags(e, "serve", "serve", allEnv)
	if err := parseFlags(e, fs, args); err != nil {
		return helpOK(err)
	}

	// Configuration and logging.
	cfg, err := config.Load(e.lookup, groqKeysCheck) // chat.go
	if err != nil {
		return err
	}
	log, err := logging.New(e.stdout, cfg.LogLevel, cfg.LogFormat)
	if err != nil {
		return err
	}
	log.Info("starting parley", "version", version)
	log.LogAttrs(ctx, slog.LevelInfo, "configuration", cfg.Masked()...)
	reg := metrics.NewRegistry(version)
	in, err := openInfra(ctx, cfg, e.keyPrefix(), log, reg) // Redis, cache, error tracking: infra.go
	if err != nil {
		return err
	}
	defer in.close()

	// Storage.
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer func() {
		if err := st.Close(); err != nil {
			log.Error("close store", "err", err.Error())
		}
		log.Info("store closed")
	}()
	if err := reg.Register(store.NewPoolCollector(st)); err != nil { // parley_db_pool_connections{state}
		return err
	}
	auditLog, err := startAudit(st, log, reg) // every API call, written in batches: audit.go
	if err != nil {
		return err
	}
	defer closeAudit(auditLog, log) // runs after the HTTP servers stopped, before the store closes

	// Services.
	tokens, err := newTokens(cfg, log)
	if err != nil {
		return err
	}
	// Domain services log with the request id of the call they serve.
	svcLog := slog.New(logging.WithContext(log.Handler(), reqctx.LogAttrs))
	accounts, err := account.NewService(in.accounts(st), tokens, account.Options{ // read-through cache, invalidated on write
		Signup: cfg.Signup, RefreshTTL: cfg.RefreshTokenTTL, Logger: svcLog, MaxAPITokens: cfg.MaxAPITokensPerUser,
		// Failed-login back-off: in Redis when configured, so it holds across replicas.
		AccountThrottle:     in.throttle(e.policyOr(account.DefaultThrottlePolicy)),
		AccountWideThrottle: in.throttle(e.policyOr(account.DefaultAccountWidePolicy)),
		AddressThrottle:     in.throttle(e.policyOr(account.DefaultAddressThrottlePolicy)),
		// Bounded argon2id work, so a burst of logins cannot exhaust memory.
		Hasher: auth.NewHasher(cfg.PasswordHashConcurrency, cfg.PasswordHashQueueTimeout),
	})
	if err != nil {
		return err
	}
	bg, stopBackground := context.WithCancel(context.WithoutCancel(ctx))
	defer stopBackground()
	chatSide, err := wireChat(bg, e, cfg, st, in.chats(st), in, svcLog, reg) // Groq pool, chat, usage: chat.go
	if err != nil {
		return err
	}
	defer func() {
		stopBackground()
		cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		chatSide.close(cctx)
		log.Info("chat services stopped")
	}()

	// The HTTP API and the policies its route table applies.
	proxies, _ := cfg.TrustedProxyPrefixes() // validated by Load
	origins, err := middleware.ParseOrigins(strings.Join(cfg.CORSOrigins, ","))
	if err != nil {
		return err
	}
	firewall, err := newFirewall(cfg, log, reg) // firewall.go
	if err != nil {
		return err
	}
	limits, streams := in.limits(cfg, reg) // limits.go
	api := httpapi.New(httpapi.Deps{
		Logger: log, Accounts: accounts, Chat: chatSide.service, Usage: chatSide.recorder,
		ChatConfigured: chatSide.pool.Configured, Keys: poolStatuses(chatSide.pool), // admin_keys.go
		AuditLog: st, Audit: auditLog, Status: in.startStatus(ctx, st, chatSide.pool), // status.go
		Ready: append([]httpapi.ReadyCheck{
			{Name: "database", Check: st.Ping},
			{Name: "migrations", Check: migrationsReady(st, log)},
		}, in.readyChecks(chatSide.pool)...),
		Metrics: reg, MaxBodyBytes: cfg.MaxBodyBytes, TrustedProxies: proxies, Origins: origins,
		Limits: limits, Streams: streams, Firewall: firewall, Tracker: in.tracker,
	})

	// Servers. ReadTimeout bounds reading a whole request (slow clients);
	// WriteTimeout bounds each write of an answer: event streams renew it
	// before every event and lift the read deadline once the body is in
	// (httpapi's sseWriter), so a live stream runs as long as it needs.
	srv := &http.Server{
		Handler:           api.Handler(),
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	ln, err := apiListenConfig.Listen(ctx, "tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("api listening", "addr", ln.Addr().String())

	var msrv *http.Server
	if cfg.MetricsAddr != "off" {
		mln, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			_ = srv.Close()
			return fmt.Errorf("listen on %s (PARLEY_METRICS_ADDR): %w", cfg.MetricsAddr, err)
		}
		var mopts []metrics.Option
		if cfg.Pprof {
			mopts = append(mopts, metrics.WithPprof())
		}
		msrv = metrics.NewServer(cfg.MetricsAddr, reg, mopts...)
		go func() { errc <- msrv.Serve(mln) }()
		log.Info("metrics listening", "addr", mln.Addr().String())
		if e.metricsListening != nil {
			e.metricsListening(mln.Addr().String())
		}
	}
	if e.listening != nil {
		e.listening(ln.Addr().String())
	}

	// Run until a signal or a server failure, then shut down in order:
	// readiness fails first, in-flight requests get the grace period, then
	// background services flush and stop, then the store closes (the
	// deferred calls above run in reverse).
	select {
	case <-ctx.Done():
		log.Info("shutting down", "grace", cfg.ShutdownTimeout.String())
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			log.Error("server failed", "err", err.Error())
			_ = srv.Close()
			return err
		}
	}
	// Readiness turns 503, and every answer from now on carries Connection:
	// close, so clients and balancers that pin keep-alive connections move to
	// another replica before the listener closes.
	api.SetShuttingDown()
	if cfg.ShutdownDrain > 0 {
		log.Info("draining: readiness fails while requests are still served", "drain", cfg.ShutdownDrain.String())
		if e.draining != nil {
			e.draining()
		}
		select {
		case <-time.After(cfg.ShutdownDrain):
		case err := <-errc:
			log.Warn("server stopped while draining", "err", fmt.Sprint(err))
		}
	}
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	err = srv.Shutdown(sctx)
	if err != nil {
		log.Warn("grace period over; closing open connections", "err", err.Error())
		_ = srv.Close()
	}
	if msrv != nil {
		_ = msrv.Shutdown(sctx)
	}
	log.Info("http servers stopped")
	return nil
}

// migrationsReady is the readiness check of the schema. A schema behind this
// binary is not ready. A schema ahead of it is: during a rolling update the
// new version migrates first, and parley's migrations are expand/contract
// (columns and tables are added before the code that needs them, removed only a
// release after the code stopped using them), so the old replicas keep serving
// until they are replaced. Start-up still refuses a schema it does not know.
func migrationsReady(st store.Store, log *slog.Logger) func(context.Context) error {
	var warned atomic.Bool
	return func(ctx context.Context) error {
		err := st.Migrator().Check(ctx)
		if errors.Is(err, migrate.ErrSchemaAhead) {
			if !warned.Swap(true) {
				log.Warn("the database schema is newer than this binary: a newer parley has migrated; this replica keeps serving until it is replaced")
			}
			return nil
		}
		return err
	}
}

// openStore opens the database and brings or checks its schema according
// to PARLEY_MIGRATE.
func openStore(ctx context.Context, cfg config.Config, log *slog.Logger) (store.Store, error) {
	st, err := store.Open(ctx, storeConfig(cfg, log))
	if err != nil {
		return nil, err
	}
	if cfg.Migrate == "auto" {
		err = store.MigrateAuto(ctx, st)
	} else {
		err = st.Migrator().Check(ctx)
		if err != nil {
			err = fmt.Errorf("%w (run `parley migrate up`, or set PARLEY_MIGRATE=auto)", err)
		}
	}
	if err != nil {
		_ = st.Close()
		return nil, err
	}
	log.Info("database ready", "engine", st.Engine())
	return st, nil
}

func storeConfig(cfg config.Config, log *slog.Logger) store.Config {
	return store.Config{
		Logger: log,
		URL:    cfg.DatabaseURL, ReadURL: cfg.DatabaseReadURL, CAFile: cfg.DatabaseCAFile, DataDir: cfg.DataDir,
		MaxConns: int32(cfg.DBMaxConns), MinConns: int32(cfg.DBMinConns),
		MaxConnIdleTime: cfg.DBMaxConnIdleTime, MaxConnLifetime: cfg.DBMaxConnLifetime,
	}
}

// newTokens builds the access-token key set: PARLEY_JWT_SECRET, or a
// secret generated once and kept in the data dir.
func newTokens(cfg config.Config, log *slog.Logger) (*auth.Tokens, error) {
	secret := []byte(cfg.JWTSecret)
	if len(secret) == 0 {
		var err error
		if secret, err = auth.LoadOrCreateSecret(cfg.DataDir); err != nil {
			return nil, err
		}
		log.Info("using the generated JWT secret of the data dir", "kid", auth.KeyID(secret))
	}
	var previous [][]byte
	for _, p := range cfg.JWTPreviousSecrets {
		previous = append(previous, []byte(p))
	}
	ks, err := auth.NewKeySet(secret, previous...)
	if err != nil {
		return nil, err
	}
	return auth.NewTokens(ks, auth.TokenConfig{TTL: cfg.AccessTokenTTL, Leeway: 5 * time.Second}), nil
}
