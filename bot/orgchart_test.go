package bot

import (
	"context"
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
