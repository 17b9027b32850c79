package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"
	bolt "go.etcd.io/bbolt"

	"coach/internal/logsink"
	"coach/nudges"
	"coach/pulse"
	"coach/signals"
	"coach/slackfake"
	"coach/store"
)

// pulseTeam is a manager and reports for a pulse harness, all in zone tz
// unless a report's id says otherwise.
type pulseTeam struct {
	manager string
	reports []string
}

var pulseZones = []string{"Europe/Berlin", "America/Los_Angeles", "Asia/Tokyo"}

// testPulseKey is the pulse key of the pulse harness, as coach run derives
// it from COACH_TOKEN_KEY; it is never in the database.
var testPulseKey = pulse.Key([]byte("operator key of the pulse tests!"))

// startPulseHarness is startHarnessLog with these teams (people made up
// for them, in three zones) and pulses on.
func startPulseHarness(t *testing.T, now time.Time, teams []pulseTeam, edit func(*Config), log zerolog.Logger) *harness {
	t.Helper()
	h := &harness{t: t, clock: &testClock{t: now}}
	h.fake = slackfake.New(slackfake.Options{BotToken: "xoxb-h", AppToken: "xapp-h", PingInterval: time.Second})
	t.Cleanup(h.fake.Close)
	t.Cleanup(func() { requireValidBlockKit(t, h.fake) })
	h.fake.SetNow(h.clock.Now)
	h.fake.AddUser(slackfake.User{ID: "UX", Name: "Xavier", TZ: "Europe/Berlin"})
	var cfgTeams []signals.Team
	for _, tm := range teams {
		h.fake.AddUser(slackfake.User{ID: tm.manager, Name: "Manager " + tm.manager, TZ: "Europe/Berlin"})
		for i, r := range tm.reports {
			h.fake.AddUser(slackfake.User{ID: r, Name: "Report " + r, TZ: pulseZones[i%len(pulseZones)]})
		}
		cfgTeams = append(cfgTeams, signals.Team{Manager: tm.manager, Reports: tm.reports})
	}
	db, err := store.Open(filepath.Join(t.TempDir(), "coach.db"), store.Options{Now: h.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	h.db = db
	cfg := Config{
		APIURL: h.fake.APIURL(),
		Teams:  cfgTeams, Admins: []string{"UX"},
		DefaultHours: signals.DefaultHours(), DefaultTZ: time.UTC,
		Limits: signals.DefaultThresholds(), RetentionDays: 35,
		NoScheduler: true, Now: h.clock.Now, Policy: nudges.DefaultPolicy(),
		PulseEnabled: true, PulseKey: testPulseKey,
	}
	// The fake has no rate limits: the consent notices go at once.
	cfg.NoticePace.Sleep = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
	if edit != nil {
		edit(&cfg)
	}
	h.srv = newTestServer(t, cfg, "xoxb-h", "xapp-h", db, log)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.srv.Run(ctx) }()
	var once sync.Once
	h.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("server: %v", err)
			}
		})
	}
	t.Cleanup(h.stop)
	wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer wcancel()
	if err := h.fake.WaitConnections(wctx, 1); err != nil {
		t.Fatal(err)
	}
	h.srv.Settle() // consent notices
	return h
}

// tick sets the clock and runs everything due.
func (h *harness) tick(at time.Time) {
	h.t.Helper()
	h.clock.Set(at)
	if err := h.srv.Tick(context.Background(), at); err != nil {
		h.t.Fatalf("Tick(%s): %v", at, err)
	}
	h.srv.Settle()
}

// pulseDMs are the pulse DMs user received.
func (h *harness) pulseDMs(user string) []slackfake.Message {
	var out []slackfake.Message
	for _, m := range h.fake.Messages(user) {
		if strings.Contains(string(m.Metadata), pulseMetadataType) {
			out = append(out, m)
		}
	}
	return out
}

type pulseBlock struct {
	Type     string `json:"type"`
	BlockID  string `json:"block_id"`
	Elements []struct {
		ActionID string `json:"action_id"`
		Value    string `json:"value"`
		Style    string `json:"style"`
	} `json:"elements"`
}

func parseBlocks(t *testing.T, raw json.RawMessage) []pulseBlock {
	t.Helper()
	var bs []pulseBlock
	if err := json.Unmarshal(raw, &bs); err != nil {
		t.Fatalf("blocks %s: %v", raw, err)
	}
	return bs
}

// clickPulse presses user's answer b to statement i on their pulse DM, as
// Slack delivers the click, and waits until the DM is redrawn (or, when
// redraw is false, until the click was handled).
func (h *harness) clickPulse(user string, i int, b byte, redraw bool) {
	h.t.Helper()
	dms := h.pulseDMs(user)
	if len(dms) != 1 {
		h.t.Fatalf("%s has %d pulse DMs, want 1", user, len(dms))
	}
	msg := dms[0]
	action := fmt.Sprintf("%s:%d:%c", PulseAnswerAction, i, b)
	var blockID, value string
	for _, bl := range parseBlocks(h.t, msg.Blocks) {
		for _, e := range bl.Elements {
			if e.ActionID == action {
				blockID, value = bl.BlockID, e.Value
			}
		}
	}
	if value == "" {
		h.t.Fatalf("%s's pulse DM has no button %s: %s", user, action, msg.Blocks)
	}
	updates := len(h.fake.Calls("chat.update"))
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
	if redraw {
		eventually(h.t, "the redraw of "+user+"'s pulse DM", func() bool { return len(h.fake.Calls("chat.update")) > updates })
	}
	h.srv.Settle()
}

// walkDB calls f with every key and value in every bucket of db.
func walkDB(t *testing.T, db *store.DB, f func(path string, k, v []byte)) {
	t.Helper()
	var walk func(path string, b *bolt.Bucket) error
	walk = func(path string, b *bolt.Bucket) error {
		return b.ForEach(func(k, v []byte) error {
			f(path, k, v)
			if v == nil {
				if sub := b.Bucket(k); sub != nil {
					return walk(path+"/"+string(k), sub)
				}
			}
			return nil
		})
	}
	err := db.Bolt().View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			f("", name, nil)
			return walk(string(name), b)
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}

var hexHash = regexp.MustCompile(`[0-9a-f]{64}`)

// keyedHashes counts the HMAC-SHA256 hex strings anywhere in db: keys or
// values.
func keyedHashes(t *testing.T, db *store.DB) int {
	n := 0
	walkDB(t, db, func(_ string, k, v []byte) {
		n += len(hexHash.FindAll(k, -1)) + len(hexHash.FindAll(v, -1))
	})
	return n
}

func reportIDs(prefix string, n int) []string {
	var out []string
	for i := 1; i <= n; i++ {
		out = append(out, fmt.Sprintf("U%s%d", prefix, i))
	}
	return out
}

// A team of 6 answers a pulse through Socket Mode (one changes an answer,
// one skips a statement), another of 5 gets only 4 answers. When the pulse
// closes, the first team's manager sees each statement's score in the App
// Home and in the next digest; the second sees nothing anywhere, not even
// how many answered. After close the database holds no respondent's id and
// no keyed hash, and no log line put a respondent next to an answer.
func TestPulseEndToEnd(t *testing.T) {
	logs := &logsink.Buffer{}
	log := zerolog.New(zerolog.MultiLevelWriter(logs, zerolog.NewTestWriter(t)))
	mon := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	six, five := reportIDs("R", 6), reportIDs("Q", 5)
	h := startPulseHarness(t, mon, []pulseTeam{{"UM1", six}, {"UM2", five}}, nil, log)

	// Monday: every report is asked once, in their own working hours.
	for hour := 0; hour < 24; hour++ {
		h.tick(mon.Add(time.Duration(hour) * time.Hour))
	}
	for _, r := range append(append([]string(nil), six...), five...) {
		dms := h.pulseDMs(r)
		if len(dms) != 1 {
			t.Fatalf("%s got %d pulse DMs, want exactly 1", r, len(dms))
		}
		at, _ := signals.ParseTS(dms[0].TS)
		loc := h.srv.Org().Loc(r)
		if !signals.DefaultHours().Contains(at, loc) {
			t.Errorf("%s was asked at %s their time, outside their working hours", r, at.In(loc).Format("Mon 15:04"))
		}
	}
	for _, m := range []string{"UM1", "UM2"} {
		if n := len(h.pulseDMs(m)); n != 0 {
			t.Errorf("manager %s was asked %d pulses about their own team", m, n)
		}
	}
	h.tick(mon.Add(25 * time.Hour))
	if n := len(h.fake.Calls("chat.postMessage")); n == 0 {
		t.Fatal("no messages")
	}
	p, err := h.db.PulseByID(pulse.ID("UM1", time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)))
	if err != nil {
		t.Fatal(err)
	}

	// Team 1 answers. UR2 first says 1 to statement 0, then 5; UR6 skips statement 1.
	answers := map[string]string{"UR1": "435", "UR2": "145", "UR3": "444", "UR4": "324", "UR5": "553", "UR6": "2s4"}
	for _, r := range six {
		for i, b := range []byte(answers[r]) {
			h.clickPulse(r, i, b, true)
		}
	}
	h.clickPulse("UR2", 0, '5', true)
	done := 0
	for _, r := range six {
		if strings.Contains(string(h.pulseDMs(r)[0].Blocks), `"pulse_done"`) {
			done++
		}
	}
	if done != 6 {
		t.Errorf("%d of 6 DMs show Done, want all (each answered or skipped every statement)", done)
	}
	// Team 2: only 4 of 5 answer.
	for _, r := range five[:4] {
		for i := 0; i < 3; i++ {
			h.clickPulse(r, i, '5', true)
		}
	}
	if n := keyedHashes(t, h.db); n < 10 {
		t.Fatalf("%d keyed hashes while open, want one per respondent (10): the walk below could not fail", n)
	}

	// Nothing shows while the pulse is open.
	openHome(h, "UM1")
	if home := string(h.fake.HomeView("UM1")); strings.Contains(home, "The latest pulse closed") {
		t.Errorf("the App Home shows a result while the pulse is open: %s", home)
	}

	// The pulse closes a week after it opened; the DMs are redrawn closed.
	closes := p.Closes
	h.tick(closes.Add(30 * time.Minute))
	for _, r := range six {
		if !strings.Contains(string(h.pulseDMs(r)[0].Blocks), `"pulse_closed"`) {
			t.Errorf("%s's pulse DM was not redrawn closed", r)
		}
	}
	cat, _ := pulse.LoadCatalog()
	want := map[string]string{}
	for i, id := range p.Statements {
		st, _ := cat.Lookup(id)
		sum, n := 0, 0
		for _, r := range six {
			b := answers[r][i]
			if r == "UR2" && i == 0 {
				b = '5'
			}
			if b >= '1' && b <= '5' {
				sum += st.Score(int(b - '0'))
				n++
			}
		}
		want[st.Name()] = pulse.Score(float64(sum) / float64(n))
	}

	// After close: no respondent id, no keyed hash, anywhere.
	respondents := append(append([]string(nil), six...), five...)
	walkDB(t, h.db, func(path string, k, v []byte) {
		for _, r := range respondents {
			if (bytes.Contains(k, []byte(r)) || bytes.Contains(v, []byte(r))) && strings.HasPrefix(path, "pulse") {
				t.Errorf("after close, %s/%s still holds respondent %s", path, k, r)
			}
		}
	})
	if n := keyedHashes(t, h.db); n != 0 {
		t.Errorf("after close, %d keyed hashes remain in the database", n)
	}
	for _, r := range respondents {
		ex, err := h.db.Export(r)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(ex)
		if bytes.Contains(raw, []byte(`"pulses"`)) {
			t.Errorf("after close, %s's export still has pulses: %s", r, raw)
		}
	}

	// The App Home of UM1 shows each statement's score; UM2's shows none.
	openHome(h, "UM1")
	home := homeText(t, h.fake.HomeView("UM1"))
	for name, score := range want {
		if !strings.Contains(home, "• *"+escape(name)+"*: *"+score+"*") {
			t.Errorf("UM1's App Home lacks %s: %s\n%s", name, score, home)
		}
	}
	if !strings.Contains(home, "Share with my team") {
		t.Errorf("UM1's App Home has no Share with my team button:\n%s", home)
	}
	openHome(h, "UM2")
	home2 := homeText(t, h.fake.HomeView("UM2"))
	// Exactly what a team that was never asked sees.
	never := homePulse(&HomePulse{On: true, Every: pulse.DefaultEvery, Min: 5})[0].(*slack.SectionBlock).Text.Text
	if got := blockTextByID(t, home2, "home_pulse"); got != never || strings.Contains(home2, "home_pulse_") || strings.Contains(home2, PulseShareAction) {
		t.Errorf("UM2's team had 4 answers, yet its App Home shows something of it:\n%s", home2)
	}

	// The next digest (Monday 09:00 Berlin) carries the pulse line for UM1 only.
	h.tick(time.Date(2026, 3, 9, 8, 0, 0, 0, time.UTC))
	d1 := h.digests("UM1")
	last := d1[len(d1)-1]
	for name, score := range want {
		if !strings.Contains(last.Text+string(last.Blocks), "*"+name+"* "+score) {
			t.Errorf("UM1's next digest lacks %s %s: %s", name, score, last.Blocks)
		}
	}
	for _, m := range h.digests("UM2") {
		if strings.Contains(string(m.Blocks), "pulse") {
			t.Errorf("UM2's digest speaks of the pulse: %s", m.Blocks)
		}
	}
	// Only once: the digest after that has no pulse line.
	h.tick(time.Date(2026, 3, 16, 8, 0, 0, 0, time.UTC))
	if d := h.digests("UM1"); len(d) > len(d1) && strings.Contains(string(d[len(d)-1].Blocks), "digest_pulse") {
		t.Errorf("the pulse line came again in a second digest")
	}

	// Share with my team posts the scores to the team, once, and only for its manager.
	share := func(user string) {
		t.Helper()
		id := h.fake.SendInteraction(map[string]any{
			"type": "block_actions", "user": map[string]any{"id": user}, "container": map[string]any{"type": "view", "view_id": "VHOME"},
			"actions": []map[string]any{{"type": "button", "block_id": "home_pulse_actions", "action_id": PulseShareAction, "value": p.ID}},
		})
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := h.fake.WaitAcked(ctx, id); err != nil {
			t.Fatal(err)
		}
		h.srv.Settle()
	}
	posts := len(h.fake.Calls("chat.postMessage"))
	share("UM2") // not UM2's team
	if n := len(h.fake.Calls("chat.postMessage")); n != posts {
		t.Errorf("another manager's click shared UM1's result")
	}
	share("UM1")
	share("UM1")
	calls := h.fake.Calls("chat.postMessage")
	if len(calls) != posts+1 {
		t.Fatalf("Share with my team posted %d messages, want 1", len(calls)-posts)
	}
	posted := calls[len(calls)-1].Args["text"]
	if !strings.Contains(posted, "<@UM1> shared the team's latest trust pulse") {
		t.Errorf("shared text = %q", posted)
	}
	for name, score := range want {
		if !strings.Contains(posted, "*"+name+"*: "+score) {
			t.Errorf("the shared result lacks %s %s: %q", name, score, posted)
		}
	}
	openHome(h, "UM1")
	if home := homeText(t, h.fake.HomeView("UM1")); !strings.Contains(home, "You shared this result") {
		t.Errorf("after sharing, the App Home still offers to share")
	}

	// No log line puts a respondent next to an answer, or names one with a pulse.
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, PulseAnswerAction) {
			t.Errorf("a log line names a pulse answer: %s", line)
		}
		for _, r := range respondents {
			if strings.Contains(line, `"`+r+`"`) && strings.Contains(strings.ToLower(line), "pulse") {
				t.Errorf("a log line names respondent %s with the pulse: %s", r, line)
			}
		}
	}
}

// homeText is an App Home view's text, block by block.
func homeText(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var v struct {
		Blocks json.RawMessage `json:"blocks"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("view %s: %v", raw, err)
	}
	return string(v.Blocks)
}

// blockTextByID is the text of the block with that block_id in blocks JSON.
func blockTextByID(t *testing.T, blocks, id string) string {
	t.Helper()
	var bs []struct {
		BlockID string `json:"block_id"`
		Text    struct {
			Text string `json:"text"`
		} `json:"text"`
	}
	if err := json.Unmarshal([]byte(blocks), &bs); err != nil {
		t.Fatal(err)
	}
	for _, b := range bs {
		if b.BlockID == id {
			return b.Text.Text
		}
	}
	return ""
}
