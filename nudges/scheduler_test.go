package nudges_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"coach/nudges"
	"coach/signals"
	"coach/store"
)

// world is two managers in different zones against a fake Slack, with the
// real store, catalog and policy.
type world struct {
	t     *testing.T
	fake  *fakeSlack
	db    *store.DB
	org   *signals.Org
	msgr  nudges.Messenger // the fake Slack
	cat   *nudges.Catalog
	now   time.Time
	slept []time.Duration
	// sleep is the schedulers' Sleep; nil notes the wait in slept.
	sleep func(ctx context.Context, d time.Duration) error
}

var people = []signals.Person{
	{ID: "UM1", Name: "Mia", TZ: "Europe/Berlin"},
	{ID: "UA", Name: "Ana", TZ: "America/Los_Angeles"},
	{ID: "UB", Name: "Ben", TZ: "Europe/Berlin"},
	{ID: "UC", Name: "Chloé", TZ: "Asia/Tokyo"},
	{ID: "UM2", Name: "Raj", TZ: "America/Los_Angeles"},
	{ID: "UD", Name: "Dee", TZ: "America/Los_Angeles"},
	{ID: "UE", Name: "Eli", TZ: "Europe/London"},
	{ID: "UF", Name: "Fay", TZ: "America/New_York"},
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{t: t, now: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)} // a Monday
	w.fake = &fakeSlack{}
	db, err := store.Open(filepath.Join(t.TempDir(), "coach.db"), store.Options{Now: func() time.Time { return w.now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	w.db = db
	// The habits are DMs: both managers connected, so coach sees them.
	seen := signals.Visibility{DMsSince: w.now, Connected: w.now}
	w.org = signals.NewOrg(people, []signals.Team{
		{Manager: "UM1", Reports: []string{"UA", "UB", "UC"}, Since: w.now, Visibility: seen},
		{Manager: "UM2", Reports: []string{"UD", "UE", "UF"}, Since: w.now, Visibility: seen},
	}, signals.DefaultHours(), time.UTC)
	w.msgr = w.fake
	if w.cat, err = nudges.LoadCatalog(); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *world) scheduler(m nudges.Messenger) *nudges.Scheduler {
	sleep := w.sleep
	if sleep == nil {
		sleep = func(_ context.Context, d time.Duration) error {
			w.slept = append(w.slept, d)
			return nil
		}
	}
	s, err := nudges.NewScheduler(nudges.Options{
		Schedule:  "0 9 * * MON",
		Org:       func() *signals.Org { return w.org },
		Store:     w.db,
		Messenger: m,
		Catalog:   w.cat,
		Policy:    nudges.DefaultPolicy(),
		Log:       zerolog.New(zerolog.NewTestWriter(w.t)),
		Now:       func() time.Time { return w.now },
		Sleep:     sleep,
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return s
}

// habits makes a week of events from start (a Monday, UTC): Mia DMs her
// three reports at 22:00 Berlin every weekday (off-hours for Ben and Chloé);
// Raj chases Dee for status at 10:00 Los Angeles every weekday.
func habits(t *testing.T, start time.Time) []signals.Event {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	la, _ := time.LoadLocation("America/Los_Angeles")
	var evs []signals.Event
	for d := 0; d < 5; d++ {
		day := start.AddDate(0, 0, d)
		at := time.Date(day.Year(), day.Month(), day.Day(), 22, 0, 0, 0, berlin)
		for _, r := range []string{"UA", "UB", "UC"} {
			evs = append(evs, signals.Event{ID: fmt.Sprintf("E-%s-%d", r, at.Unix()), Message: &signals.Message{
				Channel: "D" + r, TS: fmt.Sprint(at.Unix()), At: at, Author: "UM1", Kind: signals.DM, Members: []string{"UM1", r}}})
		}
		at = time.Date(day.Year(), day.Month(), day.Day(), 10, 0, 0, 0, la)
		evs = append(evs, signals.Event{ID: fmt.Sprintf("E-UD-%d", at.Unix()), Message: &signals.Message{
			Channel: "DUD", TS: fmt.Sprint(at.Unix()), At: at, Author: "UM2", Kind: signals.DM, Members: []string{"UM2", "UD"},
			Flags: signals.Flags{StatusChase: true, Question: true}}})
	}
	return evs
}

// digestsIn returns the digests posted to a manager's DM, oldest first.
func (w *world) digestsIn(manager string) []nudges.Digest { return w.fake.digests(manager) }

func TestSixWeeksOfDigests(t *testing.T) {
	w := newWorld(t)
	s := w.scheduler(w.msgr)
	ctx := context.Background()
	start := w.now
	weeks := 6
	var evs []signals.Event // six weeks of habits; digests are due each Monday, slot k at start+7k days
	for wk := 0; wk < weeks; wk++ {
		evs = append(evs, habits(t, start.AddDate(0, 0, 7*wk))...)
	}
	sent := map[string][]nudges.Digest{} // manager → digests in order
	next := 0
	for w.now = start; w.now.Before(start.AddDate(0, 0, 7*weeks+1)); w.now = w.now.Add(15 * time.Minute) {
		var batch []signals.Event
		for next < len(evs) && !evs[next].Message.At.After(w.now) {
			batch = append(batch, evs[next])
			next++
		}
		if len(batch) > 0 {
			if _, err := w.db.Apply(w.org, batch); err != nil {
				t.Fatal(err)
			}
		}
		rep, err := s.RunDue(ctx, w.now)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Sent == 0 {
			continue
		}
		for _, m := range []string{"UM1", "UM2"} {
			dms := w.digestsIn(m)
			if len(dms) == len(sent[m]) {
				continue
			}
			slot, due, _ := s.Slot(w.now, w.org.Loc(m), w.org.HoursOf(m))
			rec, err := w.db.Digest(nudges.DigestID(m, slot))
			if err != nil {
				t.Fatal(err)
			}
			local := w.now.In(w.org.Loc(m))
			if local.Weekday() != time.Monday || local.Hour() != 9 || local.Minute() != 0 || !due.Equal(w.now) {
				t.Errorf("%s got a digest at %s local, want Monday 09:00", m, local.Format("Mon 15:04"))
			}
			sent[m] = append(sent[m], rec.Digest)
			// The managers' clicks, five minutes after the digest arrives.
			w.now = w.now.Add(5 * time.Minute)
			week := len(sent[m])
			if m == "UM2" && week == 1 {
				w.click(rec.Digest, signals.StatusChasing, nudges.NotForMe)
			}
			if m == "UM1" && weekOf(rec.Digest, start) == 3 {
				w.click(rec.Digest, signals.AfterHours, nudges.Snooze)
			}
			w.now = w.now.Add(-5 * time.Minute)
		}
	}

	// Mia: after_hours fires every week with the same severity. The slot-0
	// digest has no data yet; slot 1 has after_hours; slot 2 may not repeat
	// it (not worse) and has nothing else, so no DM; slot 3 has it again and
	// she snoozes; slots 4 and 5 are silent; slot 6 brings a digest that does
	// not repeat slot 3's after_hours.
	mia := sent["UM1"]
	if got := weeksOf(mia, start); fmt.Sprint(got) != "[1 3 6]" {
		t.Errorf("Mia's digests in weeks %v, want [1 3 6]", got)
	}
	for _, d := range mia {
		t.Logf("Mia week %d: %v", weekOf(d, start), kinds(d))
	}
	if len(mia) == 3 {
		if !hasKind(mia[0], signals.AfterHours) || !hasKind(mia[1], signals.AfterHours) || hasKind(mia[2], signals.AfterHours) {
			t.Errorf("Mia's kinds by digest = %v, %v, %v; want after_hours in slots 1 and 3 only", kinds(mia[0]), kinds(mia[1]), kinds(mia[2]))
		}
	}
	// Raj: status_chasing in his first digest, then "Not for me" keeps it out
	// for 8 weeks — every later digest lacks it.
	raj := sent["UM2"]
	if len(raj) == 0 || !hasKind(raj[0], signals.StatusChasing) {
		t.Fatalf("Raj's first digest %v lacks status_chasing", raj)
	}
	for _, d := range raj[1:] {
		if hasKind(d, signals.StatusChasing) {
			t.Errorf("Raj got status_chasing in week %d after Not for me", weekOf(d, start))
		}
	}
	for m, ds := range sent {
		seen := map[int]bool{}
		for i, d := range ds {
			if len(d.Nudges) == 0 || len(d.Nudges) > 2 {
				t.Errorf("%s digest %d has %d nudges, want 1 or 2", m, i, len(d.Nudges))
			}
			if seen[weekOf(d, start)] {
				t.Errorf("%s got two digests in week %d", m, weekOf(d, start))
			}
			seen[weekOf(d, start)] = true
			if i > 0 {
				for _, n := range d.Nudges {
					for _, p := range ds[i-1].Nudges {
						if p.Kind == n.Kind && weekOf(d, start) == weekOf(ds[i-1], start)+1 && n.Severity <= p.Severity {
							t.Errorf("%s: %s in consecutive digests without getting worse", m, n.Kind)
						}
						if p.Kind == n.Kind && p.Try == n.Try {
							t.Errorf("%s: the same starter for %s twice in a row: %q", m, n.Kind, n.Try)
						}
					}
				}
			}
		}
		if got := len(w.digestsIn(m)); got != len(ds) {
			t.Errorf("%s: %d digest DMs in Slack, %d recorded", m, got, len(ds))
		}
	}
}

func (w *world) click(d nudges.Digest, kind signals.Kind, a nudges.Action) {
	w.t.Helper()
	_, changed, err := w.db.RecordFeedback(d.ID, kind, a, d.Manager, func(h nudges.History) nudges.History {
		return nudges.DefaultPolicy().Apply(h, kind, a, w.now)
	})
	if err != nil || !changed {
		w.t.Fatalf("click %s on %s: changed %v, %v", a, kind, changed, err)
	}
}

// weekOf is the digest's slot number: slot k is due k weeks after start.
func weekOf(d nudges.Digest, start time.Time) int {
	return int(d.Slot.Sub(start) / (7 * 24 * time.Hour))
}

func weeksOf(ds []nudges.Digest, start time.Time) []int {
	var out []int
	for _, d := range ds {
		out = append(out, weekOf(d, start))
	}
	return out
}

func kinds(d nudges.Digest) []signals.Kind {
	var out []signals.Kind
	for _, n := range d.Nudges {
		out = append(out, n.Kind)
	}
	return out
}

func hasKind(d nudges.Digest, k signals.Kind) bool {
	for _, n := range d.Nudges {
		if n.Kind == k {
			return true
		}
	}
	return false
}

// crashing wraps the real messenger and fails at one step of delivery.
type crashing struct {
	real      nudges.Messenger
	sendFirst bool // send for real, then fail as if the process died before recording
}

var errCrash = errors.New("process killed")

func (c crashing) SendDigest(ctx context.Context, d nudges.Digest) (string, string, error) {
	if c.sendFirst {
		if _, _, err := c.real.SendDigest(ctx, d); err != nil {
			return "", "", err
		}
	}
	return "", "", errCrash
}

func (c crashing) FindDigest(ctx context.Context, m, id string) (string, string, bool, error) {
	return c.real.FindDigest(ctx, m, id)
}

// TestDeliveryIsExactlyOnceAcrossCrashes stops delivery at each step and
// restarts with a fresh scheduler on the same database and Slack.
func TestDeliveryIsExactlyOnceAcrossCrashes(t *testing.T) {
	for _, tc := range []struct{ name string }{
		{"before send"},
		{"after send, before recording"},
		{"after recording"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			if _, err := w.db.Apply(w.org, habits(t, w.now)); err != nil {
				t.Fatal(err)
			}
			var first nudges.Messenger = w.msgr
			switch tc.name {
			case "before send":
				first = crashing{real: w.msgr}
			case "after send, before recording":
				first = crashing{real: w.msgr, sendFirst: true}
			}
			w.now = w.now.AddDate(0, 0, 7).Add(9 * time.Hour) // next Monday 09:00 UTC: due for Mia (10:00 Berlin)
			ctx := context.Background()
			if _, err := w.scheduler(first).RunDue(ctx, w.now); err != nil {
				t.Fatal(err)
			}
			// Restart: a new scheduler, same store, same Slack; and again.
			for i := 0; i < 2; i++ {
				w.now = w.now.Add(time.Minute)
				if _, err := w.scheduler(w.msgr).RunDue(ctx, w.now); err != nil {
					t.Fatal(err)
				}
			}
			if got := len(w.digestsIn("UM1")); got != 1 {
				t.Errorf("Mia has %d digests in Slack, want exactly 1", got)
			}
			pending, err := w.db.PendingDigests()
			if err != nil || len(pending) != 0 {
				t.Errorf("pending after restarts: %v, %v; want none", pending, err)
			}
		})
	}
}

func TestRateLimitDelaysButDoesNotLose(t *testing.T) {
	w := newWorld(t)
	if _, err := w.db.Apply(w.org, habits(t, w.now)); err != nil {
		t.Fatal(err)
	}
	w.fake.limitNext(2, 3*time.Second)
	w.now = w.now.AddDate(0, 0, 7).Add(18 * time.Hour) // Monday 19:00 Berlin, 10:00 Los Angeles: both due
	rep, err := w.scheduler(w.msgr).RunDue(context.Background(), w.now)
	if err != nil {
		t.Fatal(err)
	}
	if got := w.fake.rateLimitedCount(); got != 2 {
		t.Fatalf("fake served %d 429s, want 2", got)
	}
	if len(w.slept) != 2 || w.slept[0] != 3*time.Second || w.slept[1] != 3*time.Second {
		t.Errorf("waits = %v, want two of 3s (the Retry-After)", w.slept)
	}
	if rep.Sent != 2 || len(w.digestsIn("UM1")) != 1 || len(w.digestsIn("UM2")) != 1 {
		t.Errorf("sent %d; Mia %d, Raj %d digests; want both delivered once", rep.Sent, len(w.digestsIn("UM1")), len(w.digestsIn("UM2")))
	}
}
