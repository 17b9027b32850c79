package bot

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"coach/signals"
)

// homeText opens user's App Home through an app_home_opened event and
// returns what the published view says.
func (h *harness) homeText(user string) string {
	h.t.Helper()
	before := string(h.fake.HomeView(user))
	h.send(map[string]any{"type": "app_home_opened", "user": user, "channel": "D" + user, "tab": "home", "event_ts": "1.1"})
	h.srv.Settle()
	raw := h.fake.HomeView(user)
	if len(raw) == 0 || (string(raw) == before && before == "") {
		h.t.Fatalf("no App Home published for %s", user)
	}
	var v slack.View
	if err := json.Unmarshal(raw, &v); err != nil {
		h.t.Fatalf("App Home of %s is not a view: %v", user, err)
	}
	if v.Type != slack.VTHomeTab {
		h.t.Errorf("view type %q, want home", v.Type)
	}
	return blocksText(v.Blocks.BlockSet)
}

func TestAppHomeForManagerAndReport(t *testing.T) {
	h := commandHarness(t)
	seedMia(t, h)
	mia := h.homeText("UM1")
	for _, want := range []string{"Messages outside working hours", "17 of your 23", "Last 4 weeks", "Recent nudges", "Opt out"} {
		if !strings.Contains(mia, want) {
			t.Errorf("Mia's home lacks %q:\n%s", want, mia)
		}
	}
	ana := h.homeText("UA")
	for _, want := range []string{"What coach holds about you", "reports to Mia", "Opt out"} {
		if !strings.Contains(ana, want) {
			t.Errorf("Ana's home lacks %q:\n%s", want, ana)
		}
	}
	for _, not := range []string{"Messages outside working hours", "17 of", "Recent nudges"} {
		if strings.Contains(ana, not) {
			t.Errorf("Ana's home shows Mia's coaching (%q)", not)
		}
	}
	// Pausing from the App Home redraws it.
	h.fake.SendInteraction(map[string]any{
		"type": "block_actions", "user": map[string]any{"id": "UM1"}, "container": map[string]any{"type": "view", "view_id": "V1"},
		"actions": []map[string]any{{"type": "button", "block_id": "home_actions", "action_id": HomePauseAction, "value": "2w"}},
	})
	eventually(t, "the pause", func() bool {
		hist, _ := h.db.Coaching("UM1")
		return hist.PausedUntil.After(h.clock.Now())
	})
	h.srv.Settle()
	var v slack.View
	_ = json.Unmarshal(h.fake.HomeView("UM1"), &v)
	if got := blocksText(v.Blocks.BlockSet); !strings.Contains(got, "Resume digests") {
		t.Errorf("after pausing, the home does not offer Resume:\n%s", got)
	}
}

func TestHoursModalSetsHours(t *testing.T) {
	h := commandHarness(t)
	h.fake.SendInteraction(map[string]any{
		"type": "block_actions", "user": map[string]any{"id": "UA"}, "trigger_id": "trig-1", "container": map[string]any{"type": "view", "view_id": "V1"},
		"actions": []map[string]any{{"type": "button", "block_id": "home_actions", "action_id": HomeHoursAction}},
	})
	eventually(t, "views.open", func() bool { return len(h.fake.Calls("views.open")) == 1 })
	submit := func(start, end string, days ...string) string {
		var opts []map[string]any
		for _, d := range days {
			opts = append(opts, map[string]any{"value": d, "text": map[string]any{"type": "plain_text", "text": d}})
		}
		id := h.fake.SendInteraction(map[string]any{
			"type": "view_submission", "user": map[string]any{"id": "UA"},
			"view": map[string]any{"type": "modal", "callback_id": HoursModalCallback, "state": map[string]any{"values": map[string]any{
				"hours_start": map[string]any{"start": map[string]any{"type": "timepicker", "selected_time": start}},
				"hours_end":   map[string]any{"end": map[string]any{"type": "timepicker", "selected_time": end}},
				"hours_days":  map[string]any{"days": map[string]any{"type": "checkboxes", "selected_options": opts}},
			}}},
		})
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := h.fake.WaitAcked(ctx, id); err != nil {
			t.Fatal(err)
		}
		for _, a := range h.fake.Acks() {
			if a.EnvelopeID == id {
				return string(a.Payload)
			}
		}
		return ""
	}
	if got := submit("18:00", "09:00", "mon"); !strings.Contains(got, `"response_action":"errors"`) || !strings.Contains(got, "hours_end") {
		t.Errorf("end before start: ack %s, want field errors", got)
	}
	if p, _, _ := h.db.Person("UA"); p.Hours != nil {
		t.Fatalf("invalid hours were saved: %v", p.Hours)
	}
	if got := submit("07:30", "15:30", "mon", "tue", "wed"); strings.Contains(got, "errors") {
		t.Errorf("valid hours rejected: %s", got)
	}
	p, _, _ := h.db.Person("UA")
	if p.Hours == nil || p.Hours.String() != "07:30-15:30 mon,tue,wed" {
		t.Errorf("saved hours = %v", p.Hours)
	}
}

// Every team member gets the notice once, even across a restart; in opt_in
// mode nothing is recorded of anyone until they opt in.
func TestConsentNoticeOnceAndOptInMode(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	now := time.Date(2026, 3, 3, 10, 0, 0, 0, berlin)
	h := startHarness(t, now, func(c *Config) { c.Consent = signals.OptIn })
	h.srv.Settle()
	restart(t, h, now.Add(time.Hour)).Settle()
	for _, u := range []string{"UM1", "UA", "UB", "UC"} {
		n := 0
		for _, m := range h.fake.Messages(u) {
			if strings.Contains(m.Text, "Your workspace uses coach") {
				n++
				if !strings.Contains(string(m.Blocks), HomeOptInAction) {
					t.Errorf("%s's notice in opt_in mode has no Opt in button", u)
				}
			}
		}
		if n != 1 {
			t.Errorf("%s got %d notices, want exactly 1", u, n)
		}
	}
	if _, ok := h.fake.Messages("UX"), true; len(h.fake.Messages("UX")) != 0 && ok {
		t.Errorf("Xavier, in no team, got a notice")
	}
	at := now.Add(2 * time.Hour)
	h.send(dm("UM1", "UB", at, "hello"))
	ws, _ := h.db.Windows("UM1", 0, signals.Day(1<<30))
	if len(ws) != 0 {
		t.Fatalf("opt_in mode recorded before anyone opted in: %+v", ws)
	}
	h.command("UM1", "optin")
	h.command("UB", "optin")
	h.send(dm("UM1", "UB", at.Add(time.Minute), "hello again"))
	ws, _ = h.db.Windows("UM1", 0, signals.Day(1<<30))
	if len(ws) != 1 || ws[0].Reports["UB"] == nil || ws[0].Reports["UB"].Directed != 1 {
		t.Errorf("after both opted in, windows = %+v, want one message to Ben", ws)
	}
}
