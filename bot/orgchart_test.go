package bot

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"coach/signals"
	"coach/store"
)

// teams_from's feed runs with the bot: what it applies is in the org at
// once, a manager of managers leads a manager, and /coach teams says where
// each team comes from.
func TestTeamsFeedAndSources(t *testing.T) {
	dbs := make(chan *store.DB, 1)
	fed := make(chan error, 1)
	berlin, _ := time.LoadLocation("Europe/Berlin")
	h := startHarness(t, time.Date(2026, 3, 4, 10, 0, 0, 0, berlin), func(c *Config) {
		c.Admins = []string{"UX"}
		c.TeamsFeed = func(ctx context.Context, changed func()) {
			db := <-dbs
			// The org chart says Xavier leads Mia, and Mia leads Ana too:
			// Mia's team is the config file's, which comes first.
			_, err := db.ApplyOrgChart(store.SourceImport, []signals.Team{{Manager: "UX", Reports: []string{"UM1"}}, {Manager: "UM1", Reports: []string{"UA"}}})
			if err == nil {
				changed()
			}
			fed <- err
			<-ctx.Done()
		}
	})
	dbs <- h.db
	select {
	case err := <-fed:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the feed did not run")
	}
	if m, ok := h.srv.Org().ManagerOf("UM1"); !ok || m != "UX" {
		t.Errorf("Mia's manager = %q, %v; want Xavier, from the org chart", m, ok)
	}
	if got, want := h.command("UX", "teams"), "*Teams in coach* (2)\n• Mia: Ana, Ben, Chloé (config)\n• Xavier: Mia (import)"; got != want {
		t.Errorf("/coach teams = %q, want %q", got, want)
	}
	if got, want := h.command("UX", "team set <@UX> <@UM1> <@UB>"), "Ben already reports to Mia; remove them there first with `/coach team remove @Mia @Ben`."; got != want {
		t.Errorf("/coach team set = %q, want %q", got, want)
	}
	h.command("UX", "team remove <@UM1> <@UC>")
	if got, want := h.command("UX", "teams"), "*Teams in coach* (2)\n• Mia: Ana, Ben (admin)\n• Xavier: Mia (import)"; got != want {
		t.Errorf("/coach teams after an admin edit = %q, want %q", got, want)
	}
	h.srv.Settle()
	h.stop() // Run waits for the feed to return
}

// /coach teams for an org of 2,000 people: a summary by source and the
// first teams, within a few thousand characters (Slack takes 40,000 and
// nobody reads that in an ephemeral), and /coach teams @manager shows
// one team in full, and whose team its manager is in.
func TestTeamsCommandLargeOrg(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	h := startHarness(t, time.Date(2026, 3, 4, 10, 0, 0, 0, berlin), func(c *Config) { c.Admins = []string{"UX"} })
	const n = 2000
	var people []signals.Person
	id := func(i int) string { return fmt.Sprintf("UP%05d", i) }
	for i := range n {
		people = append(people, signals.Person{ID: id(i), Name: fmt.Sprintf("Person %04d Example-Longname", i), TZ: "Europe/Berlin"})
	}
	if err := h.db.PutPeople(people); err != nil {
		t.Fatal(err)
	}
	// A tree: each person i > 0 reports to (i-1)/3; about 667 managers.
	by := map[string][]string{}
	for i := 1; i < n; i++ {
		by[id((i-1)/3)] = append(by[id((i-1)/3)], id(i))
	}
	var chart []signals.Team
	for m, rs := range by {
		chart = append(chart, signals.Team{Manager: m, Reports: rs})
	}
	if _, err := h.db.ApplyOrgChart(store.SourceImport, chart); err != nil {
		t.Fatal(err)
	}
	if err := h.srv.rebuildOrg(); err != nil {
		t.Fatal(err)
	}
	got := h.command("UX", "teams")
	if len(got) > teamsBudget {
		t.Errorf("/coach teams is %d characters, want at most %d", len(got), teamsBudget)
	}
	for _, want := range []string{
		fmt.Sprintf("*Teams in coach* (%d)\n", len(by)+1),
		"1 team with 3 reports (config: the config file); 667 teams with 1999 reports (import: the HR export).\n",
		"• Mia: Ana, Ben, Chloé (config)\n",
		"• Person 0000 Example-Longname: Person 0001 Example-Longname, Person 0002 Example-Longname, Person 0003 Example-Longname (import)\n",
		"more teams. `/coach teams @manager` shows one team in full.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("/coach teams lacks %q:\n%s", want, got)
		}
	}
	one := h.command("UX", "teams <@UP00004>")
	want := "*Person 0004 Example-Longname's team* (import): 3 reports\n• Person 0013 Example-Longname\n• Person 0014 Example-Longname\n• Person 0015 Example-Longname\nPerson 0004 Example-Longname is in Person 0001 Example-Longname's team (import)."
	if one != want {
		t.Errorf("/coach teams @P4 = %q\nwant %q", one, want)
	}
	if got := h.command("UX", "teams <@UP00005> <@UP00006>"); !strings.Contains(got, "Say one manager") {
		t.Errorf("/coach teams with two managers = %q", got)
	}
	h.stop()
}
