package account_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/auth"
	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/store"
	"github.com/parley-chat/parley/internal/store/storetest"
)

// sessionService is an account.Service over st with real access tokens.
func sessionService(t *testing.T, st account.Store) *account.Service {
	t.Helper()
	ks, err := auth.NewKeySet([]byte("account-test-secret-0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	svc, err := account.NewService(st, auth.NewTokens(ks, auth.TokenConfig{}), account.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// seedLogin stores a fresh refresh-token family for u, as a login would,
// without paying for a password hash, and returns its raw token.
func seedLogin(t *testing.T, st account.Store, u account.User) string {
	t.Helper()
	raw := uuid.NewString() + uuid.NewString()
	sum := sha256.Sum256([]byte(raw))
	now := time.Now().UTC()
	err := st.CreateRefreshToken(context.Background(), account.RefreshToken{
		ID: uuid.Must(uuid.NewV7()).String(), UserID: u.ID, FamilyID: uuid.Must(uuid.NewV7()).String(),
		TokenHash: hex.EncodeToString(sum[:]), ExpiresAt: now.Add(time.Hour), CreatedAt: now,
	})
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func newTestUser(t *testing.T, st account.Store, email string) account.User {
	t.Helper()
	u, err := st.CreateUser(context.Background(), account.User{Email: email, Name: "Test",
		PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
		Role:         account.RoleUser}, account.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func isReplay(err error) bool {
	e, ok := errs.As(err)
	return ok && e.Code == errs.Unauthorized && strings.Contains(e.Message, "already used")
}

// TestRefreshReplayRaceRevokesEverything: N clients refresh one token at
// once, trial after trial. Whenever parley reports a replay, no refresh
// token of that login and no access token of its sessions works afterwards,
// even the ones the race's winner was just given.
func TestRefreshReplayRaceRevokesEverything(t *testing.T) {
	const trials, racers = 200, 8
	storetest.ForEachEngine(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		svc := sessionService(t, st)
		u := newTestUser(t, st, "racer@example.com")
		var replays, survivingRefresh, survivingAccess int
		for trial := range trials {
			first, err := svc.Refresh(ctx, seedLogin(t, st, u), account.Client{})
			if err != nil {
				t.Fatalf("trial %d: first refresh: %v", trial, err)
			}
			refreshTokens := []string{first.RefreshToken}
			accessTokens := []string{first.AccessToken}
			var (
				mu       sync.Mutex
				wg       sync.WaitGroup
				replayed bool
				winners  int
			)
			start := make(chan struct{})
			for range racers {
				wg.Go(func() {
					<-start
					s, err := svc.Refresh(ctx, first.RefreshToken, account.Client{})
					mu.Lock()
					defer mu.Unlock()
					switch {
					case err == nil:
						winners++
						refreshTokens = append(refreshTokens, s.RefreshToken)
						accessTokens = append(accessTokens, s.AccessToken)
					case isReplay(err):
						replayed = true
					case errs.CodeOf(err) != errs.Unauthorized:
						t.Errorf("trial %d: refresh: %v", trial, err)
					}
				})
			}
			close(start)
			wg.Wait()
			if winners > 1 {
				t.Fatalf("trial %d: %d concurrent refreshes of one token succeeded", trial, winners)
			}
			if !replayed {
				continue
			}
			replays++
			for _, tok := range refreshTokens {
				if _, err := svc.Refresh(ctx, tok, account.Client{}); err == nil {
					survivingRefresh++
				}
			}
			for _, tok := range accessTokens {
				if _, err := svc.AuthenticateSession(ctx, tok); err == nil {
					survivingAccess++
				}
			}
		}
		t.Logf("%d trials of %d racers: %d reported a replay; afterwards %d refresh and %d access tokens still worked",
			trials, racers, replays, survivingRefresh, survivingAccess)
		if replays == 0 {
			t.Fatal("no trial reported a replay")
		}
		if survivingRefresh > 0 || survivingAccess > 0 {
			t.Errorf("after a reported replay, %d refresh tokens and %d access tokens of the login still worked",
				survivingRefresh, survivingAccess)
		}
	})
}
