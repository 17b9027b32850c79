package store

import (
	"errors"
	"testing"
	"time"

	"coach/pulse"
)

// testPulseKey is the pulse key of these tests; like coach run's, it is
// never written to the database.
var testPulseKey = pulse.Key([]byte("operator key of the store tests!"))

func openPulseTest(t *testing.T, cat *pulse.Catalog, now time.Time, teams map[string][]string) *DB {
	t.Helper()
	db := openTest(t, func() time.Time { return now })
	db.SetPulseKey(testPulseKey)
	var ps []NewPulse
	for m, reports := range teams {
		np := NewPulse{Pulse: pulse.New(cat, m, now)}
		for _, r := range reports {
			np.Asks = append(np.Asks, PulseAsk{User: r, Due: now})
		}
		ps = append(ps, np)
	}
	opened, err := db.OpenPulses(now, ps)
	if err != nil || len(opened) != len(teams) {
		t.Fatalf("OpenPulses = %v, %v", opened, err)
	}
	return db
}

// click is one click from copy c: the next copy drawn and counted, as the
// bot does once the DM shows it.
func click(t *testing.T, db *DB, id, user string, c PulseCopy, i int, b byte, now time.Time) PulseCopy {
	t.Helper()
	next, err := db.NextPulseCopy(id, user, c, i, b)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CountPulseCopy(id, user, next, now); err != nil {
		t.Fatalf("%s answers %c to %d: %v", user, b, i, err)
	}
	return next
}

func firstCopy(t *testing.T, db *DB, id, user string) PulseCopy {
	t.Helper()
	c, err := db.FirstPulseCopy(id, user, pulse.PerPulse)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func answer(t *testing.T, db *DB, id, user string, i int, b byte, now time.Time) PulseCopy {
	t.Helper()
	return click(t, db, id, user, firstCopy(t, db, id, user), i, b, now)
}

func statementCounts(t *testing.T, db *DB, id string, i int) pulse.Counts {
	t.Helper()
	p, err := db.PulseByID(id)
	if err != nil {
		t.Fatal(err)
	}
	return p.Counts[p.Statements[i]]
}

func TestPulseOpenIsOnceAndAnswersCountOnce(t *testing.T) {
	cat, _ := pulse.LoadCatalog()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	db := openPulseTest(t, cat, now, map[string][]string{"UM1": {"UA", "UB", "UC"}})
	id := pulse.ID("UM1", now)
	again, err := db.OpenPulses(now, []NewPulse{{Pulse: pulse.New(cat, "UM1", now)}})
	if !errors.Is(err, ErrRoundOpened) || len(again) != 0 {
		t.Errorf("opening the same round again = %v, %v; want nothing opened, ErrRoundOpened", again, err)
	}
	first := firstCopy(t, db, id, "UA")
	c1 := click(t, db, id, "UA", first, 0, '4', now)
	// A click from the first copy again (a double click) is refused.
	twice, _ := db.NextPulseCopy(id, "UA", first, 0, '2')
	if err := db.CountPulseCopy(id, "UA", twice, now); !errors.Is(err, ErrPulseStale) {
		t.Errorf("a second click from the first copy: %v, want ErrPulseStale", err)
	}
	// Someone not asked cannot answer, whatever copy they bring.
	ux, _ := db.NextPulseCopy(id, "UX", firstCopy(t, db, id, "UX"), 0, '2')
	if err := db.CountPulseCopy(id, "UX", ux, now); !errors.Is(err, ErrNotAsked) {
		t.Errorf("a click by someone not asked: %v, want ErrNotAsked", err)
	}
	// A copy made for someone else, or altered, is not coach's.
	borrowed := c1
	if err := db.CountPulseCopy(id, "UB", borrowed, now); !errors.Is(err, ErrPulseForged) {
		t.Errorf("UA's copy clicked by UB: %v, want ErrPulseForged", err)
	}
	altered := c1
	altered.Answers = "1--"
	if err := db.CountPulseCopy(id, "UA", altered, now); !errors.Is(err, ErrPulseForged) {
		t.Errorf("an altered copy: %v, want ErrPulseForged", err)
	}
	// A changed answer moves one count.
	c2 := click(t, db, id, "UA", c1, 0, '2', now)
	if got := statementCounts(t, db, id, 0); got != (pulse.Counts{0, 1, 0, 0, 0}) {
		t.Errorf("counts %v, want one 2", got)
	}
	// Counting the counted copy again changes nothing.
	if err := db.CountPulseCopy(id, "UA", c2, now); err != nil {
		t.Fatal(err)
	}
	if got := statementCounts(t, db, id, 0); got != (pulse.Counts{0, 1, 0, 0, 0}) {
		t.Errorf("counting the same copy twice moved the counts: %v", got)
	}
	// After the close time nothing is counted.
	p, _ := db.PulseByID(id)
	ub, _ := db.NextPulseCopy(id, "UB", firstCopy(t, db, id, "UB"), 0, '2')
	if err := db.CountPulseCopy(id, "UB", ub, p.Closes); !errors.Is(err, ErrPulseClosed) {
		t.Errorf("an answer at the close time: %v, want ErrPulseClosed", err)
	}
}

// A copy drawn and shown but never counted (the redraw reached Slack, then
// coach stopped) is counted by the next click from it, change and all; a
// copy drawn but never shown (its redraw failed) is not, and leaves the
// counted copy clickable; of two copies drawn from the same one, only the
// first counted counts.
func TestPulseCopiesDrawnButNotCounted(t *testing.T) {
	cat, _ := pulse.LoadCatalog()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	db := openPulseTest(t, cat, now, map[string][]string{"UM1": {"UA", "UB", "UC"}})
	id := pulse.ID("UM1", now)
	first := firstCopy(t, db, id, "UA")

	// Shown, not counted: the next click from it counts both changes.
	shown, _ := db.NextPulseCopy(id, "UA", first, 0, '4')
	if err := db.CountPulseCopy(id, "UA", shown, now); err != nil {
		t.Fatalf("the click from the copy shown: %v", err)
	}
	c := click(t, db, id, "UA", shown, 1, '2', now)
	if got := statementCounts(t, db, id, 0); got != (pulse.Counts{0, 0, 0, 1, 0}) {
		t.Errorf("statement 0 = %v, want the 4 of the copy that was shown and not counted", got)
	}
	if got := statementCounts(t, db, id, 1); got != (pulse.Counts{0, 1, 0, 0, 0}) {
		t.Errorf("statement 1 = %v, want one 2", got)
	}

	// Drawn, never shown: nothing counted, and the counted copy still counts.
	lost, _ := db.NextPulseCopy(id, "UA", c, 2, '1')
	c = click(t, db, id, "UA", c, 2, '5', now)
	if got := statementCounts(t, db, id, 2); got != (pulse.Counts{0, 0, 0, 0, 1}) {
		t.Errorf("statement 2 = %v, want only the 5", got)
	}
	if err := db.CountPulseCopy(id, "UA", lost, now); !errors.Is(err, ErrPulseStale) {
		t.Errorf("a copy drawn from the counted one but overtaken: %v, want ErrPulseStale", err)
	}

	// A copy that changes two answers at once is not one coach draws.
	two := PulseCopy{ID: "0123456789abcdef", Answers: pulse.Answers("11" + string(c.Answers[2])), From: c.ID, FromAnswers: c.Answers}
	two.Tag = pulseTag(testPulseKey, id, "UA", two)
	if err := db.CountPulseCopy(id, "UA", two, now); !errors.Is(err, ErrPulseForged) {
		t.Errorf("a copy with two changes: %v, want ErrPulseForged", err)
	}
	if got := statementCounts(t, db, id, 0); got != (pulse.Counts{0, 0, 0, 1, 0}) {
		t.Errorf("statement 0 moved: %v", got)
	}
}

// Without the pulse key the pulse takes no answers.
func TestPulseNeedsItsKey(t *testing.T) {
	cat, _ := pulse.LoadCatalog()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	db := openPulseTest(t, cat, now, map[string][]string{"UM1": {"UA", "UB", "UC"}})
	id := pulse.ID("UM1", now)
	c := firstCopy(t, db, id, "UA")
	db.SetPulseKey(nil)
	if db.HasPulseKey() {
		t.Fatal("HasPulseKey after SetPulseKey(nil)")
	}
	if _, err := db.NextPulseCopy(id, "UA", c, 0, '4'); !errors.Is(err, ErrNoPulseKey) {
		t.Errorf("NextPulseCopy without the key: %v", err)
	}
	if err := db.CountPulseCopy(id, "UA", c, now); !errors.Is(err, ErrNoPulseKey) {
		t.Errorf("CountPulseCopy without the key: %v", err)
	}
}

// A pulse closes with the minimum it opened with, whatever is passed at
// close: a team promised 5 answers gets no score from 4.
func TestPulseClosesWithItsOwnMinimum(t *testing.T) {
	cat, _ := pulse.LoadCatalog()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	db := openTest(t, func() time.Time { return now })
	db.SetPulseKey(testPulseKey)
	p := pulse.New(cat, "UM1", now)
	p.Min = 5
	np := NewPulse{Pulse: p}
	for _, r := range []string{"UA", "UB", "UC", "UD", "UE"} {
		np.Asks = append(np.Asks, PulseAsk{User: r, Due: now})
	}
	if _, err := db.OpenPulses(now, []NewPulse{np}); err != nil {
		t.Fatal(err)
	}
	for _, r := range []string{"UA", "UB", "UC", "UD"} {
		answer(t, db, p.ID, r, 0, '4', now)
	}
	closed, _, err := db.ClosePulse(p.ID, 3)
	if err != nil {
		t.Fatal(err)
	}
	if closed.HasResult() {
		t.Errorf("a pulse opened with a minimum of 5 closed with a result from 4 answers: %+v", closed.Counts)
	}
}

// A round opens once: a team formed later in the round gets no pulse of
// it, and the round is not in the admin figures until it froze.
func TestPulseRoundOpensOnce(t *testing.T) {
	cat, _ := pulse.LoadCatalog()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	db := openPulseTest(t, cat, now, map[string][]string{"UM1": {"UA", "UB", "UC"}})
	if ok, err := db.PulseRoundOpened(now); err != nil || !ok {
		t.Fatalf("PulseRoundOpened = %v, %v", ok, err)
	}
	late := NewPulse{Pulse: pulse.New(cat, "UX", now), Asks: []PulseAsk{{User: "UA", Due: now}, {User: "UY", Due: now}, {User: "UZ", Due: now}}}
	if opened, err := db.OpenPulses(now, []NewPulse{late}); !errors.Is(err, ErrRoundOpened) || len(opened) != 0 {
		t.Errorf("a team formed mid-round got a pulse: %v, %v", opened, err)
	}
	if ps, _ := db.TeamPulses("UX"); len(ps) != 0 {
		t.Errorf("UX's team has pulses: %+v", ps)
	}
	if rounds, _ := db.PulseRounds(); len(rounds) != 0 {
		t.Errorf("an open round is listed with the admin figures: %+v", rounds)
	}
	if _, _, err := db.ClosePulse(pulse.ID("UM1", now), 3); err != nil {
		t.Fatal(err)
	}
	if frozen, err := db.FreezePulseRound(now); err != nil || !frozen {
		t.Fatalf("FreezePulseRound = %v, %v", frozen, err)
	}
	if rounds, _ := db.PulseRounds(); len(rounds) != 1 || rounds[0].Open {
		t.Errorf("rounds after the freeze = %+v, want one frozen", rounds)
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
			c := answer(t, db, pulse.ID(m, now), r, 0, '5', now)
			if m <= "UM4" { // statement 1 gets answers in only 4 teams
				click(t, db, pulse.ID(m, now), r, c, 1, '3', now)
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
