package sqlkit

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/parley-chat/parley/internal/errs"
)

func TestLimit(t *testing.T) {
	for in, want := range map[int]int{-1: 20, 0: 20, 1: 1, 20: 20, 100: 100, 101: 100, 1 << 30: 100} {
		if got := Limit(in); got != want {
			t.Errorf("Limit(%d) = %d, want %d", in, got, want)
		}
	}
}

func TestCursorRoundTrip(t *testing.T) {
	for _, c := range []Cursor{{T: 1764066615123456, ID: "0193-abc"}, {N: 42}, {T: -5, ID: "'; DROP"}} {
		got, ok, err := DecodeCursor(c.Encode())
		if err != nil || !ok {
			t.Fatalf("DecodeCursor(Encode(%+v)) = %v, %v", c, ok, err)
		}
		if d := cmp.Diff(c, got); d != "" {
			t.Fatalf("round trip (-want +got):\n%s", d)
		}
	}
	if _, ok, err := DecodeCursor(""); ok || err != nil {
		t.Fatalf(`DecodeCursor("") = %v, %v; want no cursor, no error`, ok, err)
	}
	for _, bad := range []string{"!!", "bm90IGpzb24", "eyJ0IjoieCJ9"} { // bad base64, not JSON, wrong type
		if _, _, err := DecodeCursor(bad); errs.CodeOf(err) != errs.Invalid {
			t.Errorf("DecodeCursor(%q) = %v, want invalid", bad, err)
		}
	}
}

func TestEscapeLike(t *testing.T) {
	for in, want := range map[string]string{
		"plain": "plain", "100%": `100\%`, "a_b": `a\_b`, `c:\dir`: `c:\\dir`, `%_\`: `\%\_\\`,
	} {
		if got := EscapeLike(in); got != want {
			t.Errorf("EscapeLike(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Contains("ÉA%"); got != `%éa\%%` {
		t.Errorf("Contains = %q", got)
	}
}

func TestCheckText(t *testing.T) {
	if err := CheckText("a", "fine 🎉", "b", ""); err != nil {
		t.Fatal(err)
	}
	err := CheckText("a", "nul\x00", "b", "ok", "c", "\xff")
	e, ok := errs.As(err)
	if !ok || e.Code != errs.Invalid {
		t.Fatalf("CheckText = %v", err)
	}
	if d := cmp.Diff(map[string]string{"a": "must not contain NUL characters", "c": "must be valid UTF-8"}, e.Fields); d != "" {
		t.Fatalf("fields (-want +got):\n%s", d)
	}
}

func TestTime(t *testing.T) {
	in := time.Date(2026, 1, 2, 3, 4, 5, 678901234, time.FixedZone("X", -7*3600))
	want := time.Date(2026, 1, 2, 10, 4, 5, 678901000, time.UTC)
	if got := Time(in); !got.Equal(want) || got.Location() != time.UTC {
		t.Fatalf("Time = %v, want %v in UTC", got, want)
	}
	if got := Day(in); !got.Equal(time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("Day = %v", got)
	}
	if got := Sanitize("a\x00b\xffc"); got != "a\uFFFDb\uFFFDc" {
		t.Fatalf("Sanitize = %q", got)
	}
}

func TestPage(t *testing.T) {
	id := func(n int) Cursor { return Cursor{N: int64(n)} }
	for _, tc := range []struct {
		name     string
		rows     []int
		limit    int
		wantRows []int
		wantNext string
	}{
		{"empty", []int{}, 2, []int{}, ""},
		{"short page is the last", []int{5, 4}, 3, []int{5, 4}, ""},
		{"exactly the limit is the last", []int{5, 4}, 2, []int{5, 4}, ""},
		{"one more row: trimmed, cursor of the last kept", []int{5, 4, 3}, 2, []int{5, 4}, Cursor{N: 4}.Encode()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, next := Page(tc.rows, tc.limit, id)
			if len(got) != len(tc.wantRows) || next != tc.wantNext {
				t.Fatalf("Page = %v, %q; want %v, %q", got, next, tc.wantRows, tc.wantNext)
			}
			for i := range got {
				if got[i] != tc.wantRows[i] {
					t.Fatalf("Page = %v, want %v", got, tc.wantRows)
				}
			}
		})
	}
}
