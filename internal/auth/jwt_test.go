package auth

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/parley-chat/parley/internal/errs"
)

var (
	secretA = []byte("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
	secretB = []byte("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newTokens(t *testing.T, c *clock, current []byte, previous ...[]byte) *Tokens {
	t.Helper()
	ks, err := NewKeySet(current, previous...)
	if err != nil {
		t.Fatal(err)
	}
	return NewTokens(ks, TokenConfig{TTL: 15 * time.Minute, Now: c.now})
}

func b64(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

func TestIssueVerify(t *testing.T) {
	c := &clock{time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	tk := newTokens(t, c, secretA)
	tok, exp, err := tk.Issue("user-1", "admin", "sid-1")
	if err != nil {
		t.Fatal(err)
	}
	if want := c.t.Add(15 * time.Minute); !exp.Equal(want) {
		t.Errorf("expiry %v, want %v", exp, want)
	}
	claims, err := tk.Verify(tok)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if claims.Subject != "user-1" || claims.Role != "admin" || claims.SessionID != "sid-1" || claims.Issuer != DefaultIssuer {
		t.Errorf("claims = %+v", claims)
	}
	// The header names the key and the algorithm.
	head, _, _ := strings.Cut(tok, ".")
	raw, _ := base64.RawURLEncoding.DecodeString(head)
	var h map[string]any
	_ = json.Unmarshal(raw, &h)
	if h["kid"] != KeyID(secretA) || h["alg"] != "HS256" {
		t.Errorf("header = %v", h)
	}
	for _, claim := range []string{`"exp"`, `"iat"`, `"nbf"`, `"sub"`, `"iss"`, `"aud"`, `"role"`} {
		_, payload, _ := strings.Cut(tok, ".")
		payload, _, _ = strings.Cut(payload, ".")
		body, _ := base64.RawURLEncoding.DecodeString(payload)
		if !strings.Contains(string(body), claim) {
			t.Errorf("payload %s lacks %s", body, claim)
		}
	}
}

func TestVerifyRejects(t *testing.T) {
	c := &clock{time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	tk := newTokens(t, c, secretA)
	good, _, _ := tk.Issue("user-1", "user", "sid-1")
	parts := strings.Split(good, ".")
	kid := KeyID(secretA)
	payload := map[string]any{
		"sub": "user-1", "role": "admin", "iss": DefaultIssuer, "aud": []string{DefaultAudience},
		"iat": c.t.Unix(), "nbf": c.t.Unix(), "exp": c.t.Add(time.Hour).Unix(),
	}
	sign := func(method jwt.SigningMethod, key any, header map[string]any, claims jwt.MapClaims) string {
		tok := jwt.NewWithClaims(method, claims)
		for k, v := range header {
			tok.Header[k] = v
		}
		s, err := tok.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	claims := func(over map[string]any) jwt.MapClaims {
		m := jwt.MapClaims{}
		for k, v := range payload {
			m[k] = v
		}
		for k, v := range over {
			if v == nil {
				delete(m, k)
			} else {
				m[k] = v
			}
		}
		return m
	}
	tamperedPayload := b64(claims(map[string]any{"role": "admin"}))

	cases := map[string]string{
		"empty":                           "",
		"garbage":                         "not.a.jwt",
		"alg none":                        b64(map[string]any{"alg": "none", "typ": "JWT", "kid": kid}) + "." + b64(payload) + ".",
		"alg None signed":                 b64(map[string]any{"alg": "None", "kid": kid}) + "." + b64(payload) + "." + parts[2],
		"alg HS512 same secret":           sign(jwt.SigningMethodHS512, secretA, map[string]any{"kid": kid}, claims(nil)),
		"alg RS256 header with HMAC body": b64(map[string]any{"alg": "RS256", "kid": kid}) + "." + parts[1] + "." + parts[2],
		"tampered payload":                parts[0] + "." + tamperedPayload + "." + parts[2],
		"tampered signature":              parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2])),
		"unknown kid":                     sign(jwt.SigningMethodHS256, secretA, map[string]any{"kid": "deadbeefdeadbeef"}, claims(nil)),
		"no kid":                          sign(jwt.SigningMethodHS256, secretA, map[string]any{"kid": nil}, claims(nil)),
		"wrong secret, right kid":         sign(jwt.SigningMethodHS256, secretB, map[string]any{"kid": kid}, claims(nil)),
		"expired":                         sign(jwt.SigningMethodHS256, secretA, map[string]any{"kid": kid}, claims(map[string]any{"exp": c.t.Add(-time.Second).Unix()})),
		"no exp":                          sign(jwt.SigningMethodHS256, secretA, map[string]any{"kid": kid}, claims(map[string]any{"exp": nil})),
		"not yet valid":                   sign(jwt.SigningMethodHS256, secretA, map[string]any{"kid": kid}, claims(map[string]any{"nbf": c.t.Add(time.Hour).Unix()})),
		"issued in future":                sign(jwt.SigningMethodHS256, secretA, map[string]any{"kid": kid}, claims(map[string]any{"iat": c.t.Add(time.Hour).Unix()})),
		"wrong issuer":                    sign(jwt.SigningMethodHS256, secretA, map[string]any{"kid": kid}, claims(map[string]any{"iss": "evil"})),
		"wrong audience":                  sign(jwt.SigningMethodHS256, secretA, map[string]any{"kid": kid}, claims(map[string]any{"aud": "other"})),
		"no subject":                      sign(jwt.SigningMethodHS256, secretA, map[string]any{"kid": kid}, claims(map[string]any{"sub": nil})),
	}
	for name, tok := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := tk.Verify(tok)
			if errs.CodeOf(err) != errs.Unauthorized {
				t.Fatalf("Verify = %v, want unauthorized", err)
			}
			if e, _ := errs.As(err); strings.Contains(e.Message, "secret") {
				t.Errorf("message leaks internals: %q", e.Message)
			}
		})
	}
	// The crafted HS256 token with the right key verifies: the cases above fail for their one flaw.
	if _, err := tk.Verify(sign(jwt.SigningMethodHS256, secretA, map[string]any{"kid": kid}, claims(nil))); err != nil {
		t.Fatalf("control token rejected: %v", err)
	}
}

func TestExpiryAfterTTL(t *testing.T) {
	c := &clock{time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	tk := newTokens(t, c, secretA)
	tok, _, _ := tk.Issue("u", "user", "sid-1")
	c.t = c.t.Add(15*time.Minute + time.Second)
	_, err := tk.Verify(tok)
	if e, ok := errs.As(err); !ok || e.Message != "access token expired" {
		t.Fatalf("Verify after TTL = %v", err)
	}
}

func TestKeyRotation(t *testing.T) {
	c := &clock{time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	old := newTokens(t, c, secretA)
	tok, _, _ := old.Issue("u", "user", "sid-1")

	rotated := newTokens(t, c, secretB, secretA)
	if _, err := rotated.Verify(tok); err != nil {
		t.Fatalf("token of the previous key rejected after rotation: %v", err)
	}
	fresh, _, _ := rotated.Issue("u", "user", "sid-1")
	if _, err := rotated.Verify(fresh); err != nil {
		t.Fatal(err)
	}
	if _, err := old.Verify(fresh); errs.CodeOf(err) != errs.Unauthorized {
		t.Fatalf("old key set accepted a token of the new key: %v", err)
	}
	dropped := newTokens(t, c, secretB)
	if _, err := dropped.Verify(tok); errs.CodeOf(err) != errs.Unauthorized {
		t.Fatalf("token of a dropped key accepted: %v", err)
	}
}
