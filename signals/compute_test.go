package signals

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"
)

// The people of the signal tests. Mia (UM, Berlin) manages; her possible
// reports are Ana (UA, Los Angeles), Ben (UB, Berlin), Cat (UK, Berlin), Dan
// (UD, Berlin) and Cy (UC, Tokyo), who opted out.
func people() map[string]Person {
	return map[string]Person{
		"UM": {ID: "UM", Name: "Mia", TZ: "Europe/Berlin"},
		"UA": {ID: "UA", Name: "Ana", TZ: "America/Los_Angeles"},
		"UB": {ID: "UB", Name: "Ben", TZ: "Europe/Berlin"},
		"UK": {ID: "UK", Name: "Cat", TZ: "Europe/Berlin"},
		"UD": {ID: "UD", Name: "Dan", TZ: "Europe/Berlin"},
		"UC": {ID: "UC", Name: "Cy", TZ: "Asia/Tokyo", OptedOut: true},
	}
}

// newTeam is an org in which Mia leads the given reports under norms n, with
// the workspace default hours (Mon–Fri 09:00–18:00). Mia connected her DMs
// and coach has seen them since long before any test's history, so each
// test's Since is what bounds what coach has seen (visibility_test.go
// varies that).
func newTeam(n Norms, reports ...string) *Org {
	return newTeamSeeing(Visibility{DMsSince: longAgo, Connected: longAgo}, n, reports...)
}

// longAgo is before every test's history.
var longAgo = time.Date(2020, time.January, 1, 0, 0, 0, 0, time.UTC)

// newTeamSeeing is newTeam with what coach sees of Mia's conversations.
func newTeamSeeing(v Visibility, n Norms, reports ...string) *Org {
	ps := people()
	list := []Person{ps["UM"]}
	for _, r := range reports {
		list = append(list, ps[r])
	}
	return NewOrg(list, []Team{{Manager: "UM", Reports: reports, Norms: n, Visibility: v}}, DefaultHours(), time.UTC)
}

// find returns the signal of kind k, failing the test when it is absent.
func find(t testing.TB, sigs []Signal, k Kind) Signal {
	t.Helper()
	for _, s := range sigs {
		if s.Kind == k {
			return s
		}
	}
	t.Fatalf("no %s signal in %v", k, kindsOf(sigs))
	return Signal{}
}

func kindsOf(sigs []Signal) []Kind {
	var out []Kind
	for _, s := range sigs {
		out = append(out, s.Kind)
	}
	return out
}

// checkSeverity holds for every signal: a fired one has a severity in
// (0, 1], an unfired one has 0.
func checkSeverity(t testing.TB, s Signal) {
	t.Helper()
	if s.Fired && (s.Severity <= 0 || s.Severity > 1) {
		t.Errorf("%s fired with severity %v, want in (0, 1]", s.Kind, s.Severity)
	}
	if !s.Fired && s.Severity != 0 {
		t.Errorf("%s did not fire but has severity %v, want 0", s.Kind, s.Severity)
	}
}

// june is the clock of the threshold tests: Wednesday 17 June 2026, 12:00
// in Berlin, far from any clock change.
func june(t testing.TB) time.Time {
	return time.Date(2026, time.June, 17, 12, 0, 0, 0, mustLoc(t, "Europe/Berlin"))
}

// ago is Mia's date n days before june: 0 is today, Wednesday 17 June.
func ago(t testing.TB, n int) Day {
	return DayOf(june(t), mustLoc(t, "Europe/Berlin")) - Day(n)
}

// judge computes Mia's signals at june from windows and state, with coach
// recording her for the last 60 days.
func judge(t testing.TB, o *Org, st ManagerState, ws ...DayWindow) []Signal {
	t.Helper()
	now := june(t)
	return Compute(o, Input{Manager: "UM", Now: now, Windows: ws, State: st, Since: now.AddDate(0, 0, -60)})
}

// perReport builds Mia's window of n days ago from per-report counters, as
// if every message had one recipient: the day's Directed, OffHours and
// StatusChase are the sums of the reports'.
func perReport(t testing.TB, n int, reps map[string]ReportDay) DayWindow {
	w := DayWindow{Day: ago(t, n)}
	for id, rd := range reps {
		w.Directed += rd.Directed
		w.OffHours += rd.OffHours
		w.StatusChase += rd.StatusChase
		*w.Report(id) = rd
	}
	return w
}

// ts is a Slack timestamp for an instant.
func ts(at time.Time) string { return fmt.Sprintf("%d.%06d", at.Unix(), at.Nanosecond()/1000) }

// dm is a message from one person to another in their DM.
func dm(from, to string, at time.Time, f Flags) Event {
	return Event{Message: &Message{Channel: dmChannel(from, to), TS: ts(at), At: at, Author: from, Kind: DM, Members: []string{from, to}, Flags: f}}
}

// dmChannel is the id of the DM between two people.
func dmChannel(x, y string) string { return "D" + min(x, y) + max(x, y) }

// mentioning is message event ev with mentions of ids added.
func mentioning(ev Event, ids ...string) Event {
	m := *ev.Message
	m.Mentioned = append(append([]string(nil), m.Mentioned...), ids...)
	return Event{ID: ev.ID, Message: &m}
}

// group is a message in a group DM.
func group(ch, from string, members []string, at time.Time, f Flags) Event {
	return Event{Message: &Message{Channel: ch, TS: ts(at), At: at, Author: from, Kind: GroupDM, Members: members, Flags: f}}
}

// post is a top-level channel message mentioning people.
func post(ch, from string, mentioned []string, at time.Time, f Flags) Event {
	return Event{Message: &Message{Channel: ch, TS: ts(at), At: at, Author: from, Kind: Channel, Mentioned: mentioned, Flags: f}}
}

// reply is a channel thread reply under the parent parentTS by parentUser.
func reply(ch, parentTS, parentUser, from string, at time.Time, f Flags) Event {
	return Event{Message: &Message{Channel: ch, TS: ts(at), ThreadTS: parentTS, ParentUser: parentUser, At: at, Author: from, Kind: Channel, Flags: f}}
}

// react is a reaction by user on itemUser's message ts.
func react(ch, msgTS, itemUser, user, emoji string, at time.Time) Event {
	return Event{Reaction: &Reaction{Channel: ch, TS: msgTS, ItemUser: itemUser, User: user, Emoji: emoji, At: at}}
}

// foldAll folds events, in order, into a fresh ledger.
func foldAll(o *Org, evs ...Event) *memLedger {
	l := newMemLedger()
	for _, ev := range evs {
		Fold(o, l, ev)
	}
	return l
}

// computeLedger is Compute for Mia over all the ledger holds: the product's
// path from events to signals.
func computeLedger(o *Org, l *memLedger, now, since time.Time) []Signal {
	var ws []DayWindow
	for _, w := range l.days["UM"] {
		ws = append(ws, *w)
	}
	return Compute(o, Input{Manager: "UM", Now: now, Windows: ws, State: *l.State("UM"), Since: since})
}

// Compute returns every kind in Kinds order; team_after_hours only for
// teams of at least 3 measured reports (privacy rule 4).
func TestComputeKinds(t *testing.T) {
	sevenKinds := slices.DeleteFunc(slices.Clone(Kinds), func(k Kind) bool { return k == TeamAfterHours })
	tests := []struct {
		name    string
		reports []string
		want    []Kind
	}{
		{"team of 3", []string{"UA", "UB", "UK"}, Kinds},
		{"team of 4, one opted out: 3 measured", []string{"UA", "UB", "UK", "UC"}, Kinds},
		{"team of 2", []string{"UA", "UB"}, sevenKinds},
		// A choice of the code the spec does not spell out: "teams of ≥ 3"
		// is read as three *measured* reports, the privacy-safe reading.
		{"team of 3, one opted out: 2 measured", []string{"UA", "UB", "UC"}, sevenKinds},
		{"team of 1", []string{"UB"}, sevenKinds},
	}
	for _, tt := range tests {
		got := kindsOf(judge(t, newTeam(Norms{}, tt.reports...), ManagerState{}))
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: kinds = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// A brand-new install (no windows, Since = now) makes no claim at all: not
// even "no contact for 14 days" or "no recognition in 30 days".
func TestComputeNewInstallClaimsNothing(t *testing.T) {
	o := newTeam(Norms{}, "UA", "UB", "UK")
	now := june(t)
	for _, s := range Compute(o, Input{Manager: "UM", Now: now, Since: now}) {
		if s.Fired {
			t.Errorf("%s fired on a new install: %+v", s.Kind, s.Facts)
		}
		checkSeverity(t, s)
	}
}

// A team of 2 (Mia, Ana, Ben) through Fold: all of Mia's 20 messages in four
// weeks go to Ana and every message of the reports is at 22:00. With three
// or more reports that would fire attention_balance (Ben gets 0 of an even
// 10) and team_after_hours; with two, attention_balance never fires and
// team_after_hours is not computed at all.
func TestTeamOfTwo(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	o := newTeam(Norms{}, "UA", "UB")
	var evs []Event
	// Weekdays from Mon 25 May to Fri 12 June, 10:00 Berlin (01:00 LA: the
	// off-hours for Ana do not matter here).
	start := time.Date(2026, time.May, 25, 10, 0, 0, 0, berlin)
	for d := 0; len(evs) < 20; d++ {
		at := start.AddDate(0, 0, d)
		if at.Weekday() == time.Saturday || at.Weekday() == time.Sunday {
			continue
		}
		evs = append(evs, dm("UM", "UA", at, Flags{}))
	}
	for d := 0; d < 28; d++ {
		late := time.Date(2026, time.May, 20+d, 22, 0, 0, 0, berlin)
		evs = append(evs, post("C1", "UB", nil, late, Flags{}), post("C1", "UA", nil, late, Flags{}))
	}
	now := june(t)
	l := foldAll(o, evs...)
	sigs := computeLedger(o, l, now, now.AddDate(0, 0, -60))
	if k := kindsOf(sigs); slices.Contains(k, TeamAfterHours) {
		t.Errorf("team of 2: kinds = %v, want no %s", k, TeamAfterHours)
	}
	ab := find(t, sigs, AttentionBalance)
	if ab.Fired || ab.Severity != 0 || len(ab.Facts.Reports) != 0 {
		t.Errorf("team of 2: attention_balance = %+v, want not fired, severity 0, nobody named", ab)
	}
	// The messages were counted all the same.
	if tot, reps := l.total("UM"); tot.Directed != 20 || reps["UB"].Own != 28 || reps["UB"].OwnOffHours != 28 {
		t.Errorf("ledger: directed %d, Ben own %d off %d; want 20, 28, 28", tot.Directed, reps["UB"].Own, reps["UB"].OwnOffHours)
	}
}
