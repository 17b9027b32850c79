package bot

import (
	"context"
	"strings"
	"testing"
	"time"
)

// ackedIn sends an interaction and returns how long its ack took.
func ackedIn(t *testing.T, h *harness, payload map[string]any) time.Duration {
	t.Helper()
	sent := time.Now()
	env := h.fake.SendInteraction(payload)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.fake.WaitAcked(ctx, env); err != nil {
		t.Fatalf("not acked: %v", err)
	}
	return time.Since(sent)
}

// The forget confirmation and App Home's Opt out of a connected manager,
// while Slack never answers auth.revoke: the click is acked within Slack's
// three seconds, the token is deleted from the store by then, the
// revocation's wait ends with its bound, and the manager is told Slack did
// not confirm it (the server's log says so too). (Without the bound the
// ack waited for auth.revoke as long as Slack held it.)
func TestLeavingIsAckedWhileSlackHoldsTheRevocation(t *testing.T) {
	for _, tc := range []struct {
		name    string
		payload map[string]any
		reply   func(h *harness) string
	}{
		{"forget", map[string]any{
			"type": "block_actions", "user": map[string]any{"id": "UM1"}, "response_url": "RESPONSE",
			"actions": []map[string]any{{"type": "button", "block_id": "forget", "action_id": ForgetConfirmAction, "value": "UM1"}},
		}, func(h *harness) string {
			for _, c := range h.fake.Calls("response_url") {
				return c.Args["text"]
			}
			return ""
		}},
		{"opt out", map[string]any{
			"type": "block_actions", "user": map[string]any{"id": "UM1"}, "channel": map[string]any{"id": "DUM1"},
			"container": map[string]any{"type": "message", "channel_id": "DUM1", "message_ts": "1.1"},
			"actions":   []map[string]any{{"type": "button", "block_id": "home_actions", "action_id": HomeOptOutAction, "value": ""}},
		}, func(h *harness) string {
			for _, e := range h.fake.Ephemerals() {
				if e.User == "UM1" && strings.HasPrefix(e.Text, "Done: you're opted out.") {
					return e.Text
				}
			}
			return ""
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var arrived, ended <-chan struct{}
			ch := startConnectHarness(t, func(c *Config) { c.APIURL, arrived, ended = heldAPI(t, c.APIURL, "auth.revoke") })
			tok := ch.connect("UM1")
			if tc.payload["response_url"] != nil {
				tc.payload["response_url"] = ch.fake.APIURL() + "../response/um1"
			}
			if took := ackedIn(t, ch.harness, tc.payload); took > 3*time.Second {
				t.Errorf("acked after %v, past Slack's 3s", took)
			}
			if b, err := ch.db.UserToken("UM1"); err != nil || b != nil {
				t.Errorf("at the ack the token is still stored (%v)", err)
			}
			for what, c := range map[string]<-chan struct{}{"asked": arrived, "given up within its bound": ended} {
				select {
				case <-c:
				case <-time.After(5 * time.Second):
					t.Fatalf("auth.revoke never %s", what)
				}
			}
			if ch.fake.TokenRevoked(tok) {
				t.Fatal("the held auth.revoke reached Slack; the test proves nothing")
			}
			eventually(t, "the answer", func() bool { return tc.reply(ch.harness) != "" })
			if got := tc.reply(ch.harness); !strings.Contains(got, notRevokedNote) {
				t.Errorf("the answer does not say the revocation was not confirmed: %q", got)
			}
		})
	}
}

// App Home's Opt in is acked within Slack's three seconds while Slack never
// answers users.info: the opt-in is in the store at the ack, and the
// profile is read after it. (Reading it before the ack held the ack as
// long as Slack held users.info.)
func TestOptInIsAckedBeforeItsProfileIsRead(t *testing.T) {
	now := time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC)
	var arrived <-chan struct{}
	h := startHarness(t, now, func(c *Config) {
		c.ShutdownTimeout = 300 * time.Millisecond // the held users.info is given up at the end
		c.APIURL, arrived, _ = heldAPI(t, c.APIURL, "users.info")
	})
	h.command("UA", "optout")
	took := ackedIn(t, h, map[string]any{
		"type": "block_actions", "user": map[string]any{"id": "UA"}, "container": map[string]any{"type": "view", "view_id": "V1"},
		"actions": []map[string]any{{"type": "button", "block_id": "home_actions", "action_id": HomeOptInAction, "value": ""}},
	})
	if took > 3*time.Second {
		t.Errorf("acked after %v, past Slack's 3s", took)
	}
	people, err := h.db.People()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range people {
		if p.ID == "UA" {
			found = true
			if !p.OptedIn || p.OptedOut {
				t.Errorf("at the ack UA is %+v, want opted in", p)
			}
		}
	}
	if !found {
		t.Error("at the ack UA is not in the store")
	}
	select {
	case <-arrived:
	case <-time.After(5 * time.Second):
		t.Error("users.info was never asked after the ack")
	}
}
