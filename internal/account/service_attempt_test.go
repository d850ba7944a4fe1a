package account_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/auth"
	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/platform/testkit"
	"github.com/parley-chat/parley/internal/store"
	"github.com/parley-chat/parley/internal/store/storetest"
)

func newService(t *testing.T, st store.Store, o account.Options) *account.Service {
	t.Helper()
	ks, err := auth.NewKeySet([]byte("account-test-secret-0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	clock := testkit.NewClock(time.Now())
	o.Now = clock.Now
	if o.Hasher == nil {
		o.Hasher = auth.NewHasher(0, time.Minute)
	}
	s, err := account.NewService(st, auth.NewTokens(ks, auth.TokenConfig{Now: clock.Now}), o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

const password = "correct horse battery"

// TestLoginTakesItsSlotFirst: parallel wrong passwords for one account get
// no more answers than the free failures and the one that starts the
// back-off; the rest are refused before any password is checked.
func TestLoginTakesItsSlotFirst(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st store.Store) {
		s := newService(t, st, account.Options{})
		if _, err := s.CreateUser(t.Context(), "sam@example.com", "Sam", password, false); err != nil {
			t.Fatal(err)
		}
		var answered, refused atomic.Int32
		var wg sync.WaitGroup
		for range 16 {
			wg.Go(func() {
				_, err := s.Login(t.Context(), "sam@example.com", "not-the-password", account.Client{IP: "203.0.113.7"})
				switch errs.CodeOf(err) {
				case errs.Unauthorized:
					answered.Add(1)
				case errs.RateLimited:
					refused.Add(1)
				default:
					t.Errorf("login: %v", err)
				}
			})
		}
		wg.Wait()
		if want := int32(account.DefaultThrottlePolicy.Free + 1); answered.Load() != want || refused.Load() != 16-want {
			t.Errorf("16 parallel wrong passwords: %d answered, %d refused; want %d answered", answered.Load(), refused.Load(), want)
		}
	})
}

// TestCorrectPasswordGivesItsSlotsBack: a successful login is no failure of
// its client address: one address may sign in many times in a row, even
// with an address throttle that allows a single failure.
func TestCorrectPasswordGivesItsSlotsBack(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st store.Store) {
		tight := account.ThrottlePolicy{Free: 1, Base: time.Hour, Max: time.Hour, Window: time.Hour}
		s := newService(t, st, account.Options{AddressThrottle: account.NewMemoryThrottle(tight, nil),
			AccountWideThrottle: account.NewMemoryThrottle(tight, nil)})
		if _, err := s.CreateUser(t.Context(), "tess@example.com", "Tess", password, false); err != nil {
			t.Fatal(err)
		}
		for i := range 5 {
			if _, err := s.Login(t.Context(), "tess@example.com", password, account.Client{IP: "203.0.113.8"}); err != nil {
				t.Fatalf("login %d from one address: %v", i+1, err)
			}
		}
	})
}
