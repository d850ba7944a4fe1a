package httpapi_test

import (
	"strings"
	"testing"

	"github.com/parley-chat/parley/internal/httpapi"
	"github.com/parley-chat/parley/internal/httpapi/apitest"
	"github.com/parley-chat/parley/internal/store"
	"github.com/parley-chat/parley/internal/store/storetest"
)

// TestPresets: CRUD; shared presets only from admins (403 otherwise) and
// visible to all; private ones only to their owner (404 to anyone else);
// POST /conversations with preset_id copies model, system prompt, params.
func TestPresets(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st store.Store) {
		e := apitest.Start(t, st, apitest.Options{})
		admin, _ := e.NewUser() // the first account is the admin
		alice, aliceAuth := e.NewUser()
		bob, _ := e.NewUser()

		var mine httpapi.PresetJSON
		e.Want(e.Call("POST", "/api/v1/presets", alice, map[string]any{
			"name": "  Pirate  ", "description": "arr", "model": "openai/gpt-oss-20b", "system_prompt": "Talk like a pirate.",
			"params": map[string]any{"temperature": 1.2, "reasoning_effort": "high"},
		}), 201).Decode(t, &mine)
		if mine.Name != "Pirate" || mine.Shared || !mine.Mine || mine.Model != "openai/gpt-oss-20b" || *mine.Params.Temperature != 1.2 {
			t.Fatalf("created %+v", mine)
		}
		res := e.Want(e.Call("GET", "/api/v1/presets/"+mine.ID, alice, nil), 200)
		if strings.Contains(string(res.Body), aliceAuth.User.ID) {
			t.Errorf("a preset shows its owner's id: %s", res.Body)
		}
		e.Want(e.Call("POST", "/api/v1/presets", alice, map[string]any{"name": "everyone's", "shared": true}), 403)
		var shared httpapi.PresetJSON
		e.Want(e.Call("POST", "/api/v1/presets", admin, map[string]any{"name": "Concise", "shared": true, "system_prompt": "Be brief."}), 201).Decode(t, &shared)

		// Visibility.
		for _, tc := range []struct {
			tok  string
			want []string
		}{{alice, []string{shared.ID, mine.ID}}, {bob, []string{shared.ID}}, {admin, []string{shared.ID}}} {
			var list httpapi.List[httpapi.PresetJSON]
			e.Want(e.Call("GET", "/api/v1/presets", tc.tok, nil), 200).Decode(t, &list)
			var ids []string
			for _, p := range list.Data {
				ids = append(ids, p.ID)
			}
			if strings.Join(ids, ",") != strings.Join(tc.want, ",") {
				t.Errorf("list = %v, want %v", ids, tc.want)
			}
		}
		for _, tok := range []string{bob, admin} {
			e.Want(e.Call("GET", "/api/v1/presets/"+mine.ID, tok, nil), 404)
			e.Want(e.Call("PATCH", "/api/v1/presets/"+mine.ID, tok, map[string]any{"name": "stolen"}), 404)
			e.Want(e.Call("DELETE", "/api/v1/presets/"+mine.ID, tok, nil), 404)
		}
		e.Want(e.Call("GET", "/api/v1/presets/"+shared.ID, bob, nil), 200)
		e.Want(e.Call("PATCH", "/api/v1/presets/"+shared.ID, bob, map[string]any{"name": "mine now"}), 403)
		e.Want(e.Call("DELETE", "/api/v1/presets/"+shared.ID, bob, nil), 403)
		e.Want(e.Call("PATCH", "/api/v1/presets/"+mine.ID, alice, map[string]any{"shared": true}), 403)
		e.Want(e.Call("GET", "/api/v1/presets", "", nil), 401)
		e.Want(e.Call("GET", "/api/v1/presets/not-an-id", alice, nil), 404)

		// Validation.
		for _, tc := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{}, "name"},
			{map[string]any{"name": "  "}, "name"},
			{map[string]any{"name": strings.Repeat("n", 101)}, "name"},
			{map[string]any{"name": "x", "description": strings.Repeat("d", 1001)}, "description"},
			{map[string]any{"name": "x", "model": "bad model!"}, "model"},
			{map[string]any{"name": "x", "params": map[string]any{"top_p": 2}}, "params.top_p"},
			{map[string]any{"name": "x", "model": "allam-2-7b", "params": map[string]any{"reasoning_effort": "low"}}, "params.reasoning_effort"},
		} {
			wantProblemField(t, e.Call("POST", "/api/v1/presets", alice, tc.body), 422, tc.field)
		}
		wantProblemField(t, e.Call("PATCH", "/api/v1/presets/"+mine.ID, alice, map[string]any{"params": map[string]any{"reasoning_effort": "none"}}), 422, "params.reasoning_effort")

		// A conversation from a preset.
		var c httpapi.ConversationJSON
		e.Want(e.Call("POST", "/api/v1/conversations", alice, map[string]any{"preset_id": mine.ID}), 201).Decode(t, &c)
		if c.Model != "openai/gpt-oss-20b" || c.SystemPrompt != "Talk like a pirate." || *c.Params.Temperature != 1.2 || *c.Params.ReasoningEffort != "high" {
			t.Fatalf("conversation from preset %+v", c)
		}
		e.Want(e.Call("POST", "/api/v1/conversations", bob, map[string]any{"preset_id": shared.ID, "title": "t"}), 201).Decode(t, &c)
		if c.SystemPrompt != "Be brief." || c.Model != apitest.DefaultModel || c.Title != "t" {
			t.Fatalf("conversation from the shared preset %+v", c)
		}
		e.Want(e.Call("POST", "/api/v1/conversations", alice, map[string]any{"preset_id": mine.ID, "system_prompt": "Mine."}), 201).Decode(t, &c)
		if c.SystemPrompt != "Mine." || c.Model != "openai/gpt-oss-20b" {
			t.Fatalf("the body's own field must win over the preset: %+v", c)
		}
		wantProblemField(t, e.Call("POST", "/api/v1/conversations", bob, map[string]any{"preset_id": mine.ID}), 422, "preset_id")
		wantProblemField(t, e.Call("POST", "/api/v1/conversations", bob, map[string]any{"preset_id": "nope"}), 422, "preset_id")
		wantProblemField(t, e.Call("PATCH", "/api/v1/conversations/"+c.ID, alice, map[string]any{"preset_id": mine.ID}), 422, "preset_id")

		// Update and delete; conversations made from it keep their copy.
		var upd httpapi.PresetJSON
		e.Want(e.Call("PATCH", "/api/v1/presets/"+mine.ID, alice, map[string]any{"name": "Parrot", "params": map[string]any{}}), 200).Decode(t, &upd)
		if upd.Name != "Parrot" || upd.Params.Temperature != nil || upd.SystemPrompt != "Talk like a pirate." {
			t.Fatalf("patched %+v", upd)
		}
		e.Want(e.Call("PATCH", "/api/v1/presets/"+shared.ID, admin, map[string]any{"description": "short answers"}), 200)
		e.Want(e.Call("DELETE", "/api/v1/presets/"+mine.ID, alice, nil), 204)
		e.Want(e.Call("GET", "/api/v1/presets/"+mine.ID, alice, nil), 404)
		e.Want(e.Call("GET", "/api/v1/conversations/"+c.ID, alice, nil), 200)
	})
}
