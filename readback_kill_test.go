package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"coach/connect"
	"coach/decode"
	"coach/internal/logsink"
	"coach/signals"
	"coach/slackfake"
	"coach/store"
)

// killConv is a conversation of UM1's read back.
type killConv struct {
	id, typ string
	members []string
}

// killMsg is one message of the seeded history.
type killMsg struct {
	conv *killConv
	msg  slackfake.HistoryMessage
}

// killHistory seeds 35 days of UM1's DMs with three reports, one in each
// zone, and a group DM with all six: messages every day, threads (one
// with a reply days later, across a chunk), reactions. It returns what
// was seeded.
func killHistory(fake *slackfake.Server, now time.Time) []killMsg {
	convs := []*killConv{
		{"DUM1UR1", "im", []string{"UM1", "UR1"}}, // Los Angeles
		{"DUM1UR2", "im", []string{"UM1", "UR2"}}, // Berlin
		{"DUM1UR4", "im", []string{"UM1", "UR4"}}, // Tokyo
		{"GUM1ALL", "mpim", []string{"UM1", "UR1", "UR2", "UR3", "UR4", "UR5", "UR6"}},
	}
	for _, c := range convs {
		if c.typ == "im" {
			fake.AddDM(c.id, c.members[0], c.members[1])
		} else {
			fake.AddGroupDM(c.id, c.members...)
		}
	}
	var out []killMsg
	seq := 0
	add := func(c *killConv, m slackfake.HistoryMessage) slackfake.HistoryMessage {
		fake.SeedHistory(c.id, m)
		out = append(out, killMsg{c, m})
		return m
	}
	for day := 1; day <= 34; day++ {
		at := now.Add(-time.Duration(day)*24*time.Hour - time.Duration(day%7)*time.Hour)
		for ci, c := range convs {
			seq++
			author := c.members[(day+ci)%len(c.members)]
			m := slackfake.HistoryMessage{TS: slackTS(at.Add(time.Duration(ci)*time.Minute), seq), User: author, Text: texts[(day+ci)%len(texts)].text}
			if (day+ci)%4 == 0 {
				m.Reactions = []slackfake.HistoryReaction{{Name: "tada", Users: []string{c.members[(day+ci+1)%len(c.members)]}}}
			}
			m = add(c, m)
			if (day+ci)%11 != 0 {
				continue
			}
			// A thread under it; every third a reply days later.
			for r := 1; r <= 2; r++ {
				seq++
				rat := at.Add(time.Duration(r) * time.Hour)
				if day%2 == 0 && r == 2 && day > 9 {
					rat = at.Add(8 * 24 * time.Hour)
				}
				add(c, slackfake.HistoryMessage{TS: slackTS(rat, seq), User: c.members[(day+r)%len(c.members)], Text: texts[(day+r)%len(texts)].text, ThreadTS: m.TS})
			}
		}
	}
	return out
}

// liveWindowsOf folds msgs as Slack would have delivered them live (Events
// API payloads through decode.Decoder and store.Apply, in time order, each
// reaction at its message's time) from since up to until into a fresh
// store, with UM1's DMs seen from since, and returns UM1's day windows.
func liveWindowsOf(t *testing.T, msgs []killMsg, people []signals.Person, teams []signals.Team, since, until time.Time) []signals.DayWindow {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "live.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sorted := append([]killMsg(nil), msgs...)
	sort.SliceStable(sorted, func(i, j int) bool {
		a, _ := signals.ParseTS(sorted[i].msg.TS)
		b, _ := signals.ParseTS(sorted[j].msg.TS)
		return a.Before(b)
	})
	authors := map[string]string{}
	members := map[string][]string{}
	for _, m := range msgs {
		authors[m.conv.id+m.msg.TS] = m.msg.User
		members[m.conv.id] = m.conv.members
	}
	dec := &decode.Decoder{Lexicon: signals.DefaultLexicon(), Members: func(ch string) []string { return members[ch] }}
	var events []signals.Event
	n := 0
	deliver := func(ev map[string]any) {
		n++
		raw, err := json.Marshal(map[string]any{"type": "event_callback", "event_id": fmt.Sprintf("EvLive%06d", n), "event": ev})
		if err != nil {
			t.Fatal(err)
		}
		d, err := dec.Decode(raw)
		if err != nil {
			t.Fatal(err)
		}
		if d.Event != nil {
			events = append(events, *d.Event)
		}
	}
	for _, s := range sorted {
		if at, _ := signals.ParseTS(s.msg.TS); at.Before(since) || !at.Before(until) {
			continue
		}
		m := s.msg
		ev := map[string]any{"type": "message", "channel": s.conv.id, "channel_type": s.conv.typ, "user": m.User, "text": m.Text, "ts": m.TS, "event_ts": m.TS}
		if m.ThreadTS != "" {
			ev["thread_ts"] = m.ThreadTS
			ev["parent_user_id"] = authors[s.conv.id+m.ThreadTS]
		}
		deliver(ev)
		for _, r := range m.Reactions {
			for _, u := range r.Users {
				deliver(map[string]any{"type": "reaction_added", "user": u, "reaction": r.Name, "item_user": m.User,
					"item": map[string]any{"type": "message", "channel": s.conv.id, "ts": m.TS}, "event_ts": m.TS})
			}
		}
	}
	org := signals.NewOrg(people, teams, signals.DefaultHours(), time.UTC)
	for _, tm := range org.Teams {
		tm.Connected, tm.DMsSince = since, since
	}
	if _, err := db.Apply(org, events); err != nil {
		t.Fatal(err)
	}
	ws, err := db.Windows("UM1", 0, signals.Day(1<<30))
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

// kill -9 in the middle of a 35-day read back for a manager with six
// reports in three zones, under 429s from Slack, then a restart on the
// same database: the read back resumes from its saved cursor (it does not
// start again), tells the manager once, and the stored windows equal
// those of the same messages delivered live: nothing counted twice.
func TestReadBackResumesAfterKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills it")
	}
	bin := buildBinary(t)
	key, err := connect.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	listen := freeAddr(t)
	dir := t.TempDir()
	r := &connectRun{t: t, fake: newFake(t), public: "http://" + listen, key: key, dbPath: filepath.Join(dir, "coach.db"), logs: &logsink.Buffer{}}
	r.fake.SetOAuthApp(slackfake.OAuthApp{RedirectURLs: []string{r.public + connect.CallbackPath}})
	// A little under coach's Tier 3 pacing (one call each 1.2s): about
	// every fifth call is answered 429.
	r.fake.SetRateLimit(slackfake.RateLimit{Calls: 4, Window: 5 * time.Second}, "conversations.history", "conversations.replies")

	cfg := writeConnectConfig(t, r.fake, r.dbPath, listen, "retention_days: 35", "log:", "  level: debug", "  format: json", "")
	raw, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	six := strings.Replace(string(raw), "reports: [UR1, UR2, UR3]\n  - manager: UM2\n    reports: [UR4, UR5, UR6]\n", "reports: [UR1, UR2, UR3, UR4, UR5, UR6]\n", 1)
	if six == string(raw) {
		t.Fatal("the config's teams are not as expected")
	}
	if err := os.WriteFile(cfg, []byte(six), 0o600); err != nil {
		t.Fatal(err)
	}

	lifeLogs := []string{filepath.Join(dir, "life1.log"), filepath.Join(dir, "life2.log")}
	start := func(life int) *coachProcess {
		t.Helper()
		f, err := os.OpenFile(lifeLogs[life], os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		conns := r.fake.Connections()
		cmd := exec.Command(bin, "run", "--config", cfg)
		cmd.Env = append(os.Environ(), "SLACK_BOT_TOKEN="+testBotToken, "SLACK_APP_TOKEN="+testAppToken,
			"SLACK_CLIENT_SECRET="+slackfake.DefaultClientSecret, "COACH_TOKEN_KEY="+key)
		cmd.Stdout, cmd.Stderr = f, f
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		p := &coachProcess{cmd: cmd, done: make(chan error, 1)}
		exited := make(chan struct{})
		go func() { p.done <- cmd.Wait(); close(exited) }()
		t.Cleanup(func() {
			_ = cmd.Process.Kill()
			<-exited
		})
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := r.fake.WaitConnections(ctx, conns+1); err != nil {
			t.Fatalf("life %d did not connect: %v", life+1, err)
		}
		return p
	}
	logOf := func(life int) string {
		b, _ := os.ReadFile(lifeLogs[life])
		return string(b)
	}
	t.Cleanup(func() {
		if t.Failed() {
			for i := range lifeLogs {
				lines := strings.Split(strings.TrimSpace(logOf(i)), "\n")
				t.Logf("last lines of life %d's log:\n%s", i+1, strings.Join(lines[max(0, len(lines)-25):], "\n"))
			}
		}
	})
	poll := func(what string, d time.Duration, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if cond() {
				return
			}
		}
		t.Fatalf("timed out after %s waiting for %s", d, what)
	}
	const chunkCounted = `"message":"backfill chunk counted"`

	// Life 1: UM1 connects; killed once two of the five weeks are counted.
	p := start(0)
	now := time.Now()
	hist := killHistory(r.fake, now)
	r.connect("UM1")
	poll("two chunks of the read back counted", 30*time.Second, func() bool { return strings.Count(logOf(0), chunkCounted) >= 2 })
	if err := p.kill(t); err != nil {
		t.Fatal(err)
	}
	before := strings.Count(logOf(0), chunkCounted)
	if strings.Contains(logOf(0), `"message":"backfill done"`) {
		t.Fatal("the read back was done before the kill; nothing to resume")
	}

	// Life 2, on the same database: it resumes and finishes.
	p = start(1)
	poll("the read back's DM", 45*time.Second, func() bool { return len(r.dms("UM1", "coach has read back your DMs")) > 0 })
	p.stop(t)
	if n := len(r.dms("UM1", "coach has read back your DMs")); n != 1 {
		t.Errorf("told %d times that the read back is done, want once", n)
	}
	after := strings.Count(logOf(1), chunkCounted)
	if before+after != 5 {
		t.Errorf("%d chunks counted before the kill and %d after, want the five weeks read once between them (resumed, not started again)", before, after)
	}
	if r.fake.RateLimited("conversations.history")+r.fake.RateLimited("conversations.replies") == 0 {
		t.Error("the fake answered no call 429: the read back met no rate limit")
	}

	db, err := store.Open(r.dbPath, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	job, found, err := db.Backfill("UM1")
	if err != nil || !found || job.Finished.IsZero() {
		t.Fatalf("UM1's read back: %+v, found %v, %v; want it finished", job, found, err)
	}
	got, err := db.Windows("UM1", 0, signals.Day(1<<30))
	if err != nil {
		t.Fatal(err)
	}
	var people []signals.Person
	for _, pr := range e2ePeople {
		people = append(people, signals.Person{ID: pr.id, TZ: pr.tz})
	}
	teams := []signals.Team{{Manager: "UM1", Reports: []string{"UR1", "UR2", "UR3", "UR4", "UR5", "UR6"}}}
	want := liveWindowsOf(t, hist, people, teams, job.Since, job.Until)
	gotSum, wantSum := stored(t, db, "UM1"), sumOf(want)
	if wantSum.directed == 0 || wantSum.report("UR4").directed == 0 {
		t.Fatalf("live delivery counted nothing for UM1: %+v", wantSum)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("UM1's stored windows differ from live delivery: directed %d, want %d; %d windows, want %d", gotSum.directed, wantSum.directed, len(got), len(want))
		for i := range min(len(got), len(want)) {
			if !reflect.DeepEqual(got[i], want[i]) {
				gj, _ := json.Marshal(got[i])
				wj, _ := json.Marshal(want[i])
				t.Errorf("day %d:\n got %s\nwant %s", want[i].Day, gj, wj)
			}
		}
	}
	t.Logf("%d messages seeded; %d chunks before the kill, %d after; %d directed; %d and %d 429s", len(hist), before, after, gotSum.directed,
		r.fake.RateLimited("conversations.history"), r.fake.RateLimited("conversations.replies"))
}

// sumOf sums windows into the shape stored gives.
func sumOf(ws []signals.DayWindow) expect {
	got := expect{perReport: map[string]*reportExpect{}}
	for _, w := range ws {
		got.directed += w.Directed
		for r, rd := range w.Reports {
			got.report(r).directed += rd.Directed
		}
	}
	return got
}
