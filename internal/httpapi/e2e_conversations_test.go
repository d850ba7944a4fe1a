package httpapi_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/httpapi"
	"github.com/parley-chat/parley/internal/httpapi/apitest"
	"github.com/parley-chat/parley/internal/store"
	"github.com/parley-chat/parley/internal/store/storetest"
)

func TestConversationsCRUD(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st store.Store) {
		e := apitest.Start(t, st, apitest.Options{})
		tok, me := e.NewUser()

		var c httpapi.ConversationJSON
		e.Want(e.Do(apitest.Request{Method: "POST", Path: "/api/v1/conversations", Token: tok}), 201).Decode(t, &c)
		if c.Title != chat.DefaultTitle || c.Model != "openai/gpt-oss-120b" || c.ID == "" {
			t.Errorf("default conversation = %+v", c)
		}
		var c2 httpapi.ConversationJSON
		e.Want(e.Call("POST", "/api/v1/conversations", tok, map[string]string{"title": "Robert'); DROP TABLE users;--", "model": "llama-3.3-70b-versatile"}), 201).Decode(t, &c2)
		if c2.Title != "Robert'); DROP TABLE users;--" || c2.Model != "llama-3.3-70b-versatile" {
			t.Errorf("created = %+v", c2)
		}

		// Messages written by the chat service come back with the conversation.
		if _, err := st.AddMessage(t.Context(), me.User.ID, chat.Message{ID: "01900000-0000-7000-8000-000000000001", ConversationID: c2.ID,
			Role: chat.RoleUser, Content: "héllo 👋", Model: c2.Model, Status: chat.StatusComplete, CreatedAt: e.Clock.Now()}); err != nil {
			t.Fatal(err)
		}
		var got httpapi.ConversationJSON
		e.Want(e.Call("GET", "/api/v1/conversations/"+c2.ID, tok, nil), 200).Decode(t, &got)
		if got.Messages == nil || len(*got.Messages) != 1 || (*got.Messages)[0].Content != "héllo 👋" {
			t.Fatalf("messages = %+v", got.Messages)
		}
		var empty httpapi.ConversationJSON
		res := e.Want(e.Call("GET", "/api/v1/conversations/"+c.ID, tok, nil), 200)
		res.Decode(t, &empty)
		if !strings.Contains(string(res.Body), `"messages":[]`) {
			t.Errorf("empty conversation body %s lacks messages: []", res.Body)
		}

		var patched httpapi.ConversationJSON
		e.Want(e.Call("PATCH", "/api/v1/conversations/"+c.ID, tok, map[string]string{"title": "Renamed"}), 200).Decode(t, &patched)
		if patched.Title != "Renamed" || patched.Model != c.Model {
			t.Errorf("patched = %+v", patched)
		}
		for _, body := range []map[string]any{{"title": ""}, {"title": "   "}, {"title": strings.Repeat("t", 201)}, {"title": "a\nb"},
			{"model": "bad model!"}, {"title": 5}, {"id": "x"}, {"title": strings.Repeat("長", 10_000)}, {"model": strings.Repeat("m", 10_000)}} {
			e.Want(e.Call("PATCH", "/api/v1/conversations/"+c.ID, tok, body), 422)
		}
		// A title past the route's 64 KiB body cap is refused before it is decoded.
		e.Want(e.Call("PATCH", "/api/v1/conversations/"+c.ID, tok, map[string]string{"title": strings.Repeat("長", 100_000)}), 413)
		e.Want(e.Call("PATCH", "/api/v1/conversations/"+c.ID, tok, map[string]string{"title": strings.Repeat("é", 200)}), 200)

		e.Want(e.Call("DELETE", "/api/v1/conversations/"+c.ID, tok, nil), http.StatusNoContent)
		e.Want(e.Call("GET", "/api/v1/conversations/"+c.ID, tok, nil), 404)
		e.Want(e.Call("DELETE", "/api/v1/conversations/"+c.ID, tok, nil), 404)
		e.Want(e.Call("GET", "/api/v1/conversations/"+c2.ID, "", nil), 401)
	})
}

func TestConversationsArePrivate(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st store.Store) {
		e := apitest.Start(t, st, apitest.Options{})
		adminTok, _ := e.NewUser() // even the admin sees only their own
		owner, _ := e.NewUser()
		var c httpapi.ConversationJSON
		e.Want(e.Call("POST", "/api/v1/conversations", owner, map[string]string{"title": "secret plans"}), 201).Decode(t, &c)
		for _, tok := range []string{adminTok} {
			for _, req := range []apitest.Request{
				{Method: "GET", Path: "/api/v1/conversations/" + c.ID},
				{Method: "PATCH", Path: "/api/v1/conversations/" + c.ID, Body: map[string]string{"title": "mine now"}},
				{Method: "DELETE", Path: "/api/v1/conversations/" + c.ID},
			} {
				req.Token = tok
				res := e.Want(e.Do(req), 404)
				if strings.Contains(string(res.Body), "secret plans") {
					t.Errorf("%s leaked data: %s", req.Method, res.Body)
				}
			}
			var list httpapi.List[httpapi.ConversationJSON]
			e.Want(e.Call("GET", "/api/v1/conversations", tok, nil), 200).Decode(t, &list)
			if len(list.Data) != 0 {
				t.Errorf("other user's list shows %d conversations", len(list.Data))
			}
		}
		var still httpapi.ConversationJSON
		e.Want(e.Call("GET", "/api/v1/conversations/"+c.ID, owner, nil), 200).Decode(t, &still)
		if still.Title != "secret plans" {
			t.Errorf("conversation changed by another user: %+v", still)
		}
		for _, id := range []string{"not-a-uuid", "1' OR '1'='1", "00000000-0000-0000-0000-000000000000", strings.ToUpper(c.ID) + "x"} {
			e.Want(e.Call("GET", "/api/v1/conversations/"+url.PathEscape(id), owner, nil), 404)
		}
	})
}

func TestConversationsPaginationAndSearch(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st store.Store) {
		e := apitest.Start(t, st, apitest.Options{})
		tok, _ := e.NewUser()
		var want []string
		for i := range 7 {
			title := fmt.Sprintf("chat %d", i)
			if i%3 == 0 {
				title = fmt.Sprintf("Recipe 100%%_ idea %d", i)
			}
			var c httpapi.ConversationJSON
			e.Want(e.Call("POST", "/api/v1/conversations", tok, map[string]string{"title": title}), 201).Decode(t, &c)
			want = append([]string{c.ID}, want...) // newest first
		}
		var got []string
		cursor := ""
		for pages := 0; ; pages++ {
			if pages > 10 {
				t.Fatal("pagination does not end")
			}
			path := "/api/v1/conversations?limit=3"
			if cursor != "" {
				path += "&cursor=" + url.QueryEscape(cursor)
			}
			var page httpapi.List[httpapi.ConversationJSON]
			e.Want(e.Call("GET", path, tok, nil), 200).Decode(t, &page)
			for _, c := range page.Data {
				got = append(got, c.ID)
			}
			if page.NextCursor == nil {
				break
			}
			cursor = *page.NextCursor
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("paged ids (-want +got):\n%s", diff)
		}

		var found httpapi.List[httpapi.ConversationJSON]
		e.Want(e.Call("GET", "/api/v1/conversations?q="+url.QueryEscape("recipe 100%_"), tok, nil), 200).Decode(t, &found)
		if len(found.Data) != 3 {
			t.Errorf("search found %d, want 3", len(found.Data))
		}
		e.Want(e.Call("GET", "/api/v1/conversations?q="+url.QueryEscape("%"), tok, nil), 200).Decode(t, &found)
		if len(found.Data) != 3 {
			t.Errorf("%% must match literally: found %d, want 3", len(found.Data))
		}
		e.Want(e.Call("GET", "/api/v1/conversations?q="+url.QueryEscape("' OR 1=1 --"), tok, nil), 200).Decode(t, &found)
		if len(found.Data) != 0 {
			t.Errorf("injection-looking search matched %d", len(found.Data))
		}
		for _, q := range []string{"limit=0", "limit=101", "limit=abc", "limit=-1", "cursor=garbage", "cursor=" + url.QueryEscape("'; DROP TABLE conversations;--")} {
			res := e.Call("GET", "/api/v1/conversations?"+q, tok, nil)
			if res.Status != 422 && res.Status != 400 {
				t.Errorf("?%s: status %d, want 400/422; %s", q, res.Status, res.Body)
			}
		}
	})
}
