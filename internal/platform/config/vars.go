package config

import "time"

// Var declares one environment variable: its name, default, meaning, and
// whether it is a secret (masked in logs, also readable from NAME_FILE).
type Var struct {
	Name        string
	Default     string
	Description string
	Secret      bool
	// field returns a pointer to the Config field the variable sets.
	field func(c *Config) any
}

// Vars is the table of every variable parley's server reads. Help output,
// the README table and the start-up dump are generated from it.
var Vars = []Var{
	{Name: "PARLEY_ADDR", Default: ":8080", Description: "HTTP listen address of the API.",
		field: func(c *Config) any { return &c.Addr }},
	{Name: "PARLEY_METRICS_ADDR", Default: "127.0.0.1:9091", Description: "Listen address of the internal Prometheus /metrics server; `off` disables it.",
		field: func(c *Config) any { return &c.MetricsAddr }},
	{Name: "PARLEY_PPROF", Default: "false", Description: "Also serve Go's /debug/pprof/ profiles on the internal metrics server (for diagnosing memory and CPU; keep that address private).",
		field: func(c *Config) any { return &c.Pprof }},
	{Name: "PARLEY_DATA_DIR", Default: "./data", Description: "Directory for the SQLite database and the generated JWT key.",
		field: func(c *Config) any { return &c.DataDir }},
	{Name: "PARLEY_DATABASE_URL", Description: "Database: empty = SQLite file under the data dir, `sqlite:PATH`, or `postgres://…`.", Secret: true,
		field: func(c *Config) any { return &c.DatabaseURL }},
	{Name: "PARLEY_DATABASE_READ_URL", Description: "Optional PostgreSQL read replica for read-only queries.", Secret: true,
		field: func(c *Config) any { return &c.DatabaseReadURL }},
	{Name: "PARLEY_DATABASE_CA_FILE", Description: "CA bundle for PostgreSQL TLS (use with `sslmode=verify-full`).",
		field: func(c *Config) any { return &c.DatabaseCAFile }},
	{Name: "PARLEY_DB_MAX_CONNS", Default: "10", Description: "PostgreSQL pool: maximum connections.",
		field: func(c *Config) any { return &c.DBMaxConns }},
	{Name: "PARLEY_DB_MIN_CONNS", Default: "0", Description: "PostgreSQL pool: connections kept open when idle.",
		field: func(c *Config) any { return &c.DBMinConns }},
	{Name: "PARLEY_DB_MAX_CONN_IDLE_TIME", Default: "5m", Description: "PostgreSQL pool: close connections idle this long.",
		field: func(c *Config) any { return &c.DBMaxConnIdleTime }},
	{Name: "PARLEY_DB_MAX_CONN_LIFETIME", Default: "1h", Description: "PostgreSQL pool: recycle connections after this long.",
		field: func(c *Config) any { return &c.DBMaxConnLifetime }},
	{Name: "PARLEY_MIGRATE", Default: "auto", Description: "`auto` applies migrations at start (under a lock); `off` refuses to start on an out-of-date schema.",
		field: func(c *Config) any { return &c.Migrate }},
	{Name: "PARLEY_JWT_SECRET", Description: "HS256 signing secret (≥ 32 bytes); empty = generated once and kept in the data dir.", Secret: true,
		field: func(c *Config) any { return &c.JWTSecret }},
	{Name: "PARLEY_JWT_PREVIOUS_SECRETS", Description: "Comma-separated former secrets still accepted for verification (key rotation).", Secret: true,
		field: func(c *Config) any { return &c.JWTPreviousSecrets }},
	{Name: "PARLEY_ACCESS_TOKEN_TTL", Default: "15m", Description: "Lifetime of access tokens (JWT).",
		field: func(c *Config) any { return &c.AccessTokenTTL }},
	{Name: "PARLEY_REFRESH_TOKEN_TTL", Default: "720h", Description: "Lifetime of refresh tokens.",
		field: func(c *Config) any { return &c.RefreshTokenTTL }},
	{Name: "PARLEY_SIGNUP", Default: "open", Description: "Sign-up policy: `open`, `invite` or `closed`.",
		field: func(c *Config) any { return &c.Signup }},
	{Name: "PARLEY_GROQ_API_KEYS", Description: "Groq keys, each `gsk_…` or `gsk_…@org_…`, separated by commas (the _FILE: one a line, `#` comments); reloaded on SIGHUP or when the file changes.", Secret: true,
		field: func(c *Config) any { return (*keyList)(&c.GroqAPIKeys) }},
	{Name: "PARLEY_GROQ_BASE_URL", Default: "https://api.groq.com/openai/v1", Description: "Groq API base URL.",
		field: func(c *Config) any { return &c.GroqBaseURL }},
	{Name: "PARLEY_GROQ_DEAD_KEY_TTL", Default: "24h", Description: "How long a key Groq refused (401, 403, organization restricted) stays out of rotation before it is tried once more; removing the key and adding it back (reload) brings it back at once.",
		field: func(c *Config) any { return &c.GroqDeadKeyTTL }},
	{Name: "PARLEY_QUEUE_TIMEOUT", Default: "10s", Description: "How long a request may wait for a Groq key with budget.",
		field: func(c *Config) any { return &c.QueueTimeout }},
	{Name: "PARLEY_UPSTREAM_TIMEOUT", Default: "120s", Description: "Deadline of one upstream completion.",
		field: func(c *Config) any { return &c.UpstreamTimeout }},
	{Name: "PARLEY_DEFAULT_MODEL", Default: "openai/gpt-oss-120b", Description: "Model for new conversations.",
		field: func(c *Config) any { return &c.DefaultModel }},
	{Name: "PARLEY_DAILY_TOKEN_QUOTA", Default: "0", Description: "Default tokens per user per UTC day; 0 = unlimited.",
		field: func(c *Config) any { return &c.DailyTokenQuota }},
	{Name: "PARLEY_REDIS_URL", Description: "Redis shared by replicas: rate limits, Groq pool state, usage counters, read cache with invalidation; empty = in memory (one replica).", Secret: true,
		field: func(c *Config) any { return &c.RedisURL }},
	{Name: "PARLEY_RATE_LIMIT_RPS", Default: "10", Description: "Requests per second for each client address, each user and each API token (separate budgets).",
		field: func(c *Config) any { return &c.RateLimitRPS }},
	{Name: "PARLEY_RATE_LIMIT_BURST", Default: "20", Description: "Burst above the rate, for each of those budgets.",
		field: func(c *Config) any { return &c.RateLimitBurst }},
	{Name: "PARLEY_AUTH_RATE_LIMIT_RPM", Default: "20", Description: "Login and register attempts per minute per client address (burst: half of it).",
		field: func(c *Config) any { return &c.AuthRateLimitRPM }},
	{Name: "PARLEY_PASSWORD_HASH_CONCURRENCY", Default: "0", Description: "Password hashes (argon2id, 19 MiB each) computed at once by logins, sign-ups and password changes; 0 = twice the CPUs. Beyond it a request waits up to PARLEY_PASSWORD_HASH_QUEUE_TIMEOUT, then gets 503 with Retry-After, so a burst of logins cannot exhaust memory.",
		field: func(c *Config) any { return &c.PasswordHashConcurrency }},
	{Name: "PARLEY_PASSWORD_HASH_QUEUE_TIMEOUT", Default: "2s", Description: "How long a login, sign-up or password change may wait for a password-hashing slot (see PARLEY_PASSWORD_HASH_CONCURRENCY); 0s = not at all.",
		field: func(c *Config) any { return &c.PasswordHashQueueTimeout }},
	{Name: "PARLEY_TRUSTED_PROXIES", Description: "Comma-separated CIDRs whose X-Forwarded-For is believed.",
		field: func(c *Config) any { return &c.TrustedProxies }},
	{Name: "PARLEY_CORS_ORIGINS", Description: "Comma-separated origins allowed by CORS, with credentials; `*` allows any origin without credentials; empty = same origin only.",
		field: func(c *Config) any { return &c.CORSOrigins }},
	{Name: "PARLEY_MAX_BODY_BYTES", Default: "1048576", Description: "Largest accepted request body in bytes: the limit of POST /v1/chat/completions and the ceiling of every other route's own limit (see Request size limits).",
		field: func(c *Config) any { return &c.MaxBodyBytes }},
	{Name: "PARLEY_WAF", Default: "off", Description: "Web application firewall (OWASP Core Rule Set on Coraza): `off`, `detect` (log and count what the rules flag, let it through) or `block` (answer 403). Chat text and passwords are never inspected (see deploy/README.md, WAF); loading the rules adds a few tenths of a second to start-up and each request about 0.5–0.9 ms of CPU.",
		field: func(c *Config) any { return &c.WAF }},
	{Name: "PARLEY_WAF_PARANOIA", Default: "1", Description: "Core Rule Set paranoia level, 1 to 4: higher catches more and refuses more legitimate requests.",
		field: func(c *Config) any { return &c.WAFParanoia }},
	{Name: "PARLEY_READ_HEADER_TIMEOUT", Default: "10s", Description: "Time a client has to send a request's headers (stops slowloris clients).",
		field: func(c *Config) any { return &c.ReadHeaderTimeout }},
	{Name: "PARLEY_READ_TIMEOUT", Default: "30s", Description: "Time a client has to send a whole request, headers and body; a client that sends slower is disconnected.",
		field: func(c *Config) any { return &c.ReadTimeout }},
	{Name: "PARLEY_WRITE_TIMEOUT", Default: "60s", Description: "Longest wait for a client to take in one write of the answer; chat and /v1 streams renew it before every event, so a live stream lasts as long as it needs while a client that stops reading is cut.",
		field: func(c *Config) any { return &c.WriteTimeout }},
	{Name: "PARLEY_IDLE_TIMEOUT", Default: "120s", Description: "How long an idle keep-alive connection stays open.",
		field: func(c *Config) any { return &c.IdleTimeout }},
	{Name: "PARLEY_MAX_STREAMS_PER_USER", Default: "3", Description: "Concurrent chat streams per user, across the web chat and all their API tokens (and per API token); counted in Redis across replicas when configured; more get 429.",
		field: func(c *Config) any { return &c.MaxStreamsPerUser }},
	{Name: "PARLEY_MAX_API_TOKENS_PER_USER", Default: "50", Description: "Unrevoked, unexpired personal API tokens one user may hold; creating one more answers 409.",
		field: func(c *Config) any { return &c.MaxAPITokensPerUser }},
	{Name: "PARLEY_SHUTDOWN_TIMEOUT", Default: "30s", Description: "Grace period for in-flight requests on SIGTERM.",
		field: func(c *Config) any { return &c.ShutdownTimeout }},
	{Name: "PARLEY_SHUTDOWN_DRAIN", Default: "0s", Description: "On SIGTERM, how long /readyz answers 503 while still serving, before the listener closes (load balancers drain; e.g. 5s on Kubernetes).",
		field: func(c *Config) any { return &c.ShutdownDrain }},
	{Name: "PARLEY_AUDIT_RETENTION", Default: "2160h", Description: "Audit entries older than this are pruned.",
		field: func(c *Config) any { return &c.AuditRetention }},
	{Name: "PARLEY_SENTRY_DSN", Description: "Sentry DSN: panics and 500s with request ids, never personal data; empty disables it.", Secret: true,
		field: func(c *Config) any { return &c.SentryDSN }},
	{Name: "PARLEY_LOG_LEVEL", Default: "info", Description: "Log level: `debug`, `info`, `warn` or `error`.",
		field: func(c *Config) any { return &c.LogLevel }},
	{Name: "PARLEY_LOG_FORMAT", Default: "json", Description: "Log format: `json` or `text`.",
		field: func(c *Config) any { return &c.LogFormat }},
}

// Config is parley's parsed configuration. Build it with Load.
type Config struct {
	Addr              string
	MetricsAddr       string
	Pprof             bool
	DataDir           string
	DatabaseURL       string
	DatabaseReadURL   string
	DatabaseCAFile    string
	DBMaxConns        int
	DBMinConns        int
	DBMaxConnIdleTime time.Duration
	DBMaxConnLifetime time.Duration
	Migrate           string

	JWTSecret          string
	JWTPreviousSecrets []string
	AccessTokenTTL     time.Duration
	RefreshTokenTTL    time.Duration
	Signup             string

	GroqAPIKeys     []string
	GroqBaseURL     string
	GroqDeadKeyTTL  time.Duration
	QueueTimeout    time.Duration
	UpstreamTimeout time.Duration
	DefaultModel    string
	DailyTokenQuota int64

	RedisURL         string
	RateLimitRPS     float64
	RateLimitBurst   int
	AuthRateLimitRPM int

	PasswordHashConcurrency  int
	PasswordHashQueueTimeout time.Duration

	TrustedProxies    []string
	CORSOrigins       []string
	MaxBodyBytes      int64
	MaxStreamsPerUser int
	// MaxAPITokensPerUser caps each user's live API tokens.
	MaxAPITokensPerUser int
	WAF                 string
	WAFParanoia         int

	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration

	ShutdownTimeout time.Duration
	ShutdownDrain   time.Duration
	AuditRetention  time.Duration
	SentryDSN       string
	LogLevel        string
	LogFormat       string
}
