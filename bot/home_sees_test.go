package bot

import (
	"strings"
	"testing"
	"time"

	"coach/signals"
)

// channelsOnlyHome is managerHome as coach sees a manager who has not
// connected their DMs: the signals that need them are Unseen every week.
func channelsOnlyHome() HomeData {
	d := managerHome()
	d.DMsSince = time.Time{}
	for i := range d.Weeks {
		w := make([]signals.Signal, len(d.Weeks[i]))
		for j, sg := range d.Weeks[i] {
			if sg.Kind.NeedsDMs() {
				sg = signals.Signal{Kind: sg.Kind, Unseen: true, Facts: signals.Facts{Days: sg.Facts.Days}}
			}
			w[j] = sg
		}
		d.Weeks[i] = w
	}
	return d
}

// The App Home of a manager whose DMs coach does not see says so at the
// top, words each signal it cannot judge as such, with – in its trend
// (never "No one on your team has gone long without…"), and offers one
// Connect my DMs button. While the read back runs it says how far it got;
// once it is done, since when coach sees the DMs.
func TestHomeSaysWhatCoachSees(t *testing.T) {
	offered := channelsOnlyHome()
	offered.ConnectOffered = true
	reading := channelsOnlyHome()
	reading.ConnectedSince = time.Date(2026, 3, 30, 10, 40, 0, 0, time.UTC)
	reading.ReadBack = &HomeReadBack{Read: 14, Days: 35}
	cases := map[string]HomeData{"manager_channels_only": offered, "manager_reading_back": reading}
	for name, d := range cases {
		t.Run(name, func(t *testing.T) {
			v := HomeView(d)
			golden(t, "home_"+name+".golden.json", viewJSON(t, v))
			text := blocksText(v.Blocks.BlockSet)
			golden(t, "home_"+name+".golden.txt", []byte(text))
			for _, false_ := range []string{"No one on your team has gone long", "spread fairly evenly", "No thanks or kudos", "No messages from your team waited"} {
				if strings.Contains(text, false_) {
					t.Errorf("%s claims %q without the DMs", name, false_)
				}
			}
			for _, k := range []signals.Kind{signals.ContactGap, signals.Recognition, signals.AttentionBalance, signals.ResponseTime, signals.Listening} {
				want := "*" + homeTitle(k) + "*\n" + homeUnseen
				if !strings.Contains(text, want) {
					t.Errorf("%s: %s is not worded as unseen:\n%s", name, k, text)
				}
			}
			if n := strings.Count(string(viewJSON(t, v)), `"action_id": "`+ConnectAction+`"`); n != map[string]int{"manager_channels_only": 1, "manager_reading_back": 0}[name] {
				t.Errorf("%s: %d Connect buttons", name, n)
			}
		})
	}
	if got := homeSees(offered); !strings.HasPrefix(got, "coach sees only the channels it's in") {
		t.Errorf("channels only: %q", got)
	}
	if got := homeSees(reading); got != "coach is reading back your DMs with your reports: 14 of 35 days so far. Until it's done, it says nothing about what it can't see yet." {
		t.Errorf("reading back: %q", got)
	}
	reading.ReadBack = nil
	if got := homeSees(reading); !strings.HasPrefix(got, "coach is reading back your DMs") {
		t.Errorf("connected, read back not started: %q", got)
	}
	if got := homeSees(managerHome()); got != "coach sees the channels it's in and your DMs and group DMs with your reports, since Mon 26 Jan." {
		t.Errorf("DMs seen: %q", got)
	}
	// The trend of a kind coach could not see is dashes.
	tr := homeTrend(offered.Weeks, signals.ContactGap)
	if !strings.Contains(tr, "– → – → – → –") {
		t.Errorf("trend of an unseen kind: %q", tr)
	}
}
