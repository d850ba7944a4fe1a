package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSplitKeys(t *testing.T) {
	cases := map[string]struct {
		raw  string
		want []string
	}{
		"commas":           {" gsk_a1111111 , gsk_b2222222@org_x ,, ", []string{"gsk_a1111111", "gsk_b2222222@org_x"}},
		"one a line":       {"gsk_a1111111\r\n\ngsk_b2222222@org_x\n", []string{"gsk_a1111111", "gsk_b2222222@org_x"}},
		"comments":         {"# production keys\ngsk_a1111111 # team A\n  # gsk_old00000\ngsk_b2222222", []string{"gsk_a1111111", "gsk_b2222222"}},
		"mixed separators": {"gsk_a1111111;gsk_b2222222\tgsk_c3333333, gsk_d4444444", []string{"gsk_a1111111", "gsk_b2222222", "gsk_c3333333", "gsk_d4444444"}},
		"empty":            {"\n# nothing yet\n", nil},
	}
	for name, c := range cases {
		if diff := cmp.Diff(c.want, SplitKeys(c.raw)); diff != "" {
			t.Errorf("%s: (-want +got)\n%s", name, diff)
		}
	}
}

func TestGroqKeysFromFileAndEnv(t *testing.T) {
	file := filepath.Join(t.TempDir(), "keys")
	if err := os.WriteFile(file, []byte("# keys\ngsk_one11111\ngsk_two22222@org_x # second org\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	want := []string{"gsk_one11111", "gsk_two22222@org_x"}
	got, err := GroqKeys(lookup(map[string]string{"PARLEY_GROQ_API_KEYS_FILE": file}))
	if err != nil || !cmp.Equal(want, got) {
		t.Errorf("from file: %v %v", got, err)
	}
	c, err := Load(lookup(map[string]string{"PARLEY_GROQ_API_KEYS_FILE": file}))
	if err != nil || !cmp.Equal(want, c.GroqAPIKeys) {
		t.Errorf("Load from file: %v %v", c.GroqAPIKeys, err)
	}
	c, err = Load(lookup(map[string]string{"PARLEY_GROQ_API_KEYS": "gsk_one11111,\n gsk_two22222@org_x"}))
	if err != nil || !cmp.Equal(want, c.GroqAPIKeys) {
		t.Errorf("Load from env: %v %v", c.GroqAPIKeys, err)
	}
	if GroqKeysFile(lookup(map[string]string{"PARLEY_GROQ_API_KEYS_FILE": file})) != file {
		t.Error("GroqKeysFile does not name the file")
	}

	_, err = GroqKeys(lookup(map[string]string{"PARLEY_GROQ_API_KEYS_FILE": file + ".missing"}))
	if err == nil || !strings.Contains(err.Error(), "PARLEY_GROQ_API_KEYS_FILE") {
		t.Errorf("missing file: %v", err)
	}
}
