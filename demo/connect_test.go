package demo

import (
	"strings"
	"testing"

	"coach/nudges"
	"coach/signals"
)

// Mia connects in week 1: the transcript shows her link, the consent page
// she allows, coach's page and the read back, and her first digest, two
// days after, already counts the DMs of before she connected: the same
// 10 of 25 messages as when every DM arrived live. Sam never connects: no
// digest of his claims anything that needs his DMs, each says what coach
// sees and offers Connect, and /coach me and the table say coach can't
// tell.
func TestDemoConnect(t *testing.T) {
	res, out := runDemo(t, 1)
	for _, want := range []string{
		"▸ Mia, Wed 4 Nov 08:00 Europe/Berlin: she types `/coach connect`; only she sees the answer:",
		"  │ [Connect my DMs] → http://…/connect/start?state=…",
		"  │ *coach is requesting permission to access the Fake Workspace Slack workspace*\n  │ Signed in as Mia.\n  │ On your behalf, it would be able to:\n  │ • im:history",
		"  │ [Cancel] [Allow]\n  She clicks Allow, and Slack sends her back to coach:\n  │ *Connected*\n  │ Connected. You can close this tab.",
		"  │ *You're connected.* coach now counts your DMs and group DMs with your reports (Ana, Ben, Chloé, Dan)",
		"  │ *coach has read back your DMs.* It counted 12 messages in 4 conversations with your reports (DMs and group DMs), from Wed 30 Sep to Wed 4 Nov 08:00, when you connected",
		"  10 of those 25 messages are from before Mia connected on Wednesday",
		"▸ Sam, Mon 9 Nov 09:00 Europe/London: no DM. coach sees only the channels it's in for Sam",
		"▸ Sam types `/coach me`; only Sam sees the answer:",
		"  │ • *Staying in touch*: coach can't tell without your DMs.",
		"`/coach connect` lets it count them too.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("transcript lacks %q", want)
		}
	}
	if strings.Contains(out, "since you and Kai last talked") {
		t.Error("coach claims a contact gap for Sam, whose DMs it cannot see")
	}
	var sam string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "Sam ") {
			sam = l
		}
	}
	if strings.Count(sam, "can't tell") != 5 {
		t.Errorf("the table's row for Sam: %q, want can't tell for the 5 kinds that need DMs", sam)
	}

	mia := res.Digests["U0MIA"]
	if len(mia) == 0 || !mia[0].Visibility.DMs() {
		t.Fatalf("Mia's first digest does not see her DMs: %+v", mia)
	}
	first := mia[0]
	if len(first.Nudges) == 0 || first.Nudges[0].Kind != signals.AfterHours || first.Nudges[0].Facts.Count != 10 || first.Nudges[0].Facts.Total != 25 {
		t.Errorf("Mia's first digest nudges %+v, want after_hours 10 of 25", first.Nudges)
	}
	samDigests := res.Digests["U0SAM"]
	if len(samDigests) == 0 {
		t.Fatal("Sam got no digest at all: the transcript cannot show what coach tells him")
	}
	for _, d := range samDigests {
		if d.Visibility.DMs() {
			t.Errorf("Sam's digest of %s says coach saw his DMs", d.Slot)
		}
		for _, n := range d.Nudges {
			if n.Kind.NeedsDMs() {
				t.Errorf("Sam's digest of %s nudges %s without his DMs", d.Slot, n.Kind)
			}
		}
		if !strings.Contains(d.Text(), nudges.ChannelsOnlyNote) {
			t.Errorf("Sam's digest of %s does not say what coach sees:\n%s", d.Slot, d.Text())
		}
	}
	for _, m := range []string{"U0RAJ", "U0LEE", "U0ZOE"} {
		for _, d := range res.Digests[m] {
			if !d.Visibility.DMs() {
				t.Errorf("%s connected before the month, yet the digest of %s does not see their DMs", m, d.Slot)
			}
		}
	}
}
