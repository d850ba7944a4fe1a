package groq

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/parley-chat/parley/internal/chat"
)

func TestParseRateHeaders(t *testing.T) {
	h := http.Header{}
	h.Set("x-ratelimit-limit-requests", "14400")
	h.Set("x-ratelimit-limit-tokens", "18000")
	h.Set("x-ratelimit-remaining-requests", "14370")
	h.Set("x-ratelimit-remaining-tokens", "17997")
	h.Set("x-ratelimit-reset-requests", "2m59.56s")
	h.Set("x-ratelimit-reset-tokens", "7.66s")
	got := parseRateHeaders(h)
	want := rateHeaders{
		requestsLimit: 14400, requestsRemaining: 14370, requestsReset: 2*time.Minute + 59560*time.Millisecond, hasRequests: true,
		tokensLimit: 18000, tokensRemaining: 17997, tokensReset: 7660 * time.Millisecond, hasTokens: true,
	}
	if d := cmp.Diff(want, got, cmp.AllowUnexported(rateHeaders{})); d != "" {
		t.Fatalf("headers (-want +got):\n%s", d)
	}
	if got := parseRateHeaders(http.Header{"X-Ratelimit-Limit-Tokens": {"abc"}}); got.hasTokens || got.hasRequests {
		t.Fatalf("garbage headers read as %+v", got)
	}
}

func TestParseReset(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"6s": 6 * time.Second, "1.57s": 1570 * time.Millisecond, "940ms": 940 * time.Millisecond,
		"2m59.56s": 179560 * time.Millisecond, "1h2m3s": time.Hour + 2*time.Minute + 3*time.Second, "7": 7 * time.Second,
	} {
		if got, ok := parseReset(in); !ok || got != want {
			t.Errorf("parseReset(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "soon", "-3s"} {
		if _, ok := parseReset(in); ok {
			t.Errorf("parseReset(%q) accepted", in)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"2": 2 * time.Second, "0.5": 500 * time.Millisecond,
		"Wed, 25 Nov 2026 12:00:30 GMT": 30 * time.Second, "Wed, 25 Nov 2026 11:00:00 GMT": 0,
	} {
		if got, ok := parseRetryAfter(in, now); !ok || got != want {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "-1", "later"} {
		if _, ok := parseRetryAfter(in, now); ok {
			t.Errorf("parseRetryAfter(%q) accepted", in)
		}
	}
}

func TestParseLimitMessage(t *testing.T) {
	tests := []struct {
		msg  string
		want limitMessage
	}{
		{"Rate limit reached for model `llama-3.3-70b-versatile` in organization `org_01kes94v04f9ramd2n1vj4gjnc` service tier `on_demand` on tokens per minute (TPM): Limit 12000, Used 4437, Requested 9854. Please try again in 11.455s. Need more tokens? Upgrade to Dev Tier today at https://console.groq.com/settings/billing",
			limitMessage{org: "org_01kes94v04f9ramd2n1vj4gjnc", unit: "TPM", limit: 12000, tryAgain: 11455 * time.Millisecond, hasWait: true}},
		{"Rate limit reached for model `m` in organization `org_a` on requests per minute (RPM): Limit 30, Used 30, Requested 1. Please try again in 2s. Visit https://console.groq.com/docs/rate-limits for more information.",
			limitMessage{org: "org_a", unit: "RPM", limit: 30, tryAgain: 2 * time.Second, hasWait: true}},
		{"Rate limit reached for model `m` in organization `org_b` service tier `on_demand` on requests per day (RPD): Limit 1000, Used 1000, Requested 1. Please try again in 1m26.4s.",
			limitMessage{org: "org_b", unit: "RPD", limit: 1000, tryAgain: 86400 * time.Millisecond, hasWait: true}},
		{"Rate limit reached for model `m` in organization `org_c` service tier `on_demand` on tokens per day (TPD): Limit 100000, Used 97050, Requested 3619. Please try again in 9m38.016s. Need more tokens?",
			limitMessage{org: "org_c", unit: "TPD", limit: 100000, tryAgain: 9*time.Minute + 38016*time.Millisecond, hasWait: true}},
		{"Request too large for model `m` in organization `org_d` service tier `on_demand` on tokens per minute (TPM): Limit 6000, Requested 14810, please reduce your message size and try again.",
			limitMessage{org: "org_d", unit: "TPM", limit: 6000}},
		{"Rate limit reached. Please try again later.", limitMessage{}},
	}
	for _, tt := range tests {
		if d := cmp.Diff(tt.want, parseLimitMessage(tt.msg), cmp.AllowUnexported(limitMessage{})); d != "" {
			t.Errorf("parseLimitMessage(%.60q…) (-want +got):\n%s", tt.msg, d)
		}
	}
}

func TestClassify(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		status   int
		header   http.Header
		body     string
		kind     failure
		code     string
		wait     time.Duration
		limitOrg string
	}{
		{"bad key", 401, nil, `{"error":{"message":"Invalid API Key","type":"invalid_request_error","code":"invalid_api_key"}}` + "\n", failKeyDead, "invalid_api_key", 0, ""},
		{"cloudflare 403", 403, nil, "<html><body>blocked</body></html>", failRetry, "", 0, ""},
		{"json 403", 403, nil, `{"error":{"message":"permission denied","type":"permission_error","code":"forbidden"}}`, failKeyDead, "forbidden", 0, ""},
		{"restricted", 400, nil, `{"error":{"message":"Organization has been restricted.","type":"invalid_request_error","code":"organization_restricted"}}`, failKeyDead, "organization_restricted", 0, ""},
		{"bad request", 400, nil, `{"error":{"message":"'messages' must not be empty","type":"invalid_request_error"}}`, failInvalid, "", 0, ""},
		{"429 prefers the message's wait", 429, http.Header{"Retry-After": {"12"}},
			`{"error":{"message":"Rate limit reached for model ` + "`m`" + ` in organization ` + "`org_x`" + ` service tier ` + "`on_demand`" + ` on tokens per minute (TPM): Limit 12000, Used 4437, Requested 9854. Please try again in 11.455s.","type":"tokens","code":"rate_limit_exceeded"}}`,
			failRateLimit, "rate_limit_exceeded", 11455 * time.Millisecond, "org_x"},
		{"429 without a message", 429, http.Header{"Retry-After": {"3"}}, "<html>slow down</html>", failRateLimit, "", 3 * time.Second, ""},
		{"413", 413, nil, `{"error":{"message":"Request too large for model ` + "`m`" + ` in organization ` + "`org_y`" + ` on tokens per minute (TPM): Limit 6000, Requested 14810, please reduce your message size and try again.","type":"tokens","code":"rate_limit_exceeded"}}`, failTooLarge, "rate_limit_exceeded", 0, "org_y"},
		{"404 model", 404, nil, `{"error":{"message":"The model ` + "`x`" + ` does not exist or you do not have access to it.","type":"invalid_request_error","code":"model_not_found"}}`, failNotFound, "model_not_found", 0, ""},
		{"html 502", 502, nil, "<html>Bad gateway</html>", failRetry, "", 0, ""},
		{"498 flex", 498, nil, `{"error":{"message":"flex","type":"invalid_request_error","code":"capacity_exceeded"}}`, failRetry, "capacity_exceeded", 0, ""},
		{"424", 424, nil, `{"error":{"message":"mcp","type":"invalid_request_error"}}`, failOther, "", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.header
			if h == nil {
				h = http.Header{}
			}
			resp := &http.Response{StatusCode: tt.status, Header: h, Body: io.NopCloser(strings.NewReader(tt.body))}
			e := classify(resp, now)
			if e.kind != tt.kind || e.code != tt.code || e.wait != tt.wait || e.limit.org != tt.limitOrg {
				t.Fatalf("got kind %d code %q wait %v org %q; want %d %q %v %q", e.kind, e.code, e.wait, e.limit.org, tt.kind, tt.code, tt.wait, tt.limitOrg)
			}
			if strings.Contains(e.Error(), "blocked") || strings.Contains(e.Error(), "Invalid API Key") {
				t.Fatalf("error text carries the upstream body: %q", e.Error())
			}
		})
	}
}

func TestParseKeys(t *testing.T) {
	got, err := ParseKeys([]string{"gsk_aaaaaaaa", " gsk_bbbbbbbb@org_01abc ", ""})
	if err != nil {
		t.Fatal(err)
	}
	want := []KeyConfig{{Key: "gsk_aaaaaaaa"}, {Key: "gsk_bbbbbbbb", Org: "org_01abc"}}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("(-want +got):\n%s", d)
	}
	for _, bad := range [][]string{{"sk-openai"}, {"gsk_aaaaaaaa@acme"}, {"gsk_aaaaaaaa", "gsk_aaaaaaaa"}} {
		_, err := ParseKeys(bad)
		if err == nil {
			t.Errorf("ParseKeys(%d entries) accepted a bad entry", len(bad))
		} else if strings.Contains(err.Error(), "gsk_aaaaaaaa") {
			t.Errorf("error leaks the key: %v", err)
		}
	}
	// A keys file with a bad second line: the entry is named, never shown.
	if _, err := ParseKeys([]string{"gsk_one11111", "sk-not-a-groq-key"}); err == nil ||
		!strings.Contains(err.Error(), "entry 2") || strings.Contains(err.Error(), "sk-not") {
		t.Errorf("bad entry: %v", err)
	}
	if fp := Fingerprint("gsk_test"); len(fp) != 11 || !strings.HasPrefix(fp, "fp_") {
		t.Errorf("Fingerprint = %q", fp)
	}
}

// sseChunks reads every chunk of body until the reader stops.
func sseChunks(t *testing.T, body string) ([]chat.Chunk, error) {
	t.Helper()
	r := newSSEReader(strings.NewReader(body))
	var out []chat.Chunk
	for {
		c, err := r.next()
		if err != nil {
			return out, err
		}
		c.Data = nil
		out = append(out, c)
	}
}

const (
	chunkFirst = `data: {"id":"chatcmpl-7eb0","object":"chat.completion.chunk","created":1770770839,"model":"llama-3.3-70b-versatile","system_fingerprint":"fp_f8b414701e","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}],"x_groq":{"id":"req_01kh52ndshfr2azv0xe6tnv4fx","seed":1535227698}}` + "\n\n"
	chunkText  = `data: {"id":"chatcmpl-7eb0","object":"chat.completion.chunk","created":1770770839,"model":"llama-3.3-70b-versatile","system_fingerprint":"fp_f8b414701e","choices":[{"index":0,"delta":{"content":"Int"},"logprobs":null,"finish_reason":null}]}` + "\n\n"
	chunkLast  = `data: {"id":"chatcmpl-7eb0","object":"chat.completion.chunk","created":1770770839,"model":"llama-3.3-70b-versatile","system_fingerprint":"fp_f8b414701e","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"x_groq":{"id":"req_01kh52ndshfr2azv0xe6tnv4fx","usage":{"queue_time":0.04,"prompt_tokens":45,"prompt_time":0.003,"completion_tokens":662,"completion_time":2.6,"total_tokens":707,"total_time":2.65}},"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}` + "\n\n"
	chunkDone  = "data: [DONE]\n\n"
)

func TestSSEReader(t *testing.T) {
	usage := &chat.Usage{PromptTokens: 45, CompletionTokens: 662, TotalTokens: 707}
	tests := []struct {
		name    string
		body    string
		want    []chat.Chunk
		wantErr func(error) bool
	}{
		{"groq capture", chunkFirst + chunkText + chunkLast + chunkDone,
			[]chat.Chunk{{}, {Content: "Int"}, {FinishReason: "stop", Usage: usage}}, isEOF},
		{"crlf and a trailing usage chunk with empty choices", strings.ReplaceAll(chunkText, "\n", "\r\n") +
			`data: {"id":"x","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}}` + "\n\n" + chunkDone,
			[]chat.Chunk{{Content: "Int"}, {Usage: &chat.Usage{PromptTokens: 3, CompletionTokens: 4, TotalTokens: 7}}}, isEOF},
		{"comments and multi-line data", ": keep-alive\n\ndata: {\"choices\":[{\"delta\":\ndata: {\"content\":\"a\"}}]}\n\n" + chunkDone,
			[]chat.Chunk{{Content: "a"}}, isEOF},
		{"event error frame", chunkText + "event: error\ndata: {\"error\":{\"message\":\"Failed to call a function.\",\"type\":\"invalid_request_error\",\"code\":\"tool_use_failed\",\"status_code\":400}}\n\n",
			[]chat.Chunk{{Content: "Int"}}, streamErrorWith(400, "tool_use_failed")},
		{"data frame with an error key", `data: {"error":{"message":"overloaded","type":"server_error","status_code":503}}` + "\n\n",
			nil, streamErrorWith(503, "")},
		{"cut without finish", chunkFirst + chunkText, []chat.Chunk{{}, {Content: "Int"}}, func(err error) bool { return err == errStreamCut }},
		{"finished but no [DONE]", chunkText + chunkLast, []chat.Chunk{{Content: "Int"}, {FinishReason: "stop", Usage: usage}}, isEOF},
		{"garbage", "data: <html>\n\n", nil, func(err error) bool { return err != nil && err != io.EOF }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := sseChunks(t, tt.body)
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("chunks (-want +got):\n%s", d)
			}
			if !tt.wantErr(err) {
				t.Errorf("end error = %v", err)
			}
		})
	}
}

func isEOF(err error) bool { return err == io.EOF }

func streamErrorWith(status int, code string) func(error) bool {
	return func(err error) bool {
		se, ok := err.(*streamError)
		return ok && se.status == status && se.code == code
	}
}

func TestParseCompletion(t *testing.T) {
	body := `{"id":"chatcmpl-09d6","object":"chat.completion","created":1770770798,"model":"llama-3.3-70b-versatile","choices":[{"index":0,"message":{"role":"assistant","content":"Hello"},"logprobs":null,"finish_reason":"stop"}],"usage":{"queue_time":0.04,"prompt_tokens":45,"prompt_time":0.001,"completion_tokens":607,"completion_time":2.2,"total_tokens":652,"total_time":2.2},"usage_breakdown":null,"system_fingerprint":"fp_f8b414701e","x_groq":{"id":"req_01kh52m3qqem4sw141xf026ehx","seed":167346302},"service_tier":"on_demand"}`
	c, err := parseCompletion([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	c.Body = nil
	want := chat.Completion{Content: "Hello", FinishReason: "stop", Usage: chat.Usage{PromptTokens: 45, CompletionTokens: 607, TotalTokens: 652}}
	if d := cmp.Diff(want, c); d != "" {
		t.Fatalf("(-want +got):\n%s", d)
	}
	if _, err := parseCompletion([]byte("<html>oops</html>")); err == nil {
		t.Fatal("HTML accepted as a completion")
	}
}

// TestClientRequest checks what goes on the wire: path, bearer, request id.
func TestClientRequest(t *testing.T) {
	var got *http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Clone(r.Context())
		w.WriteHeader(204)
	}))
	defer srv.Close()
	c := &client{base: normalizeBase(srv.URL + "/openai/v1/"), hc: srv.Client()}
	resp, err := c.chat(t.Context(), "gsk_secret", "req-123", []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got.URL.Path != "/openai/v1/chat/completions" || got.Header.Get("Authorization") != "Bearer gsk_secret" || got.Header.Get("X-Request-ID") != "req-123" {
		t.Fatalf("request: %s %v", got.URL.Path, got.Header)
	}
}
