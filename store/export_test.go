package store

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"coach/norms"
	"coach/signals"
)

func TestExportManager(t *testing.T) {
	f := newFixture(t)
	hours := signals.NewHours(9*60, 17*60, time.Monday)
	if err := f.db.UpdateTeam(idMgr, func(tm *signals.Team) { tm.Norms.Hours = &hours }); err != nil {
		t.Fatal(err)
	}
	ex, err := f.db.Export(idMgr)
	if err != nil {
		t.Fatal(err)
	}
	m := ex.Manager
	if m == nil {
		t.Fatal("export has no manager section")
	}
	own := 0
	for _, d := range m.Days {
		for _, rd := range d.Reports {
			own += rd.Own + rd.OwnOffHours
		}
	}
	var salts int
	for _, p := range m.Prompts {
		if p.Salt != "" || p.Voted != nil {
			salts++
		}
	}
	tests := []struct {
		what      string
		got, want any
	}{
		{"generated at", ex.GeneratedAt, fixtureNow},
		{"person", ex.Person != nil && ex.Person.Name == "Magdalena", true},
		{"notified", ex.NotifiedAt != nil, true},
		{"opted out", ex.OptedOut, false},
		{"reports to", ex.ReportsTo, ""},
		{"team norms", ex.Team != nil && ex.Team.Norms.Hours != nil && ex.Team.Norms.Hours.Equal(hours), true},
		{"conversations", len(ex.Conversations), 4},
		{"days", len(m.Days), 3},
		{"reports' own message counts", own, 0},
		{"open waits", len(m.State.Waits), 2},
		{"last contacts", len(m.State.LastContact), 3},
		{"coaching sent", m.Coaching != nil && m.Coaching.Sent == 1, true},
		{"digests", len(m.Digests), 1},
		{"prompts", len(m.Prompts), 2},
		{"prompts with salt or voter hashes", salts, 0},
		{"as report", len(ex.AsReport), 0},
		{"votes", len(ex.Votes), 0},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("manager export %s = %v, want %v", tt.what, tt.got, tt.want)
		}
	}
	if _, err := json.Marshal(ex); err != nil {
		t.Errorf("export does not encode: %v", err)
	}
}

func TestExportReport(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		id         string
		days       int
		waits      int
		vote       []string // reaction vote
		anonymous  bool     // voted anonymously
		ownAndFrom int      // sum of Own and FromReport over their days
	}{
		{idA, 3, 0, []string{"sunny"}, false, 2},
		{idB, 3, 1, []string{"crescent_moon"}, true, 2},
		{idC, 2, 1, nil, false, 3},
	}
	for _, tt := range tests {
		t.Run(fixtureNames[tt.id], func(t *testing.T) {
			ex, err := f.db.Export(tt.id)
			if err != nil {
				t.Fatal(err)
			}
			if ex.ReportsTo != idMgr || ex.Manager != nil || ex.Team != nil {
				t.Errorf("reports to %q, manager %v, team %v; want %s and no manager data", ex.ReportsTo, ex.Manager, ex.Team, idMgr)
			}
			if len(ex.AsReport) != 1 || ex.AsReport[0].Manager != idMgr {
				t.Fatalf("as report = %+v, want one entry for %s", ex.AsReport, idMgr)
			}
			r := ex.AsReport[0]
			sum := 0
			for _, d := range r.Days {
				sum += d.Own + d.FromReport
			}
			if len(r.Days) != tt.days || len(r.Waits) != tt.waits || r.LastContact == nil || sum != tt.ownAndFrom {
				t.Errorf("days %d, waits %d, last contact %v, own+from %d; want %d, %d, set, %d", len(r.Days), len(r.Waits), r.LastContact, sum, tt.days, tt.waits, tt.ownAndFrom)
			}
			var reaction []string
			anonymous := false
			for _, v := range ex.Votes {
				if v.Anonymous {
					anonymous = true
				} else {
					reaction = v.Options
				}
			}
			if strings.Join(reaction, ",") != strings.Join(tt.vote, ",") || anonymous != tt.anonymous {
				t.Errorf("votes = %+v, want reaction %v, anonymous %v", ex.Votes, tt.vote, tt.anonymous)
			}
			// Nothing of the other reports: not their ids, names or counters.
			raw, err := json.Marshal(ex)
			if err != nil {
				t.Fatal(err)
			}
			for _, other := range []string{idA, idB, idC, idD} {
				if other == tt.id {
					continue
				}
				for _, needle := range []string{other, fixtureNames[other]} {
					if strings.Contains(string(raw), needle) {
						t.Errorf("export of %s mentions %s: %s", tt.id, needle, raw)
					}
				}
			}
		})
	}
}

func TestExportOptedOut(t *testing.T) {
	f := newFixture(t)
	if err := f.db.OptOut(idA); err != nil {
		t.Fatal(err)
	}
	ex, err := f.db.Export(idA)
	if err != nil {
		t.Fatal(err)
	}
	want := Export{ID: idA, GeneratedAt: fixtureNow, OptedOut: true}
	raw, _ := json.Marshal(ex)
	wantRaw, _ := json.Marshal(want)
	if string(raw) != string(wantRaw) {
		t.Errorf("export after opt-out = %s, want %s", raw, wantRaw)
	}
}

// TestExportVotesOnlyOpen checks that a closed prompt, which keeps counts
// only, shows no vote.
func TestExportVotesOnlyOpen(t *testing.T) {
	f := newFixture(t)
	if _, _, err := f.db.ClosePrompt(f.prompt, 1, fixtureNow); err != nil {
		t.Fatal(err)
	}
	ex, _ := f.db.Export(idA)
	for _, v := range ex.Votes {
		if v.Kind == norms.MessageHours {
			t.Errorf("vote on a closed prompt exported: %+v", v)
		}
	}
}

// isoDate matches the one date format of an export.
var isoDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// TestExportDates checks that an export writes each date as YYYY-MM-DD and
// each instant as RFC 3339, for managers as for reports: no field holds a day
// or Unix number, which a reader could not make sense of.
func TestExportDates(t *testing.T) {
	f := newFixture(t)
	for _, id := range []string{idMgr, idA, idB, idC} {
		ex, err := f.db.Export(id)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := json.Marshal(ex)
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatal(err)
		}
		dates := 0
		checkDates(t, fixtureNames[id], "", v, &dates)
		if dates == 0 {
			t.Errorf("export of %s has no dates; the check read nothing", fixtureNames[id])
		}
	}
}

// checkDates walks one JSON value at path. A key named day or ending in _day
// must hold an ISO date; any number large enough to be a day number (days
// since 1970 run past 10000 in 1997) or a Unix time is reported.
func checkDates(t *testing.T, who, path string, v any, dates *int) {
	t.Helper()
	key := path[strings.LastIndex(path, ".")+1:]
	switch v := v.(type) {
	case map[string]any:
		for k, c := range v {
			checkDates(t, who, path+"."+k, c, dates)
		}
	case []any:
		for _, c := range v {
			checkDates(t, who, path+"[]", c, dates)
		}
	case float64:
		if key == "day" || strings.HasSuffix(key, "_day") {
			t.Errorf("export of %s: %s = %v, want an ISO date", who, path, v)
		} else if v >= 10000 {
			t.Errorf("export of %s: %s = %v looks like a day or Unix number, want an ISO date or RFC 3339 time", who, path, v)
		}
	case string:
		if key == "day" || strings.HasSuffix(key, "_day") {
			if !isoDate.MatchString(v) {
				t.Errorf("export of %s: %s = %q, want YYYY-MM-DD", who, path, v)
			}
			*dates++
		}
	}
}

func TestExportStateDates(t *testing.T) {
	got := exportState(signals.ManagerState{
		LastContact: map[string]int64{idA: fixtureNow.Unix()},
		HintDay:     signals.DayOf(fixtureNow, time.UTC),
	})
	if got.HintDay != "2026-03-04" || !got.LastContact[idA].Equal(fixtureNow) {
		t.Errorf("exportState = hint day %q, last contact %v; want 2026-03-04 and %v", got.HintDay, got.LastContact[idA], fixtureNow)
	}
}
