package account

import (
	"context"
	"fmt"
	"math"

	"github.com/parley-chat/parley/internal/errs"
)

// A password attempt (a login, or PATCH /me proving the current password)
// takes a slot from three throttles before the password is checked:
//
//   - the account as tried from this client address (byAccount): what stops a
//     guesser, and the only one a single stranger ever reaches, so the owner
//     at any other address is not slowed at all;
//   - the account from every address (byAcctWide): guesses spread over many
//     addresses; its waits are short (a minute at most by default), so even
//     then the owner gets a try at least that often;
//   - the client address over every account (byAddress): sprays.
//
// Taking is atomic per key, so parallel guesses get no more tries than
// sequential ones. The slots stay taken when the password is wrong; a
// correct one resets the account-from-this-address count and gives the
// other two back; an error that is not the caller's (store, hashing
// capacity) gives all three back.
type attempt struct {
	s     *Service
	taken []throttleSlot
	pair  throttleSlot
}

type throttleSlot struct {
	th  Throttle
	key string
}

// beginAttempt takes the slots of a password attempt on the account named by
// the normalised email norm, from c. It returns errs.RateLimited with a
// retry delay, taking nothing, when any of them must still wait.
func (s *Service) beginAttempt(ctx context.Context, norm string, c Client) (*attempt, error) {
	acct := "login:acct:" + hashToken(norm)
	a := &attempt{s: s, pair: throttleSlot{s.byAccount, acct + ":addr:" + c.IP}}
	for _, slot := range []throttleSlot{a.pair, {s.byAcctWide, acct}, {s.byAddress, "login:addr:" + c.IP}} {
		wait, err := slot.th.Take(ctx, slot.key)
		if err == nil && wait <= 0 {
			a.taken = append(a.taken, slot)
			continue
		}
		a.refund(ctx)
		if err != nil {
			return nil, fmt.Errorf("login throttle: %w", err)
		}
		return nil, &errs.Error{Code: errs.RateLimited, Message: "too many failed logins; try again later",
			RetryAfterSeconds: int(math.Ceil(wait.Seconds()))}
	}
	return a, nil
}

// succeeded settles a correct password: the account from this address
// starts afresh, the other counts get their slot back.
func (a *attempt) succeeded(ctx context.Context) {
	ctx = context.WithoutCancel(ctx)
	for _, slot := range a.taken {
		if slot == a.pair {
			_ = slot.th.Reset(ctx, slot.key)
		} else {
			_ = slot.th.Refund(ctx, slot.key)
		}
	}
}

// refund gives every slot back: the attempt did not get to its answer.
func (a *attempt) refund(ctx context.Context) {
	ctx = context.WithoutCancel(ctx) // a client gone must not keep its slots
	for _, slot := range a.taken {
		_ = slot.th.Refund(ctx, slot.key)
	}
	a.taken = nil
}
