package bot

import (
	"context"
	"testing"
	"time"

	"coach/pulse"
)

// A pulse answer is counted when Slack gets the ack: a crash right after
// the ack keeps it. The DM's redraw, which comes before the count, is held
// back a while, so a click acked before it was counted is seen so.
func TestPulseAnswerIsCountedBeforeItsAck(t *testing.T) {
	slow := &slowUpdates{}
	h, pid := openPulse3(t, func(c *Config) { c.APIURL = slow.front(t, c.APIURL) })
	msg, block, value := h.pulseButton("UA1", "pulse_answer:0:4")
	slow.held.Store(1)
	h.pulseClickAcked("UA1", msg, block, "pulse_answer:0:4", value)
	// No waiting: the ack says the answer is counted, and the DM shows it.
	if got := h.pulseCounts(pid, 0); got != one('4') {
		t.Errorf("counts of statement 0 at the ack: %v, want the 4 clicked", got)
	}
	if got := h.shownCopy("UA1").Answers; got != "4--" {
		t.Errorf("the DM shows %q at the ack, want 4--", got)
	}
}

// A pulse click that cannot be taken within the ack's budget (the person's
// previous click holds their lock) counts nothing and is acked in time; the
// person is told to click again.
func TestPulseClickNotTakenInTimeIsAckedUncounted(t *testing.T) {
	h, pid := openPulse3(t, nil)
	unlock, ok := h.srv.pulse.lockClicks(context.Background(), "UA1")
	if !ok {
		t.Fatal("could not take UA1's click lock")
	}
	defer unlock()
	msg, block, value := h.pulseButton("UA1", "pulse_answer:0:4")
	sent := time.Now()
	h.pulseClickAcked("UA1", msg, block, "pulse_answer:0:4", value)
	if d := time.Since(sent); d > 3*time.Second {
		t.Errorf("acked after %s, past Slack's 3s", d)
	}
	if got := h.pulseCounts(pid, 0); got != (pulse.Counts{}) {
		t.Errorf("counts %v, want none", got)
	}
	eventually(t, "the note to click again", func() bool {
		for _, e := range h.fake.Ephemerals() {
			if e.Text == pulse.UnconfirmedNote {
				return true
			}
		}
		return false
	})
}

// An App Home button's effect is in the store when Slack gets the ack.
func TestHomeButtonIsRecordedBeforeItsAck(t *testing.T) {
	h := commandHarness(t)
	release := holdWrites(t, h.db)
	env := h.fake.SendInteraction(map[string]any{
		"type": "block_actions", "user": map[string]any{"id": "UM1"}, "container": map[string]any{"type": "view", "view_id": "V1"},
		"actions": []map[string]any{{"type": "button", "block_id": "home_actions", "action_id": HomePauseAction, "value": "2w"}},
	})
	notAckedWhileHeld(t, h, release, env)
	if hist, err := h.db.Coaching("UM1"); err != nil || !hist.PausedUntil.After(h.clock.Now()) {
		t.Errorf("coaching history at the ack: %+v, %v; want paused", hist, err)
	}
	// What follows the ack still happens: App Home is redrawn.
	eventually(t, "views.publish", func() bool { return len(h.fake.Calls("views.publish")) > 0 })
}

// The forget confirmation deletes before its ack.
func TestForgetIsDoneBeforeItsAck(t *testing.T) {
	h := commandHarness(t)
	seedMia(t, h)
	if len(traces(t, h.db, "UA")) == 0 {
		t.Fatal("seed: Ana is not in the database; the scan proves nothing")
	}
	release := holdWrites(t, h.db)
	env := h.fake.SendInteraction(map[string]any{
		"type": "block_actions", "user": map[string]any{"id": "UA"}, "response_url": h.fake.APIURL() + "../response/ua",
		"actions": []map[string]any{{"type": "button", "block_id": "forget", "action_id": ForgetConfirmAction, "value": "UA"}},
	})
	notAckedWhileHeld(t, h, release, env)
	if tr := traces(t, h.db, "UA"); len(tr) != 0 {
		t.Errorf("at the ack, Ana is still in %v", tr)
	}
	eventually(t, "the answer in place of the buttons", func() bool { return len(h.fake.Calls("response_url")) == 1 })
}
