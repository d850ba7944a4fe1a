package groqmock

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const upsell = " Need more tokens? Upgrade to Dev Tier today at https://console.groq.com/settings/billing"

// limited starts a double whose org_a and org_b have lim on every model.
func limited(t *testing.T, lim Limits) (*Server, *httptest.Server, *fakeClock) {
	t.Helper()
	all := map[string]Limits{"": lim}
	return start(t, Config{Orgs: []Org{
		{ID: "org_a", Keys: []string{"gsk_a1", "gsk_a2"}, Limits: all},
		{ID: "org_b", Keys: []string{"gsk_b1"}, Limits: all},
	}})
}

// ask sends "hello" (6 prompt tokens) with max_tokens n (0 = unset) to testModel.
func ask(t *testing.T, hs *httptest.Server, key string, n int) reply {
	t.Helper()
	extra := map[string]any{}
	if n > 0 {
		extra["max_tokens"] = n
	}
	return post(t, hs, key, chatBody(testModel, "hello", extra))
}

func TestRateLimitHeadersOnSuccess(t *testing.T) {
	_, hs, _ := limited(t, Limits{RPD: 14400, TPM: 6000})
	r := ask(t, hs, "gsk_a1", 10)
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	// The estimate (6 + 10) is charged and already matches the actual usage: 16 tokens used.
	want := map[string]string{
		"X-Ratelimit-Limit-Requests": "14400", "X-Ratelimit-Remaining-Requests": "14399", "X-Ratelimit-Reset-Requests": "6s",
		"X-Ratelimit-Limit-Tokens": "6000", "X-Ratelimit-Remaining-Tokens": "5984", "X-Ratelimit-Reset-Tokens": "160ms",
	}
	got := map[string]string{}
	for k := range want {
		got[k] = r.header.Get(k)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("headers (-want +got):\n%s", diff)
	}
	for _, k := range []string{"X-Ratelimit-Reset-Requests", "X-Ratelimit-Reset-Tokens"} {
		if _, err := time.ParseDuration(r.header.Get(k)); err != nil {
			t.Errorf("%s: %v", k, err)
		}
	}
	if r.header.Get("Retry-After") != "" {
		t.Errorf("retry-after on a 200: %q", r.header.Get("Retry-After"))
	}
}

func TestRateLimitRejections(t *testing.T) {
	tests := []struct {
		name       string
		lim        Limits
		first      []int // max_tokens of the requests that pass
		last       int   // max_tokens of the refused request
		status     int
		typ        string
		msg        string
		retryAfter string
	}{
		{name: "RPM", lim: Limits{RPM: 2}, first: []int{10, 10}, last: 10, status: 429, typ: "requests",
			msg: "Rate limit reached for model `openai/gpt-oss-20b` in organization `org_a` service tier `on_demand` on " +
				"requests per minute (RPM): Limit 2, Used 2, Requested 1. Please try again in 30s." + upsell, retryAfter: "30"},
		{name: "RPD", lim: Limits{RPD: 10}, first: []int{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, last: 1, status: 429, typ: "requests",
			msg: "Rate limit reached for model `openai/gpt-oss-20b` in organization `org_a` service tier `on_demand` on " +
				"requests per day (RPD): Limit 10, Used 10, Requested 1. Please try again in 2h24m0s." + upsell, retryAfter: "8640"},
		// Used 16 after the first request; 16 + 96 − 100 = 12 tokens at 100/60 per second = 7.2 s.
		{name: "TPM", lim: Limits{TPM: 100}, first: []int{10}, last: 90, status: 429, typ: "tokens",
			msg: "Rate limit reached for model `openai/gpt-oss-20b` in organization `org_a` service tier `on_demand` on " +
				"tokens per minute (TPM): Limit 100, Used 16, Requested 96. Please try again in 7.2s." + upsell, retryAfter: "8"},
		// 16 + 36 − 50 = 2 tokens at 50/86400 per second = 3456 s.
		{name: "TPD", lim: Limits{TPD: 50}, first: []int{10}, last: 30, status: 429, typ: "tokens",
			msg: "Rate limit reached for model `openai/gpt-oss-20b` in organization `org_a` service tier `on_demand` on " +
				"tokens per day (TPD): Limit 50, Used 16, Requested 36. Please try again in 57m36s." + upsell, retryAfter: "3456"},
		{name: "too large", lim: Limits{TPM: 100}, last: 100, status: 413, typ: "tokens",
			msg: "Request too large for model `openai/gpt-oss-20b` in organization `org_a` service tier `on_demand` on " +
				"tokens per minute (TPM): Limit 100, Requested 106, please reduce your message size and try again." + upsell},
		// RPM and RPD both refuse; the longer wait is reported.
		{name: "longest wait", lim: Limits{RPM: 1, RPD: 1}, first: []int{1}, last: 1, status: 429, typ: "requests",
			msg: "Rate limit reached for model `openai/gpt-oss-20b` in organization `org_a` service tier `on_demand` on " +
				"requests per day (RPD): Limit 1, Used 1, Requested 1. Please try again in 24h0m0s." + upsell, retryAfter: "86400"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mock, hs, _ := limited(t, tt.lim)
			for i, n := range tt.first {
				if r := ask(t, hs, "gsk_a1", n); r.status != http.StatusOK {
					t.Fatalf("request %d: status %d: %s", i, r.status, r.body)
				}
			}
			r := ask(t, hs, "gsk_a1", tt.last)
			e := apiErr(t, r.body)
			got := []string{strconv.Itoa(r.status), e.Type, e.Code, e.Message, r.header.Get("Retry-After")}
			want := []string{strconv.Itoa(tt.status), tt.typ, "rate_limit_exceeded", tt.msg, tt.retryAfter}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("refusal (-want +got):\n%s", diff)
			}
			st := mock.Stats().Keys["gsk_a1"]
			if st.Completed != int64(len(tt.first)) || st.RateLimited+st.TooLarge != 1 {
				t.Errorf("stats %+v", st)
			}
		})
	}
}

func TestRateLimitHeadersOnRefusal(t *testing.T) {
	_, hs, _ := limited(t, Limits{RPD: 1000, TPM: 100})
	ask(t, hs, "gsk_a1", 10)
	r := ask(t, hs, "gsk_a1", 90)
	if r.status != http.StatusTooManyRequests {
		t.Fatalf("status %d", r.status)
	}
	// A refusal charges nothing: still one request and 16 tokens used.
	reqReset, err1 := time.ParseDuration(r.header.Get("X-Ratelimit-Reset-Requests"))
	tokReset, err2 := time.ParseDuration(r.header.Get("X-Ratelimit-Reset-Tokens"))
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	got := []any{r.header.Get("X-Ratelimit-Remaining-Requests"), reqReset, r.header.Get("X-Ratelimit-Remaining-Tokens"), tokReset}
	want := []any{"999", 86400 * time.Second / 1000, "84", 16 * 60 * time.Second / 100}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("headers (-want +got):\n%s", diff)
	}
}

func TestRefillWithInjectedClock(t *testing.T) {
	_, hs, clk := limited(t, Limits{TPM: 100})
	ask(t, hs, "gsk_a1", 10) // 16 used; a 96-token request waits 7.2 s
	clk.Advance(7190 * time.Millisecond)
	r := ask(t, hs, "gsk_a1", 90)
	if e := apiErr(t, r.body); r.status != 429 || r.header.Get("Retry-After") != "1" ||
		e.Message != "Rate limit reached for model `openai/gpt-oss-20b` in organization `org_a` service tier `on_demand` on "+
			"tokens per minute (TPM): Limit 100, Used 5, Requested 96. Please try again in 10ms."+upsell {
		t.Fatalf("after 7.19s: %d %s retry-after %q", r.status, r.body, r.header.Get("Retry-After"))
	}
	clk.Advance(10 * time.Millisecond)
	if r := ask(t, hs, "gsk_a1", 90); r.status != http.StatusOK {
		t.Fatalf("after 7.2s: %d %s", r.status, r.body)
	}
}

func TestKeysOfOneOrgShareABucket(t *testing.T) {
	mock, hs, _ := limited(t, Limits{RPM: 1})
	codes := []int{ask(t, hs, "gsk_a1", 1).status, ask(t, hs, "gsk_a2", 1).status, ask(t, hs, "gsk_b1", 1).status}
	if diff := cmp.Diff([]int{200, 429, 200}, codes); diff != "" {
		t.Errorf("a1, a2, b1 statuses (-want +got):\n%s", diff)
	}
	other := post(t, hs, "gsk_a2", chatBody("openai/gpt-oss-120b", "hello", nil))
	if other.status != http.StatusOK {
		t.Errorf("another model of the same org: %d, want its own bucket", other.status)
	}
	st := mock.Stats()
	want := map[string]Counters{
		"org_a": {Requests: 3, Completed: 2, RateLimited: 1, PromptTokens: 12, CompletionTokens: int64(1 + CountTokens(Reply("hello")))},
		"org_b": {Requests: 1, Completed: 1, PromptTokens: 6, CompletionTokens: 1},
	}
	if diff := cmp.Diff(want, st.Orgs); diff != "" {
		t.Errorf("org stats (-want +got):\n%s", diff)
	}
	if st.Keys["gsk_a2"].RateLimited != 1 || st.Keys["gsk_a1"].RateLimited != 0 {
		t.Errorf("key stats %+v", st.Keys)
	}
}

func TestConcurrentRequestsNeverOverspend(t *testing.T) {
	_, hs, _ := limited(t, Limits{RPM: 20})
	var wg sync.WaitGroup
	statuses := make(chan int, 60)
	for i := range 60 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses <- ask(t, hs, []string{"gsk_a1", "gsk_a2"}[i%2], 1).status
		}()
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for s := range statuses {
		count[s]++
	}
	if diff := cmp.Diff(map[int]int{200: 20, 429: 40}, count); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
}

func TestEstimateWithoutMaxTokens(t *testing.T) {
	_, hs, _ := limited(t, Limits{TPM: 1000})
	ask(t, hs, "gsk_a1", 0)
	// Estimated 6 + 256, corrected to the actual usage afterwards.
	r := ask(t, hs, "gsk_a1", 0)
	want := 1000 - (6 + CountTokens(Reply("hello"))) - (6 + 256)
	if got := r.header.Get("X-Ratelimit-Remaining-Tokens"); got != strconv.Itoa(want) {
		t.Errorf("remaining tokens after two default requests = %s", got)
	}
}

func TestHeadersOnRefusalsOfAKnownModel(t *testing.T) {
	_, hs, _ := limited(t, Limits{RPD: 100, TPM: 1000})
	for _, body := range []map[string]any{
		chatBody(testModel, "hi", map[string]any{"n": 3}),
		chatBody(testModel, "hi", map[string]any{"max_tokens": 1 << 20}),
	} {
		r := post(t, hs, "gsk_a1", body)
		if r.status != http.StatusBadRequest || r.header.Get("X-Ratelimit-Remaining-Requests") != "100" ||
			r.header.Get("X-Ratelimit-Remaining-Tokens") != "1000" || r.header.Get("X-Ratelimit-Reset-Tokens") != "0s" {
			t.Errorf("%d %v", r.status, r.header)
		}
	}
}
