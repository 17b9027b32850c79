package backfill_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"

	"coach/backfill"
	"coach/signals"
	"coach/store"
)

// 35 days of DMs, group DMs, threads and reactions of two managers, read
// back under 429s by two workers: the windows equal those of the same
// messages delivered live; conversations with an outsider, or without the
// manager, are never read; no text or token reaches the database or logs.
func TestBackfillEqualsLiveDelivery(t *testing.T) {
	f := newFixture(t)
	want := liveWindows(t, f.hist, "UM", "UM2")
	db := f.open(t)
	defer db.Close()
	var mu sync.Mutex
	announced := map[string][]backfill.Progress{}
	r := f.runner(t, db, 2, nil, func(m string, p backfill.Progress) {
		mu.Lock()
		defer mu.Unlock()
		announced[m] = append(announced[m], p)
	})
	for _, m := range []string{"UM", "UM2"} {
		if err := r.Enqueue(m, t0, time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	runUntilDone(t, r, "UM", "UM2")

	for _, m := range []string{"UM", "UM2"} {
		got := storedOf(t, db, m)
		compare(t, m, got, want[m])
		d, fr, rec, lat := totals(got)
		t.Logf("%s: %d directed, %d from reports, %d recognitions, %d reply latencies, %d open waits", m, d, fr, rec, lat, len(got.state.Waits))
		if m == "UM" && (d < 150 || fr < 150 || rec < 20 || lat < 50) {
			t.Errorf("%s: only %d directed, %d from reports, %d recognitions, %d latencies: the history is too thin to prove much", m, d, fr, rec, lat)
		}
	}

	// What was read, and what was not.
	read := map[string]bool{}
	for _, method := range []string{"conversations.history", "conversations.replies", "conversations.members", "conversations.info"} {
		for _, c := range f.fake.Calls(method) {
			read[c.Args["channel"]] = true
		}
	}
	for _, c := range convs {
		if c.kept && c.typ == "im" && !read[c.id] {
			t.Errorf("%s was not read", c.id)
		}
		if !c.kept && read[c.id] && c.id != "GUMOUT" {
			t.Errorf("%s was read; it is not a conversation of a manager and their reports only", c.id)
		}
	}
	for _, c := range f.fake.Calls("conversations.history") {
		if c.Args["channel"] == "GUMOUT" {
			t.Error("the group DM with an outsider was read")
		}
	}
	for _, c := range f.fake.Calls("conversations.replies") {
		if c.Args["channel"] == "GUMOUT" {
			t.Error("a thread of the group DM with an outsider was read")
		}
	}
	if ids, found, _ := db.Members("GUMOUT"); found {
		t.Errorf("the group DM with an outsider has members stored: %v", ids)
	}
	if ids, found, _ := db.Members("GUMTEAM"); !found || !slices.Equal(ids, convs[6].members) {
		t.Errorf("members of GUMTEAM = %v (found %v), want %v", ids, found, convs[6].members)
	}
	for _, c := range append(f.fake.Calls("conversations.history"), f.fake.Calls("users.conversations")...) {
		if c.Token != f.tokens["UM"] && c.Token != f.tokens["UM2"] {
			t.Errorf("%s called with a token that is not a manager's", c.Method)
		}
	}

	// Rate limits: many 429s, each retried only after its Retry-After.
	for _, method := range []string{"conversations.history", "conversations.replies", "users.conversations"} {
		if n := f.fake.EarlyRetries(method); n != 0 {
			t.Errorf("%s: %d calls sent before their Retry-After", method, n)
		}
	}
	if n := f.fake.RateLimited("conversations.history"); n < 10 {
		t.Errorf("conversations.history got %d 429s; the rate limit went untested", n)
	}
	if n := f.fake.RateLimited("conversations.members"); n != 1 {
		t.Errorf("conversations.members got %d 429s, want the injected one", n)
	}

	// Progress and the done hook.
	p, _, _ := r.Progress("UM")
	inWindow := 0
	for _, s := range f.hist {
		at, _ := signals.ParseTS(s.msg.TS)
		if s.conv.kept && slices.Contains(s.conv.members, "UM") && !at.Before(t0.AddDate(0, 0, -retention)) && at.Before(t0) {
			inWindow++
		}
	}
	if p.Conversations != 8 || p.Days != retention || p.DaysRead != retention || p.Messages != inWindow || !p.Until.Equal(t0) || !p.Since.Equal(t0.AddDate(0, 0, -retention)) {
		t.Errorf("Progress(UM) = %+v, want 8 conversations, %d of %d days, %d messages", p, retention, retention, inWindow)
	}
	if len(announced["UM"]) != 1 || len(announced["UM2"]) != 1 || !announced["UM"][0].Done {
		t.Errorf("done hook calls = %+v, want one per manager", announced)
	}

	// Privacy.
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(f.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	logs := f.logs.String()
	for _, w := range markers {
		if bytes.Contains(raw, []byte(w)) {
			t.Errorf("database file contains message text %q", w)
		}
		if strings.Contains(logs, w) {
			t.Errorf("logs contain message text %q", w)
		}
	}
	for _, tok := range []string{f.tokens["UM"], f.tokens["UM2"], "xoxp-"} {
		if bytes.Contains(raw, []byte(tok)) || strings.Contains(logs, tok) {
			t.Errorf("a token (%.9s…) is in the database file or the logs", tok)
		}
	}
	if !strings.Contains(logs, "backfill done") {
		t.Errorf("no log line says the backfill is done; the log scan read nothing useful:\n%s", logs)
	}
}

// A runner stopped in the middle of the backfill — while listing, inside a
// chunk, between chunks, near the end — and a new one opened on the same
// database file: it resumes where the first stopped, and the windows equal
// live delivery's: nothing counted twice, nothing missed.
func TestBackfillResumesAfterACrash(t *testing.T) {
	want := liveWindows(t, world(13), "UM")
	// How many calls a whole backfill of UM makes.
	total := 0
	{
		f := newFixture(t)
		db := f.open(t)
		count := &crashAfter{cancel: func() {}}
		r := f.runner(t, db, 1, func(p backfill.Pacer) backfill.Pacer { count.Pacer = p; return count }, nil)
		if err := r.Enqueue("UM", t0, time.Time{}); err != nil {
			t.Fatal(err)
		}
		runUntilDone(t, r, "UM")
		total = count.calls
		db.Close()
	}
	if total < 40 {
		t.Fatalf("a whole backfill made only %d calls", total)
	}
	for _, n := range []int{1, 2, 5, total / 3, total / 2, total - 3, total - 1} {
		t.Run(fmt.Sprintf("stopped at call %d of %d", n, total), func(t *testing.T) {
			f := newFixture(t)
			db := f.open(t)
			ctx, cancel := context.WithCancel(context.Background())
			crash := &crashAfter{n: n, cancel: cancel}
			r := f.runner(t, db, 1, func(p backfill.Pacer) backfill.Pacer { crash.Pacer = p; return crash }, nil)
			if err := r.Enqueue("UM", t0, time.Time{}); err != nil {
				t.Fatal(err)
			}
			ran := make(chan error, 1)
			go func() { ran <- r.Run(ctx) }()
			select {
			case <-ran:
			case <-time.After(60 * time.Second):
				t.Fatal("the first runner did not stop")
			}
			cancel()
			p, found, err := r.Progress("UM")
			if err != nil || !found || p.Done {
				t.Fatalf("after the crash: progress %+v, found %v, %v; want an unfinished job", p, found, err)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}

			// The restart comes two days later: the seen/ ids of what was
			// counted are gone by then, so only the saved cursor keeps
			// the job from counting it again.
			f.clock.add(50 * time.Hour)
			db = f.open(t)
			defer db.Close()
			r = f.runner(t, db, 1, nil, nil)
			runUntilDone(t, r, "UM")
			compare(t, "UM", storedOf(t, db, "UM"), want["UM"])
			if p, _, _ := r.Progress("UM"); p.DaysRead != retention {
				t.Errorf("after resuming: %+v, want all %d days read", p, retention)
			}
		})
	}
}

// Remove stops a running job and deletes it; nothing more is counted.
func TestRemoveStopsTheJob(t *testing.T) {
	f := newFixture(t)
	db := f.open(t)
	defer db.Close()
	var r *backfill.Runner
	removed := make(chan struct{})
	calls := 0
	wrap := func(p backfill.Pacer) backfill.Pacer {
		return pacerFunc{p, func() {
			if calls++; calls == 30 {
				if err := r.Remove("UM"); err != nil {
					t.Error(err)
				}
				close(removed)
			}
		}}
	}
	r = f.runner(t, db, 1, wrap, func(string, backfill.Progress) { t.Error("a removed job was announced") })
	if err := r.Enqueue("UM", t0, time.Time{}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- r.Run(ctx) }()
	select {
	case <-removed:
	case <-time.After(60 * time.Second):
		t.Fatal("the job never got to its 30th call")
	}
	before := storedOf(t, db, "UM")
	sent := len(f.fake.AllCalls())
	time.Sleep(50 * time.Millisecond)
	cancel()
	<-ran
	if _, found, _ := r.Progress("UM"); found {
		t.Error("the removed job is still stored")
	}
	if after := storedOf(t, db, "UM"); !reflect.DeepEqual(after, before) {
		t.Error("windows changed after the job was removed")
	}
	if n := len(f.fake.AllCalls()); n > sent+1 {
		t.Errorf("%d calls after the job was removed", n-sent)
	}
}

// A token Slack no longer accepts ends the job: the failed hook hears of
// it and the job is deleted.
func TestRevokedTokenEndsTheJob(t *testing.T) {
	f := newFixture(t)
	db := f.open(t)
	defer db.Close()
	user := f.tokens["UM"]
	revoke := sync.OnceFunc(func() {
		if _, err := slack.New(user, slack.OptionAPIURL(f.fake.APIURL())).SendAuthRevoke(""); err != nil {
			t.Errorf("auth.revoke: %v", err)
		}
	})
	n := 0
	failed := make(chan error, 1)
	r := backfill.New(backfill.Config{
		DB: db, Decoder: decoder(), Org: org, APIURL: f.fake.APIURL(), RetentionDays: retention, Clock: f.clock,
		Token: func(context.Context, string) (string, error) { return user, nil },
		Pacer: pacerFunc{backfill.NewPacer(f.clock, backfill.DefaultLimits()), func() {
			if n++; n == 12 {
				revoke()
			}
		}},
		Log:    zerolog.New(f.logs),
		Failed: func(m string, err error) { failed <- fmt.Errorf("%s: %w", m, err) },
	})
	if err := r.Enqueue("UM", t0, time.Time{}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go r.Run(ctx)
	select {
	case err := <-failed:
		if !strings.Contains(err.Error(), "invalid_auth") || !strings.HasPrefix(err.Error(), "UM: ") {
			t.Errorf("failed hook: %v, want UM's invalid_auth", err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("the failed hook was not called")
	}
	if _, found, _ := r.Progress("UM"); found {
		t.Error("the job is still stored")
	}
	if strings.Contains(f.logs.String(), user) {
		t.Error("the token is in the logs")
	}
}

// A listed conversation whose members are no longer stored (someone in it
// was forgotten) is not read any more.
func TestConversationWithoutMembersIsNotRead(t *testing.T) {
	f := newFixture(t)
	db := f.open(t)
	defer db.Close()
	if err := db.PutMembers("DUMR1", []string{"UM", "UR1"}); err != nil {
		t.Fatal(err)
	}
	since := t0.AddDate(0, 0, -retention)
	job := store.BackfillJob{Manager: "UM", Queued: t0, Since: since, Until: t0, Cursor: since, Listed: true,
		Convs: []store.BackfillConv{{ID: "DUMR1", Type: "im"}, {ID: "DUMR2", Type: "im"}}}
	if err := db.PutBackfill(job); err != nil {
		t.Fatal(err)
	}
	r := f.runner(t, db, 1, nil, nil)
	runUntilDone(t, r, "UM")
	read := map[string]int{}
	for _, c := range f.fake.Calls("conversations.history") {
		read[c.Args["channel"]]++
	}
	if read["DUMR1"] == 0 || read["DUMR2"] != 0 {
		t.Errorf("history calls by conversation = %v, want DUMR1 read and DUMR2 not", read)
	}
	if p, _, _ := r.Progress("UM"); p.Conversations != 1 {
		t.Errorf("Progress = %+v, want 1 conversation", p)
	}
}
