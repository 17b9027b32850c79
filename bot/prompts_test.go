package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"coach/norms"
	"coach/nudges"
	"coach/signals"
	"coach/slackfake"
	"coach/store"
)

func react(user, channel, ts, emoji string, at time.Time, removed bool) map[string]any {
	typ := "reaction_added"
	if removed {
		typ = "reaction_removed"
	}
	return map[string]any{"type": typ, "user": user, "reaction": emoji, "item_user": "U0BOT",
		"item": map[string]any{"type": "message", "channel": channel, "ts": ts}, "event_ts": fmt.Sprintf("%d.000200", at.Unix())}
}

// offHoursFor counts, in Mia's windows of the day of at, the off-hours
// messages to report r.
func offHoursFor(t *testing.T, db *store.DB, r string, at time.Time) int {
	t.Helper()
	berlin, _ := time.LoadLocation("Europe/Berlin")
	d := signals.DayOf(at, berlin)
	ws, err := db.Windows("UM1", d, d)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, w := range ws {
		if rd := w.Reports[r]; rd != nil {
			n += rd.OffHours
		}
	}
	return n
}

// The story end to end: a manager shares an after_hours nudge, the
// team votes with reactions (and changes its mind), an outsider and the
// manager try to vote, the prompt closes when everyone voted, the thread and
// the manager's DM carry the tally, and the agreed "until 20:00" makes a
// 19:30 message count as on-hours from then on.
func TestShareVoteAndNormBecomesTheYardstick(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, berlin) // Monday
	h := startHarness(t, start, nil)
	var evs []map[string]any
	for d := 0; d < 5; d++ {
		for _, r := range []string{"UB", "UA", "UC"} {
			evs = append(evs, dm("UM1", r, start.AddDate(0, 0, d).Add(19*time.Hour+30*time.Minute+time.Duration(len(r))*time.Second), "quick thought"))
		}
	}
	h.send(evs...)
	// Before any norm, 19:30 Berlin is off-hours for Ben (09:00–18:00).
	if n := offHoursFor(t, h.db, "UB", start.Add(19*time.Hour)); n != 1 {
		t.Fatalf("before the norm, Ben's 19:30 message counted %d off-hours, want 1", n)
	}
	slot := time.Date(2026, 3, 9, 9, 0, 0, 0, berlin)
	h.clock.Set(slot)
	if err := h.srv.Tick(context.Background(), slot); err != nil {
		t.Fatal(err)
	}
	digest := h.digests("UM1")[0]
	id := nudges.DigestID("UM1", slot)
	h.fake.SendInteraction(map[string]any{
		"type": "block_actions", "user": map[string]any{"id": "UM1"},
		"container": map[string]any{"type": "message", "channel_id": digest.Channel, "message_ts": digest.TS},
		"actions":   []map[string]any{{"type": "button", "action_id": string(nudges.Share), "block_id": "nudge_after_hours", "value": nudges.ActionValue(id, signals.AfterHours)}},
	})
	var prompt norms.Prompt
	eventually(t, "the prompt to be posted", func() bool {
		ps, _ := h.db.Prompts()
		if len(ps) == 1 && ps[0].TS != "" {
			prompt = ps[0]
			return true
		}
		return false
	})
	h.srv.Settle()
	msgs := h.fake.Messages(prompt.Channel)
	if len(msgs) != 1 || !strings.Contains(string(msgs[0].Blocks), `\u003c@UM1\u003e asks`) || !strings.Contains(string(msgs[0].Blocks), "when work messages are OK") {
		t.Fatalf("prompt message = %+v, want one framed from Mia", msgs)
	}
	var options []string
	for _, r := range h.fake.Reactions() {
		if r.TS == prompt.TS {
			options = append(options, r.Name)
		}
	}
	if strings.Join(options, ",") != "sunny,sunrise,city_sunset,no_mobile_phones,crescent_moon" {
		t.Errorf("option reactions added = %v", options)
	}

	at := slot.Add(time.Hour)
	ch, ts := prompt.Channel, prompt.TS
	h.send(
		react("UA", ch, ts, "sunny", at, false),
		react("UX", ch, ts, "crescent_moon", at, false),                // outside the team
		react("UM1", ch, ts, "crescent_moon", at, false),               // the manager
		react("UA", ch, ts, "city_sunset", at.Add(time.Minute), false), // Ana changes her mind
		react("UB", ch, ts, "sunrise", at, false),
		react("UB", ch, ts, "sunrise", at.Add(time.Minute), true), // Ben takes it back…
		react("UB", ch, ts, "city_sunset", at.Add(2*time.Minute), false),
	)
	if p, _ := h.db.Prompt(prompt.ID); p.State != norms.Open {
		t.Fatalf("prompt closed before everyone voted: %+v", p)
	}
	h.send(react("UC", ch, ts, "sunny", at.Add(3*time.Minute), false)) // the last vote
	eventually(t, "the prompt to close", func() bool {
		p, _ := h.db.Prompt(prompt.ID)
		return p.State == norms.Closed && p.Announced["dm"] && p.Announced["thread"]
	})
	h.srv.Settle()
	p, _ := h.db.Prompt(prompt.ID)
	if p.Result.Agreed != "city_sunset" || p.Result.Counts["city_sunset"] != 2 || p.Result.Counts["sunny"] != 1 || p.Result.Votes != 3 {
		t.Errorf("result = %+v, want city_sunset 2, sunny 1", p.Result)
	}
	var thread, toMia string
	for _, m := range h.fake.Messages(ch) {
		if m.ThreadTS == ts {
			thread = m.Text
		}
	}
	for _, m := range h.fake.Messages("UM1") {
		if strings.Contains(m.Text, "Your team answered") {
			toMia = m.Text
		}
	}
	for _, want := range []string{"3 of 3", ":city_sunset: until 20:00 is fine — 2", ":sunny: 09:00–18:00 only — 1", "Agreed: :city_sunset:"} {
		if !strings.Contains(thread, want) || !strings.Contains(toMia, want) {
			t.Errorf("thread reply %q / DM %q lack %q", thread, toMia, want)
		}
	}
	for _, who := range []string{"UA", "UB", "UC", "Ana", "Ben"} {
		if strings.Contains(thread, who) || strings.Contains(toMia, who) {
			t.Errorf("the result names a voter (%s): %q", who, thread)
		}
	}
	// A late reaction changes nothing.
	h.send(react("UB", ch, ts, "crescent_moon", at.Add(time.Hour), false))
	if p2, _ := h.db.Prompt(prompt.ID); p2.Result.Counts["crescent_moon"] != 0 {
		t.Errorf("a reaction after the close was counted: %+v", p2.Result)
	}
	// From now on 19:30 is inside the team's hours.
	later := time.Date(2026, 3, 10, 19, 30, 0, 0, berlin)
	h.send(dm("UM1", "UB", later, "quick thought"))
	if n := offHoursFor(t, h.db, "UB", later); n != 0 {
		t.Errorf("after the norm, a 19:30 message to Ben counted %d off-hours, want 0", n)
	}
	teams, _ := h.db.Teams()
	if teams[0].Norms.Hours == nil || teams[0].Norms.Hours.String() != "09:00-20:00 mon-fri" {
		t.Errorf("team norms = %+v", teams[0].Norms)
	}
}

// A team member who changes their vote while coach is still learning what
// the prompt's conversation is has their newest vote counted: the change
// queues behind the vote coach held, it does not overtake it. The first
// reaction on the group DM is held while coach learns its members; the
// hook stops the release of that held vote right after coach learnt them,
// and the change arrives then.
func TestVoteChangedWhileItsConversationIsLearntCountsTheNewest(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	now := time.Date(2026, 3, 9, 10, 0, 0, 0, berlin)
	h := startHarness(t, now, nil)
	p, err := h.srv.SharePrompt(context.Background(), "UM1", norms.MessageHours, false)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(p.Channel, "G") {
		t.Fatalf("prompt posted to %q, want a group DM whose members coach learns", p.Channel)
	}
	entered, proceed := make(chan struct{}), make(chan struct{})
	var once, unblock sync.Once
	t.Cleanup(func() { unblock.Do(func() { close(proceed) }) })
	r := h.srv.resolver
	r.mu.Lock()
	prepare := r.cfg.Prepare
	r.cfg.Prepare = func(ctx context.Context, via string) {
		once.Do(func() { close(entered); <-proceed })
		if prepare != nil {
			prepare(ctx, via)
		}
	}
	r.mu.Unlock()

	// Ana votes sunny (delivered under Mia's authorization, so that the
	// hook runs before it is released), then changes to city_sunset.
	first := h.sendAs("UM1", "EvVOTE1", react("UA", p.Channel, p.TS, "sunny", now.Add(time.Minute), false))
	select {
	case <-entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the first vote was not held while coach learnt the prompt's conversation")
	}
	second := h.fake.SendEvent(react("UA", p.Channel, p.TS, "city_sunset", now.Add(2*time.Minute), false))
	eventually(t, "the changed vote to be queued or held", func() bool {
		return h.fake.Acked(second) || r.Parked() == 1
	})
	unblock.Do(func() { close(proceed) })
	h.waitAcked(first, second)
	got, err := h.db.Prompt(p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if votes := got.Votes["UA"]; len(votes) == 0 || votes[len(votes)-1] != "city_sunset" {
		t.Errorf("Ana's votes = %v, want her newest, city_sunset, last", votes)
	}
}

func TestPromptOpenAcrossRestartClosesOnce(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	now := time.Date(2026, 3, 4, 10, 0, 0, 0, berlin)
	h := startHarness(t, now, nil)
	p, err := h.srv.SharePrompt(context.Background(), "UM1", norms.ResponseTime, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.srv.SharePrompt(context.Background(), "UM1", norms.ResponseTime, false); err == nil {
		t.Error("a second open prompt of the same kind was allowed")
	}
	h.send(react("UA", p.Channel, p.TS, "zap", now, false), react("UB", p.Channel, p.TS, "zap", now, false))

	// A second bot on the same database and Slack (as after a restart), 48
	// hours later: the prompt closes and reports exactly once, however often
	// the scheduler runs.
	h2 := restart(t, h, now.Add(48*time.Hour))
	for i := 0; i < 3; i++ {
		if err := h2.Tick(context.Background(), now.Add(48*time.Hour+time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	replies := 0
	for _, m := range h.fake.Messages(p.Channel) {
		if m.ThreadTS == p.TS {
			replies++
		}
	}
	dms := 0
	for _, m := range h.fake.Messages("UM1") {
		if strings.Contains(m.Text, "Your team answered") {
			dms++
		}
	}
	if replies != 1 || dms != 1 {
		t.Errorf("thread replies %d, manager DMs %d; want exactly one each", replies, dms)
	}
	got, _ := h.db.Prompt(p.ID)
	if got.Result == nil || got.Result.Agreed != "zap" || got.Result.Votes != 2 {
		t.Errorf("result %+v, want zap with 2 of 3 votes (closed by time)", got.Result)
	}
	teams, _ := h.db.Teams()
	if teams[0].Norms.ResponseHours != 1 {
		t.Errorf("response norm = %d, want 1", teams[0].Norms.ResponseHours)
	}
}

// restart stops the harness's server and starts another on the same store
// and fake Slack.
func restart(t *testing.T, h *harness, now time.Time) *Server {
	t.Helper()
	h.stop() // one bot at a time, as with one database
	h.clock.Set(now)
	cfg := h.srv.cfg
	srv := newTestServer(t, cfg, "xoxb-h", "xapp-h", h.db, zerolog.New(zerolog.NewTestWriter(t)))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	conns := h.fake.Connections()
	wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer wcancel()
	if err := h.fake.WaitConnections(wctx, conns+1); err != nil {
		t.Fatal(err)
	}
	return srv
}

func TestTooFewVotesAgreeNothing(t *testing.T) {
	now := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	h := startHarness(t, now, nil)
	p, err := h.srv.SharePrompt(context.Background(), "UM1", norms.CheckIns, false)
	if err != nil {
		t.Fatal(err)
	}
	h.send(react("UA", p.Channel, p.TS, "one", now, false))
	h.clock.Set(now.Add(49 * time.Hour))
	if err := h.srv.Tick(context.Background(), now.Add(49*time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, _ := h.db.Prompt(p.ID)
	if got.Result == nil || got.Result.Agreed != "" {
		t.Fatalf("result %+v, want nothing agreed", got.Result)
	}
	teams, _ := h.db.Teams()
	if teams[0].Norms.CheckIns != 0 {
		t.Errorf("a norm was set from one vote: %+v", teams[0].Norms)
	}
	found := false
	for _, m := range h.fake.Messages("UM1") {
		found = found || strings.Contains(m.Text, "Too few votes")
	}
	if !found {
		t.Error("the manager was not told that too few voted")
	}
}

func TestAnonymousVotingStoresOnlyCounts(t *testing.T) {
	now := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	h := startHarness(t, now, func(c *Config) { c.NormsAnonymous = true })
	p, err := h.srv.SharePrompt(context.Background(), "UM1", norms.MessageHours, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.fake.Reactions()) != 0 {
		t.Error("anonymous prompt got option reactions; it should use buttons")
	}
	blocks := string(h.fake.Messages(p.Channel)[0].Blocks)
	if !strings.Contains(blocks, NormVoteAction+":city_sunset") {
		t.Fatalf("anonymous prompt has no vote buttons: %s", blocks)
	}
	vote := func(user, emoji string) {
		h.fake.SendInteraction(map[string]any{
			"type": "block_actions", "user": map[string]any{"id": user},
			"container": map[string]any{"type": "message", "channel_id": p.Channel, "message_ts": p.TS},
			"actions":   []map[string]any{{"type": "button", "action_id": NormVoteAction + ":" + emoji, "block_id": "norm_vote", "value": p.ID + "|" + emoji}},
		})
	}
	vote("UA", "city_sunset")
	// Clicks are handled concurrently: let the first vote land before the
	// second, or either may be the one that counts.
	eventually(t, "the first vote's reply", func() bool { return len(h.fake.Ephemerals()) >= 1 })
	vote("UA", "sunny") // no second vote
	vote("UX", "sunny") // not on the team
	eventually(t, "three replies to voters", func() bool { return len(h.fake.Ephemerals()) >= 3 })
	// While open, the stored prompt holds counts and salted hashes, no ids.
	raw, _ := json.Marshal(mustPrompt(t, h.db, p.ID))
	for _, id := range []string{"UA", "UB", "UX"} {
		if strings.Contains(string(raw), id) && !strings.Contains(string(raw), `"voters"`) {
			t.Errorf("open anonymous prompt stores %s", id)
		}
	}
	if got := mustPrompt(t, h.db, p.ID); got.Votes != nil || got.Counts["city_sunset"] != 1 || got.Counts["sunny"] != 0 {
		t.Errorf("anonymous prompt %+v, want only city_sunset 1", got)
	}
	vote("UB", "city_sunset")
	vote("UC", "sunny")
	eventually(t, "the close", func() bool { return mustPrompt(t, h.db, p.ID).State == norms.Closed })
	h.srv.Settle()
	got := mustPrompt(t, h.db, p.ID)
	if got.Result.Agreed != "city_sunset" || got.Salt != "" || got.Voted != nil {
		t.Errorf("closed anonymous prompt %+v: want city_sunset, no salt, no voter hashes", got)
	}
	var texts []string
	for _, e := range h.fake.Ephemerals() {
		texts = append(texts, e.User+": "+e.Text)
	}
	all := strings.Join(texts, "\n")
	if !strings.Contains(all, "UA: Thanks, your vote is in") || !strings.Contains(all, "UA: You've already voted") || !strings.Contains(all, "UX: Only the team's members") {
		t.Errorf("replies to voters:\n%s", all)
	}
}

func mustPrompt(t *testing.T, db *store.DB, id string) norms.Prompt {
	t.Helper()
	p, err := db.Prompt(id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// A team with scheduled prompts is asked again once its norm is older than
// the re-check period, and the new answer replaces the old one. It also
// gets a weekly conversation starter, never the same twice in a row.
func TestScheduledRecheckAndStarters(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, berlin) // Monday
	h := startHarness(t, now, func(c *Config) {
		c.Teams[0].Prompts = true
		c.Teams[0].Channel = "CTEAM"
		c.NormsRecheckAfter = 4 * 7 * 24 * time.Hour
	})
	h.fake.AddChannel(slackfake.Channel{ID: "CTEAM", Members: []string{"UM1", "UA", "UB", "UC"}})
	p, err := h.srv.SharePrompt(context.Background(), "UM1", norms.CheckIns, false)
	if err != nil {
		t.Fatal(err)
	}
	h.send(react("UA", p.Channel, p.TS, "v", now, false), react("UB", p.Channel, p.TS, "v", now, false), react("UC", p.Channel, p.TS, "one", now, false))
	eventually(t, "the first norm", func() bool { return mustPrompt(t, h.db, p.ID).State == norms.Closed })
	h.srv.Settle()
	if p.Channel != "CTEAM" {
		t.Errorf("prompt went to %s, want the team channel", p.Channel)
	}
	// Five weeks of ticks, hourly.
	starters := map[string]int{}
	var order []string
	var recheck norms.Prompt
	for tt := now; tt.Before(now.AddDate(0, 0, 35)); tt = tt.Add(time.Hour) {
		h.clock.Set(tt)
		if err := h.srv.Tick(context.Background(), tt); err != nil {
			t.Fatal(err)
		}
		if recheck.ID == "" {
			ps, _ := h.db.Prompts()
			for _, q := range ps {
				if q.Recheck && q.TS != "" {
					recheck = q
					h.send(react("UA", q.Channel, q.TS, "one", tt, false), react("UB", q.Channel, q.TS, "one", tt, false), react("UC", q.Channel, q.TS, "one", tt, false))
				}
			}
		}
	}
	h.srv.Settle()
	for _, m := range h.fake.Messages("CTEAM") {
		if strings.Contains(m.Text, "asks the team") {
			starters[m.Text]++
			order = append(order, m.Text)
		}
	}
	if len(order) != 5 {
		t.Errorf("%d weekly starters in 5 weeks, want 5", len(order))
	}
	for i := 1; i < len(order); i++ {
		if order[i] == order[i-1] {
			t.Errorf("the same starter twice in a row: %q", order[i])
		}
	}
	if recheck.ID == "" || !strings.Contains(string(h.fake.Messages("CTEAM")[0].Blocks)+recheck.ID, "check_ins") {
		t.Fatalf("no re-check prompt after 4 weeks")
	}
	if got := mustPrompt(t, h.db, recheck.ID); got.Result == nil || got.Result.Agreed != "one" {
		t.Errorf("re-check result %+v, want one", got.Result)
	}
	teams, _ := h.db.Teams()
	if teams[0].Norms.CheckIns != 1 {
		t.Errorf("check-ins norm after the re-check = %d, want 1 (was 2)", teams[0].Norms.CheckIns)
	}
}

// A team with no channel and more people than a group DM can hold (Slack's
// conversations.open takes at most 8 users): each report is asked in their
// own DM with vote buttons, everyone can vote, the result is agreed and
// stored, and the manager alone gets the tally.
func TestShareWithATeamTooBigForAGroupDM(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	now := time.Date(2026, 3, 4, 10, 0, 0, 0, berlin)
	var reports []string
	for i := 1; i <= 9; i++ {
		reports = append(reports, fmt.Sprintf("UR%d", i))
	}
	h := startHarness(t, now, func(c *Config) { c.Teams = []signals.Team{{Manager: "UM1", Reports: reports}} })
	for i, r := range reports {
		h.fake.AddUser(slackfake.User{ID: r, Name: fmt.Sprintf("Report %d", i+1), TZ: "Europe/Berlin"})
	}
	reply := h.command("UM1", "share response_time")
	if !strings.Contains(reply, "each of your 9 reports") || strings.Contains(reply, "<#") {
		t.Fatalf("/coach share answered %q, want it shared by DM with each of the 9 reports", reply)
	}
	ps, _ := h.db.Prompts()
	if len(ps) != 1 {
		t.Fatalf("%d prompts stored, want 1", len(ps))
	}
	p := ps[0]
	if !p.Direct || !p.Anonymous || len(p.Voters) != 9 {
		t.Fatalf("prompt %+v: want one asked in DMs, with buttons, to 9 voters", p)
	}
	if len(h.fake.Reactions()) != 0 {
		t.Error("option reactions were added; DM prompts vote with buttons")
	}
	emojis := []string{"zap", "zap", "zap", "zap", "zap", "hourglass_flowing_sand", "hourglass_flowing_sand", "calendar", "zap"}
	for i, r := range reports {
		msgs := h.fake.Messages(r)
		if len(msgs) != 1 || !strings.Contains(string(msgs[0].Blocks), NormVoteAction+":zap") {
			t.Fatalf("%s's DM holds %d messages (%+v), want the prompt with buttons", r, len(msgs), msgs)
		}
		h.fake.SendInteraction(map[string]any{
			"type": "block_actions", "user": map[string]any{"id": r},
			"container": map[string]any{"type": "message", "channel_id": msgs[0].Channel, "message_ts": msgs[0].TS},
			"actions":   []map[string]any{{"type": "button", "action_id": NormVoteAction + ":" + emojis[i], "block_id": "norm_vote", "value": p.ID + "|" + emojis[i]}},
		})
		n := i + 1
		eventually(t, "the vote's reply", func() bool { return len(h.fake.Ephemerals()) >= n })
	}
	eventually(t, "the close and the manager's DM", func() bool {
		p := mustPrompt(t, h.db, p.ID)
		return p.State == norms.Closed && p.Announced["dm"]
	})
	h.srv.Settle()
	got := mustPrompt(t, h.db, p.ID)
	if got.Result.Votes != 9 || got.Result.Agreed != "zap" || got.Result.Counts["zap"] != 6 {
		t.Errorf("result %+v, want zap agreed with 6 of 9 votes", got.Result)
	}
	teams, _ := h.db.Teams()
	if teams[0].Norms.ResponseHours != 1 {
		t.Errorf("the team's response norm is %d, want 1 (within an hour)", teams[0].Norms.ResponseHours)
	}
	var toMia []string
	for _, m := range h.fake.Messages("UM1") {
		if strings.Contains(m.Text, "Your team answered") {
			toMia = append(toMia, m.Text)
		}
	}
	if len(toMia) != 1 || !strings.Contains(toMia[0], "9 of 9") || !strings.Contains(toMia[0], "Agreed: :zap:") {
		t.Errorf("the manager's result DMs: %q", toMia)
	}
	for _, e := range h.fake.Ephemerals() {
		if !strings.Contains(e.Text, "your vote is in") {
			t.Errorf("%s was told %q", e.User, e.Text)
		}
	}
	// Nothing more to announce: later ticks post nothing.
	before := len(h.fake.Messages("UM1"))
	if err := h.srv.Tick(context.Background(), now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if after := len(h.fake.Messages("UM1")); after != before {
		t.Errorf("a later tick posted %d more messages to the manager", after-before)
	}
}

// The boundary: a manager and 7 reports fit in a group DM (8 users); with 8
// reports coach asks each in a DM.
func TestGroupDMUpToEightPeople(t *testing.T) {
	for _, tt := range []struct {
		reports int
		direct  bool
	}{{7, false}, {8, true}} {
		t.Run(fmt.Sprint(tt.reports), func(t *testing.T) {
			var reports []string
			for i := 1; i <= tt.reports; i++ {
				reports = append(reports, fmt.Sprintf("UR%d", i))
			}
			h := startHarness(t, time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC), func(c *Config) { c.Teams = []signals.Team{{Manager: "UM1", Reports: reports}} })
			p, err := h.srv.SharePrompt(context.Background(), "UM1", norms.CheckIns, false)
			if err != nil {
				t.Fatal(err)
			}
			if p.Direct != tt.direct || (p.Channel == "") != tt.direct {
				t.Errorf("%d reports: prompt in %q, direct %v; want direct %v", tt.reports, p.Channel, p.Direct, tt.direct)
			}
		})
	}
}

// promptTexts renders a prompt as its reader sees it: the notification text
// and every text object in its blocks.
func promptTexts(t *testing.T, org *signals.Org, d *norms.Definition, p *norms.Prompt) []string {
	t.Helper()
	raw, err := json.Marshal(PromptBlocks(org, d, p))
	if err != nil {
		t.Fatal(err)
	}
	var blocks []any
	if err := json.Unmarshal(raw, &blocks); err != nil {
		t.Fatal(err)
	}
	out := []string{PromptFallback(org, d, p)}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if s, ok := v["text"].(string); ok {
				out = append(out, s)
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(blocks)
	return out
}

func testCatalog(t *testing.T) (*norms.Catalog, *signals.Org) {
	t.Helper()
	c, err := norms.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	org := signals.NewOrg([]signals.Person{{ID: "UM1", Name: "Priya"}, {ID: "UA", Name: "Ana"}, {ID: "UB", Name: "Ben"}},
		[]signals.Team{{Manager: "UM1", Reports: []string{"UA", "UB"}}}, signals.DefaultHours(), time.UTC)
	return c, org
}

// promptModes are the ways a prompt is asked: reactions in a conversation,
// buttons in a conversation, buttons in each report's DM.
var promptModes = []struct {
	name              string
	anonymous, direct bool
}{{"reactions", false, false}, {"anonymous", true, false}, {"direct", true, true}}

// A reaction shows in Slack who reacted, to everyone in the conversation: a
// reaction prompt must not promise secrecy, and must say that. Button votes
// keep their promise.
func TestPromptSaysWhoSeesVotes(t *testing.T) {
	c, org := testCatalog(t)
	now := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	for _, k := range c.Kinds() {
		d, _ := c.Lookup(k)
		for _, m := range promptModes {
			p := norms.NewPrompt(d, "UM1", []string{"UA", "UB"}, now, 48*time.Hour, m.anonymous, false)
			p.Direct = m.direct
			all := strings.ToLower(strings.Join(promptTexts(t, org, d, p), "\n"))
			secret := strings.Contains(all, "anonymous") || strings.Contains(all, "never who chose what")
			if m.anonymous != secret {
				t.Errorf("%s %s prompt promises secrecy: %v, want %v:\n%s", k, m.name, secret, m.anonymous, all)
			}
			if !m.anonymous && !strings.Contains(all, "reactions are visible to everyone") {
				t.Errorf("%s reaction prompt does not say reactions are visible to everyone:\n%s", k, all)
			}
		}
	}
}

// firstPerson matches the words by which a speaker means themself or a group
// they are in.
var firstPerson = regexp.MustCompile(`(?i)\b(i|i'd|i'll|i'm|i've|me|my|mine|we|we'd|we'll|we've|us|our)\b`)

// Every prompt speaks in one voice at a time: the manager's question, quoted
// after "<@manager> asks:", is in the first person and names nobody; every
// other line (the notification text, the options, coach's own notes, the
// result) talks about people in the third person or to the reader, never as
// "I".
func TestPromptsSpeakInOneVoice(t *testing.T) {
	c, org := testCatalog(t)
	now := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	asks := regexp.MustCompile(`^<@UM1> asks: _(.+)_$`)
	for _, k := range c.Kinds() {
		d, _ := c.Lookup(k)
		for _, recheck := range []bool{false, true} {
			for _, m := range promptModes {
				p := norms.NewPrompt(d, "UM1", []string{"UA", "UB"}, now, 48*time.Hour, m.anonymous, recheck)
				p.Direct = m.direct
				quoted := 0
				for _, s := range promptTexts(t, org, d, p) {
					if q := asks.FindStringSubmatch(s); q != nil {
						quoted++
						if !firstPerson.MatchString(q[1]) || strings.Contains(q[1], "Priya") || strings.Contains(q[1], "<@") {
							t.Errorf("%s (recheck %v) question %q: want the manager's own words, in the first person", k, recheck, q[1])
						}
						continue
					}
					if w := firstPerson.FindString(s); w != "" {
						t.Errorf("%s %s (recheck %v): %q says %q outside the manager's quoted question", k, m.name, recheck, s, w)
					}
				}
				if quoted != 1 {
					t.Errorf("%s %s: %d quoted questions, want 1", k, m.name, quoted)
				}
				for _, o := range append(d.Options, norms.Option{}) { // each option agreed, then none
					p.State, p.Result = norms.Closed, &norms.Result{Counts: map[string]int{o.Emoji: 2}, Votes: 2, Agreed: o.Emoji}
					for _, forManager := range []bool{false, true} {
						if s := ResultText(d, *p, forManager, org); firstPerson.MatchString(s) {
							t.Errorf("%s %s result (manager %v) %q says %q", k, m.name, forManager, s, firstPerson.FindString(s))
						}
					}
				}
			}
		}
	}
}

// A weekly starter is a question for the whole team at once; a team with no
// channel and too many people for a group DM gets it through its manager.
func TestStarterForATeamTooBigForAGroupDM(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	now := time.Date(2026, 3, 4, 9, 0, 0, 0, berlin) // Wednesday
	var reports []string
	for i := 1; i <= 9; i++ {
		reports = append(reports, fmt.Sprintf("UR%d", i))
	}
	h := startHarness(t, now, func(c *Config) { c.Teams = []signals.Team{{Manager: "UM1", Reports: reports, Prompts: true}} })
	for tt := now; tt.Before(now.Add(3 * time.Hour)); tt = tt.Add(30 * time.Minute) {
		h.clock.Set(tt)
		if err := h.srv.Tick(context.Background(), tt); err != nil {
			t.Fatalf("tick at %s: %v", tt.Format("15:04"), err)
		}
	}
	var starters []string
	for _, m := range h.fake.Messages("UM1") {
		if strings.Contains(m.Text, "conversation starter for your team") {
			starters = append(starters, m.Text)
		}
	}
	if len(starters) != 1 {
		t.Errorf("the manager got %d starters, want 1: %q", len(starters), starters)
	}
	for _, r := range reports {
		if n := len(h.fake.Messages(r)); n != 0 {
			t.Errorf("%s got %d messages; the starter is for the manager to ask", r, n)
		}
	}
}
