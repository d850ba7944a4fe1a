package groq

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

// DefaultBaseURL is Groq's OpenAI-compatible API.
const DefaultBaseURL = "https://api.groq.com/openai/v1"

// client sends requests to one Groq base URL.
type client struct {
	base string
	hc   *http.Client
}

// NewTransport returns the transport the pool uses by default: many idle
// connections per host (one host, high concurrency), bounded dial, TLS and
// response-header waits, and no overall timeout (streams last long).
func NewTransport(headerTimeout time.Duration) *http.Transport {
	d := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           d.DialContext,
		ForceAttemptHTTP2:     true,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: headerTimeout,
		ExpectContinueTimeout: time.Second,
		MaxIdleConns:          512,
		MaxIdleConnsPerHost:   256,
		IdleConnTimeout:       90 * time.Second,
	}
}

func (c *client) newRequest(ctx context.Context, method, path, key, requestID string, body []byte) (*http.Request, error) {
	var rd *bytes.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	var req *http.Request
	var err error
	if rd != nil {
		req, err = http.NewRequestWithContext(ctx, method, c.base+path, rd)
	} else {
		req, err = http.NewRequestWithContext(ctx, method, c.base+path, nil)
	}
	if err != nil {
		return nil, fmt.Errorf("groq: build request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Accept", "application/json, text/event-stream")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if requestID != "" {
		req.Header.Set("X-Request-ID", requestID)
	}
	req.Header.Set("User-Agent", "parley")
	return req, nil
}

// chat posts a chat completion with key.
func (c *client) chat(ctx context.Context, key, requestID string, body []byte) (*http.Response, error) {
	req, err := c.newRequest(ctx, http.MethodPost, "/chat/completions", key, requestID, body)
	if err != nil {
		return nil, err
	}
	return c.hc.Do(req)
}

// models lists the models key may use.
func (c *client) models(ctx context.Context, key string) (*http.Response, error) {
	req, err := c.newRequest(ctx, http.MethodGet, "/models", key, "", nil)
	if err != nil {
		return nil, err
	}
	return c.hc.Do(req)
}

func normalizeBase(base string) string {
	if base == "" {
		base = DefaultBaseURL
	}
	return strings.TrimRight(base, "/")
}
