package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/errs"
)

// touchEvery limits last-used updates to one write per token per interval,
// and they happen off the request path.
const touchEvery = time.Minute

type cachedToken struct {
	tok     account.APIToken
	user    account.User
	fetched time.Time
}

// tokenCache keeps recent API token lookups (token and user) for a short
// while, so a /v1 call costs no database read in the common case.
type tokenCache struct {
	ttl time.Duration
	now func() time.Time

	mu      sync.Mutex
	byHash  map[string]*cachedToken
	touched map[string]time.Time // token id → last touch sent
}

func newTokenCache(ttl time.Duration, now func() time.Time) *tokenCache {
	return &tokenCache{ttl: ttl, now: now, byHash: map[string]*cachedToken{}, touched: map[string]time.Time{}}
}

func (c *tokenCache) get(hash string) (*cachedToken, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byHash[hash]
	if !ok || c.now().Sub(e.fetched) >= c.ttl {
		return nil, false
	}
	return e, true
}

func (c *tokenCache) put(hash string, e *cachedToken) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.byHash) > 10000 { // bound memory: start over
		c.byHash = map[string]*cachedToken{}
	}
	c.byHash[hash] = e
}

// forgetID drops a revoked token at once on this replica.
func (c *tokenCache) forgetID(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for h, e := range c.byHash {
		if e.tok.ID == id {
			delete(c.byHash, h)
		}
	}
}

// shouldTouch reports whether the token's last use should be written now.
func (c *tokenCache) shouldTouch(id string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if last, ok := c.touched[id]; ok && now.Sub(last) < touchEvery {
		return false
	}
	if len(c.touched) > 10000 {
		c.touched = map[string]time.Time{}
	}
	c.touched[id] = now
	return true
}

// authenticateAPIToken resolves the personal API token of r to its user.
// Unknown, revoked and expired tokens and disabled users are Unauthorized.
func (a *ChatAPI) authenticateAPIToken(r *http.Request) (account.User, account.APIToken, error) {
	raw, ok := BearerToken(r)
	if !ok {
		return account.User{}, account.APIToken{}, errs.E(errs.Unauthorized,
			"You didn't provide an API key. Send it as Authorization: Bearer <personal API token>.")
	}
	hash := hashAPIToken(raw)
	e, ok := a.tokens.get(hash)
	if !ok {
		tok, err := a.d.Accounts.APITokenByHash(r.Context(), hash)
		if err != nil {
			if errs.CodeOf(err) == errs.NotFound {
				return account.User{}, account.APIToken{}, errs.E(errs.Unauthorized, "Incorrect API key provided.")
			}
			return account.User{}, account.APIToken{}, err
		}
		u, err := a.d.Accounts.UserByID(r.Context(), tok.UserID)
		if err != nil && errs.CodeOf(err) != errs.NotFound {
			return account.User{}, account.APIToken{}, err
		}
		if err != nil {
			u = account.User{Disabled: true}
		}
		e = &cachedToken{tok: tok, user: u, fetched: a.now()}
		a.tokens.put(hash, e)
	}
	now := a.now()
	switch {
	case e.tok.RevokedAt != nil:
		return account.User{}, account.APIToken{}, errs.E(errs.Unauthorized, "This API key has been revoked.")
	case e.tok.ExpiresAt != nil && !now.Before(*e.tok.ExpiresAt):
		return account.User{}, account.APIToken{}, errs.E(errs.Unauthorized, "This API key has expired.")
	case e.user.Disabled:
		return account.User{}, account.APIToken{}, errs.E(errs.Unauthorized, "The account of this API key is disabled.")
	}
	if a.tokens.shouldTouch(e.tok.ID) {
		go a.touch(e.tok.ID, now)
	}
	return e.user, e.tok, nil
}

// touch records a token's last use, off the request path.
func (a *ChatAPI) touch(id string, at time.Time) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := a.d.Accounts.TouchAPIToken(ctx, id, at.UTC()); err != nil {
		a.log.Warn("touch api token", slog.String("token_id", id), slog.Any("error", err))
	}
}
