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
	c, err := h.db.FirstPulseCopy(id, user, len(answers))
	if err != nil {
		t.Fatal(err)
	}
	for i := range answers {
		next, err := h.db.NextPulseCopy(id, user, c, i, answers[i])
		if err == nil {
			err = h.db.CountPulseCopy(id, user, next, h.clock.Now())
		}
		if err != nil {
			t.Fatalf("%s answers %d of %s: %v", user, i, id, err)
		}
		c = next
	}
}

// Admins see the trust pulse only as workspace scores over at least 5
// teams, of pulses that have closed: a round where only 4 teams have a
// result shows nothing, and a round's figures do not move while it is
// open or after it froze.
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

// What an admin can learn of one more answer. /coach stats shows each
// round once, when its last pulse has closed, summed over at least 5
// teams with at least the minimum of answers each. An admin who knew every
// other answer of a round could still work one out from that sum; what
// coach can and does guarantee is that no two figures it shows differ by
// one answer alone: nothing moves while the round is open (so there is no
// before and after the answer), the round's figure is shown once and then
// never moves (a click after close, a forgotten respondent or manager),
// and it never names or isolates a team. Two workspaces alike but for one
// answer in a round of 6 teams (so the answer decides no figure's
// existence): everything the admin reads is the same in both until the
// round closes; after, only the round's workspace score may differ, and in
// each workspace it stays what it first was.
func TestPulseStatsDifferencing(t *testing.T) {
	mon := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	r1 := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	var teams []pulseTeam
	for i := 1; i <= 6; i++ {
		n := 3
		if i == 6 {
			n = 4 // the last team's fourth report is the one more answer
		}
		teams = append(teams, pulseTeam{fmt.Sprintf("UM%d", i), reportIDs(fmt.Sprintf("T%d", i), n)})
	}
	last := teams[5].reports[3]
	type world struct {
		h   *harness
		log []string // what the admin read, in order
	}
	start := func() *world {
		h := startPulseHarness(t, mon, teams, func(c *Config) {
			c.PulseMinResponses = 3
			c.PulseEvery = 7 * 24 * time.Hour
		}, zerolog.New(zerolog.NewTestWriter(t)))
		return &world{h: h}
	}
	worlds := []*world{start(), start()} // the second gets the one more answer
	read := func() {
		t.Helper()
		for _, w := range worlds {
			w.log = append(w.log, w.h.command("UX", "stats"))
		}
	}
	each := func(f func(w *world, extra bool)) {
		for i, w := range worlds {
			f(w, i == 1)
		}
	}
	each(func(w *world, _ bool) { w.h.tick(mon) })
	read()
	teamAnswers := []string{"555", "444", "334", "425", "354", "243"}
	each(func(w *world, _ bool) {
		for i, tm := range teams {
			for _, r := range tm.reports[:3] {
				answerAll(t, w.h, pulse.ID(tm.manager, r1), r, teamAnswers[i])
			}
		}
	})
	read()
	each(func(w *world, extra bool) {
		if extra {
			answerAll(t, w.h, pulse.ID(teams[5].manager, r1), last, "111")
		}
	})
	read()
	open := len(worlds[0].log)
	each(func(w *world, _ bool) { w.h.tick(r1.Add(pulse.CloseAfter + time.Hour)) })
	read()
	closedAt := len(worlds[0].log) - 1
	// A click after close, then the one who answered and a manager are forgotten.
	each(func(w *world, _ bool) {
		id := pulse.ID(teams[5].manager, r1)
		c, err := w.h.db.FirstPulseCopy(id, teams[5].reports[0], 3)
		if err != nil {
			t.Fatal(err)
		}
		next, _ := w.h.db.NextPulseCopy(id, teams[5].reports[0], c, 0, '1')
		if err := w.h.db.CountPulseCopy(id, teams[5].reports[0], next, w.h.clock.Now()); err == nil {
			t.Errorf("a click after close counted")
		}
	})
	read()
	each(func(w *world, _ bool) {
		for _, u := range []string{last, teams[0].manager} {
			if _, err := w.h.db.ForgetPerson(u); err != nil {
				t.Fatal(err)
			}
		}
	})
	read()

	a, b := worlds[0].log, worlds[1].log
	for i := 0; i < open; i++ {
		if a[i] != b[i] {
			t.Errorf("read %d, while the round was open, differs between the two workspaces:\n%q\n%q", i, a[i], b[i])
		}
		if a[i] != a[0] {
			t.Errorf("read %d moved while the round was open:\nbefore %q\nafter  %q", i, a[0], a[i])
		}
	}
	for _, log := range [][]string{a, b} {
		scores := closedScores(log[closedAt])
		if !strings.Contains(scores, "each over at least 5 teams") {
			t.Fatalf("after close, stats = %q, want workspace scores", log[closedAt])
		}
		for i := closedAt; i < len(log); i++ {
			if got := closedScores(log[i]); got != scores {
				t.Errorf("the round's figures moved after they were first shown:\nfirst %q\nlater %q", scores, got)
			}
			for _, tm := range teams {
				if strings.Contains(log[i], tm.manager) || strings.Contains(log[i], "Manager ") {
					t.Errorf("stats name a team: %q", log[i])
				}
			}
		}
	}
	// What differs between the two workspaces is the round's sum, and only that.
	if strings.Replace(a[closedAt], closedScores(a[closedAt]), "", 1) != strings.Replace(b[closedAt], closedScores(b[closedAt]), "", 1) {
		t.Errorf("besides the round's workspace scores, stats differ:\n%q\n%q", a[closedAt], b[closedAt])
	}
	if closedScores(a[closedAt]) == closedScores(b[closedAt]) {
		t.Logf("the one more answer did not change the rounded workspace scores")
	}
}
