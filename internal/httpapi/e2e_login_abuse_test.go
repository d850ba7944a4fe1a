package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/auth"
	"github.com/parley-chat/parley/internal/httpapi"
	"github.com/parley-chat/parley/internal/httpapi/apitest"
	"github.com/parley-chat/parley/internal/platform/testenv"
	"github.com/parley-chat/parley/internal/platform/testkit"
	"github.com/parley-chat/parley/internal/store"
	redisstore "github.com/parley-chat/parley/internal/store/redis"
	"github.com/parley-chat/parley/internal/store/storetest"
)

// trustLoopback makes the test server believe X-Forwarded-For from the test
// client, so a test can speak from many client addresses.
func trustLoopback(d *httpapi.Deps) {
	d.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
}

// loginFrom logs in as email with password from client address ip.
func loginFrom(e *apitest.Env, ip, email, password string) *apitest.Response {
	e.T.Helper()
	return e.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/login", Header: http.Header{"X-Forwarded-For": {ip}},
		Body: map[string]string{"email": email, "password": password}})
}

// TestParallelGuessesGetNoMoreTries: 16 wrong passwords sent at once for
// one account get no more answers other than 429 than wrong passwords sent
// one after another, with the throttle in memory, in Redis, and in Redis
// shared by two API servers (two replicas).
func TestParallelGuessesGetNoMoreTries(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st store.Store) {
		// One clock for every replica, standing still: a slow login (argon2id
		// under the race detector) must not let a back-off pass.
		clock := testkit.NewClock(time.Now())
		redisThrottles := func(c goredis.UniversalClient, prefix string) apitest.Options {
			o := apitest.Options{Clock: clock, Deps: trustLoopback}
			var ths [3]*redisstore.Throttle
			for i, p := range []account.ThrottlePolicy{account.DefaultThrottlePolicy, account.DefaultAccountWidePolicy, account.DefaultAddressThrottlePolicy} {
				ths[i] = redisstore.NewThrottle(c, prefix, p, nil, nil)
				ths[i].Now = clock.Now
			}
			o.AccountThrottle, o.AccountWideThrottle, o.AddressThrottle = ths[0], ths[1], ths[2]
			return o
		}
		cases := map[string]func(t *testing.T) []*apitest.Env{
			"memory": func(t *testing.T) []*apitest.Env {
				return []*apitest.Env{apitest.Start(t, st, apitest.Options{Clock: clock, Deps: trustLoopback})}
			},
			"redis": func(t *testing.T) []*apitest.Env {
				c, prefix := testenv.Redis(t)
				return []*apitest.Env{apitest.Start(t, st, redisThrottles(c, prefix))}
			},
			"two replicas on one redis": func(t *testing.T) []*apitest.Env {
				c1, prefix := testenv.Redis(t)
				c2, _ := testenv.Redis(t)
				return []*apitest.Env{apitest.Start(t, st, redisThrottles(c1, prefix)), apitest.Start(t, st, redisThrottles(c2, prefix))}
			},
		}
		for name, start := range cases {
			t.Run(name, func(t *testing.T) {
				envs := start(t)
				_, seqUser := envs[0].NewUser()
				_, parUser := envs[0].NewUser()
				// One after another, from one address, alternating replicas.
				sequential := 0
				for i := range 16 {
					res := loginFrom(envs[i%len(envs)], "203.0.113.1", seqUser.User.Email, "not-the-password")
					if res.Status != http.StatusTooManyRequests {
						sequential++
					}
				}
				if want := account.DefaultThrottlePolicy.Free + 1; sequential != want {
					t.Fatalf("%d sequential wrong passwords answered, want %d", sequential, want)
				}
				// All at once, from another address.
				statuses := make(chan int, 16)
				var wg sync.WaitGroup
				for i := range 16 {
					wg.Go(func() {
						statuses <- loginFrom(envs[i%len(envs)], "203.0.113.2", parUser.User.Email, "not-the-password").Status
					})
				}
				wg.Wait()
				close(statuses)
				answered := 0
				for s := range statuses {
					switch s {
					case http.StatusUnauthorized:
						answered++
					case http.StatusTooManyRequests:
					default:
						t.Errorf("status %d", s)
					}
				}
				if answered > sequential {
					t.Errorf("16 parallel wrong passwords: %d answered, sequential ones get %d", answered, sequential)
				}
			})
		}
	})
}

// TestStrangerCannotLockOwnerOut: what the owner of an account can still
// do while strangers guess its password. One stranger's failures hold only
// that stranger's address: the owner elsewhere signs in at once. Failures
// from many addresses together hold the account everywhere, but each wait
// is at most DefaultAccountWidePolicy.Max (a minute), after which the owner
// signs in; and throughout, the owner's signed-in sessions keep working.
func TestStrangerCannotLockOwnerOut(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st store.Store) {
		clock := testkit.NewClock(time.Now())
		e := apitest.Start(t, st, apitest.Options{Clock: clock, Deps: trustLoopback})
		const email, stranger, owner = "olga@example.com", "203.0.113.66", "198.51.100.7"
		session := e.Register(email)

		var wg sync.WaitGroup
		for range 16 {
			wg.Go(func() { loginFrom(e, stranger, email, "guess-guess") })
		}
		wg.Wait()
		res := e.Want(loginFrom(e, stranger, email, apitest.Password), http.StatusTooManyRequests)
		if res.Header.Get("Retry-After") == "" {
			t.Error("no Retry-After")
		}
		// The owner, from their own address, is not slowed at all.
		e.Want(loginFrom(e, owner, email, apitest.Password), http.StatusOK)

		// Guesses spread over many addresses hold the account everywhere…
		held := 0
		for i := range 40 {
			if loginFrom(e, fmt.Sprintf("203.0.113.%d", 100+i), email, "guess-guess").Status == http.StatusTooManyRequests {
				held++
			}
		}
		if held == 0 {
			t.Fatal("40 guesses from 40 addresses: none held by the account-wide throttle")
		}
		// …but never for more than a minute per try, however long it goes on.
		longest := 0
		for i := range 12 {
			res := loginFrom(e, owner, email, apitest.Password)
			if res.Status != http.StatusTooManyRequests {
				t.Fatalf("round %d: owner got %d while the account is held, want 429", i, res.Status)
			}
			wait, _ := strconv.Atoi(res.Header.Get("Retry-After"))
			longest = max(longest, wait)
			if time.Duration(wait)*time.Second > account.DefaultAccountWidePolicy.Max {
				t.Fatalf("round %d: the owner is told to wait %ds, more than %s", i, wait, account.DefaultAccountWidePolicy.Max)
			}
			// The signed-in owner keeps working meanwhile.
			var next httpapi.AuthJSON
			e.Want(e.Call("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": session.RefreshToken}), http.StatusOK).Decode(t, &next)
			session = next
			e.Want(e.Call("GET", "/api/v1/me", session.AccessToken, nil), http.StatusOK)
			// A stranger takes the next slot the moment it opens.
			clock.Advance(time.Duration(wait) * time.Second)
			e.Want(loginFrom(e, fmt.Sprintf("203.0.113.%d", 200+i), email, "guess-guess"), http.StatusUnauthorized)
		}
		if longest != int(account.DefaultAccountWidePolicy.Max/time.Second) {
			t.Errorf("longest wait %ds, want the cap %s reached", longest, account.DefaultAccountWidePolicy.Max)
		}
		// Once the wait has passed and nobody else took the slot, the owner is in.
		res = e.Want(loginFrom(e, owner, email, apitest.Password), http.StatusTooManyRequests)
		wait, _ := strconv.Atoi(res.Header.Get("Retry-After"))
		clock.Advance(time.Duration(wait) * time.Second)
		e.Want(loginFrom(e, owner, email, apitest.Password), http.StatusOK)
	})
}

// TestPatchMeWrongCurrentPasswordIsAFailedLogin: proving the current
// password on PATCH /me is a password attempt like a login: a wrong one
// counts against the account, and is itself refused with 429 and
// Retry-After after the free failures, so a stolen access token is no way
// around the login back-off.
func TestPatchMeWrongCurrentPasswordIsAFailedLogin(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st store.Store) {
		clock := testkit.NewClock(time.Now())
		e := apitest.Start(t, st, apitest.Options{Clock: clock})
		const email = "pat@example.com"
		a := e.Register(email)
		change := func(current string) *apitest.Response {
			return e.Call("PATCH", "/api/v1/me", a.AccessToken, map[string]string{"password": "a-new-password", "current_password": current})
		}
		login := func(pw string) *apitest.Response {
			return e.Call("POST", "/api/v1/auth/login", "", map[string]string{"email": email, "password": pw})
		}
		for range account.DefaultThrottlePolicy.Free + 1 {
			p := e.Want(change("not-my-password"), http.StatusUnprocessableEntity).Problem(t)
			if len(p.Errors) != 1 || p.Errors[0].Field != "current_password" {
				t.Fatalf("wrong current password: %+v", p)
			}
		}
		res := e.Want(change("not-my-password"), http.StatusTooManyRequests)
		if p := res.Problem(t); p.Code != "rate_limited" || p.RetryAfter < 1 || res.Header.Get("Retry-After") == "" {
			t.Fatalf("throttled PATCH /me: %+v, Retry-After %q", p, res.Header.Get("Retry-After"))
		}
		// The same count holds logins of the account, and the right password too.
		e.Want(login(apitest.Password), http.StatusTooManyRequests)
		e.Want(change(apitest.Password), http.StatusTooManyRequests)

		// The other way round: failed logins hold PATCH /me.
		clock.Advance(time.Hour)
		e.Want(login(apitest.Password), http.StatusOK).Decode(t, &a)
		for range account.DefaultThrottlePolicy.Free + 1 {
			e.Want(login("not-my-password"), http.StatusUnauthorized)
		}
		e.Want(change(apitest.Password), http.StatusTooManyRequests)
		clock.Advance(10 * time.Second) // the back-off (1 s), not the access token's life (15 min)
		e.Want(change(apitest.Password), http.StatusOK)
		e.Want(login("a-new-password"), http.StatusOK)
	})
}

// TestDisabledAccountAnswersLikeAWrongPassword: a disabled account's
// correct password gets the very answer a wrong one gets, so a guesser
// cannot tell that they found it.
func TestDisabledAccountAnswersLikeAWrongPassword(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st store.Store) {
		e := apitest.Start(t, st, apitest.Options{})
		admin := e.Register("root@example.com")
		u := e.Register("quinn@example.com")
		e.Want(e.Call("PATCH", "/api/v1/admin/users/"+u.User.ID, admin.AccessToken, map[string]any{"disabled": true}), http.StatusOK)
		answer := func(pw string) (int, string) {
			res := e.Call("POST", "/api/v1/auth/login", "", map[string]string{"email": "quinn@example.com", "password": pw})
			var body map[string]any
			res.Decode(t, &body)
			delete(body, "request_id")
			raw, _ := json.Marshal(body)
			return res.Status, string(raw)
		}
		rightStatus, rightBody := answer(apitest.Password)
		wrongStatus, wrongBody := answer("not-the-password")
		if rightStatus != wrongStatus || rightBody != wrongBody {
			t.Errorf("disabled account: correct password → %d %s; wrong password → %d %s", rightStatus, rightBody, wrongStatus, wrongBody)
		}
		if rightStatus != http.StatusUnauthorized {
			t.Errorf("disabled account answers %d, want 401", rightStatus)
		}
	})
}

// TestPasswordHashingLimit: with every hashing slot busy, logins wait the
// queue wait and then get 503 with Retry-After (never 500), and their
// throttle slots are given back; once a slot frees up they are served.
func TestPasswordHashingLimit(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st store.Store) {
		const limit, extra = 2, 3
		h := auth.NewHasher(limit, 20*time.Millisecond)
		e := apitest.Start(t, st, apitest.Options{Hasher: h})
		const email = "rita@example.com"
		e.Register(email)
		// limit logins in progress: hold every slot.
		var releases []func()
		for range limit {
			release, err := h.Acquire(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			releases = append(releases, release)
		}
		answers := make(chan *apitest.Response, limit+extra)
		var wg sync.WaitGroup
		for range limit + extra {
			wg.Go(func() {
				answers <- e.Call("POST", "/api/v1/auth/login", "", map[string]string{"email": email, "password": apitest.Password})
			})
		}
		wg.Wait()
		close(answers)
		for res := range answers {
			if res.Status != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" {
				t.Fatalf("login with every hashing slot busy: %d, Retry-After %q, body %s", res.Status, res.Header.Get("Retry-After"), res.Body)
			}
			if p := res.Problem(t); p.Code != "unavailable" || p.RetryAfter < 1 {
				t.Fatalf("busy answer %+v", p)
			}
		}
		for _, release := range releases {
			release()
		}
		// The refused attempts counted no failure: the account is not held.
		for range account.DefaultThrottlePolicy.Free {
			e.Want(e.Call("POST", "/api/v1/auth/login", "", map[string]string{"email": email, "password": "wrong-password"}), http.StatusUnauthorized)
		}
		e.Want(e.Call("POST", "/api/v1/auth/login", "", map[string]string{"email": email, "password": apitest.Password}), http.StatusOK)
		if bytes.Contains([]byte(e.Logs.String()), []byte(apitest.Password)) {
			t.Error("a password reached the log")
		}
	})
}
