package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

const benchModel = "openai/gpt-oss-20b"

// metrics is what one run of one target measured.
type metrics struct {
	p50, p99   time.Duration
	success    float64 // 0..1
	throughput float64 // successful requests per second
	requests   uint64
	codes      map[string]int
}

func body(stream bool, prompt string, maxTokens int) []byte {
	b, _ := json.Marshal(map[string]any{
		"model":      benchModel,
		"messages":   []map[string]string{{"role": "user", "content": prompt}},
		"max_tokens": maxTokens,
		"stream":     stream,
	})
	return b
}

// attack sends rate requests per second for du to t (non-streaming) and
// summarises the latencies.
func attack(ctx context.Context, t target, rate int, du time.Duration) (metrics, error) {
	hdr := http.Header{}
	hdr.Set("Content-Type", "application/json")
	hdr.Set("Authorization", "Bearer "+t.key)
	tr := vegeta.NewStaticTargeter(vegeta.Target{Method: http.MethodPost, URL: t.url, Body: body(false, "hello bench", 16), Header: hdr})
	a := vegeta.NewAttacker(vegeta.KeepAlive(true), vegeta.Timeout(10*time.Second), vegeta.Workers(64), vegeta.MaxWorkers(4096),
		vegeta.Connections(4096), vegeta.MaxConnections(4096))
	var m vegeta.Metrics
	for r := range a.Attack(tr, vegeta.Rate{Freq: rate, Per: time.Second}, du, t.name) {
		m.Add(r)
		if ctx.Err() != nil {
			a.Stop()
		}
	}
	m.Close()
	if ctx.Err() != nil {
		return metrics{}, ctx.Err()
	}
	return metrics{p50: m.Latencies.P50, p99: m.Latencies.P99, success: m.Success, throughput: m.Throughput,
		requests: m.Requests, codes: m.StatusCodes}, nil
}

// ttft measures, for n sequential streamed requests, the time from sending
// to the first chunk that carries content.
func ttft(ctx context.Context, t target, n int) (metrics, error) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8, DisableCompression: true}}
	lat := make([]time.Duration, 0, n)
	for i := 0; i < n; i++ {
		d, err := firstToken(ctx, client, t, body(true, "time to first token", 32))
		if err != nil {
			return metrics{}, fmt.Errorf("ttft %s: %w", t.name, err)
		}
		lat = append(lat, d)
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return metrics{p50: lat[len(lat)/2], p99: lat[len(lat)*99/100], success: 1, requests: uint64(n)}, nil
}

// firstToken sends one streamed request and returns when the first content
// delta arrived; the rest of the stream is drained.
func firstToken(ctx context.Context, client *http.Client, t target, b []byte) (time.Duration, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, t.url, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+t.key)
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("status %s", resp.Status)
	}
	sc := bufio.NewScanner(resp.Body)
	var first time.Duration
	for sc.Scan() {
		line := sc.Text()
		if first == 0 && hasContent(line) {
			first = time.Since(start)
		}
	}
	if first == 0 {
		return 0, fmt.Errorf("no content chunk (err %v)", sc.Err())
	}
	return first, nil
}

func hasContent(line string) bool {
	data, ok := strings.CutPrefix(line, "data: ")
	if !ok || data == "[DONE]" {
		return false
	}
	var c struct {
		Choices []struct {
			Delta struct {
				Content string `json:"content"`
			} `json:"delta"`
		} `json:"choices"`
	}
	return json.Unmarshal([]byte(data), &c) == nil && len(c.Choices) > 0 && c.Choices[0].Delta.Content != ""
}

// memResult is the parley process's RSS before and with n streams open.
type memResult struct {
	name                              string
	streams                           int
	before, after                     int64 // RSS
	heapBefore, heapAfter             int64 // Go heap in use + stacks
	goroutinesBefore, goroutinesAfter int64
}

// streamMemory opens n concurrent streams through the parley in front of the
// slow double, waits until every one has delivered its first token (so all are
// open at once), and reads parley's RSS.
func (e *env) streamMemory(ctx context.Context, p parleyProc, n int) (memResult, error) {
	t := target{"parley", p.base + "/v1/chat/completions", p.token}
	warm := &http.Client{}
	for i := 0; i < 20; i++ { // warm up pools and caches before the baseline
		if _, err := firstToken(ctx, warm, target{t.name, t.url, t.key}, body(true, "hi", 2)); err != nil {
			return memResult{}, fmt.Errorf("warm-up: %w", err)
		}
	}
	before, err := rss(p.pid)
	if err != nil {
		return memResult{}, err
	}
	heapBefore, gBefore, err := goMemory(ctx, p.metrics)
	if err != nil {
		return memResult{}, err
	}
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 0, MaxIdleConnsPerHost: n, DisableCompression: true}}
	prompt := strings.Repeat("a long answer please ", 20)
	var opened, wg sync.WaitGroup
	errc := make(chan error, n)
	opened.Add(n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			once := sync.OnceFunc(opened.Done)
			defer once()
			req, _ := http.NewRequestWithContext(sctx, http.MethodPost, t.url, bytes.NewReader(body(true, prompt, 4096)))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+t.key)
			resp, err := client.Do(req)
			if err != nil {
				errc <- err
				return
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				errc <- fmt.Errorf("stream: %s", resp.Status)
				return
			}
			sc := bufio.NewScanner(resp.Body)
			for sc.Scan() {
				if hasContent(sc.Text()) {
					once()
				}
			}
		}()
	}
	opened.Wait()
	select {
	case err := <-errc:
		cancel()
		wg.Wait()
		return memResult{}, err
	default:
	}
	after, err := rss(p.pid)
	if err != nil {
		return memResult{}, err
	}
	heapAfter, gAfter, err := goMemory(ctx, p.metrics)
	if err == nil && e.heapProfile != "" {
		err = fetchTo(ctx, strings.TrimSuffix(p.metrics, "/metrics")+"/debug/pprof/heap", e.heapProfile)
	}
	cancel()
	wg.Wait()
	return memResult{name: p.name, streams: n, before: before, after: after, heapBefore: heapBefore, heapAfter: heapAfter,
		goroutinesBefore: gBefore, goroutinesAfter: gAfter}, err
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
func mib(b int64) float64        { return float64(b) / (1 << 20) }
