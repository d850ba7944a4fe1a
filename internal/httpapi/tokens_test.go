package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/httpapi"
	"github.com/parley-chat/parley/internal/store"
	"github.com/parley-chat/parley/internal/store/storetest"
)

// newAPIToken creates a personal API token for the user of access.
func (e *chatEnv) newAPIToken(access string, body map[string]any) httpapi.TokenJSON {
	e.T.Helper()
	var tk httpapi.TokenJSON
	e.Want(e.Call("POST", "/api/v1/tokens", access, body), http.StatusCreated).Decode(e.T, &tk)
	return tk
}

func TestPersonalAPITokens(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st store.Store) {
		e := startChat(t, st, chatOptions{})
		access, _ := e.NewUser()
		otherAccess, _ := e.NewUser()

		tk := e.newAPIToken(access, map[string]any{"name": "laptop script"})
		if !strings.HasPrefix(tk.Token, "pk_") || len(tk.Token) != 3+43 || !strings.HasPrefix(tk.Token, tk.Prefix) ||
			tk.Name != "laptop script" || tk.ExpiresAt != nil {
			t.Fatalf("created %+v", tk)
		}
		// The token works on /v1 and is listed without its secret.
		e.Want(e.Call("GET", "/v1/models", tk.Token, nil), 200)
		res := e.Want(e.Call("GET", "/api/v1/tokens", access, nil), 200)
		if strings.Contains(string(res.Body), tk.Token) || strings.Contains(string(res.Body), `"token"`) {
			t.Fatalf("list shows the token: %s", res.Body)
		}
		var list httpapi.List[httpapi.TokenJSON]
		res.Decode(t, &list)
		if len(list.Data) != 1 || list.Data[0].ID != tk.ID || list.Data[0].Prefix != tk.Prefix {
			t.Fatalf("list %+v", list)
		}
		// Only its owner may revoke it.
		e.Want(e.Call("DELETE", "/api/v1/tokens/"+tk.ID, otherAccess, nil), 404)
		e.Want(e.Call("DELETE", "/api/v1/tokens/"+tk.ID, access, nil), 204)
		if p := openAIErr(t, e.Want(e.Call("GET", "/v1/models", tk.Token, nil), 401)); p.Code == nil || *p.Code != "invalid_api_key" {
			t.Errorf("revoked token: %+v", p)
		}
		e.Want(e.Call("GET", "/api/v1/tokens", access, nil), 200).Decode(t, &list)
		if len(list.Data) != 0 {
			t.Errorf("revoked token still listed: %+v", list.Data)
		}

		// An expiring token stops working when it expires.
		exp := e.newAPIToken(access, map[string]any{"name": "short", "expires_in_days": 1})
		if exp.ExpiresAt == nil {
			t.Fatalf("no expiry: %+v", exp)
		}
		e.Want(e.Call("GET", "/v1/models", exp.Token, nil), 200)
		e.Clock.Advance(25 * time.Hour)
		e.Want(e.Call("GET", "/v1/models", exp.Token, nil), 401)
	})
}

func TestPersonalAPITokenValidation(t *testing.T) {
	e := startChat(t, storetest.Open(t, "sqlite"), chatOptions{})
	access, _ := e.NewUser()
	for _, tc := range []struct {
		name  string
		body  any
		field string
	}{
		{"no name", map[string]any{}, "name"},
		{"blank name", map[string]any{"name": "  "}, "name"},
		{"long name", map[string]any{"name": strings.Repeat("n", 101)}, "name"},
		{"zero days", map[string]any{"name": "x", "expires_in_days": 0}, "expires_in_days"},
		{"days as text", map[string]any{"name": "x", "expires_in_days": "7"}, "expires_in_days"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := e.Want(e.Call("POST", "/api/v1/tokens", access, tc.body), 422).Problem(t)
			if len(p.Errors) == 0 || p.Errors[0].Field != tc.field {
				t.Errorf("problem %+v, want field %s", p, tc.field)
			}
		})
	}
	for _, bad := range []string{"", "pk_nope", "Bearer", "gsk_real_groq_key"} {
		if p := openAIErr(t, e.Want(e.Call("GET", "/v1/models", bad, nil), 401)); p.Type != "invalid_request_error" {
			t.Errorf("token %q: %+v", bad, p)
		}
	}
	// An access token (JWT) is not an API token.
	e.Want(e.Call("GET", "/v1/models", access, nil), 401)
}

func TestModelsAndUsage(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st store.Store) {
		e := startChat(t, st, chatOptions{})
		tok, _ := e.NewUser()
		var models struct {
			Data         []httpapi.ModelJSON `json:"data"`
			DefaultModel string              `json:"default_model"`
			Configured   bool                `json:"configured"`
		}
		e.Want(e.Call("GET", "/api/v1/models", tok, nil), 200).Decode(t, &models)
		if !models.Configured || models.DefaultModel != chatModel || len(models.Data) < 2 {
			t.Fatalf("models %+v", models)
		}
		found := false
		for _, m := range models.Data {
			if m.ID == chatModel && m.ContextWindow == 131072 && m.MaxCompletion == 65536 && m.OwnedBy == "OpenAI" {
				found = true
			}
		}
		if !found {
			t.Errorf("%s with its limits is not listed: %+v", chatModel, models.Data)
		}

		var u httpapi.UsageJSON
		e.Want(e.Call("GET", "/api/v1/usage", tok, nil), 200).Decode(t, &u)
		if u.Quota != nil || u.Remaining != nil || u.Used != 0 || len(u.ByModel) != 0 || u.Day != time.Now().UTC().Format(time.DateOnly) {
			t.Fatalf("fresh usage %+v", u)
		}
		conv := e.conversation(tok)
		e.finishTurn(t, tok, conv, "count me")
		e.finishTurn(t, tok, conv, "and me")
		e.Want(e.Call("GET", "/api/v1/usage", tok, nil), 200).Decode(t, &u)
		if len(u.ByModel) != 1 || u.ByModel[0].Model != chatModel || u.ByModel[0].Requests != 2 ||
			u.Used != u.ByModel[0].PromptTokens+u.ByModel[0].CompletionTokens {
			t.Errorf("usage after two turns %+v", u)
		}
	})
}

func TestModelsWhenGroqIsNotConfigured(t *testing.T) {
	e := startChat(t, storetest.Open(t, "sqlite"), chatOptions{unconfigured: true})
	tok, _ := e.NewUser()
	var models struct {
		Data       []httpapi.ModelJSON `json:"data"`
		Configured bool                `json:"configured"`
	}
	e.Want(e.Call("GET", "/api/v1/models", tok, nil), 200).Decode(t, &models)
	if models.Configured || models.Data == nil || len(models.Data) != 0 {
		t.Errorf("models %+v; want configured false and an empty list", models)
	}
}
