package bot

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"coach/nudges"
	"coach/pulse"
	"coach/slackfake"
)

// postAsSlackRecordsIt puts a message with metadata in user's DM, as Slack
// records a post the previous process made just before it stopped.
func postAsSlackRecordsIt(t *testing.T, fake *slackfake.Server, token, user, text string, meta slack.SlackMetadata) {
	t.Helper()
	api := slack.New(token, slack.OptionAPIURL(fake.APIURL()))
	ch, _, _, err := api.OpenConversation(&slack.OpenConversationParameters{Users: []string{user}})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := api.PostMessage(ch.ID, slack.MsgOptionText(text, false), slack.MsgOptionMetadata(meta)); err != nil {
		t.Fatal(err)
	}
}

// A pulse DM whose send started just before coach stopped, and that Slack
// records only later, is looked for once Slack has had the grace period
// to record it, as a digest is: an instant restart does not send it again.
func TestPulseDMInFlightIsLookedForAfterTheGrace(t *testing.T) {
	sun := time.Date(2026, 3, 1, 23, 0, 0, 0, time.UTC) // nobody's working hours
	h := pulseHarness3(t, sun, []pulseTeam{{"UM1", reportIDs("B", 3)}})
	h.tick(sun)
	pid := pulse.ID("UM1", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	asks, _, err := h.db.PulseAsks(sun.Add(48 * time.Hour))
	if err != nil || len(asks) != 3 {
		t.Fatalf("pulse asks: %+v, %v; want 3", asks, err)
	}
	var due time.Time
	for _, a := range asks {
		if a.User == "UB1" {
			due = a.Due
		}
	}
	// The previous process started UB1's DM at its due time and stopped.
	if _, err := h.db.MarkPulseAttempt(pid, "UB1", due); err != nil {
		t.Fatal(err)
	}
	h.tick(due.Add(2 * time.Second)) // an instant restart
	if n := len(h.pulseDMs("UB1")); n != 0 {
		t.Fatalf("UB1 has %d pulse DMs 2s after a send started before a restart, want 0 (it may still be on its way)", n)
	}
	if got, want := h.srv.nextRecheck(), due.Add(nudges.DefaultRecheckAfter); !got.Equal(want) {
		t.Errorf("next recheck %s, want %s (the grace after the send started)", got, want)
	}
	// Slack records the post of the previous process.
	postAsSlackRecordsIt(t, h.fake, "xoxb-h", "UB1", pulse.Fallback, slack.SlackMetadata{EventType: pulseMetadataType, EventPayload: map[string]any{"pulse_id": pid}})
	h.tick(due.Add(nudges.DefaultRecheckAfter + time.Second))
	if n := len(h.pulseDMs("UB1")); n != 1 {
		t.Errorf("UB1 has %d pulse DMs after the grace, want exactly 1", n)
	}
	if left, _, err := h.db.PulseAsks(sun.Add(48 * time.Hour)); err != nil {
		t.Fatal(err)
	} else {
		for _, a := range left {
			if a.User == "UB1" {
				t.Errorf("UB1's pulse DM is still pending after it was found in Slack: %+v", a)
			}
		}
	}
	if !h.srv.nextRecheck().IsZero() {
		t.Errorf("a recheck is still waiting: %s", h.srv.nextRecheck())
	}
}

// A consent notice whose send started just before coach stopped, and that
// Slack records only later, is looked for once Slack has had the grace
// period to record it: an instant restart sends the others and not that
// one again.
func TestConsentNoticeInFlightIsLookedForAfterTheGrace(t *testing.T) {
	w := newNoticeWorld(t, 3)
	started := w.clock.Now().Add(-2 * time.Second) // the previous process's send
	if err := w.db.MarkNoticeAttempt("UR001", started); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var waits []time.Duration
	waiting, recorded := make(chan struct{}), make(chan struct{})
	sleep := func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		waits = append(waits, d)
		mu.Unlock()
		if d >= 10*time.Second { // the wait for the recheck
			close(waiting)
			<-recorded
		}
		w.clock.Set(w.clock.Now().Add(d))
		return ctx.Err()
	}
	srv, _ := w.start(Pace{Every: time.Second, Burst: 10, Sleep: sleep})
	select {
	case <-waiting:
	case <-time.After(3 * time.Second): // a coach that does not wait has sent it by now
	}
	if got := w.notices(); got["UMGR"] != 1 || got["UR000"] != 1 || got["UR002"] != 1 {
		t.Errorf("notices before the recheck: %v, want UMGR, UR000 and UR002 sent at once", got)
	}
	postAsSlackRecordsIt(t, w.fake, "xoxb-n", "UR001", noticeFallback, slack.SlackMetadata{EventType: noticeMetadataType, EventPayload: map[string]any{"user": "UR001"}})
	close(recorded)
	srv.Settle()
	w.wantEachOnce()
	mu.Lock()
	defer mu.Unlock()
	if len(waits) != 1 || waits[0] < nudges.DefaultRecheckAfter-3*time.Second || waits[0] > nudges.DefaultRecheckAfter {
		t.Errorf("waits %v, want one of about %s: until the grace after the send started", waits, nudges.DefaultRecheckAfter-2*time.Second)
	}
	if d, err := w.db.Notice("UR001"); err != nil || !d.Done {
		t.Errorf("UR001's notice after it was found in Slack: %+v, %v; want done", d, err)
	}
	if !strings.Contains(w.logs.String(), "consent notices: 4 of 4 sent") {
		t.Errorf("the log does not say all 4 were sent:\n%s", w.logs.String())
	}
}
