package backfill_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"coach/backfill"
	"coach/signals"
	"coach/slackfake"
	"coach/store"
)

// A manager connects, is read back, writes live, disconnects, writes on
// (coach records none of it), and connects again: the second read back
// starts where coach stopped recording, follows the threads begun before
// it, and afterwards every message is counted exactly once — the stored
// windows equal those of the same messages delivered once live — and
// coach sees the DMs since the first read back's start again. Forgetting
// the manager instead keeps nothing: the next connect reads the whole
// window back.
func TestReconnectReadsBackOnlyWhatWasMissed(t *testing.T) {
	c0 := t0.AddDate(0, 0, -9)               // the first connect
	r0 := c0.AddDate(0, 0, -retention)       // its read back's start
	s := t0.AddDate(0, 0, -5).Add(time.Hour) // the disconnect
	c1 := t0.AddDate(0, 0, -2)               // the re-connect
	end := t0.AddDate(0, 0, 3)               // after the world's last message

	f := newFixture(t)
	// Threads begun before the disconnect (in the first read back's span
	// and in the live one) with replies while disconnected, and after.
	for i, th := range []struct {
		conv    int
		parent  time.Time
		replies []time.Duration // after s
	}{
		{0, c0.Add(-50 * time.Hour), []time.Duration{2 * time.Hour, 30 * time.Hour}},
		{1, s.Add(-20 * time.Hour), []time.Duration{time.Hour, 80 * time.Hour}},
		{6, s.Add(-3 * time.Hour), []time.Duration{10 * time.Minute, 5 * time.Hour, 40 * time.Hour}},
		{7, c0.Add(30 * time.Hour), []time.Duration{50 * time.Hour}},
	} {
		c := &convs[th.conv]
		parent := seeded{c, slackfakeMessage(th.parent, 900+i*10, c.members[1], texts[0], "")}
		f.hist = append(f.hist, parent)
		f.fake.SeedHistory(c.id, parent.msg)
		for j, d := range th.replies {
			reply := seeded{c, slackfakeMessage(s.Add(d), 901+i*10+j, c.members[j%len(c.members)], texts[(i+j)%len(texts)], parent.msg.TS)}
			f.hist = append(f.hist, reply)
			f.fake.SeedHistory(c.id, reply.msg)
		}
	}
	db := f.open(t)
	defer db.Close()
	storeOrg := func() *signals.Org {
		tms, err := db.Teams()
		if err != nil {
			t.Error(err)
		}
		return signals.NewOrg(people, tms, signals.DefaultHours(), time.UTC)
	}
	// As bot.Server.ReadBackDone: a completed read back of the current
	// connection makes the DMs seen.
	done := func(_ context.Context, m string, p backfill.Progress) error {
		if v, _, err := db.Visibility(m); err != nil || !v.Connected.Equal(p.Until) {
			return err
		}
		return db.SetDMsSince(m, p.Since)
	}
	r := backfill.New(backfill.Config{
		DB: db, Decoder: decoder(), Org: storeOrg,
		Token:  func(_ context.Context, m string) (string, error) { return f.tokens[m], nil },
		APIURL: f.fake.APIURL(), RetentionDays: retention, Clock: f.clock,
		Pacer: backfill.NewPacer(f.clock, backfill.DefaultLimits()), PageSize: 7,
		Log: zerolog.New(f.logs), Done: done,
	})
	connect := func(at time.Time) backfill.Progress {
		t.Helper()
		f.clock.add(at.Add(time.Minute).Sub(f.clock.Now()))
		if err := db.SetConnected("UM", at); err != nil {
			t.Fatal(err)
		}
		since, err := r.ResumeFrom("UM", at)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Enqueue("UM", at, since); err != nil {
			t.Fatal(err)
		}
		runUntilDone(t, r, "UM")
		p, _, err := r.Progress("UM")
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	// live folds what Slack delivers of the messages from since up to
	// until, as ingest does: with the org of the moment.
	live := func(since, until time.Time) {
		t.Helper()
		for _, d := range liveDelivery(t, f.hist, since, until, "Ev"+since.Format("0102")) {
			if _, err := db.Apply(storeOrg(), []signals.Event{d.ev}); err != nil {
				t.Fatal(err)
			}
		}
	}

	if p := connect(c0); !p.Since.Equal(r0) {
		t.Fatalf("the first read back starts at %v, want %v", p.Since, r0)
	}
	live(c0, s)
	if err := db.StopDMs("UM", s, true); err != nil { // /coach disconnect
		t.Fatal(err)
	}
	if err := r.Remove("UM"); err != nil {
		t.Fatal(err)
	}
	before := storedOf(t, db, "UM")
	live(s, c1)
	if got := storedOf(t, db, "UM"); !reflect.DeepEqual(got, before) {
		t.Fatal("DMs were recorded while the manager was disconnected")
	}
	if v, _, _ := db.Visibility("UM"); v.DMs() {
		t.Errorf("coach says it sees the DMs of a disconnected manager: %+v", v)
	}

	p := connect(c1)
	if !p.Since.Equal(s) || !p.Until.Equal(c1) {
		t.Errorf("the second read back read %v to %v, want from the disconnect %v to the re-connect %v", p.Since, p.Until, s, c1)
	}
	live(c1, end)
	compare(t, "UM", storedOf(t, db, "UM"), liveWindowsOf(t, f.hist, r0, end, "UM")["UM"])
	if v, _, _ := db.Visibility("UM"); !v.DMsSince.Equal(r0) || !v.Connected.Equal(c1) || !v.Stopped.IsZero() {
		t.Errorf("visibility after the second read back = %+v, want DMs since %v, connected %v, no stop", v, r0, c1)
	}
	// The threads begun before the disconnect with replies after it are
	// what findThreads is for: the world must hold some.
	crossing := 0
	for _, h := range f.hist {
		at, _ := signals.ParseTS(h.msg.TS)
		parent, _ := signals.ParseTS(h.msg.ThreadTS)
		if h.conv.kept && h.conv.members[0] == "UM" && h.msg.ThreadTS != "" && parent.Before(s) && !at.Before(s) && at.Before(c1) {
			crossing++
		}
	}
	if crossing == 0 {
		t.Error("no thread begun before the disconnect has a reply before the re-connect: the test proves nothing about them")
	}
	t.Logf("%d replies read back of threads begun before the disconnect; %d messages read back the second time", crossing, p.Messages)

	// Forgotten, set again and connected: nothing was kept, the whole
	// window is read back, and counted once.
	forgetUM(t, db, r)
	c2 := t0
	if p := connect(c2); !p.Since.Equal(c2.AddDate(0, 0, -retention)) {
		t.Errorf("after forget, the read back starts at %v, want the whole window from %v", p.Since, c2.AddDate(0, 0, -retention))
	}
	compare(t, "UM", storedOf(t, db, "UM"), liveWindowsOf(t, f.hist, c2.AddDate(0, 0, -retention), c2, "UM")["UM"])
}

// A manager forgotten right after their read back, and connected again an
// hour later: the whole window is read back and every message counted once
// more, although the first read back's event ids are still in seen/
// (forget leaves it): each job's ids are its own.
func TestForgetThenConnectCountsTheWholeWindow(t *testing.T) {
	f := newFixture(t)
	db := f.open(t)
	defer db.Close()
	r := f.runner(t, db, 1, nil, nil)
	for _, c := range []time.Time{t0.Add(-2 * time.Hour), t0} {
		f.clock.add(c.Add(time.Minute).Sub(f.clock.Now()))
		forgetUM(t, db, r)
		if err := db.SetConnected("UM", c); err != nil {
			t.Fatal(err)
		}
		since, err := r.ResumeFrom("UM", c)
		if err != nil || !since.IsZero() {
			t.Fatalf("ResumeFrom after forget = %v, %v; want the whole window", since, err)
		}
		if err := r.Enqueue("UM", c, since); err != nil {
			t.Fatal(err)
		}
		runUntilDone(t, r, "UM")
	}
	compare(t, "UM", storedOf(t, db, "UM"), liveWindows(t, f.hist, "UM")["UM"])
}

// slackfakeMessage is a message of the history at at, its ts ending in
// seq, in the thread of threadTS when that is set.
func slackfakeMessage(at time.Time, seq int, user, text, threadTS string) slackfake.HistoryMessage {
	return slackfake.HistoryMessage{TS: fmt.Sprintf("%d.%06d", at.Unix(), seq), User: user, Text: text, ThreadTS: threadTS}
}

// forgetUM forgets the manager UM as /coach forget does (the store forgets
// them, the runner drops their read back), and sets the config teams
// again, so that UM leads their team once more.
func forgetUM(t *testing.T, db *store.DB, r *backfill.Runner) {
	t.Helper()
	if _, err := db.ForgetPerson("UM"); err != nil {
		t.Fatal(err)
	}
	if err := db.SyncTeams(teams); err != nil {
		t.Fatal(err)
	}
	if err := r.Remove("UM"); err != nil {
		t.Fatal(err)
	}
}
