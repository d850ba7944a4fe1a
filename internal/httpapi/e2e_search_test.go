package httpapi_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/httpapi"
	"github.com/parley-chat/parley/internal/httpapi/apitest"
	"github.com/parley-chat/parley/internal/store"
	"github.com/parley-chat/parley/internal/store/storetest"
)

// TestSearch: GET /search finds the caller's messages and titles holding
// every word, newest first, paged, with the matches in <mark> and the rest
// HTML-escaped; another user's text is never found; hostile queries are
// plain words (200), never a 500.
func TestSearch(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st store.Store) {
		e := apitest.Start(t, st, apitest.Options{})
		tok, me := e.NewUser()
		otherTok, other := e.NewUser()
		mk := func(userTok, title string) string {
			var c httpapi.ConversationJSON
			e.Want(e.Call("POST", "/api/v1/conversations", userTok, map[string]any{"title": title}), 201).Decode(t, &c)
			return c.ID
		}
		c1 := mk(tok, "Zebra notes")
		c2 := mk(tok, "Other")
		x := mk(otherTok, "zebra secrets")
		add := func(userID, conv, content string, min int) string {
			m, err := st.AddMessage(t.Context(), userID, chat.Message{ConversationID: conv, Role: chat.RoleUser, Content: content,
				CreatedAt: e.Clock.Now().Add(time.Duration(min) * time.Minute)})
			if err != nil {
				t.Fatal(err)
			}
			return m.ID
		}
		m1 := add(me.User.ID, c1, `Is a <b>zebra</b> white with black stripes, or "black & white"?`, 1)
		m2 := add(me.User.ID, c2, "One zebra crossing, two ZEBRA crossings", 2)
		add(me.User.ID, c2, "nothing here", 3)
		add(other.User.ID, x, "zebra password hunter2", 4)

		search := func(q string) httpapi.List[httpapi.SearchHitJSON] {
			t.Helper()
			var l httpapi.List[httpapi.SearchHitJSON]
			e.Want(e.Call("GET", "/api/v1/search?q="+url.QueryEscape(q), tok, nil), 200).Decode(t, &l)
			return l
		}
		got := search("zebra")
		if len(got.Data) != 3 || *got.Data[0].MessageID != m2 || *got.Data[1].MessageID != m1 ||
			got.Data[2].MessageID != nil || got.Data[2].ConversationID != c1 {
			t.Fatalf("hits %+v", got.Data)
		}
		h := got.Data[1]
		if h.ConversationID != c1 || h.Title != "Zebra notes" ||
			h.Snippet != `Is a &lt;b&gt;<mark>zebra</mark>&lt;/b&gt; white with black stripes, or &#34;black &amp; white&#34;?` {
			t.Errorf("snippet %q", h.Snippet)
		}
		if s := got.Data[0].Snippet; s != "One <mark>zebra</mark> crossing, two <mark>ZEBRA</mark> crossings" {
			t.Errorf("snippet %q", s)
		}
		if s := got.Data[2].Snippet; s != "<mark>Zebra</mark> notes" {
			t.Errorf("title snippet %q", s)
		}
		for _, q := range []string{"zebra", "hunter2", "secrets"} {
			body := e.Call("GET", "/api/v1/search?q="+q, tok, nil).Body
			if strings.Contains(string(body), "hunter2") || strings.Contains(string(body), x) {
				t.Fatalf("another user's text found by %q: %s", q, body)
			}
		}
		if l := search("black stripes"); len(l.Data) != 1 || *l.Data[0].MessageID != m1 {
			t.Errorf("two words: %+v", l.Data)
		}
		// Paging: one hit a page gives the same hits.
		n := 0
		cursor := ""
		for range 10 {
			var l httpapi.List[httpapi.SearchHitJSON]
			e.Want(e.Call("GET", "/api/v1/search?q=zebra&limit=1&cursor="+url.QueryEscape(cursor), tok, nil), 200).Decode(t, &l)
			n += len(l.Data)
			if l.NextCursor == nil {
				break
			}
			cursor = *l.NextCursor
		}
		if n != 3 {
			t.Errorf("paged %d hits, want 3", n)
		}

		for _, q := range []string{`"`, `*`, `zebra*`, `"zebra`, `zebra NEAR crossing`, `NEAR(zebra crossing)`, `zebra OR x`, `-zebra`,
			`zebra AND NOT`, `:`, `^zebra`, `col:zebra`, `' OR 1=1 --`, `%_\`, `(((`, `zebra & | !`, `日本語`, strings.Repeat("zebra ", 33)} {
			res := e.Call("GET", "/api/v1/search?q="+url.QueryEscape(q), tok, nil)
			if res.Status != 200 && res.Status != 422 {
				t.Errorf("q=%q: %d %s", q, res.Status, res.Body)
			}
		}
		if l := search(`"zebra" NEAR`); len(l.Data) != 0 { // NEAR is a word here, in no message
			t.Errorf(`"zebra" NEAR found %d`, len(l.Data))
		}
		if l := search(`-zebra*`); len(l.Data) != 3 {
			t.Errorf("-zebra* found %d, want the 3 zebra hits", len(l.Data))
		}
		wantProblemField(t, e.Call("GET", "/api/v1/search?q="+strings.Repeat("z", 201), tok, nil), 422, "q")
		wantProblemField(t, e.Call("GET", "/api/v1/search", tok, nil), 422, "q")
		wantProblemField(t, e.Call("GET", "/api/v1/search?q=zebra&cursor=bogus", tok, nil), 422, "cursor")
		e.Want(e.Call("GET", "/api/v1/search?q=zebra", "", nil), 401)
	})
}
