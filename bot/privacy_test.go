package bot

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"coach/nudges"
	"coach/signals"
	"coach/store"
)

// traces walks every bucket of the database and returns the keys and values
// that contain needle.
func traces(t *testing.T, db *store.DB, needle string) []string {
	t.Helper()
	var found []string
	var walk func(path string, b *bolt.Bucket)
	walk = func(path string, b *bolt.Bucket) {
		_ = b.ForEach(func(k, v []byte) error {
			if v == nil {
				if sub := b.Bucket(k); sub != nil {
					walk(path+"/"+string(k), sub)
				}
			}
			if bytes.Contains(k, []byte(needle)) || bytes.Contains(v, []byte(needle)) {
				found = append(found, path+"/"+string(k))
			}
			return nil
		})
	}
	err := db.Bolt().View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			walk(string(name), b)
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// seedMia gives Mia a week of distinctive habits: 23 messages to Ben, 17 of
// them at 22:00 Berlin (off-hours for him), and a DM from Ana; then sends
// her digest.
func seedMia(t *testing.T, h *harness) {
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
	slot := time.Date(2026, 3, 9, 9, 0, 0, 0, berlin)
	h.clock.Set(slot)
	if err := h.srv.Tick(context.Background(), slot); err != nil {
		t.Fatal(err)
	}
	rec, err := h.db.Digest(nudges.DigestID("UM1", slot))
	if err != nil || rec.State != store.DigestSent {
		t.Fatalf("Mia's digest: %+v, %v", rec, err)
	}
}

// Admin-blind: no admin command shows a manager's signals or nudges.
func TestAdminCommandsAreBlind(t *testing.T) {
	h := commandHarness(t)
	seedMia(t, h)
	rec, _ := h.db.Digest(nudges.DigestID("UM1", h.clock.Now()))
	var secrets []string
	seen := false
	for _, n := range rec.Digest.Nudges {
		secrets = append(secrets, n.Title, n.Observation, n.Try)
		if n.Kind == signals.AfterHours {
			seen = true
			if n.Facts.Count != 17 || n.Facts.Total != 23 {
				t.Fatalf("seed: after_hours %d of %d, want 17 of 23", n.Facts.Count, n.Facts.Total)
			}
		}
	}
	if !seen {
		t.Fatalf("seed: Mia's digest has no after_hours nudge: %+v", rec.Digest.Nudges)
	}
	secrets = append(secrets, "17 of 23", "74%", "17", "23")
	h.command("UM1", "") // Mia looks at help; nothing else
	for _, text := range []string{"teams", "stats", "nudge <@UM1>", "team channel <@UM1> <#C0X|x>", `schedule "0 9 * * MON"`, "team add <@UM1> @xavier", "team remove <@UM1> @xavier"} {
		got := h.command("UX", text)
		for _, sec := range secrets {
			if sec != "" && strings.Contains(got, sec) {
				t.Errorf("/coach %s shows a manager's data %q:\n%s", text, sec, got)
			}
		}
	}
}

// After /coach forget (confirmed) and after /coach optout, nothing in any
// bucket mentions the person; after opting out, new events about them
// record nothing and nudges never name them.
func TestForgetAndOptOutLeaveNoTrace(t *testing.T) {
	h := commandHarness(t)
	seedMia(t, h)
	if len(traces(t, h.db, "UB")) == 0 || len(traces(t, h.db, "UA")) == 0 {
		t.Fatal("seed: Ben and Ana are not in the database; the scan proves nothing")
	}
	// Ana forgets, through the confirmation button.
	if got := h.command("UA", "forget"); !strings.Contains(got, "Delete everything") {
		t.Fatalf("/coach forget = %q", got)
	}
	h.fake.SendInteraction(map[string]any{
		"type": "block_actions", "user": map[string]any{"id": "UX"}, "response_url": h.fake.APIURL() + "../response/x",
		"actions": []map[string]any{{"type": "button", "block_id": "forget", "action_id": ForgetConfirmAction, "value": "UA"}}, // someone else's button
	})
	h.fake.SendInteraction(map[string]any{
		"type": "block_actions", "user": map[string]any{"id": "UA"}, "response_url": h.fake.APIURL() + "../response/ua",
		"actions": []map[string]any{{"type": "button", "block_id": "forget", "action_id": ForgetConfirmAction, "value": "UA"}},
	})
	eventually(t, "Ana's data to go", func() bool { return len(traces(t, h.db, "UA")) == 0 })
	h.srv.Settle()
	if calls := h.fake.Calls("response_url"); len(calls) != 1 || calls[len(calls)-1].Args["text"] != "Done: everything coach held about you is deleted." {
		t.Errorf("response_url calls = %+v, want one confirming the deletion", calls)
	}
	// Ben opts out.
	hintsBefore, dmsBefore := len(h.fake.Ephemerals()), len(h.fake.Messages("UM1"))
	h.command("UB", "optout")
	if tr := traces(t, h.db, "UB"); len(tr) != 0 {
		t.Fatalf("after opt-out, Ben is still in %v", tr)
	}
	if tr := traces(t, h.db, "Ben"); len(tr) != 0 {
		t.Errorf("after opt-out, Ben's name is still in %v", tr)
	}
	// New events about Ben record nothing; a restart does not bring him back.
	berlin, _ := time.LoadLocation("Europe/Berlin")
	at := time.Date(2026, 3, 10, 22, 0, 0, 0, berlin)
	h.send(dm("UM1", "UB", at, "late"), dm("UB", "UM1", at.Add(time.Minute), "reply"))
	// Mia's DMs are what coach counts: she connected them, so her later
	// digests may also say what coach saw missing.
	if err := h.db.SetDMsSince("UM1", time.Date(2026, 3, 2, 0, 0, 0, 0, berlin)); err != nil {
		t.Fatal(err)
	}
	h2 := restart(t, h, at.Add(time.Hour))
	_ = h2
	if tr := traces(t, h.db, "UB"); len(tr) != 0 {
		t.Errorf("after new events and a restart, Ben is in %v", tr)
	}
	// Mia's next digests never name him.
	for k := 2; k <= 4; k++ {
		slot := time.Date(2026, 3, 2+7*k, 9, 0, 0, 0, berlin)
		h.clock.Set(slot)
		if err := h2.Tick(context.Background(), slot); err != nil {
			t.Fatal(err)
		}
	}
	after := h.fake.Messages("UM1")[dmsBefore:]
	if len(h.digests("UM1")) < 2 {
		t.Errorf("Mia got no digest after Ben opted out; the check below proves nothing")
	}
	for _, m := range after {
		if strings.Contains(m.Text+string(m.Blocks), "Ben") || strings.Contains(string(m.Blocks), "UB") {
			t.Errorf("a message to Mia after Ben opted out names him: %s", m.Blocks)
		}
	}
	for _, e := range h.fake.Ephemerals()[hintsBefore:] {
		if strings.Contains(e.Text, "Ben") {
			t.Errorf("a hint named Ben after he opted out: %q", e.Text)
		}
	}
}
