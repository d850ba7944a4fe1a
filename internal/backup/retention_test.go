package backup

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02T15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestRetentionSelect(t *testing.T) {
	// Daily backups at 03:00 from 2026-09-01 to 2026-11-25, plus a second
	// backup on the last day.
	var daily []time.Time
	for d := day("2026-09-01T03:00"); !d.After(day("2026-11-25T03:00")); d = d.AddDate(0, 0, 1) {
		daily = append(daily, d)
	}
	daily = append(daily, day("2026-11-25T15:00"))

	kept := func(r Retention, in []time.Time) []string {
		var out []string
		for i, k := range r.Select(in) {
			if k {
				out = append(out, in[i].Format("2006-01-02T15:04"))
			}
		}
		return out
	}
	tests := []struct {
		name string
		r    Retention
		in   []time.Time
		want []string
	}{
		{"zero policy keeps everything", Retention{}, daily[:3], []string{"2026-09-01T03:00", "2026-09-02T03:00", "2026-09-03T03:00"}},
		{"nothing to prune", Retention{Daily: 7}, nil, nil},
		{"three dailies keep the newest of each day", Retention{Daily: 3}, daily,
			[]string{"2026-11-23T03:00", "2026-11-24T03:00", "2026-11-25T15:00"}},
		{"two weeklies keep the newest of each ISO week", Retention{Weekly: 2}, daily,
			// 2026-11-22 is a Sunday: the end of ISO week 47.
			[]string{"2026-11-22T03:00", "2026-11-25T15:00"}},
		{"three monthlies", Retention{Monthly: 3}, daily,
			[]string{"2026-09-30T03:00", "2026-10-31T03:00", "2026-11-25T15:00"}},
		{"rules combine as a union", Retention{Daily: 2, Weekly: 2, Monthly: 2}, daily,
			[]string{"2026-10-31T03:00", "2026-11-22T03:00", "2026-11-24T03:00", "2026-11-25T15:00"}},
		{"gaps: periods without a backup are not counted", Retention{Daily: 2},
			[]time.Time{day("2026-11-01T03:00"), day("2026-11-10T03:00"), day("2026-11-20T03:00")},
			[]string{"2026-11-10T03:00", "2026-11-20T03:00"}},
		{"input order does not matter", Retention{Daily: 1},
			[]time.Time{day("2026-11-25T15:00"), day("2026-11-24T03:00"), day("2026-11-25T03:00")},
			[]string{"2026-11-25T15:00"}},
		{"more periods asked than exist keeps one per period", Retention{Monthly: 12}, daily,
			[]string{"2026-09-30T03:00", "2026-10-31T03:00", "2026-11-25T15:00"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, kept(tt.r, tt.in)); diff != "" {
				t.Errorf("kept (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRetentionRejectsNegative(t *testing.T) {
	err := Retention{Daily: -1, Monthly: -2}.validate()
	if err == nil {
		t.Fatal("negative retention accepted")
	}
}

func TestFileNames(t *testing.T) {
	at := day("2026-11-25T03:04").Add(5 * time.Second)
	for _, k := range []Kind{Postgres, SQLite} {
		name := fileName(k, at)
		gk, gt, ok := parseFileName(name)
		if !ok || gk != k || !gt.Equal(at) {
			t.Errorf("parseFileName(%q) = %v %v %v", name, gk, gt, ok)
		}
	}
	for _, bad := range []string{"parley-pg-20261125T030405Z.db", "parley-x-20261125T030405Z.dump",
		"notes.txt", "parley-pg-2026.dump", "parley-pg-20261125T030405Z.dump.sha256"} {
		if _, _, ok := parseFileName(bad); ok {
			t.Errorf("parseFileName(%q) accepted", bad)
		}
	}
}
