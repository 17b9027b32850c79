package pulse

import (
	"errors"
	"strings"
	"testing"
	"time"

	"coach/signals"
)

func catalog(t *testing.T) *Catalog {
	t.Helper()
	c, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCatalog(t *testing.T) {
	c := catalog(t)
	if n := len(c.All()); n < 7 || n > 9 {
		t.Errorf("%d statements, want about 8", n)
	}
	reverse := 0
	for _, s := range c.All() {
		if s.Reverse {
			reverse++
			if s.Name() == s.Text {
				t.Errorf("%s is reverse-worded but results would name it as asked", s.ID)
			}
		}
		if s.Score(5) < s.Score(1) != s.Reverse {
			t.Errorf("%s: Score(5)=%d Score(1)=%d with reverse %v", s.ID, s.Score(5), s.Score(1), s.Reverse)
		}
	}
	if reverse == 0 {
		t.Errorf("no reverse-worded statement")
	}
	for _, id := range []string{"speak_up", "mistakes", "ask_help", "valued", "backing", "as_person", "switch_off"} {
		if _, ok := c.Lookup(id); !ok {
			t.Errorf("no %s statement", id)
		}
	}
}

func TestCatalogRejects(t *testing.T) {
	ok := "- {id: aa, text: A, starter: Q}\n- {id: bb, text: B, starter: Q}\n"
	for name, raw := range map[string]string{
		"unknown key":      ok + "- {id: cc, text: C, starter: Q, colour: red}\n",
		"duplicate id":     ok + "- {id: aa, text: C, starter: Q}\n",
		"too few":          "- {id: aa, text: A, starter: Q}\n",
		"bad id":           ok + "- {id: C-1, text: C, starter: Q}\n",
		"reverse no shown": ok + "- {id: cc, text: C, starter: Q, reverse: true}\n",
		"no starter":       ok + "- {id: cc, text: C}\n",
		"too long":         ok + "- {id: cc, text: " + strings.Repeat("x", 121) + ", starter: Q}\n",
	} {
		if _, err := parseCatalog([]byte(raw)); err == nil {
			t.Errorf("%s: parsed, want an error", name)
		}
	}
	if _, err := parseCatalog([]byte(ok + "- {id: cc, text: C, starter: Q}\n")); err != nil {
		t.Errorf("a good catalog: %v", err)
	}
}

// With the default pulse.every, every statement is asked again within a
// quarter (13 weeks) of the last time, and within a quarter of the first
// pulse, whatever day pulses were turned on.
func TestRotationBringsEveryStatementBackWithinAQuarter(t *testing.T) {
	c := catalog(t)
	const quarter = 13 * 7 * 24 * time.Hour
	for _, anchor := range []time.Time{
		time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC),
		time.Date(2023, 6, 14, 0, 0, 0, 0, time.UTC), // before the rotation's epoch
		time.Date(2027, 2, 28, 0, 0, 0, 0, time.UTC),
	} {
		s := Schedule{Anchor: anchor, Every: DefaultEvery}
		last := map[string]time.Time{}
		for _, st := range c.All() {
			last[st.ID] = anchor
		}
		for k := 0; k < 40; k++ { // three years of pulses
			at := anchor.Add(time.Duration(k)*DefaultEvery + time.Hour)
			opens, ok := s.Current(at)
			if !ok || !opens.Equal(anchor.Add(time.Duration(k)*DefaultEvery)) {
				t.Fatalf("anchor %s: Current(%s) = %s, %v", anchor, at, opens, ok)
			}
			asked := c.Asked(opens)
			if len(asked) != PerPulse {
				t.Fatalf("pulse %d asks %v, want %d statements", k, asked, PerPulse)
			}
			seen := map[string]bool{}
			for _, id := range asked {
				if seen[id] {
					t.Errorf("pulse %d asks %s twice", k, id)
				}
				seen[id] = true
				if gap := opens.Sub(last[id]); gap > quarter {
					t.Errorf("anchor %s: %s asked %s after the previous time (more than a quarter)", anchor.Format("2006-01-02"), id, gap)
				}
				last[id] = opens
			}
		}
	}
}

// The rotation can fail: a catalog too long for three a pulse does not
// bring every statement back within a quarter.
func TestRotationPropertyCanFail(t *testing.T) {
	var raw strings.Builder
	for _, id := range []string{"aa", "bb", "cc", "dd", "ee", "ff", "gg", "hh", "ii", "jj", "kk"} {
		raw.WriteString("- {id: " + id + ", text: T, starter: Q}\n")
	}
	c, err := parseCatalog([]byte(raw.String()))
	if err != nil {
		t.Fatal(err)
	}
	anchor := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	last := map[string]time.Time{}
	worst := time.Duration(0)
	for k := 0; k < 20; k++ {
		opens := anchor.Add(time.Duration(k) * DefaultEvery)
		for _, id := range c.Asked(opens) {
			if t0, ok := last[id]; ok && opens.Sub(t0) > worst {
				worst = opens.Sub(t0)
			}
			last[id] = opens
		}
	}
	if worst <= 13*7*24*time.Hour {
		t.Errorf("11 statements come back within %s, want longer than a quarter", worst)
	}
}

func TestScheduleCurrent(t *testing.T) {
	anchor := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	s := Schedule{Anchor: anchor, Every: DefaultEvery}
	for _, tc := range []struct {
		at    time.Time
		opens time.Time
		ok    bool
	}{
		{anchor.Add(-time.Hour), time.Time{}, false},
		{anchor, anchor, true},
		{anchor.Add(CloseAfter - time.Second), anchor, true},
		{anchor.Add(CloseAfter), anchor, false},
		{anchor.Add(DefaultEvery + time.Hour), anchor.Add(DefaultEvery), true},
	} {
		opens, ok := s.Current(tc.at)
		if !opens.Equal(tc.opens) || ok != tc.ok {
			t.Errorf("Current(%s) = %s, %v; want %s, %v", tc.at, opens, ok, tc.opens, tc.ok)
		}
	}
}

func TestAskAtIsInWorkingHours(t *testing.T) {
	opens := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC) // Monday 00:00 UTC
	h := signals.DefaultHours()
	for _, tz := range []string{"Europe/Berlin", "America/Los_Angeles", "Asia/Tokyo", "Australia/Sydney"} {
		loc, _ := time.LoadLocation(tz)
		at := AskAt(opens, h, loc)
		if !h.Contains(at, loc) || at.Before(opens) || at.Sub(opens) > 4*24*time.Hour {
			t.Errorf("%s: asked at %s (%s local), want the first working moment after %s", tz, at, at.In(loc).Format("Mon 15:04"), opens)
		}
	}
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	if at := AskAt(opens, h, tokyo); !at.Equal(opens) {
		t.Errorf("Tokyo at 09:00 is in working hours: asked at %s, want %s", at, opens)
	}
}

func TestChangeAndClose(t *testing.T) {
	c := catalog(t)
	opens := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	p := New(c, "UM1", opens)
	now := opens.Add(time.Hour)
	for _, a := range []byte("44534") {
		if err := p.Change(0, Unanswered, a, now); err != nil {
			t.Fatal(err)
		}
	}
	// One changes 3 → 5, one skips after answering 4.
	if err := p.Change(0, '3', '5', now); err != nil {
		t.Fatal(err)
	}
	if err := p.Change(0, '4', Skipped, now); err != nil {
		t.Fatal(err)
	}
	if got, want := p.Counts[p.Statements[0]], (Counts{0, 0, 0, 2, 2}); got != want {
		t.Errorf("counts %v, want %v", got, want)
	}
	if err := p.Change(0, '1', '2', now); !errors.Is(err, ErrBadAnswer) {
		t.Errorf("taking back an answer nobody gave: %v, want ErrBadAnswer", err)
	}
	if err := p.Change(1, Unanswered, '9', now); !errors.Is(err, ErrBadAnswer) {
		t.Errorf("answer 9: %v, want ErrBadAnswer", err)
	}
	if err := p.Change(1, Unanswered, '2', now); err != nil {
		t.Fatal(err)
	}
	if err := p.Change(0, '5', '4', p.Closes); !errors.Is(err, ErrClosed) {
		t.Errorf("after the close time: %v, want ErrClosed", err)
	}
	strict := p
	strict.Counts = map[string]Counts{}
	for k, v := range p.Counts {
		strict.Counts[k] = v
	}
	strict.Close(5)
	if strict.State != Closed || strict.HasResult() {
		t.Errorf("4 and 1 answers with min 5: %+v, want closed with no result", strict)
	}
	p.Close(4)
	if _, kept := p.Counts[p.Statements[1]]; kept {
		t.Errorf("a statement with 1 answer kept its counts after close: %v", p.Counts)
	}
	if c0, ok := p.Counts[p.Statements[0]]; !ok || c0.N() != 4 || !p.HasResult() {
		t.Errorf("statement with 4 answers, min 4: %v, want kept", p.Counts)
	}
	q := New(c, "UM1", opens)
	_ = q.Change(0, Unanswered, '5', now)
	_ = q.Change(0, Unanswered, '5', now)
	q.Close(1) // the floor is 3, whatever config says
	if q.HasResult() {
		t.Errorf("2 answers made a result with min 1: the floor of %d is not kept", MinResponsesFloor)
	}
}

func TestMeanIsHigherIsBetter(t *testing.T) {
	c := catalog(t)
	rev, _ := c.Lookup("mistakes")
	fwd, _ := c.Lookup("switch_off")
	agree := Counts{0, 0, 0, 0, 4} // everyone strongly agrees
	if got := agree.Mean(fwd); got != 5 {
		t.Errorf("switch_off all 5s: mean %v, want 5", got)
	}
	if got := agree.Mean(rev); got != 1 {
		t.Errorf("mistakes held against me, all 5s: mean %v, want 1 (reverse-worded)", got)
	}
	if got := Score((Counts{0, 1, 2, 2, 1}).Mean(fwd)); got != "3.5" {
		t.Errorf("score %s, want 3.5", got)
	}
}

func TestParseID(t *testing.T) {
	opens := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	m, at, ok := ParseID(ID("UM1", opens))
	if !ok || m != "UM1" || !at.Equal(opens) {
		t.Errorf("ParseID(ID) = %s %s %v", m, at, ok)
	}
	for _, bad := range []string{"", "UM1", "UM1.", ".123", "UM1.x", "UM1.-5", strings.Repeat("U", 70) + ".1"} {
		if _, _, ok := ParseID(bad); ok {
			t.Errorf("ParseID(%q) ok", bad)
		}
	}
}

func TestAnswers(t *testing.T) {
	a := NoAnswers(3)
	if a != "---" || a.Done() || !a.Valid(3) {
		t.Errorf("NoAnswers(3) = %q", a)
	}
	a = a.With(0, '4').With(1, Skipped).With(2, '1')
	if a != "4s1" || !a.Done() || !a.Valid(3) {
		t.Errorf("answers %q", a)
	}
	for _, bad := range []Answers{"4s", "4s1-", "4x1", "061"} {
		if bad.Valid(3) {
			t.Errorf("%q valid", bad)
		}
	}
}

func TestDigestLine(t *testing.T) {
	c := catalog(t)
	first := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	second := first.Add(14 * 24 * time.Hour)
	mk := func(opens time.Time, switchOff Counts) Pulse {
		p := New(c, "UM1", opens)
		p.Counts[p.Statements[0]] = Counts{0, 0, 1, 3, 1}
		p.Counts["switch_off"] = switchOff
		p.State = Closed
		return p
	}
	a := mk(first, Counts{1, 1, 1, 1, 1})
	b := mk(second, Counts{0, 0, 1, 3, 1})
	if !containsString(a.Statements, "switch_off") || !containsString(b.Statements, "switch_off") {
		t.Fatalf("the two pulses ask %v and %v; the test wants switch_off in both", a.Statements, b.Statements)
	}
	agreed := []Agreed{{Kind: "message_hours", Description: ":city_sunset: until 20:00 is fine", At: first.Add(8 * 24 * time.Hour)}}
	got := DigestLine(c, []Pulse{a, b}, agreed)
	want := "Since your team agreed :city_sunset: until 20:00 is fine, *I can switch off after work* went from 3.0 to 4.0 in the trust pulse."
	if !strings.HasPrefix(got, want) {
		t.Errorf("DigestLine = %q, want it to start %q", got, want)
	}
	// Without the norm: the statement that moved most.
	if got := DigestLine(c, []Pulse{a, b}, nil); !strings.Contains(got, "*I can switch off after work* went from 3.0 to 4.0 since it was last asked") {
		t.Errorf("DigestLine without a norm = %q", got)
	}
	// A norm agreed before the earlier pulse bears on neither.
	early := []Agreed{{Kind: "message_hours", Description: "x", At: first.Add(-time.Hour)}}
	if got := DigestLine(c, []Pulse{a, b}, early); strings.Contains(got, "Since your team agreed") {
		t.Errorf("a norm agreed before both pulses is credited: %q", got)
	}
	// The first result: just the scores.
	if got := DigestLine(c, []Pulse{a}, nil); !strings.HasPrefix(got, "Your team's trust pulse is in: ") {
		t.Errorf("first result line = %q", got)
	}
	// No result, no line.
	empty := New(c, "UM1", first)
	empty.Close(5)
	if got := DigestLine(c, []Pulse{empty}, nil); got != "" {
		t.Errorf("no result gave the line %q", got)
	}
}

// A pulse closes with the minimum it opened with; the one given at close
// counts only for a pulse that recorded none.
func TestCloseUsesTheMinimumItOpenedWith(t *testing.T) {
	c, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	opens := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	four := func(min int) Pulse {
		p := New(c, "UM1", opens)
		p.Min = min
		for i := 0; i < 4; i++ {
			if err := p.Change(0, Unanswered, '4', opens); err != nil {
				t.Fatal(err)
			}
		}
		return p
	}
	promised := four(5)
	promised.Close(3)
	if promised.HasResult() {
		t.Errorf("a pulse opened with a minimum of 5 has a result from 4 answers: %+v", promised.Counts)
	}
	old := four(0)
	old.Close(3)
	if !old.HasResult() {
		t.Errorf("a pulse with no recorded minimum closed at 3 has no result from 4 answers")
	}
}

// The pulse key is derived from the operator's key with a label: not the
// operator's key, the same for the same key, another for another.
func TestKeyIsDerived(t *testing.T) {
	a, again, b := []byte(strings.Repeat("a", 32)), []byte(strings.Repeat("a", 32)), []byte(strings.Repeat("b", 32))
	if string(Key(a)) == string(a) || len(Key(a)) != 32 {
		t.Errorf("Key(a) = %x", Key(a))
	}
	if string(Key(a)) != string(Key(again)) {
		t.Errorf("Key(a) = %x, but Key of the same key again = %x", Key(a), Key(again))
	}
	if string(Key(a)) == string(Key(b)) {
		t.Errorf("Key(a) = Key(b) = %x for two different keys", Key(a))
	}
}
