package main

import (
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/platform/testenv"
)

// TestLoginThrottleAcrossReplicas: with PARLEY_REDIS_URL, failed logins on
// one replica hold back the next attempt on another, even with the right
// password.
func TestLoginThrottleAcrossReplicas(t *testing.T) {
	_, prefix := testenv.Redis(t)
	vars := baseVars(t)
	vars["PARLEY_DATABASE_URL"] = testenv.NewPostgresDB(t)
	vars["PARLEY_REDIS_URL"] = testenv.RedisURL()
	vars["PARLEY_JWT_SECRET"] = "a-shared-secret-of-the-replicas-0123456789"
	policy := &account.ThrottlePolicy{Free: 1, Base: time.Hour, Max: time.Hour, Window: time.Hour}
	replica := func() *server {
		return startServeFull(t, env{lookup: lookupFrom(vars), redisPrefix: prefix, loginThrottle: policy})
	}
	s1, s2 := replica(), replica()

	creds := map[string]string{"email": "throttled@example.com", "password": "password-1"}
	if status, body := post(t, s1.url+"/api/v1/auth/register", "", creds); status != 201 {
		t.Fatalf("register: %d %v", status, body)
	}
	wrong := map[string]string{"email": creds["email"], "password": "not-the-password"}
	for i := range 2 {
		if status, body := post(t, s1.url+"/api/v1/auth/login", "", wrong); status != 401 {
			t.Fatalf("failed login %d on replica 1: %d %v", i+1, status, body)
		}
	}
	status, body := post(t, s2.url+"/api/v1/auth/login", "", creds)
	if status != 429 || body["code"] != "rate_limited" {
		t.Fatalf("login on replica 2 after failures on replica 1: %d %v, want 429", status, body)
	}
	if ra, _ := body["retry_after"].(float64); ra < 3000 {
		t.Errorf("retry_after %v, want about an hour", body["retry_after"])
	}
}
