package store

import (
	"encoding/json"
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
