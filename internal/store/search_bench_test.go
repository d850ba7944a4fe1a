package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/store"
	"github.com/parley-chat/parley/internal/store/storetest"
)

// BenchmarkSearch times one page (20 hits) of Store.Search over a user's
// 10,000 messages (100 conversations of 100 messages of 20 words drawn
// from 2,000 by a Zipf law), beside another user's 10,000: a rare word (in
// a handful of messages), the commonest (in most of them: the worst case,
// every match sorted by time) and two common words together.
// Figures: bench/RESULTS.md.
func BenchmarkSearch(b *testing.B) {
	for _, engine := range storetest.Engines {
		b.Run(engine, func(b *testing.B) {
			st := storetest.Open(b, engine)
			me := seedSearch(b, st, 10_000)
			seedSearch(b, st, 10_000)
			if engine == "postgres" { // as autovacuum would: planner statistics
				if err := st.(storetest.Execer).Exec(context.Background(), "ANALYZE"); err != nil {
					b.Fatal(err)
				}
			}
			for _, q := range []struct{ name, terms string }{
				{"rare", "w1999"}, {"common", "w0"}, {"two_words", "w0 w1"},
			} {
				b.Run(q.name, func(b *testing.B) {
					p := chat.SearchParams{Terms: strings.Fields(q.terms), Limit: 20}
					for b.Loop() {
						if _, _, err := st.Search(context.Background(), me, p); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}

// seedSearch stores n messages for a new user and returns the user's id.
// Word k is drawn with weight 1/(k+1) (Zipf-like), so w0 is common and
// w1999 rare.
func seedSearch(b *testing.B, st store.Store, n int) string {
	b.Helper()
	ctx := context.Background()
	u, err := st.CreateUser(ctx, account.User{Email: fmt.Sprintf("bench-%d@example.com", time.Now().UnixNano()), Name: "b",
		PasswordHash: "h"}, account.CreateOptions{})
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, uint64(n)))
	z := rand.NewZipf(rand.New(rand.NewPCG(2, 3)), 1.01, 1, 1999)
	t0 := time.Now().Add(-time.Hour)
	const perConv = 100
	var convID, parent string
	for i := range n {
		if i%perConv == 0 {
			c, err := st.CreateConversation(ctx, chat.Conversation{UserID: u.ID, Title: fmt.Sprintf("conversation w%d", rng.IntN(2000)), CreatedAt: t0})
			if err != nil {
				b.Fatal(err)
			}
			convID, parent = c.ID, ""
		}
		words := make([]string, 20)
		for j := range words {
			words[j] = fmt.Sprintf("w%d", z.Uint64())
		}
		m, err := st.AddMessage(ctx, u.ID, chat.Message{ConversationID: convID, ParentID: parent, Role: chat.RoleUser,
			Content: strings.Join(words, " "), CreatedAt: t0.Add(time.Duration(i) * time.Millisecond)})
		if err != nil {
			b.Fatal(err)
		}
		parent = m.ID
	}
	return u.ID
}
