package groqmock

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
)

// openStream starts a streamed chat request and returns its body reader.
func openStream(t *testing.T, ctx context.Context, hs *httptest.Server, text string) (*http.Response, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hs.URL+"/openai/v1/chat/completions",
		strings.NewReader(`{"model":"`+testModel+`","stream":true,"messages":[{"role":"user","content":"`+text+`"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer gsk_a1")
	return hs.Client().Do(req)
}

// readFrames reads n data frames from br.
func readFrames(t *testing.T, br *bufio.Reader, n int) {
	t.Helper()
	for n > 0 {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("reading frame: %v", err)
		}
		if strings.HasPrefix(line, "data: ") {
			n--
		}
	}
}

func TestFaultHTML(t *testing.T) {
	mock, hs, _ := start(t, Config{})
	mock.InjectFault(Fault{Kind: FaultHTML, Status: http.StatusBadGateway, RetryAfter: 3})
	r := post(t, hs, "gsk_a1", chatBody(testModel, "hi", nil))
	if r.status != http.StatusBadGateway || r.header.Get("Content-Type") != "text/html" ||
		!strings.Contains(r.body, "<center>cloudflare</center>") || r.header.Get("Retry-After") != "3" {
		t.Errorf("%d %q %q", r.status, r.header.Get("Content-Type"), r.body)
	}
	if r := post(t, hs, "gsk_a1", chatBody(testModel, "hi", nil)); r.status != http.StatusOK {
		t.Errorf("the fault should hit once; next status %d", r.status)
	}
}

func TestFaultJSONCountKeyAndNoCharge(t *testing.T) {
	mock, hs, _ := start(t, Config{Orgs: []Org{{ID: "org_a", Keys: []string{"gsk_a1", "gsk_a2"},
		Limits: map[string]Limits{"": {RPM: 1}}}}})
	mock.InjectFault(Fault{Kind: FaultJSON, Key: "gsk_a2", Count: 2})
	c := client(hs, "gsk_a2")
	for i := range 2 {
		_, err := c.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
			Model: testModel, Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")}})
		var apiErr *openai.Error
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 500 || apiErr.Message != "Internal Server Error" {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	if n := mock.PendingFaults(); n != 0 {
		t.Errorf("PendingFaults = %d", n)
	}
	// Faulted requests were not charged: the one-per-minute budget is still there.
	if r := post(t, hs, "gsk_a2", chatBody(testModel, "hi", nil)); r.status != http.StatusOK {
		t.Errorf("after the faults: %d %s", r.status, r.body)
	}
	if st := mock.Stats().Keys["gsk_a2"]; st.Faulted != 2 || st.Completed != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestFaultKeyFilter(t *testing.T) {
	mock, hs, _ := start(t, Config{})
	mock.InjectFault(Fault{Kind: FaultJSON, Key: "gsk_b1", Status: 503})
	if r := post(t, hs, "gsk_a1", chatBody(testModel, "hi", nil)); r.status != http.StatusOK {
		t.Errorf("other key: %d", r.status)
	}
	r := post(t, hs, "gsk_b1", chatBody(testModel, "hi", nil))
	if e := apiErr(t, r.body); r.status != 503 || e.Message != "Service Unavailable" {
		t.Errorf("matching key: %d %s", r.status, r.body)
	}
}

func TestFaultMidStreamError(t *testing.T) {
	mock, hs, _ := start(t, Config{})
	mock.InjectFault(Fault{Kind: FaultMidStreamError, AfterChunks: 3})
	// A non-streamed request does not consume it.
	if r := post(t, hs, "gsk_a1", chatBody(testModel, "hello", nil)); r.status != http.StatusOK || mock.PendingFaults() != 1 {
		t.Fatalf("non-streamed request: %d, pending %d", r.status, mock.PendingFaults())
	}
	r := post(t, hs, "gsk_a1", chatBody(testModel, "hello", map[string]any{"stream": true}))
	events, data := sseFrames(t, r.body)
	if r.status != http.StatusOK || len(data) != 5 || events[4] != "error" {
		t.Fatalf("%d frames %q events %q", r.status, data, events)
	}
	want := `{"error":{"message":"Internal Server Error","type":"internal_server_error","code":"internal_server_error","status_code":500}}`
	if data[4] != want {
		t.Errorf("error frame = %s", data[4])
	}

	// The official client raises it after the chunks that came first.
	mock.InjectFault(Fault{Kind: FaultMidStreamError, Status: 400, AfterChunks: 2})
	c := client(hs, "gsk_a1")
	stream := c.Chat.Completions.NewStreaming(context.Background(), openai.ChatCompletionNewParams{
		Model: testModel, Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hello")}})
	var content strings.Builder
	for stream.Next() {
		if ch := stream.Current(); len(ch.Choices) > 0 {
			content.WriteString(ch.Choices[0].Delta.Content)
		}
	}
	if err := stream.Err(); err == nil || !strings.Contains(err.Error(), "tool_use_failed") {
		t.Errorf("stream error = %v", err)
	}
	if got, want := content.String(), string([]rune(Reply("hello"))[:8]); got != want {
		t.Errorf("content before the error = %q, want %q", got, want)
	}
}

func TestFaultDrop(t *testing.T) {
	mock, hs, _ := start(t, Config{})
	mock.InjectFault(Fault{Kind: FaultDrop})
	req, _ := http.NewRequest(http.MethodPost, hs.URL+"/openai/v1/chat/completions",
		strings.NewReader(`{"model":"`+testModel+`","messages":[{"role":"user","content":"hi"}]}`))
	req.Header.Set("Authorization", "Bearer gsk_a1")
	if resp, err := hs.Client().Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("dropped request answered %d", resp.StatusCode)
	}

	mock.InjectFault(Fault{Kind: FaultDrop, AfterChunks: 2})
	resp, err := openStream(t, context.Background(), hs, "hello")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	readFrames(t, br, 3) // role chunk and two content chunks
	rest, err := io.ReadAll(br)
	if !errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(string(rest), "data:") {
		t.Errorf("after the drop: %q, %v", rest, err)
	}
}

func TestFaultHang(t *testing.T) {
	mock, hs, _ := start(t, Config{})
	mock.InjectFault(Fault{Kind: FaultHang, AfterChunks: 2})
	ctx, cancel := context.WithCancel(context.Background())
	resp, err := openStream(t, ctx, hs, "hello")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	readFrames(t, br, 3)
	cancel() // the client gives up on the silent stream
	if _, err := io.ReadAll(br); !errors.Is(err, context.Canceled) {
		t.Errorf("read after giving up: %v", err)
	}

	// Before any byte: the client's own deadline ends the wait.
	mock.InjectFault(Fault{Kind: FaultHang})
	ctx, cancel = context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := openStream(t, ctx, hs, "hello"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("hang before the answer: %v", err)
	}
}

func TestCloseReleasesHangs(t *testing.T) {
	mock, hs, _ := start(t, Config{})
	mock.Close()
	mock.InjectFault(Fault{Kind: FaultHang})
	r := post(t, hs, "gsk_a1", chatBody(testModel, "hi", nil))
	if r.status != http.StatusOK || r.body != "" {
		t.Errorf("hang after Close: %d %q", r.status, r.body)
	}
}
