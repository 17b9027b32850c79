package bot

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"coach/pulse"
)

// answerAll gives user's answers to pulse id straight to the store, as
// their clicks would (the clicks themselves are TestPulseEndToEnd's).
func answerAll(t *testing.T, h *harness, id, user, answers string) {
	t.Helper()
	prev := pulse.NoAnswers(len(answers))
	var v uint32
	for i := range answers {
		next, nv, err := h.db.AnswerPulse(id, user, i, answers[i], prev, v, h.db.PulseTag(id, user, v, prev), h.clock.Now())
		if err != nil {
			t.Fatalf("%s answers %d of %s: %v", user, i, id, err)
		}
		prev, v = next, nv
	}
}

// Admins see the trust pulse only as workspace scores over at least 5
// teams, of pulses that have closed: a round where only 4 teams have a
// result shows nothing, and one more answer in an open pulse changes
// nothing an admin can read, whichever answer it is.
func TestPulseStatsNeedFiveTeamsAndClosedPulses(t *testing.T) {
	mon := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	var teams []pulseTeam
	for i := 1; i <= 6; i++ {
		teams = append(teams, pulseTeam{fmt.Sprintf("UM%d", i), reportIDs(fmt.Sprintf("T%d", i), 3)})
	}
	h := startPulseHarness(t, mon, teams, func(c *Config) {
		c.PulseMinResponses = 3
		c.PulseEvery = 7 * 24 * time.Hour
	}, zerolog.New(zerolog.NewTestWriter(t)))
	round := func(opens time.Time, teams []pulseTeam) {
		t.Helper()
		for _, tm := range teams {
			for _, r := range tm.reports {
				answerAll(t, h, pulse.ID(tm.manager, opens), r, "445")
			}
		}
	}
	stats := func() string {
		t.Helper()
		return h.command("UX", "stats")
	}
	r1 := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	h.tick(mon)
	if got := stats(); !strings.Contains(got, "trust pulse: workspace scores show once") {
		t.Errorf("stats while the first pulse is open = %q, want the pulse line without scores", got)
	}
	round(r1, teams[:4]) // 4 teams with a result, 2 without
	h.tick(r1.Add(pulse.CloseAfter + time.Hour))
	got := stats()
	if strings.Contains(got, "trust pulse closed") || !strings.Contains(got, "workspace scores show once a pulse has closed with a score in at least 5 teams") {
		t.Errorf("stats after a round with 4 teams' results = %q, want no scores", got)
	}

	// The second round: 5 teams answer; while it is open nothing changes.
	r2 := r1.Add(7 * 24 * time.Hour)
	before := stats()
	round(r2, teams[:5])
	if after := stats(); after != before {
		t.Errorf("stats moved while the pulse was open:\nbefore %q\nafter  %q", before, after)
	}
	h.tick(r2.Add(pulse.CloseAfter + time.Hour))
	closed := stats()
	if !strings.Contains(closed, "trust pulse closed") {
		t.Fatalf("stats after 5 teams' results = %q, want workspace scores", closed)
	}
	if strings.Contains(closed, "UM") || strings.Contains(closed, "Manager") {
		t.Errorf("stats name a manager: %q", closed)
	}

	// The third round is open: one person's answer, whatever it is, moves
	// nothing an admin sees.
	r3 := r2.Add(7 * 24 * time.Hour)
	for _, tm := range teams[:5] {
		for _, r := range tm.reports[:2] {
			answerAll(t, h, pulse.ID(tm.manager, r3), r, "333")
		}
	}
	for _, answer := range []string{"111", "555"} {
		h2 := stats()
		last := teams[5].reports[0]
		if answer == "555" {
			last = teams[5].reports[1]
		}
		answerAll(t, h, pulse.ID(teams[5].manager, r3), last, answer)
		if got := stats(); got != h2 || got != closed {
			t.Errorf("after one more answer %s, stats = %q, want unchanged %q", answer, got, closed)
		}
	}
	// Forgetting a team's manager later does not move the frozen round.
	h.command("UM1", "forget")
	if _, err := h.db.ForgetPerson("UM1"); err != nil {
		t.Fatal(err)
	}
	if got := stats(); !strings.Contains(got, closedScores(closed)) {
		t.Errorf("after a manager was forgotten, stats = %q, want the frozen scores %q", got, closedScores(closed))
	}
}

// closedScores is the pulse part of a stats answer.
func closedScores(stats string) string {
	i := strings.Index(stats, "trust pulse closed")
	if i < 0 {
		return "(none)"
	}
	return stats[i:]
}
