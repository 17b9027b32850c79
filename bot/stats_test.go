package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"coach/nudges"
	"coach/signals"
)

// addManagers puts four more teams of one in the workspace, so that five
// managers are measured.
func addManagers(t *testing.T, h *harness) {
	t.Helper()
	var people []signals.Person
	var teams []signals.Team
	for _, n := range []string{"2", "3", "4", "5"} {
		people = append(people, signals.Person{ID: "UM" + n, Name: "Manager " + n, TZ: "Europe/Berlin"}, signals.Person{ID: "UR" + n, Name: "Report " + n, TZ: "Europe/Berlin"})
		teams = append(teams, signals.Team{Manager: "UM" + n, Reports: []string{"UR" + n}})
	}
	if err := h.db.PutPeople(people); err != nil {
		t.Fatal(err)
	}
	for _, tm := range teams {
		if err := h.db.SetTeam(tm); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.srv.rebuildOrg(); err != nil {
		t.Fatal(err)
	}
}

// Admin figures never move with one manager's digest or click: they cover
// at least 5 managers and complete weeks only, so asking before and after
// /coach nudge and a click shows the same thing; the week after, the
// figures include them.
func TestStatsShowNoOneManagersDifference(t *testing.T) {
	h := commandHarness(t)
	if got := h.command("UX", "stats"); !strings.Contains(got, "only once at least 5 managers are measured") || strings.Contains(got, "digest") {
		t.Errorf("with one manager, stats say:\n%s", got)
	}
	addManagers(t, h)
	seedMiaWeek(t, h)
	berlin, _ := time.LoadLocation("Europe/Berlin")
	h.clock.Set(time.Date(2026, 3, 10, 11, 0, 0, 0, berlin))
	before := h.command("UX", "stats")
	if strings.Contains(before, "only once at least") || !strings.Contains(before, "5 managers, 7 reports measured now") {
		t.Fatalf("with five managers, stats say:\n%s", before)
	}
	if got := h.command("UX", "nudge <@UM1>"); !strings.HasPrefix(got, "Done") {
		t.Fatalf("nudge: %q", got)
	}
	h.srv.Settle()
	msgs := h.digests("UM1")
	if len(msgs) != 1 {
		t.Fatalf("Mia's digests: %d, want 1", len(msgs))
	}
	slot := time.Date(2026, 3, 9, 9, 0, 0, 0, berlin)
	h.click("UM1", msgs[0], nudges.NotForMe, nudges.ActionValue(nudges.DigestID("UM1", slot), signals.AfterHours))
	eventually(t, "the click", func() bool {
		st, _ := h.db.AllStats()
		return st["feedback/after_hours/nudge_not_for_me"] == 1
	})
	h.srv.Settle()
	if after := h.command("UX", "stats"); after != before {
		t.Errorf("stats moved with Mia's digest and click:\nbefore %s\nafter  %s", before, after)
	}
	// Next week, last week's digest and click are part of the figures.
	h.clock.Set(time.Date(2026, 3, 16, 8, 0, 0, 0, berlin))
	next := h.command("UX", "stats")
	for _, want := range []string{"up to Sun 15 Mar 2026", "• 1 digest sent", "Messages outside working hours: 1 nudge, 0% helpful of 1 answered"} {
		if !strings.Contains(next, want) {
			t.Errorf("the week after, stats lack %q:\n%s", want, next)
		}
	}
	if err := h.srv.Tick(context.Background(), h.clock.Now()); err != nil {
		t.Fatal(err)
	}
}
