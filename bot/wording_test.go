package bot

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"coach/nudges"
	"coach/signals"
	"coach/slackfake"
)

// seedMiaWeek sends Mia's distinctive week (as seedMia does) without
// running the schedule: 23 messages to Ben, 17 of them at 22:00 Berlin,
// and a question from Ana she never answers.
func seedMiaWeek(t *testing.T, h *harness) {
	t.Helper()
	berlin, _ := time.LoadLocation("Europe/Berlin")
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, berlin)
	var evs []map[string]any
	for i := 0; i < 23; i++ {
		at := start.Add(time.Duration(i%5)*24*time.Hour + 11*time.Hour + time.Duration(i)*time.Minute)
		if i < 17 {
			at = start.Add(time.Duration(i%5)*24*time.Hour + 22*time.Hour + time.Duration(i)*time.Minute)
		}
		evs = append(evs, dm("UM1", "UB", at, "hello"))
	}
	evs = append(evs, dm("UA", "UM1", start.Add(18*time.Hour), "question?"))
	h.send(evs...)
}

// homeView is user's published App Home as text, without asking for it.
func (h *harness) homeView(user string) string {
	h.t.Helper()
	var v slack.View
	if err := json.Unmarshal(h.fake.HomeView(user), &v); err != nil {
		h.t.Fatalf("App Home of %s: %v", user, err)
	}
	return blocksText(v.Blocks.BlockSet)
}

// drawHome publishes user's App Home now and returns it as text.
func (h *harness) drawHome(user string) string {
	h.t.Helper()
	h.srv.publishHome(context.Background(), user)
	return h.homeView(user)
}

// click presses a nudge button on the digest message m.
func (h *harness) click(user string, m slackfake.Message, action nudges.Action, value string) {
	h.fake.SendInteraction(map[string]any{
		"type": "block_actions", "user": map[string]any{"id": user},
		"container": map[string]any{"type": "message", "channel_id": m.Channel, "message_ts": m.TS},
		"actions":   []map[string]any{{"type": "button", "action_id": string(action), "block_id": "nudge", "value": value}},
	})
}

// /coach me speaks of a manager's signals in the words and units of the
// App Home, under the nudges' titles, not by signal id.
func TestMeSpeaksLikeTheHome(t *testing.T) {
	h := commandHarness(t)
	seedMia(t, h)
	me := h.command("UM1", "me")
	home := h.drawHome("UM1")
	if !strings.Contains(me, "• *Messages outside working hours*: 17 of your 23 messages to your team last week landed outside the recipient's working hours") {
		t.Errorf("/coach me does not word after_hours as the App Home does:\n%s", me)
	}
	for _, title := range []string{"Messages outside working hours", "Replies to your team", "Staying in touch", "Recognising good work", "Asking for status updates"} {
		_, rest, found := strings.Cut(me, "• *"+title+"*: ")
		if !found {
			t.Errorf("/coach me has no line titled %q:\n%s", title, me)
			continue
		}
		sentence, _, _ := strings.Cut(rest, "\n")
		sentence = strings.TrimSuffix(sentence, " ✱")
		if !strings.Contains(home, title+"*\n"+sentence) {
			t.Errorf("the App Home does not say %q under %q as /coach me does:\n%s", sentence, title, home)
		}
	}
	for _, not := range []string{"after_hours", "response_time", "working minutes", "contact_gap"} {
		if strings.Contains(me, not) {
			t.Errorf("/coach me says %q:\n%s", not, me)
		}
	}
}

// Counts read right in the singular: one digest, one day, one report.
func TestSingulars(t *testing.T) {
	h := commandHarness(t)
	seedMia(t, h)
	home := h.drawHome("UM1")
	if !strings.Contains(home, "The weekly digest coach sent you, and your feedback on it.") || strings.Contains(home, "The 1 weekly digests") {
		t.Errorf("one digest sent:\n%s", home)
	}
	if strings.Contains(home, " 1 days") || strings.Contains(home, "1 nudges") {
		t.Errorf("a plural after 1:\n%s", home)
	}
	h.command("UX", "team remove <@UM1> <@UC>")
	h.command("UX", "team set <@UX> <@UC>")
	h.srv.Settle()
	if got := h.drawHome("UX"); !strings.Contains(got, "Role: manager of 1 person") {
		t.Errorf("a manager of one:\n%s", got)
	}
}

// Someone in no team is not told they are counted; someone who opted out
// sees no id and no borrowed time zone.
func TestHomeForNoTeamAndOptedOut(t *testing.T) {
	h := commandHarness(t)
	x := h.drawHome("UX")
	if strings.Contains(x, "You're included in coach's counts") || !strings.Contains(x, "You're not in a coach team, so coach records nothing about you.") {
		t.Errorf("Xavier, an admin in no team:\n%s", x)
	}
	h.command("UB", "optout")
	h.srv.Settle()
	b := h.drawHome("UB")
	for _, not := range []string{"UB", "UTC", "Time zone", "Working hours"} {
		if strings.Contains(b, not) {
			t.Errorf("opted-out home shows %q:\n%s", not, b)
		}
	}
	if !strings.Contains(b, "You've opted out") {
		t.Errorf("opted-out home:\n%s", b)
	}
}

// A pause until a date covers that whole date in the manager's zone, and
// every place says so with that date.
func TestPauseUntilADate(t *testing.T) {
	h := commandHarness(t)
	got := h.command("UM1", "pause until 2026-12-24")
	if want := "Paused: no digests up to and including Thu 24 Dec 2026. `/coach resume` restarts them sooner."; got != want {
		t.Errorf("pause: %q, want %q", got, want)
	}
	hist, err := h.db.Coaching("UM1")
	berlin, _ := time.LoadLocation("Europe/Berlin")
	if err != nil || !hist.PausedUntil.Equal(time.Date(2026, 12, 25, 0, 0, 0, 0, berlin)) {
		t.Errorf("paused until %v (%v), want the end of 24 Dec in Berlin", hist.PausedUntil, err)
	}
	if me := h.command("UM1", "me"); !strings.Contains(me, "Your digests are paused up to and including Thu 24 Dec 2026.") {
		t.Errorf("/coach me:\n%s", me)
	}
	h.srv.Settle()
	if home := h.homeView("UM1"); !strings.Contains(home, "Your digests are paused up to and including Thu 24 Dec.") {
		t.Errorf("App Home:\n%s", home)
	}
	if got := h.command("UM1", "pause 2w"); !strings.Contains(got, "no digests until Wed 18 Mar 2026.") {
		t.Errorf("pause 2w: %q", got)
	}
}

// The App Home shows new working hours as soon as they are set, by
// command or with the modal.
func TestHomeShowsNewHoursAtOnce(t *testing.T) {
	h := commandHarness(t)
	h.command("UA", "hours 08:00-16:00")
	h.srv.Settle()
	if got := h.homeView("UA"); !strings.Contains(got, "Working hours: 08:00-16:00 mon-fri (your own setting)") {
		t.Errorf("after /coach hours 08:00-16:00 the App Home shows:\n%s", got)
	}
	id := h.fake.SendInteraction(map[string]any{
		"type": "view_submission", "user": map[string]any{"id": "UA"},
		"view": map[string]any{"type": "modal", "callback_id": HoursModalCallback, "state": map[string]any{"values": map[string]any{
			"hours_start": map[string]any{"start": map[string]any{"type": "timepicker", "selected_time": "07:30"}},
			"hours_end":   map[string]any{"end": map[string]any{"type": "timepicker", "selected_time": "15:30"}},
			"hours_days": map[string]any{"days": map[string]any{"type": "checkboxes", "selected_options": []map[string]any{
				{"value": "mon", "text": map[string]any{"type": "plain_text", "text": "Monday"}},
			}}},
		}}},
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.fake.WaitAcked(ctx, id); err != nil {
		t.Fatal(err)
	}
	h.srv.Settle()
	if got := h.homeView("UA"); !strings.Contains(got, "Working hours: 07:30-15:30 mon (your own setting)") {
		t.Errorf("after the hours modal the App Home shows:\n%s", got)
	}
}

// However quickly /coach nudge is asked twice, the manager gets one digest
// for the slot, and the second request says so.
func TestNudgeTwiceSendsOneDigest(t *testing.T) {
	h := commandHarness(t)
	seedMiaWeek(t, h)
	berlin, _ := time.LoadLocation("Europe/Berlin")
	h.clock.Set(time.Date(2026, 3, 10, 11, 0, 0, 0, berlin)) // Tuesday: Monday's slot is due
	ids := []string{
		h.fake.SendSlashCommand(slackfake.SlashCommand{Command: "/coach", Text: "nudge <@UM1>", UserID: "UX", ChannelID: "DUX"}),
		h.fake.SendSlashCommand(slackfake.SlashCommand{Command: "/coach", Text: "nudge <@UM1>", UserID: "UX", ChannelID: "DUX"}),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.fake.WaitAcked(ctx, ids...); err != nil {
		t.Fatal(err)
	}
	h.srv.Settle()
	var replies []string
	for _, a := range h.fake.Acks() {
		if a.EnvelopeID == ids[0] || a.EnvelopeID == ids[1] {
			replies = append(replies, string(a.Payload))
		}
	}
	if len(replies) != 2 || strings.Contains(replies[0], "already") == strings.Contains(replies[1], "already") {
		t.Errorf("replies %q, want one Done and one already dealt with", replies)
	}
	if err := h.srv.Tick(context.Background(), h.clock.Now()); err != nil {
		t.Fatal(err)
	}
	h.srv.Settle()
	if got := h.digests("UM1"); len(got) != 1 {
		t.Errorf("Mia got %d digests, want 1 for the slot", len(got))
	}
	if got := h.command("UX", "nudge <@UM1>"); !strings.Contains(got, "already dealt with Mia's digest for Mon 9 Mar") {
		t.Errorf("a third request: %q", got)
	}
}

// The digest, its acknowledgements and the App Home say the lengths that
// are configured, and the late hour.
func TestConfiguredTermsInWhatCoachSays(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	h := startHarness(t, time.Date(2026, 3, 4, 10, 0, 0, 0, berlin), func(c *Config) {
		c.Policy.NotForMe = 3 * 7 * 24 * time.Hour
		c.Policy.Snooze = 10 * 24 * time.Hour
		c.NormsCloseAfter = 72 * time.Hour
		c.Limits.LateHour = 20
	})
	seedMiaWeek(t, h)
	slot := time.Date(2026, 3, 9, 9, 0, 0, 0, berlin)
	h.clock.Set(slot)
	if err := h.srv.Tick(context.Background(), slot); err != nil {
		t.Fatal(err)
	}
	msgs := h.digests("UM1")
	if len(msgs) != 1 {
		t.Fatalf("Mia's digests: %d, want 1", len(msgs))
	}
	blocks := string(msgs[0].Blocks)
	for _, want := range []string{"Snooze 10 days", "all of them between 20:00 and 06:00 or at a weekend"} {
		if !strings.Contains(blocks, want) {
			t.Errorf("digest lacks %q:\n%s", want, blocks)
		}
	}
	if strings.Contains(blocks, "2 weeks") || strings.Contains(blocks, "late in the evening") {
		t.Errorf("digest says the defaults:\n%s", blocks)
	}
	id := nudges.DigestID("UM1", slot)
	h.click("UM1", msgs[0], nudges.NotForMe, nudges.ActionValue(id, signals.AfterHours))
	eventually(t, "the acknowledgement", func() bool {
		m := h.digests("UM1")
		return len(m) == 1 && m[0].Updated
	})
	h.srv.Settle()
	if got := string(h.digests("UM1")[0].Blocks); !strings.Contains(got, "you won't see this kind of nudge for 3 weeks") {
		t.Errorf("acknowledgement:\n%s", got)
	}
	if got := h.drawHome("UM1"); !strings.Contains(got, "not for you: hidden for 3 weeks") {
		t.Errorf("App Home recent nudges:\n%s", got)
	}
	if got := h.command("UM1", "share check_ins"); !strings.Contains(got, "or after 3 days.") {
		t.Errorf("share: %q", got)
	}
}
