package bot

import (
	"context"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"coach/norms"
	"coach/nudges"
	"coach/signals"
	"coach/store"
)

// holdWrites keeps the store from committing anything until release is
// called: what coach records meanwhile waits.
func holdWrites(t *testing.T, db *store.DB) (release func()) {
	t.Helper()
	holding, done := make(chan struct{}), make(chan struct{})
	go func() {
		_ = db.Bolt().Update(func(*bolt.Tx) error {
			close(holding)
			<-done
			return nil
		})
	}()
	<-holding
	released := false
	release = func() {
		if !released {
			released = true
			close(done)
		}
	}
	t.Cleanup(release)
	return release
}

// notAckedWhileHeld checks that a click is not acked while the store
// cannot record it, and is acked once it can.
func notAckedWhileHeld(t *testing.T, h *harness, release func(), env string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
	err := h.fake.WaitAcked(ctx, env)
	cancel()
	if err == nil {
		t.Fatal("the click was acked before it was recorded")
	}
	release()
	ctx, cancel = context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.fake.WaitAcked(ctx, env); err != nil {
		t.Fatal(err)
	}
}

// A manager's click on a nudge's button is in the store when Slack gets the
// ack: a crash right after the ack keeps it.
func TestNudgeClickIsRecordedBeforeItsAck(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, berlin) // a Monday
	h := startHarness(t, start, nil)
	var evs []map[string]any
	for d := 0; d < 5; d++ {
		for _, r := range []string{"UA", "UB", "UC"} {
			evs = append(evs, dm("UM1", r, start.AddDate(0, 0, d).Add(22*time.Hour+time.Duration(len(r))*time.Minute), "ok"))
		}
	}
	h.send(evs...)
	slot := time.Date(2026, 3, 9, 9, 0, 0, 0, berlin)
	h.clock.Set(slot)
	if rep, err := h.srv.Scheduler().RunDue(context.Background(), slot); err != nil || rep.Sent != 1 {
		t.Fatalf("RunDue: %+v, %v; want one digest sent", rep, err)
	}
	id := nudges.DigestID("UM1", slot)
	msg := h.digests("UM1")[0]
	h.srv.Settle()

	release := holdWrites(t, h.db)
	env := h.fake.SendInteraction(map[string]any{
		"type": "block_actions", "user": map[string]any{"id": "UM1"},
		"container": map[string]any{"type": "message", "channel_id": msg.Channel, "message_ts": msg.TS},
		"actions":   []map[string]any{{"type": "button", "action_id": string(nudges.NotForMe), "block_id": "nudge_after_hours", "value": nudges.ActionValue(id, signals.AfterHours)}},
	})
	notAckedWhileHeld(t, h, release, env)
	// No waiting: the ack says the click is recorded.
	rec, err := h.db.Digest(id)
	if err != nil {
		t.Fatal(err)
	}
	if a := rec.Digest.Feedback[signals.AfterHours]; a != nudges.NotForMe {
		t.Errorf("feedback on after_hours at the ack: %q, want %q", a, nudges.NotForMe)
	}
	if hist, err := h.db.Coaching("UM1"); err != nil || hist.Silenced[signals.AfterHours].IsZero() {
		t.Errorf("coaching history at the ack: %+v, %v; want after_hours silenced", hist, err)
	}
	// What follows the ack still happens: the digest is redrawn.
	eventually(t, "chat.update", func() bool { return len(h.fake.Calls("chat.update")) == 1 })
}

// A vote is in the store when Slack gets the ack.
func TestVoteIsRecordedBeforeItsAck(t *testing.T) {
	now := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	h := startHarness(t, now, func(c *Config) { c.NormsAnonymous = true })
	p, err := h.srv.SharePrompt(context.Background(), "UM1", norms.MessageHours, false)
	if err != nil {
		t.Fatal(err)
	}
	h.srv.Settle()
	release := holdWrites(t, h.db)
	env := h.fake.SendInteraction(map[string]any{
		"type": "block_actions", "user": map[string]any{"id": "UA"},
		"container": map[string]any{"type": "message", "channel_id": p.Channel, "message_ts": p.TS},
		"actions":   []map[string]any{{"type": "button", "action_id": NormVoteAction + ":city_sunset", "block_id": "norm_vote", "value": p.ID + "|city_sunset"}},
	})
	notAckedWhileHeld(t, h, release, env)
	if got := mustPrompt(t, h.db, p.ID); got.Counts["city_sunset"] != 1 {
		t.Errorf("prompt counts at the ack: %v, want city_sunset 1", got.Counts)
	}
	eventually(t, "the voter's reply", func() bool { return len(h.fake.Ephemerals()) == 1 })
}
