package storetest

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/errs"
	"github.com/parley-chat/parley/internal/store"
)

// testPresets: presets read back as written; a user's list holds their own
// and the shared ones, shared first then by name; updates and deletes.
func testPresets(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice, bob := newUser(t, s, ""), newUser(t, s, "")
	temp := 0.3
	mk := func(id, owner, name string, shared bool) chat.Preset {
		t.Helper()
		p, err := s.CreatePreset(ctx, chat.Preset{ID: id, UserID: owner, Name: name, Description: "d " + name, Model: "m",
			SystemPrompt: "sp " + name, Params: chat.Params{Temperature: &temp}, Shared: shared, CreatedAt: t0})
		ok(t, err)
		return p
	}
	a1 := mk("a1", alice.ID, "zebra", false)
	a2 := mk("a2", alice.ID, "Apple", false)
	sh := mk("sh", bob.ID, "shared one", true)
	mk("b1", bob.ID, "bob's own", false)
	got, err := s.Preset(ctx, "a1")
	ok(t, err)
	if d := cmp.Diff(a1, got); d != "" {
		t.Fatalf("Preset (-created +read):\n%s", d)
	}
	if a1.CreatedAt != us(t0) || *got.Params.Temperature != 0.3 {
		t.Fatalf("created %+v", a1)
	}
	list, err := s.ListPresets(ctx, alice.ID)
	ok(t, err)
	var ids []string
	for _, p := range list {
		ids = append(ids, p.ID)
	}
	if d := cmp.Diff([]string{sh.ID, a2.ID, a1.ID}, ids); d != "" {
		t.Fatalf("alice's presets (-want +got):\n%s", d)
	}
	_, err = s.Preset(ctx, "nope")
	wantCode(t, err, errs.NotFound)
	_, err = s.CreatePreset(ctx, chat.Preset{ID: "a1", UserID: alice.ID, Name: "dup"})
	wantCode(t, err, errs.Conflict)
	_, err = s.CreatePreset(ctx, chat.Preset{UserID: "ghost", Name: "x"})
	wantCode(t, err, errs.NotFound)
	_, err = s.CreatePreset(ctx, chat.Preset{UserID: alice.ID, Name: "x\x00"})
	wantField(t, err, "name")

	name, shared := "renamed", true
	upd, err := s.UpdatePreset(ctx, "a1", chat.PresetUpdate{Name: &name, Shared: &shared, Params: &chat.Params{}})
	ok(t, err)
	if upd.Name != "renamed" || !upd.Shared || upd.Params.Temperature != nil || upd.SystemPrompt != "sp zebra" || upd.UpdatedAt.Before(upd.CreatedAt) {
		t.Fatalf("updated %+v", upd)
	}
	if again, _ := s.Preset(ctx, "a1"); cmp.Diff(upd, again) != "" {
		t.Fatalf("update answered %+v, read %+v", upd, again)
	}
	if list, _ := s.ListPresets(ctx, bob.ID); len(list) != 3 { // sh, a1 (now shared), b1
		t.Fatalf("bob sees %d presets, want 3", len(list))
	}
	_, err = s.UpdatePreset(ctx, "nope", chat.PresetUpdate{Name: &name})
	wantCode(t, err, errs.NotFound)
	ok(t, s.DeletePreset(ctx, "a1"))
	wantCode(t, s.DeletePreset(ctx, "a1"), errs.NotFound)
	_, err = s.Preset(ctx, "a1")
	wantCode(t, err, errs.NotFound)
}
