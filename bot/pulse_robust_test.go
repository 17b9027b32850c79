package bot

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"

	"coach/pulse"
	"coach/slackfake"
	"coach/store"
)

// shownCopy is the copy of user's pulse DM that the DM shows now, as its
// buttons carry it.
func (h *harness) shownCopy(user string) store.PulseCopy {
	h.t.Helper()
	_, _, value := h.pulseButton(user, "pulse_answer:0:1")
	_, c, ok := parsePulseValue(value)
	if !ok {
		h.t.Fatalf("%s's pulse DM carries %q", user, value)
	}
	return c
}

// pulseCounts are the counts of statement i of pulse id now.
func (h *harness) pulseCounts(id string, i int) pulse.Counts {
	h.t.Helper()
	p, err := h.db.PulseByID(id)
	if err != nil {
		h.t.Fatal(err)
	}
	return p.Counts[p.Statements[i]]
}

// one is the counts of one answer b.
func one(b byte) pulse.Counts {
	var c pulse.Counts
	c[b-'1']++
	return c
}

// openPulse3 starts a harness with a team of three (minimum 3), opens the
// pulse on a Monday and delivers its DMs; it returns the pulse's id.
func openPulse3(t *testing.T, edit func(*Config)) (*harness, string) {
	t.Helper()
	mon := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	h := startPulseHarness(t, mon, []pulseTeam{{"UM1", reportIDs("A", 3)}}, func(c *Config) {
		c.PulseMinResponses = 3
		if edit != nil {
			edit(c)
		}
	}, zerolog.New(zerolog.NewTestWriter(t)))
	for hour := 0; hour < 24; hour++ {
		h.tick(mon.Add(time.Duration(hour) * time.Hour))
	}
	return h, pulse.ID("UM1", time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC))
}

// timedPulseClick clicks statement i's answer b in user's pulse DM as it is
// now, and returns when the click was acked and how long that took.
func (h *harness) timedPulseClick(user string, i int, b byte) time.Duration {
	h.t.Helper()
	action := fmt.Sprintf("%s:%d:%c", PulseAnswerAction, i, b)
	msg, block, value := h.pulseButton(user, action)
	sent := time.Now()
	env := h.fake.SendInteraction(map[string]any{
		"type": "block_actions", "user": map[string]any{"id": user},
		"container": map[string]any{"type": "message", "channel_id": msg.Channel, "message_ts": msg.TS},
		"actions":   []map[string]any{{"type": "button", "action_id": action, "block_id": block, "value": value}},
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.fake.WaitAcked(ctx, env); err != nil {
		h.t.Fatal(err)
	}
	return time.Since(sent)
}

// notesTo counts the ephemeral notes text shown to user.
func (h *harness) notesTo(user, text string) int {
	n := 0
	for _, e := range h.fake.Ephemerals() {
		if e.User == user && e.Text == text {
			n++
		}
	}
	return n
}

// A pulse answer whose redraw Slack answers 429 is counted at its ack, and
// the DM is redrawn once the Retry-After is waited out, within the ack's
// budget or after the ack: the person is not asked to click again. Two
// 429s of a second each outlast the budget (the code that counted only
// after the redraw asked for the click again and counted nothing).
func TestPulseRateLimitedRedrawIsWaitedOut(t *testing.T) {
	for _, n := range []int{1, 2} {
		t.Run(fmt.Sprintf("%d429s", n), func(t *testing.T) {
			h, pid := openPulse3(t, nil)
			h.fake.FailNext("chat.update", n, slackfake.Fault{Status: http.StatusTooManyRequests, RetryAfter: time.Second})
			if took := h.timedPulseClick("UA1", 0, '4'); took > 3*time.Second {
				t.Errorf("acked after %s, past Slack's 3s", took)
			}
			if got := h.pulseCounts(pid, 0); got != one('4') {
				t.Errorf("counts at the ack %v, want the 4 clicked", got)
			}
			eventually(t, "the DM redrawn with the 4", func() bool { return h.shownCopy("UA1").Answers == "4--" })
			h.srv.Settle()
			if got := h.fake.RateLimited("chat.update"); got != n {
				t.Errorf("%d 429s served, want %d", got, n)
			}
			if got := h.pulseCounts(pid, 0); got != one('4') {
				t.Errorf("counts after the redraw %v, want one 4", got)
			}
			if got := h.notesTo("UA1", pulse.UnconfirmedNote); got != 0 {
				t.Errorf("the person was asked %d times to click again", got)
			}
			h.clickPulse("UA1", 1, '2', true)
			if got0, got1 := h.pulseCounts(pid, 0), h.pulseCounts(pid, 1); got0 != one('4') || got1 != one('2') {
				t.Errorf("after the next click: counts %v and %v, want one 4 and one 2", got0, got1)
			}
		})
	}
}

// When Slack refuses the redraw of a click, the click counts all the same
// and the redraw is tried again after the ack, so the DM shows it and the
// next click from it counts. A DM Slack never lets coach redraw keeps the
// count, and the person is told their answer counts.
func TestPulseFailedRedrawIsTriedAgain(t *testing.T) {
	h, pid := openPulse3(t, nil)
	h.fake.FailNext("chat.update", 1, slackfake.Fault{Error: "internal_error"})
	h.timedPulseClick("UA1", 0, '4')
	if got := h.pulseCounts(pid, 0); got != one('4') {
		t.Errorf("a click whose redraw failed counts %v at its ack, want one 4", got)
	}
	eventually(t, "the DM redrawn with the 4", func() bool { return h.shownCopy("UA1").Answers == "4--" })
	h.srv.Settle()
	h.clickPulse("UA1", 0, '2', true)
	h.clickPulse("UA1", 1, '3', true)
	if got0, got1 := h.pulseCounts(pid, 0), h.pulseCounts(pid, 1); got0 != one('2') || got1 != one('3') {
		t.Errorf("counts %v and %v, want one 2 and one 3", got0, got1)
	}
	if c := h.shownCopy("UA1"); c.Answers != "23-" {
		t.Errorf("the DM shows %q, want 23-", c.Answers)
	}

	h.fake.FailNext("chat.update", 1+pulseRedrawTries, slackfake.Fault{Error: "internal_error"})
	h.timedPulseClick("UA1", 2, '5')
	h.srv.Settle()
	if got := h.pulseCounts(pid, 2); got != one('5') {
		t.Errorf("a click whose DM Slack never redrew counts %v, want one 5", got)
	}
	if got := h.notesTo("UA1", pulseUnshownNote); got != 1 {
		t.Errorf("%d notes that the answer counts though the DM does not show it, want 1", got)
	}
}

// A redraw that reached Slack but was not counted (coach stopped between
// the two) leaves the DM showing the new choice: the next click from it
// counts that choice and its own.
func TestPulseShownChoiceCountsWithTheNextClick(t *testing.T) {
	h, pid := openPulse3(t, nil)
	msg := h.pulseDMs("UA1")[0]
	shown, err := h.db.NextPulseCopy(pid, "UA1", h.shownCopy("UA1"), 0, '4')
	if err != nil {
		t.Fatal(err)
	}
	cat, _ := pulse.LoadCatalog()
	p, _ := h.db.PulseByID(pid)
	api := slack.New("xoxb-h", slack.OptionAPIURL(h.fake.APIURL()))
	if _, _, _, err := api.UpdateMessage(msg.Channel, msg.TS, slack.MsgOptionText(pulse.Fallback, false),
		slack.MsgOptionBlocks(PulseBlocks(h.srv.pulseView(cat, p, "UA1", shown))...)); err != nil {
		t.Fatal(err)
	}
	if got := h.pulseCounts(pid, 0); got != (pulse.Counts{}) {
		t.Fatalf("counts %v before any click was counted", got)
	}
	h.clickPulse("UA1", 1, '2', true)
	if got0, got1 := h.pulseCounts(pid, 0), h.pulseCounts(pid, 1); got0 != one('4') || got1 != one('2') {
		t.Errorf("counts %v and %v, want the 4 the DM showed and the new 2", got0, got1)
	}
	h.clickPulse("UA1", 0, '1', true)
	if got := h.pulseCounts(pid, 0); got != one('1') {
		t.Errorf("after changing the shown 4 to 1: %v", got)
	}
}

// slowUpdates stands between coach and the fake Slack and holds the next
// n chat.update calls back for a while, so two clicks overlap.
type slowUpdates struct {
	held atomic.Int32
}

func (s *slowUpdates) front(t *testing.T, apiURL string) string {
	t.Helper()
	target, err := url.Parse(apiURL)
	if err != nil {
		t.Fatal(err)
	}
	target.Path = ""
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/chat.update") && s.held.Add(-1) >= 0 {
			time.Sleep(300 * time.Millisecond)
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/api/"
}

// Two clicks on the same copy of the DM that arrive together (a double
// click on two statements) are taken one at a time: one counts, the other
// is told it came from an out-of-date view, and the DM shows exactly what
// is counted, so the next click counts. The first click's redraw is held
// back, so without taking a person's clicks one at a time the second would
// count while the DM ends up showing the first.
func TestPulseRacingClicksAreTakenOneAtATime(t *testing.T) {
	slow := &slowUpdates{}
	h, pid := openPulse3(t, func(c *Config) { c.APIURL = slow.front(t, c.APIURL) })
	msg, _, _ := h.pulseButton("UA1", "pulse_answer:0:4")
	var clicks []map[string]any
	for _, action := range []string{"pulse_answer:0:4", "pulse_answer:1:2"} {
		_, block, value := h.pulseButton("UA1", action)
		clicks = append(clicks, map[string]any{
			"type": "block_actions", "user": map[string]any{"id": "UA1"},
			"container": map[string]any{"type": "message", "channel_id": msg.Channel, "message_ts": msg.TS},
			"actions":   []map[string]any{{"type": "button", "action_id": action, "block_id": block, "value": value}},
		})
	}
	slow.held.Store(1)
	var ids []string
	for _, c := range clicks {
		ids = append(ids, h.fake.SendInteraction(c))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, id := range ids {
		if err := h.fake.WaitAcked(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	h.srv.Settle()
	shown := h.shownCopy("UA1").Answers
	if shown != "4--" && shown != "-2-" {
		t.Fatalf("the DM shows %q, want one of the two clicks", shown)
	}
	for i := 0; i < 2; i++ {
		want := pulse.Counts{}
		if shown[i] != '-' {
			want = one(shown[i])
		}
		if got := h.pulseCounts(pid, i); got != want {
			t.Errorf("statement %d counts %v, but the DM shows %q", i, got, shown)
		}
	}
	stale := 0
	for _, e := range h.fake.Ephemerals() {
		if e.User == "UA1" && e.Text == pulse.StaleNote {
			stale++
		}
	}
	if stale != 1 {
		t.Errorf("%d stale notes, want 1 (for the click that did not count)", stale)
	}
	h.clickPulse("UA1", 2, '5', true)
	if got := h.pulseCounts(pid, 2); got != one('5') {
		t.Errorf("the click after the race counts %v, want one 5", got)
	}
}

// Turning the pulse off and on again within a round keeps its rhythm: the
// round that is open does not open a second time, and the next opens when
// it was due.
func TestPulseOffAndOnKeepsTheRound(t *testing.T) {
	mon := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	h := pulseHarness3(t, mon, []pulseTeam{{"UM1", reportIDs("A", 3)}})
	h.tick(mon)
	h.clock.Set(mon.Add(24 * time.Hour))
	h.command("UX", "pulse off")
	h.tick(mon.Add(25 * time.Hour))
	h.clock.Set(mon.Add(48 * time.Hour))
	if got := h.command("UX", "pulse on"); !strings.HasPrefix(got, "Done: the trust pulse is on.") {
		t.Fatalf("pulse on = %q", got)
	}
	for hour := 48; hour < 72; hour++ {
		h.tick(mon.Add(time.Duration(hour) * time.Hour))
	}
	ps, err := h.db.TeamPulses("UM1")
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 {
		t.Fatalf("after off and on mid-round the team has %d pulses, want 1: %+v", len(ps), ps)
	}
	for _, r := range reportIDs("A", 3) {
		if n := len(h.pulseDMs(r)); n != 1 {
			t.Errorf("%s got %d pulse DMs in one round, want 1", r, n)
		}
	}
	next := time.Date(2026, 3, 30, 8, 0, 0, 0, time.UTC) // four weeks after the first
	h.tick(next)
	ps, _ = h.db.TeamPulses("UM1")
	if len(ps) != 2 || !ps[1].Opens.Equal(time.Date(2026, 3, 30, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("the next round = %+v, want one opening Mon 30 Mar", ps)
	}
}

// A pulse closes with the minimum it opened with: a team promised scores
// from 5 answers gets none from 4, even if pulse.min_responses was lowered
// to 3 in the meantime.
func TestPulseKeepsTheMinimumItPromised(t *testing.T) {
	mon := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	reports := reportIDs("A", 6)
	h := startPulseHarness(t, mon, []pulseTeam{{"UM1", reports}}, nil, zerolog.New(zerolog.NewTestWriter(t)))
	for hour := 0; hour < 24; hour++ {
		h.tick(mon.Add(time.Duration(hour) * time.Hour))
	}
	pid := pulse.ID("UM1", time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC))
	if !strings.Contains(string(h.pulseDMs("UA1")[0].Blocks), "at least 5 people answered") {
		t.Fatalf("the DM does not promise 5: %s", h.pulseDMs("UA1")[0].Blocks)
	}
	for _, r := range reports[:4] {
		for i := 0; i < 3; i++ {
			h.clickPulse(r, i, '4', true)
		}
	}
	h.srv.cfg.PulseMinResponses = 3 // the config lowered while the pulse is open
	p, _ := h.db.PulseByID(pid)
	h.tick(p.Closes.Add(time.Hour))
	p, _ = h.db.PulseByID(pid)
	if p.State != pulse.Closed || p.HasResult() {
		t.Errorf("a pulse promised 5 answers closed with %+v from 4", p.Counts)
	}
	if strings.Contains(string(h.pulseDMs("UA1")[0].Blocks), "at least 3 people") {
		t.Errorf("the closed DM speaks of 3: %s", h.pulseDMs("UA1")[0].Blocks)
	}
	openHome(h, "UM1")
	if home := homeText(t, h.fake.HomeView("UM1")); strings.Contains(home, "The latest pulse closed") {
		t.Errorf("the App Home shows a result from 4 answers:\n%s", home)
	}
}

// A round asks the teams as they were when it opened: an admin who, mid
// round, makes a team of themselves, one person and two colluders gets no
// pulse for it that round (its result would give away that person's
// answers), and nobody is asked twice.
func TestPulseRoundKeepsItsTeams(t *testing.T) {
	mon := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	h := pulseHarness3(t, mon, []pulseTeam{{"UM1", reportIDs("A", 4)}, {"UM2", reportIDs("C", 2)}})
	h.tick(mon)
	h.clock.Set(mon.Add(2 * time.Hour))
	for _, cmd := range []string{"team remove <@UM1> <@UA1>", "team remove <@UM2> <@UC1>", "team remove <@UM2> <@UC2>", "team set <@UX> <@UA1> <@UC1> <@UC2>"} {
		t.Logf("/coach %s: %s", cmd, h.command("UX", cmd))
	}
	if got := h.srv.Org().Reports("UX"); len(got) != 3 {
		t.Fatalf("the admin's team is %v, want the three set", got)
	}
	for hour := 2; hour < 30; hour++ {
		h.tick(mon.Add(time.Duration(hour) * time.Hour))
	}
	if ps, _ := h.db.TeamPulses("UX"); len(ps) != 0 {
		t.Errorf("a team set mid-round got a pulse of that round: %+v", ps)
	}
	for _, u := range []string{"UA1", "UC1", "UC2"} {
		if n := len(h.pulseDMs(u)); n > 1 {
			t.Errorf("%s was asked %d times in one round", u, n)
		}
	}
	if n := len(h.pulseDMs("UC1")); n != 0 {
		t.Errorf("UC1, in no team of at least 3 when the round opened, was asked")
	}
}

// Without COACH_TOKEN_KEY the pulse cannot be turned on, and says what is
// missing; a config that turns it on opens no pulse either.
func TestPulseWithoutTheKey(t *testing.T) {
	mon := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	h := startPulseHarness(t, mon, []pulseTeam{{"UM1", reportIDs("A", 3)}}, func(c *Config) {
		c.PulseKey, c.PulseEnabled, c.PulseMinResponses = nil, false, 3
	}, zerolog.New(zerolog.NewTestWriter(t)))
	got := h.command("UX", "pulse on")
	if got != pulseKeyMissing || !strings.Contains(got, "COACH_TOKEN_KEY") {
		t.Errorf("pulse on without the key = %q", got)
	}
	if v, _ := h.db.Meta(pulseSetting); v == "on" {
		t.Errorf("the pulse was turned on without its key")
	}
	h.srv.cfg.PulseEnabled = true // as if the config said so
	for hour := 0; hour < 24; hour++ {
		h.tick(mon.Add(time.Duration(hour) * time.Hour))
	}
	if ps, _ := h.db.Pulses(); len(ps) != 0 {
		t.Errorf("pulses opened without the key: %+v", ps)
	}
}
