package config

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"
)

// MinJWTSecretBytes is the shortest accepted HS256 secret.
const MinJWTSecretBytes = 32

// Validate checks the rules between and within values and returns a Problems
// listing every one broken, or nil.
func (c Config) Validate() error {
	var p Problems
	add := func(format string, args ...any) { p = append(p, fmt.Sprintf(format, args...)) }

	checkAddr := func(name, addr string, optional bool) {
		if addr == "" {
			if !optional {
				add("%s: must not be empty", name)
			}
			return
		}
		if _, port, err := net.SplitHostPort(addr); err != nil || port == "" {
			add("%s: %q is not host:port (example :8080)", name, addr)
		}
	}
	checkAddr("PARLEY_ADDR", c.Addr, false)
	if c.MetricsAddr != "off" {
		checkAddr("PARLEY_METRICS_ADDR", c.MetricsAddr, false)
	}
	if c.DataDir == "" {
		add("PARLEY_DATA_DIR: must not be empty")
	}

	switch engine := c.DatabaseEngine(); engine {
	case "sqlite":
		if c.DatabaseReadURL != "" {
			add("PARLEY_DATABASE_READ_URL: a read replica needs PostgreSQL (PARLEY_DATABASE_URL=postgres://…)")
		}
	case "postgres":
		if _, err := url.Parse(c.DatabaseURL); err != nil {
			add("PARLEY_DATABASE_URL: not a valid URL")
		}
		if c.DatabaseReadURL != "" && !isPostgresURL(c.DatabaseReadURL) {
			add("PARLEY_DATABASE_READ_URL: must be a postgres:// URL")
		}
	default:
		add("PARLEY_DATABASE_URL: must be empty, sqlite:PATH or postgres://… (the value is not shown: it may hold a password)")
	}
	if c.DatabaseCAFile != "" {
		if _, err := os.Stat(c.DatabaseCAFile); err != nil {
			add("PARLEY_DATABASE_CA_FILE: cannot read %s", c.DatabaseCAFile)
		}
	}
	if c.DBMaxConns < 1 {
		add("PARLEY_DB_MAX_CONNS: must be at least 1, got %d", c.DBMaxConns)
	}
	if c.DBMinConns < 0 || c.DBMinConns > c.DBMaxConns {
		add("PARLEY_DB_MIN_CONNS: must be between 0 and PARLEY_DB_MAX_CONNS (%d), got %d", c.DBMaxConns, c.DBMinConns)
	}
	oneOf(add, "PARLEY_MIGRATE", c.Migrate, "auto", "off")
	oneOf(add, "PARLEY_SIGNUP", c.Signup, "open", "invite", "closed")
	oneOf(add, "PARLEY_LOG_LEVEL", c.LogLevel, "debug", "info", "warn", "error")
	oneOf(add, "PARLEY_LOG_FORMAT", c.LogFormat, "json", "text")
	oneOf(add, "PARLEY_WAF", c.WAF, "off", "detect", "block")
	if c.WAFParanoia < 1 || c.WAFParanoia > 4 {
		add("PARLEY_WAF_PARANOIA: must be a paranoia level from 1 to 4, got %d", c.WAFParanoia)
	}

	if c.JWTSecret != "" && len(c.JWTSecret) < MinJWTSecretBytes {
		add("PARLEY_JWT_SECRET: must be at least %d bytes", MinJWTSecretBytes)
	}
	for i, s := range c.JWTPreviousSecrets {
		if len(s) < MinJWTSecretBytes {
			add("PARLEY_JWT_PREVIOUS_SECRETS: entry %d must be at least %d bytes", i+1, MinJWTSecretBytes)
		}
	}
	positive := []struct {
		name string
		d    time.Duration
	}{
		{"PARLEY_DB_MAX_CONN_IDLE_TIME", c.DBMaxConnIdleTime}, {"PARLEY_DB_MAX_CONN_LIFETIME", c.DBMaxConnLifetime},
		{"PARLEY_ACCESS_TOKEN_TTL", c.AccessTokenTTL}, {"PARLEY_REFRESH_TOKEN_TTL", c.RefreshTokenTTL},
		{"PARLEY_GROQ_DEAD_KEY_TTL", c.GroqDeadKeyTTL}, {"PARLEY_QUEUE_TIMEOUT", c.QueueTimeout}, {"PARLEY_UPSTREAM_TIMEOUT", c.UpstreamTimeout},
		{"PARLEY_SHUTDOWN_TIMEOUT", c.ShutdownTimeout}, {"PARLEY_AUDIT_RETENTION", c.AuditRetention},
	}
	for _, d := range positive {
		if d.d <= 0 {
			add("%s: must be a positive duration, got %s", d.name, d.d)
		}
	}
	if c.ShutdownDrain < 0 {
		add("PARLEY_SHUTDOWN_DRAIN: must not be negative, got %s", c.ShutdownDrain)
	}
	if c.AccessTokenTTL > 0 && c.RefreshTokenTTL > 0 && c.AccessTokenTTL >= c.RefreshTokenTTL {
		add("PARLEY_ACCESS_TOKEN_TTL: must be shorter than PARLEY_REFRESH_TOKEN_TTL")
	}
	if u, err := url.Parse(c.GroqBaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		add("PARLEY_GROQ_BASE_URL: %q is not an http(s) URL", c.GroqBaseURL)
	}
	if c.DefaultModel == "" {
		add("PARLEY_DEFAULT_MODEL: must not be empty")
	}
	if c.DailyTokenQuota < 0 {
		add("PARLEY_DAILY_TOKEN_QUOTA: must be 0 (unlimited) or more, got %d", c.DailyTokenQuota)
	}
	if c.RedisURL != "" {
		if u, err := url.Parse(c.RedisURL); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") {
			add("PARLEY_REDIS_URL: must be a redis:// or rediss:// URL (value not shown)")
		}
	}
	if c.RateLimitRPS <= 0 {
		add("PARLEY_RATE_LIMIT_RPS: must be positive, got %g", c.RateLimitRPS)
	}
	if c.RateLimitBurst < 1 {
		add("PARLEY_RATE_LIMIT_BURST: must be at least 1, got %d", c.RateLimitBurst)
	}
	if c.AuthRateLimitRPM < 1 {
		add("PARLEY_AUTH_RATE_LIMIT_RPM: must be at least 1, got %d", c.AuthRateLimitRPM)
	}
	if _, err := c.TrustedProxyPrefixes(); err != nil {
		add("PARLEY_TRUSTED_PROXIES: %v", err)
	}
	for _, o := range c.CORSOrigins {
		if o == "*" {
			continue
		}
		if u, err := url.Parse(o); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			add("PARLEY_CORS_ORIGINS: %q is not an origin like https://chat.example.com", o)
		}
	}
	if c.MaxBodyBytes < 1024 {
		add("PARLEY_MAX_BODY_BYTES: must be at least 1024, got %d", c.MaxBodyBytes)
	}
	if c.PasswordHashConcurrency < 0 {
		add("PARLEY_PASSWORD_HASH_CONCURRENCY: must be 0 (twice the CPUs) or more, got %d", c.PasswordHashConcurrency)
	}
	if c.PasswordHashQueueTimeout < 0 {
		add("PARLEY_PASSWORD_HASH_QUEUE_TIMEOUT: must not be negative, got %s", c.PasswordHashQueueTimeout)
	}
	if c.MaxAPITokensPerUser < 1 {
		add("PARLEY_MAX_API_TOKENS_PER_USER: must be at least 1, got %d", c.MaxAPITokensPerUser)
	}
	if c.MaxStreamsPerUser < 1 {
		add("PARLEY_MAX_STREAMS_PER_USER: must be at least 1, got %d", c.MaxStreamsPerUser)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"PARLEY_READ_HEADER_TIMEOUT", c.ReadHeaderTimeout}, {"PARLEY_READ_TIMEOUT", c.ReadTimeout},
		{"PARLEY_WRITE_TIMEOUT", c.WriteTimeout}, {"PARLEY_IDLE_TIMEOUT", c.IdleTimeout}} {
		if d.v <= 0 {
			add("%s: must be positive, got %s", d.name, d.v)
		}
	}
	if c.ReadHeaderTimeout > c.ReadTimeout && c.ReadTimeout > 0 {
		add("PARLEY_READ_HEADER_TIMEOUT: %s is longer than PARLEY_READ_TIMEOUT (%s), which covers the headers too", c.ReadHeaderTimeout, c.ReadTimeout)
	}
	if c.SentryDSN != "" {
		if u, err := url.Parse(c.SentryDSN); err != nil || u.Host == "" {
			add("PARLEY_SENTRY_DSN: not a valid DSN (value not shown)")
		}
	}
	if len(p) > 0 {
		return p
	}
	return nil
}

// DatabaseEngine names the engine PARLEY_DATABASE_URL selects: "sqlite",
// "postgres", or "" when the value is not understood.
func (c Config) DatabaseEngine() string {
	switch {
	case c.DatabaseURL == "" || strings.HasPrefix(c.DatabaseURL, "sqlite:"):
		return "sqlite"
	case isPostgresURL(c.DatabaseURL):
		return "postgres"
	}
	return ""
}

func isPostgresURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// TrustedProxyPrefixes parses PARLEY_TRUSTED_PROXIES; a bare address counts
// as a single-host prefix.
func (c Config) TrustedProxyPrefixes() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range c.TrustedProxies {
		if pfx, err := netip.ParsePrefix(s); err == nil {
			out = append(out, pfx.Masked())
			continue
		}
		addr, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("%q is neither a CIDR nor an IP address", s)
		}
		out = append(out, netip.PrefixFrom(addr.Unmap(), addr.Unmap().BitLen()))
	}
	return out, nil
}

func oneOf(add func(string, ...any), name, val string, allowed ...string) {
	if !slices.Contains(allowed, val) {
		add("%s: %q is not one of %s", name, val, strings.Join(allowed, ", "))
	}
}
