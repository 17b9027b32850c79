package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"

	"coach/nudges"
	"coach/pulse"
	"coach/slackfake"
)

// pulseButton is the value of button action on user's pulse DM now.
func (h *harness) pulseButton(user, action string) (slackfake.Message, string, string) {
	h.t.Helper()
	dms := h.pulseDMs(user)
	if len(dms) != 1 {
		h.t.Fatalf("%s has %d pulse DMs, want 1", user, len(dms))
	}
	for _, bl := range parseBlocks(h.t, dms[0].Blocks) {
		for _, e := range bl.Elements {
			if e.ActionID == action {
				return dms[0], bl.BlockID, e.Value
			}
		}
	}
	h.t.Fatalf("%s's pulse DM has no %s", user, action)
	return slackfake.Message{}, "", ""
}

// sendPulseClick delivers a click with any value, as a forged or stale
// payload would come, and waits until coach has handled it.
func (h *harness) sendPulseClick(user string, msg slackfake.Message, blockID, action, value string) {
	h.t.Helper()
	h.pulseClickAcked(user, msg, blockID, action, value)
	h.srv.Settle()
}

// pulseClickAcked delivers a click on a pulse DM's button and waits for
// its ack only: what follows the ack may still be under way.
func (h *harness) pulseClickAcked(user string, msg slackfake.Message, blockID, action, value string) {
	h.t.Helper()
	id := h.fake.SendInteraction(map[string]any{
		"type": "block_actions", "user": map[string]any{"id": user},
		"container": map[string]any{"type": "message", "channel_id": msg.Channel, "message_ts": msg.TS},
		"actions":   []map[string]any{{"type": "button", "action_id": action, "block_id": blockID, "value": value}},
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.fake.WaitAcked(ctx, id); err != nil {
		h.t.Fatal(err)
	}
}

func pulseHarness3(t *testing.T, at time.Time, teams []pulseTeam) *harness {
	return startPulseHarness(t, at, teams, func(c *Config) { c.PulseMinResponses = 3 }, zerolog.New(zerolog.NewTestWriter(t)))
}

// Reports who opted out or paused coach are not asked; a team with fewer
// reports than the minimum is not asked at all; the manager never is.
func TestPulseAsksOnlyWhoMayBeAsked(t *testing.T) {
	mon := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	h := pulseHarness3(t, mon.Add(-time.Hour), []pulseTeam{{"UM1", reportIDs("A", 5)}, {"UM2", reportIDs("S", 2)}})
	h.command("UA2", "optout")
	if err := h.db.UpdateCoaching("UA3", func(hi nudges.History) nudges.History {
		hi.PausedUntil = mon.AddDate(0, 1, 0)
		return hi
	}); err != nil {
		t.Fatal(err)
	}
	for hour := 0; hour < 24; hour++ {
		h.tick(mon.Add(time.Duration(hour) * time.Hour))
	}
	for user, want := range map[string]int{"UA1": 1, "UA2": 0, "UA3": 0, "UA4": 1, "UA5": 1, "US1": 0, "US2": 0, "UM1": 0, "UM2": 0} {
		if got := len(h.pulseDMs(user)); got != want {
			t.Errorf("%s got %d pulse DMs, want %d", user, got, want)
		}
	}
	if ps, _ := h.db.TeamPulses("UM2"); len(ps) != 0 {
		t.Errorf("a team of 2 with a minimum of 3 got a pulse: %+v", ps)
	}
}

// A click from an older copy of the DM, a value coach did not make, and
// someone else's button count nothing; a person forgotten while the pulse
// is open can answer no more, and what they answered stays counted
// without them.
func TestPulseClicksThatDoNotCount(t *testing.T) {
	mon := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	h := pulseHarness3(t, mon, []pulseTeam{{"UM1", reportIDs("A", 3)}})
	for hour := 0; hour < 24; hour++ {
		h.tick(mon.Add(time.Duration(hour) * time.Hour))
	}
	pid := pulse.ID("UM1", time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC))
	counts := func() pulse.Counts {
		p, err := h.db.PulseByID(pid)
		if err != nil {
			t.Fatal(err)
		}
		return p.Counts[p.Statements[0]]
	}
	stale, staleBlock, staleValue := h.pulseButton("UA1", "pulse_answer:0:2")
	h.clickPulse("UA1", 0, '4', true)
	if got := counts(); got != (pulse.Counts{0, 0, 0, 1, 0}) {
		t.Fatalf("after one 4: %v", got)
	}
	notes := len(h.fake.Ephemerals())
	h.sendPulseClick("UA1", stale, staleBlock, "pulse_answer:0:2", staleValue)
	if got := counts(); got != (pulse.Counts{0, 0, 0, 1, 0}) {
		t.Errorf("a click on the DM as it was before moved the counts: %v", got)
	}
	if e := h.fake.Ephemerals(); len(e) != notes+1 || e[len(e)-1].Text != pulse.StaleNote {
		t.Errorf("the stale click was not explained to its clicker: %+v", e[notes:])
	}
	msg, block, value := h.pulseButton("UA1", "pulse_answer:0:1")
	forged := value[:len(value)-4] + "0000"
	h.sendPulseClick("UA1", msg, block, "pulse_answer:0:1", forged)
	h.sendPulseClick("UA1", msg, block, "pulse_answer:0:1", strings.Replace(value, "|4--|", "|1--|", 1))
	h.sendPulseClick("UA2", msg, block, "pulse_answer:0:1", value) // UA1's button, UA2's click
	if got := counts(); got != (pulse.Counts{0, 0, 0, 1, 0}) {
		t.Errorf("forged or borrowed clicks moved the counts: %v", got)
	}

	// UA3 answers 5, then is forgotten.
	h.clickPulse("UA3", 0, '5', true)
	if _, err := h.db.ForgetPerson("UA3"); err != nil {
		t.Fatal(err)
	}
	if got := counts(); got != (pulse.Counts{0, 0, 0, 1, 1}) {
		t.Errorf("after UA3 was forgotten the counts are %v, want their answer still counted", got)
	}
	ex, err := h.db.Export("UA3")
	if err != nil {
		t.Fatal(err)
	}
	if len(ex.Pulses) != 0 {
		t.Errorf("UA3's export after forget holds pulses: %+v", ex.Pulses)
	}
	walkDB(t, h.db, func(path string, k, v []byte) {
		if strings.HasPrefix(path, "pulse") && (bytes.Contains(k, []byte("UA3")) || bytes.Contains(v, []byte("UA3"))) {
			t.Errorf("after forget, %s/%s holds UA3", path, k)
		}
	})
	msg, block, value = h.pulseButton("UA3", "pulse_answer:0:1")
	notes = len(h.fake.Ephemerals())
	h.sendPulseClick("UA3", msg, block, "pulse_answer:0:1", value)
	if got := counts(); got != (pulse.Counts{0, 0, 0, 1, 1}) {
		t.Errorf("a forgotten person's click moved the counts: %v", got)
	}
	if e := h.fake.Ephemerals(); len(e) != notes+1 || e[len(e)-1].Text != pulse.ForgottenNote {
		t.Errorf("the forgotten person was not told why: %+v", e[notes:])
	}

	// The export of someone asked says so, and only whether they answered.
	ex, err = h.db.Export("UA1")
	if err != nil {
		t.Fatal(err)
	}
	if len(ex.Pulses) != 1 || !ex.Pulses[0].Answered || ex.Pulses[0].Pulse != pid {
		t.Errorf("UA1's export pulses = %+v, want the open pulse, answered", ex.Pulses)
	}
	raw, _ := json.Marshal(ex)
	if bytes.Contains(raw, []byte(`"4"`)) || bytes.Contains(raw, []byte("4--")) {
		t.Errorf("UA1's export holds their answer: %s", raw)
	}
}

// A pulse DM goes out exactly once: one that reached Slack before a crash
// (the send was started, its success not recorded) is found by its id in
// the DM's metadata and not sent again; one that did not is sent.
func TestPulseDMExactlyOnceAfterACrash(t *testing.T) {
	sun := time.Date(2026, 3, 1, 23, 0, 0, 0, time.UTC) // nobody's working hours
	h := pulseHarness3(t, sun, []pulseTeam{{"UM1", reportIDs("B", 3)}})
	h.tick(sun)
	pid := pulse.ID("UM1", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	if _, err := h.db.PulseByID(pid); err != nil {
		t.Fatalf("no pulse opened: %v", err)
	}
	for _, r := range []string{"UB1", "UB2", "UB3"} {
		if n := len(h.pulseDMs(r)); n != 0 {
			t.Fatalf("%s was asked outside working hours", r)
		}
	}
	// UB1's DM was posted before the crash; UB2's send started but never reached Slack.
	for _, r := range []string{"UB1", "UB2"} {
		if _, err := h.db.MarkPulseAttempt(pid, r, sun.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	api := slack.New("xoxb-h", slack.OptionAPIURL(h.fake.APIURL()))
	ch, _, _, err := api.OpenConversation(&slack.OpenConversationParameters{Users: []string{"UB1"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := api.PostMessage(ch.ID, slack.MsgOptionText(pulse.Fallback, false),
		slack.MsgOptionMetadata(slack.SlackMetadata{EventType: pulseMetadataType, EventPayload: map[string]any{"pulse_id": pid}})); err != nil {
		t.Fatal(err)
	}
	h.fake.FailNext("chat.postMessage", 1, slackfake.Fault{Status: 429, RetryAfter: time.Second})
	for hour := 0; hour < 24; hour++ {
		h.tick(sun.Add(time.Duration(hour+1) * time.Hour))
	}
	for _, r := range []string{"UB1", "UB2", "UB3"} {
		if n := len(h.pulseDMs(r)); n != 1 {
			t.Errorf("%s has %d pulse DMs, want exactly 1", r, n)
		}
	}
	if asks, _, err := h.db.PulseAsks(sun.Add(48 * time.Hour)); err != nil || len(asks) != 0 {
		t.Errorf("pulse DMs still pending: %+v, %v", asks, err)
	}
	if h.fake.RateLimited("chat.postMessage") != 1 {
		t.Errorf("the 429 was not served")
	}
}
