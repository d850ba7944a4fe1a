package groqmock

import (
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Limits are one organisation's budgets for one model; 0 means unlimited.
// ASH and ASD are the audio seconds per hour and per day of speech-to-text.
type Limits struct {
	RPM, RPD, TPM, TPD int
	ASH, ASD           int
}

// Org is a Groq organisation: its API keys share every rate-limit bucket.
type Org struct {
	// ID names the organisation in 429/413 messages, e.g. "org_01kes94v…".
	ID string
	// Keys are the organisation's API keys ("gsk_…").
	Keys []string
	// Limits by model id; the "" entry applies to models without their own.
	// A model with no entry (and no "" entry) is unlimited.
	Limits map[string]Limits
}

// Config configures a Server; the zero value serves the default models to no one.
type Config struct {
	Orgs []Org
	// Models served; nil means DefaultModels().
	Models []Model
	// Decommissioned model ids answer 400 model_decommissioned; nil means
	// DefaultDecommissioned(). A model listed in Models is never decommissioned.
	Decommissioned []string
	// FirstTokenLatency delays the first byte of every completion.
	FirstTokenLatency time.Duration
	// TokensPerSecond paces generation (streamed chunks, and the total delay
	// of a non-streamed answer); 0 means as fast as possible.
	TokensPerSecond float64
	// DefaultCompletionEstimate is the completion budget charged up front when a
	// request sets neither max_completion_tokens nor max_tokens; 0 means 256.
	DefaultCompletionEstimate int
	// FlexCapacityExceeded makes every service_tier "flex" request fail with 498.
	FlexCapacityExceeded bool
	// Now is the clock of the rate-limit buckets; nil means time.Now.
	Now func() time.Time
	// Answers selects what completions say: AnswersEcho (default, for tests)
	// or AnswersDemo (Markdown answers and reasoning, for the offline demo).
	Answers string
	// FetchClient fetches image_url and audio url web URLs; nil means a 10 s client.
	FetchClient *http.Client
}

// The answer styles of Config.Answers.
const (
	AnswersEcho = "echo"
	AnswersDemo = "demo"
)

// Server is the Groq double; it is an http.Handler safe for concurrent use.
type Server struct {
	cfg       Config
	now       func() time.Time
	models    map[string]*Model
	modelList []byte // GET /openai/v1/models body, built once
	decomm    map[string]bool
	flex      atomic.Bool

	mu   sync.Mutex                           // serialises writers of keys and orgs
	keys atomic.Pointer[map[string]*keyState] // copy-on-write: readers never lock
	orgs map[string]*orgState

	faultMu sync.Mutex
	faults  []*Fault

	closeOnce sync.Once
	closed    chan struct{}

	unauthorized atomic.Int64
}

type keyState struct {
	key     string
	org     *orgState
	revoked atomic.Bool
	stats   counters
}

type orgState struct {
	id         string
	limits     atomic.Pointer[map[string]Limits]
	restricted atomic.Bool
	buckets    sync.Map // model id → *bucket
	stats      counters
}

// New builds a Server from cfg.
func New(cfg Config) *Server {
	if cfg.Models == nil {
		cfg.Models = DefaultModels()
	}
	if cfg.Decommissioned == nil {
		cfg.Decommissioned = DefaultDecommissioned()
	}
	if cfg.DefaultCompletionEstimate <= 0 {
		cfg.DefaultCompletionEstimate = 256
	}
	s := &Server{
		cfg:    cfg,
		now:    cfg.Now,
		models: make(map[string]*Model, len(cfg.Models)),
		decomm: make(map[string]bool, len(cfg.Decommissioned)),
		orgs:   make(map[string]*orgState),
		closed: make(chan struct{}),
	}
	if s.now == nil {
		s.now = time.Now
	}
	for i := range cfg.Models {
		s.models[cfg.Models[i].ID] = &cfg.Models[i]
	}
	for _, id := range cfg.Decommissioned {
		if s.models[id] == nil {
			s.decomm[id] = true
		}
	}
	s.modelList = buildModelList(cfg.Models)
	s.flex.Store(cfg.FlexCapacityExceeded)
	empty := map[string]*keyState{}
	s.keys.Store(&empty)
	for _, o := range cfg.Orgs {
		s.AddOrg(o)
	}
	return s
}

// AddOrg adds an organisation, or for a known ID adds its keys and replaces its limits.
func (s *Server) AddOrg(o Org) {
	s.mu.Lock()
	defer s.mu.Unlock()
	os := s.orgs[o.ID]
	if os == nil {
		os = &orgState{id: o.ID}
		s.orgs[o.ID] = os
	}
	lim := make(map[string]Limits, len(o.Limits))
	for m, l := range o.Limits {
		lim[m] = l
	}
	os.limits.Store(&lim)
	old := *s.keys.Load()
	next := make(map[string]*keyState, len(old)+len(o.Keys))
	for k, v := range old {
		next[k] = v
	}
	for _, k := range o.Keys {
		next[k] = &keyState{key: k, org: os}
	}
	s.keys.Store(&next)
}

// RevokeKey makes key answer 401 invalid_api_key from now on.
func (s *Server) RevokeKey(key string) {
	if ks := (*s.keys.Load())[key]; ks != nil {
		ks.revoked.Store(true)
	}
}

// RestrictOrg makes every key of the organisation answer 400 organization_restricted.
func (s *Server) RestrictOrg(orgID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if os := s.orgs[orgID]; os != nil {
		os.restricted.Store(true)
	}
}

// SetFlexCapacityExceeded switches the 498 answer to service_tier "flex" on or off.
func (s *Server) SetFlexCapacityExceeded(on bool) { s.flex.Store(on) }

// Close releases every request blocked by a FaultHang; later hangs return at once.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.closed) })
}

func (o *orgState) limitsFor(model string) Limits {
	m := *o.limits.Load()
	if l, ok := m[model]; ok {
		return l
	}
	return m[""]
}

// ServeHTTP routes Groq's OpenAI-compatible paths; anything else is 404 unknown_url.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	const base = "/openai/v1/"
	p := r.URL.Path
	switch {
	case p == base+"chat/completions" && r.Method == http.MethodPost:
		if ks := s.authenticate(w, r); ks != nil {
			s.chat(w, r, ks)
		}
	case p == base+"responses" && r.Method == http.MethodPost:
		if ks := s.authenticate(w, r); ks != nil {
			s.respond(w, r, ks)
		}
	case p == base+"audio/transcriptions" && r.Method == http.MethodPost:
		if ks := s.authenticate(w, r); ks != nil {
			s.transcribe(w, r, ks, false)
		}
	case p == base+"audio/translations" && r.Method == http.MethodPost:
		if ks := s.authenticate(w, r); ks != nil {
			s.transcribe(w, r, ks, true)
		}
	case p == base+"audio/speech" && r.Method == http.MethodPost:
		if ks := s.authenticate(w, r); ks != nil {
			s.speak(w, r, ks)
		}
	case p == base+"models" && r.Method == http.MethodGet:
		if ks := s.authenticate(w, r); ks != nil {
			s.listModels(w)
		}
	case strings.HasPrefix(p, base+"models/") && r.Method == http.MethodGet:
		if ks := s.authenticate(w, r); ks != nil {
			s.getModel(w, strings.TrimPrefix(p, base+"models/"))
		}
	default:
		writeError(w, http.StatusNotFound, apiError{
			Message: "Unknown request URL: " + r.Method + " " + p +
				". Please check the URL for typos, or see the docs at https://console.groq.com/docs/",
			Type: "invalid_request_error", Code: "unknown_url",
		})
	}
}

// authenticate resolves the bearer key; on failure it answers and returns nil.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) *keyState {
	key, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	var ks *keyState
	if ok {
		ks = (*s.keys.Load())[strings.TrimSpace(key)]
	}
	if ks == nil || ks.revoked.Load() {
		s.unauthorized.Add(1)
		writeError(w, http.StatusUnauthorized, apiError{
			Message: "Invalid API Key", Type: "invalid_request_error", Code: "invalid_api_key",
		})
		return nil
	}
	if ks.org.restricted.Load() {
		writeError(w, http.StatusBadRequest, apiError{
			Message: "Organization has been restricted. Please reach out to support if you believe this was in error.",
			Type:    "invalid_request_error", Code: "organization_restricted",
		})
		return nil
	}
	return ks
}

var _ http.Handler = (*Server)(nil)
