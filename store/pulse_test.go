package store

import (
	"errors"
	"testing"
	"time"

	"coach/pulse"
)

func openPulseTest(t *testing.T, cat *pulse.Catalog, now time.Time, teams map[string][]string) *DB {
	t.Helper()
	db := openTest(t, func() time.Time { return now })
	var ps []NewPulse
	for m, reports := range teams {
		np := NewPulse{Pulse: pulse.New(cat, m, now)}
		for _, r := range reports {
			np.Asks = append(np.Asks, PulseAsk{User: r, Due: now})
		}
		ps = append(ps, np)
	}
	opened, err := db.OpenPulses(ps)
	if err != nil || len(opened) != len(teams) {
		t.Fatalf("OpenPulses = %v, %v", opened, err)
	}
	return db
}

func answer(t *testing.T, db *DB, id, user string, i int, b byte, now time.Time) {
	t.Helper()
	prev := pulse.NoAnswers(pulse.PerPulse)
	if _, _, err := db.AnswerPulse(id, user, i, b, prev, 0, db.PulseTag(id, user, 0, prev), now); err != nil {
		t.Fatalf("%s answers: %v", user, err)
	}
}

func TestPulseOpenIsOnceAndAnswersCountOnce(t *testing.T) {
	cat, _ := pulse.LoadCatalog()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	db := openPulseTest(t, cat, now, map[string][]string{"UM1": {"UA", "UB", "UC"}})
	id := pulse.ID("UM1", now)
	again, err := db.OpenPulses([]NewPulse{{Pulse: pulse.New(cat, "UM1", now)}})
	if err != nil || len(again) != 0 {
		t.Errorf("opening the same pulse again = %v, %v; want nothing opened", again, err)
	}
	answer(t, db, id, "UA", 0, '4', now)
	// The same copy of the DM again (a double click) is refused.
	prev := pulse.NoAnswers(3)
	if _, _, err := db.AnswerPulse(id, "UA", 0, '2', prev, 0, db.PulseTag(id, "UA", 0, prev), now); !errors.Is(err, ErrPulseStale) {
		t.Errorf("a second click from the first copy: %v, want ErrPulseStale", err)
	}
	// Someone not asked cannot answer, whatever tag they bring.
	if _, _, err := db.AnswerPulse(id, "UX", 0, '2', prev, 0, db.PulseTag(id, "UX", 0, prev), now); !errors.Is(err, ErrNotAsked) {
		t.Errorf("a click by someone not asked: %v, want ErrNotAsked", err)
	}
	// A changed answer moves one count.
	next := prev.With(0, '4')
	if _, v, err := db.AnswerPulse(id, "UA", 0, '2', next, 1, db.PulseTag(id, "UA", 1, next), now); err != nil || v != 2 {
		t.Fatalf("changing 4 to 2: version %d, %v", v, err)
	}
	p, _ := db.PulseByID(id)
	if got := p.Counts[p.Statements[0]]; got != (pulse.Counts{0, 1, 0, 0, 0}) {
		t.Errorf("counts %v, want one 2", got)
	}
	// After the close time nothing is counted.
	if _, _, err := db.AnswerPulse(id, "UB", 0, '2', prev, 0, db.PulseTag(id, "UB", 0, prev), p.Closes); !errors.Is(err, ErrPulseClosed) {
		t.Errorf("an answer at the close time: %v, want ErrPulseClosed", err)
	}
}

// A round's workspace figures are frozen only once every team's pulse of
// it has closed, and only statements with a score in 5 teams are kept.
func TestFreezePulseRound(t *testing.T) {
	cat, _ := pulse.LoadCatalog()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	teams := map[string][]string{}
	for _, m := range []string{"UM1", "UM2", "UM3", "UM4", "UM5", "UM6"} {
		teams[m] = []string{m + "a", m + "b", m + "c"}
	}
	db := openPulseTest(t, cat, now, teams)
	for m, rs := range teams {
		for _, r := range rs {
			answer(t, db, pulse.ID(m, now), r, 0, '5', now)
			if m <= "UM4" { // statement 1 gets answers in only 4 teams
				_, v, _ := db.AnswerPulse(pulse.ID(m, now), r, 1, '3', pulse.Answers("5--"), 1, db.PulseTag(pulse.ID(m, now), r, 1, "5--"), now)
				if v != 2 {
					t.Fatalf("second answer of %s", r)
				}
			}
		}
	}
	for _, m := range []string{"UM1", "UM2", "UM3", "UM4", "UM5"} {
		if _, _, err := db.ClosePulse(pulse.ID(m, now), 3); err != nil {
			t.Fatal(err)
		}
	}
	if frozen, err := db.FreezePulseRound(now); err != nil || frozen {
		t.Errorf("froze a round with a pulse still open: %v, %v", frozen, err)
	}
	if _, _, err := db.ClosePulse(pulse.ID("UM6", now), 3); err != nil {
		t.Fatal(err)
	}
	if frozen, err := db.FreezePulseRound(now); err != nil || !frozen {
		t.Fatalf("FreezePulseRound = %v, %v", frozen, err)
	}
	rounds, _ := db.PulseRounds()
	p, _ := db.PulseByID(pulse.ID("UM1", now))
	if len(rounds) != 1 || rounds[0].Teams[p.Statements[0]] != 6 || rounds[0].Counts[p.Statements[0]] != (pulse.Counts{0, 0, 0, 0, 18}) {
		t.Fatalf("rounds = %+v", rounds)
	}
	if _, kept := rounds[0].Counts[p.Statements[1]]; kept {
		t.Errorf("a statement scored in 4 teams is in the workspace figures: %+v", rounds[0])
	}
	// Forgetting a manager later does not change the frozen round.
	if _, err := db.ForgetPerson("UM1"); err != nil {
		t.Fatal(err)
	}
	after, _ := db.PulseRounds()
	if after[0].Counts[p.Statements[0]] != rounds[0].Counts[p.Statements[0]] {
		t.Errorf("the frozen round moved after a forget: %+v", after)
	}
	if ps, _ := db.TeamPulses("UM1"); len(ps) != 0 {
		t.Errorf("the forgotten manager's pulses remain: %+v", ps)
	}
}

func TestPrunePulsesKeepsAYear(t *testing.T) {
	cat, _ := pulse.LoadCatalog()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	db := openPulseTest(t, cat, now, map[string][]string{"UM1": {"UA", "UB", "UC"}})
	id := pulse.ID("UM1", now)
	if n, err := db.PrunePulses(now.AddDate(2, 0, 0)); err != nil || n != 0 {
		t.Errorf("pruned an open pulse: %d, %v", n, err)
	}
	if _, _, err := db.ClosePulse(id, 3); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.PrunePulses(now.AddDate(1, 0, 0)); n != 0 {
		t.Errorf("pruned a closed pulse after a year: %d", n)
	}
	if n, _ := db.PrunePulses(now.AddDate(1, 2, 0)); n != 1 {
		t.Errorf("PrunePulses after 14 months = %d, want 1", n)
	}
	if ps, _ := db.Pulses(); len(ps) != 0 {
		t.Errorf("pulses left: %+v", ps)
	}
}
