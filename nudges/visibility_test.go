package nudges_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"coach/nudges"
	"coach/signals"
)

// Mia DMs Ana every day, but until she connects coach sees only the team
// channel, where she mentions Ben once a day and thanked both with a 🙌 on
// their posts three days ago (a reaction is no exchange). Her digest then has
// no contact_gap nudge — nor anything else that needs her DMs — where
// judging the channels as if they were everything would tell her "It's been
// 30 days since you and Ana last talked". Once connected, with the DMs read
// back, coach sees the daily contact and says nothing about it either.
func TestNoContactGapNudgeWithoutTheDMs(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	cat, err := nudges.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	slot := time.Date(2026, time.June, 15, 9, 0, 0, 0, berlin) // a Monday
	since := slot.AddDate(0, 0, -30)
	today := signals.DayOf(slot, berlin)
	people := []signals.Person{
		{ID: "UM", Name: "Mia", TZ: "Europe/Berlin"}, {ID: "UA", Name: "Ana", TZ: "Europe/Berlin"},
		{ID: "UB", Name: "Ben", TZ: "Europe/Berlin"},
	}
	org := func(v signals.Visibility) *signals.Org {
		return signals.NewOrg(people, []signals.Team{{Manager: "UM", Reports: []string{"UA", "UB"}, Since: since, Visibility: v}},
			signals.DefaultHours(), berlin)
	}
	// What coach saw in the channel: a mention of Ben on each of the last
	// 30 days, and the two thanks.
	var channel, all []signals.DayWindow
	for n := 1; n <= 30; n++ {
		w := signals.DayWindow{Day: today - signals.Day(n), Directed: 1}
		w.Report("UB").Directed = 1
		if n == 3 {
			w.Report("UA").Recognition, w.Report("UB").Recognition = 1, 1
		}
		channel = append(channel, w)
		// What coach sees once the DMs are read back: the same, and a DM
		// to Ana each day.
		w = signals.DayWindow{Day: w.Day, Directed: 2}
		w.Report("UB").Directed, w.Report("UA").Directed = 1, 1
		if n == 3 {
			w.Report("UA").Recognition, w.Report("UB").Recognition = 1, 1
		}
		all = append(all, w)
	}
	yesterday := slot.AddDate(0, 0, -1).Add(2 * time.Hour).Unix()
	seenInChannel := signals.ManagerState{LastContact: map[string]int64{"UB": yesterday}}
	seenAll := signals.ManagerState{LastContact: map[string]int64{"UA": yesterday, "UB": yesterday}}

	plan := func(o *signals.Org, ws []signals.DayWindow, st signals.ManagerState) nudges.Digest {
		t.Helper()
		sigs := signals.Compute(o, signals.Input{Manager: "UM", Now: slot, Windows: ws, State: st})
		d, _, err := nudges.DefaultPolicy().Plan(cat, "UM", slot, sigs, nudges.History{})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	kinds := func(d nudges.Digest) []signals.Kind {
		var out []signals.Kind
		for _, n := range d.Nudges {
			out = append(out, n.Kind)
		}
		return out
	}

	// The claim the channels alone would make, were they taken for
	// everything: the case is one that fires.
	wrong := plan(org(signals.Visibility{DMsSince: since}), channel, seenInChannel)
	i := slices.IndexFunc(wrong.Nudges, func(n nudges.Nudge) bool { return n.Kind == signals.ContactGap })
	if i < 0 || !strings.Contains(wrong.Nudges[i].Observation, "30 days since you and Ana last talked") {
		t.Fatalf("the channels taken for everything: nudges %v, want the false contact_gap about Ana", kinds(wrong))
	}

	blind := plan(org(signals.Visibility{}), channel, seenInChannel)
	for _, k := range kinds(blind) {
		if k.NeedsDMs() {
			t.Errorf("channels only: a %s nudge, which needs the DMs coach does not see", k)
		}
	}

	connected := plan(org(signals.Visibility{DMsSince: since}), all, seenAll)
	if len(connected.Nudges) != 0 {
		t.Errorf("connected: nudges %v, but coach saw Mia and Ana talk every day", kinds(connected))
	}
}

// A digest for a manager whose DMs coach did not see says so, in plain
// words, just above the privacy note; one for a manager who connected says
// nothing of it.
func TestDigestSaysWhatCoachSaw(t *testing.T) {
	d := nudges.Digest{ID: "d1-UM-1781506800", Manager: "UM", Nudges: []nudges.Nudge{
		{Kind: signals.AfterHours, Title: "Messages outside working hours", Observation: "5 of your 20 messages landed late.", Why: "Rest matters.", Try: "Use schedule send."},
	}}
	want := "Try this week: Use schedule send.\n\n" + nudges.ChannelsOnlyNote + "\n\n" + nudges.PrivacyNote + "\n"
	if got := d.Text(); !strings.HasSuffix(got, want) {
		t.Errorf("channels only: Text() =\n%s\nwant it to end\n%s", got, want)
	}
	for _, w := range []string{"only the channels it's in", "connect your DMs", "conversations with your reports"} {
		if !strings.Contains(nudges.ChannelsOnlyNote, w) {
			t.Errorf("ChannelsOnlyNote %q does not say %q", nudges.ChannelsOnlyNote, w)
		}
	}
	d.Visibility = signals.Visibility{DMsSince: time.Date(2026, time.May, 1, 0, 0, 0, 0, time.UTC)}
	if got := d.Text(); strings.Contains(got, nudges.ChannelsOnlyNote) || d.VisibilityNote() != "" {
		t.Errorf("connected: Text() =\n%s\nwant no word on what coach sees", got)
	}
}

// The scheduler plans each digest with the manager's visibility of that
// moment, which is how the footer knows what to say.
func TestPlannedDigestCarriesVisibility(t *testing.T) {
	w := newWorld(t)
	since := w.now.AddDate(0, 0, -35)
	w.org.Teams["UM2"].Visibility = signals.Visibility{} // Raj has not connected
	w.org.Teams["UM1"].Visibility = signals.Visibility{DMsSince: since}
	s := w.scheduler(nil)
	for _, m := range []string{"UM1", "UM2"} {
		p, err := s.PlanNow(m, w.now.Add(9*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		v := p.Digest.Visibility
		if want := m == "UM1"; v.DMs() != want || (want && !v.DMsSince.Equal(since)) {
			t.Errorf("%s's digest: visibility %+v, want DMs %v since %v", m, v, want, since)
		}
	}
}
