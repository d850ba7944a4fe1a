package httpapi_test

import (
	"strings"
	"testing"

	"github.com/parley-chat/parley/internal/httpapi"
	"github.com/parley-chat/parley/internal/httpapi/apitest"
	"github.com/parley-chat/parley/internal/store"
	"github.com/parley-chat/parley/internal/store/storetest"
)

// TestFoldersPinsArchive: folders CRUD; PATCH /conversations/{id} files
// (null unfiles), pins and archives; the list puts pinned first, hides
// archived unless asked, filters; deleting a folder unfiles.
func TestFoldersPinsArchive(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st store.Store) {
		e := apitest.Start(t, st, apitest.Options{})
		tok, _ := e.NewUser()
		otherTok, _ := e.NewUser()
		var f, theirs httpapi.FolderJSON
		e.Want(e.Call("POST", "/api/v1/folders", tok, map[string]any{"name": " Work "}), 201).Decode(t, &f)
		e.Want(e.Call("POST", "/api/v1/folders", otherTok, map[string]any{"name": "Theirs"}), 201).Decode(t, &theirs)
		if f.Name != "Work" || f.ID == "" {
			t.Fatalf("created %+v", f)
		}
		for _, body := range []map[string]any{{}, {"name": ""}, {"name": strings.Repeat("n", 101)}, {"name": "a\nb"}, {"name": 3}} {
			e.Want(e.Call("POST", "/api/v1/folders", tok, body), 422)
		}
		e.Want(e.Call("PATCH", "/api/v1/folders/"+f.ID, tok, map[string]any{"name": "Job"}), 200).Decode(t, &f)
		e.Want(e.Call("PATCH", "/api/v1/folders/"+f.ID, otherTok, map[string]any{"name": "mine"}), 404)
		e.Want(e.Call("DELETE", "/api/v1/folders/"+f.ID, otherTok, nil), 404)
		var folders httpapi.List[httpapi.FolderJSON]
		e.Want(e.Call("GET", "/api/v1/folders", tok, nil), 200).Decode(t, &folders)
		if len(folders.Data) != 1 || folders.Data[0].Name != "Job" {
			t.Fatalf("folders %+v", folders.Data)
		}

		conv := func(title string) string {
			var c httpapi.ConversationJSON
			e.Want(e.Call("POST", "/api/v1/conversations", tok, map[string]any{"title": title}), 201).Decode(t, &c)
			return c.ID
		}
		a, b, c, d := conv("a"), conv("b"), conv("c"), conv("d")
		var got httpapi.ConversationJSON
		e.Want(e.Call("PATCH", "/api/v1/conversations/"+a, tok, map[string]any{"folder_id": f.ID, "pinned": true}), 200).Decode(t, &got)
		if got.FolderID == nil || *got.FolderID != f.ID || !got.Pinned || got.Archived {
			t.Fatalf("patched %+v", got)
		}
		e.Want(e.Call("PATCH", "/api/v1/conversations/"+b, tok, map[string]any{"folder_id": f.ID}), 200)
		e.Want(e.Call("PATCH", "/api/v1/conversations/"+c, tok, map[string]any{"archived": true}), 200)
		wantProblemField(t, e.Call("PATCH", "/api/v1/conversations/"+d, tok, map[string]any{"folder_id": theirs.ID}), 422, "folder_id")
		wantProblemField(t, e.Call("PATCH", "/api/v1/conversations/"+d, tok, map[string]any{"folder_id": "nope"}), 422, "folder_id")
		e.Want(e.Call("PATCH", "/api/v1/conversations/"+d, tok, map[string]any{"pinned": "yes"}), 422)
		wantProblemField(t, e.Call("POST", "/api/v1/conversations", tok, map[string]any{"pinned": true}), 422, "pinned")

		ids := func(query string) string {
			t.Helper()
			var list httpapi.List[httpapi.ConversationJSON]
			e.Want(e.Call("GET", "/api/v1/conversations"+query, tok, nil), 200).Decode(t, &list)
			var out []string
			for _, c := range list.Data {
				out = append(out, c.ID)
			}
			return strings.Join(out, ",")
		}
		for q, want := range map[string][]string{
			"":                        {a, b, d}, // pinned first, then newest (b was patched after d was made); archived hidden
			"?archived=true":          {c},
			"?archived=false":         {a, b, d},
			"?folder_id=" + f.ID:      {a, b},
			"?pinned=true":            {a},
			"?pinned=false":           {b, d},
			"?folder_id=" + theirs.ID: nil,
		} {
			if got := ids(q); got != strings.Join(want, ",") {
				t.Errorf("GET /conversations%s = %s, want %s", q, got, strings.Join(want, ","))
			}
		}
		for _, q := range []string{"?pinned=maybe", "?archived=1", "?archived=all"} {
			wantProblemField(t, e.Call("GET", "/api/v1/conversations"+q, tok, nil), 422, strings.Split(q[1:], "=")[0])
		}
		// null unfiles.
		e.Want(e.Call("PATCH", "/api/v1/conversations/"+b, tok, map[string]any{"folder_id": nil}), 200).Decode(t, &got)
		if got.FolderID != nil {
			t.Fatalf("folder_id null left %v", *got.FolderID)
		}
		e.Want(e.Call("DELETE", "/api/v1/folders/"+f.ID, tok, nil), 204)
		e.Want(e.Call("GET", "/api/v1/conversations/"+a, tok, nil), 200).Decode(t, &got)
		if got.FolderID != nil || !got.Pinned {
			t.Fatalf("after deleting its folder %+v", got)
		}
		if got := ids(""); got != strings.Join([]string{a, b, d}, ",") {
			t.Errorf("after deleting the folder: %s", got)
		}
	})
}
