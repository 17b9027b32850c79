package nudges_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"coach/nudges"
)

// A digest whose send was on its way when coach stopped is looked for in
// Slack only once Slack has had time to record that send. Here Slack
// records the old process's post a second after an instant restart: the
// restart must not look (it would find nothing and send again), and the
// look after the grace period finds the post, so the digest is in Slack
// once.
func TestInFlightDigestIsRecheckedOnlyAfterGrace(t *testing.T) {
	w := newWorld(t)
	if _, err := w.db.Apply(w.org, habits(t, w.now)); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	w.now = w.now.AddDate(0, 0, 7).Add(9 * time.Hour) // next Monday 09:00 UTC: due for Mia (10:00 Berlin) only
	attempted := w.now
	// The first process notes the attempt and dies with the post in flight.
	if _, err := w.scheduler(crashing{real: w.msgr}).RunDue(ctx, w.now); err != nil {
		t.Fatal(err)
	}
	pending, err := w.db.PendingDigests()
	if err != nil || len(pending) != 1 || pending[0].Attempts != 1 || !pending[0].AttemptedAt.Equal(attempted) {
		t.Fatalf("after the crash: %+v, %v; want Mia's digest pending, attempted once at %s", pending, err, attempted)
	}
	d := pending[0].Digest

	// An instant restart: the digest waits; Slack is not asked yet.
	w.now = attempted.Add(time.Second)
	s := w.scheduler(w.msgr)
	rep, err := s.RunDue(ctx, w.now)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Deferred != 1 || rep.Sent != 0 || rep.Found != 0 {
		t.Errorf("restart 1s after the attempt: %+v; want the digest deferred, nothing sent or looked for", rep)
	}
	if n := w.fake.lookups(); n != 0 {
		t.Errorf("Slack was searched for the digest %d times within the grace period", n)
	}
	if want := attempted.Add(nudges.DefaultRecheckAfter); !s.NextRecheck().Equal(want) {
		t.Errorf("NextRecheck = %s, want %s (the attempt plus the grace period)", s.NextRecheck(), want)
	}
	// Slack records the old process's post now.
	if _, _, err := w.msgr.SendDigest(ctx, d); err != nil {
		t.Fatal(err)
	}
	// Still within the grace period: still nothing.
	w.now = attempted.Add(nudges.DefaultRecheckAfter - time.Second)
	if rep, err = s.RunDue(ctx, w.now); err != nil || rep.Deferred != 1 || rep.Sent != 0 {
		t.Errorf("1s before the recheck: %+v, %v; want the digest still deferred", rep, err)
	}
	// The recheck finds it.
	w.now = s.NextRecheck()
	if rep, err = s.RunDue(ctx, w.now); err != nil || rep.Found != 1 || rep.Sent != 0 || rep.Deferred != 0 {
		t.Errorf("at the recheck: %+v, %v; want the digest found in Slack, not sent again", rep, err)
	}
	if !s.NextRecheck().IsZero() {
		t.Errorf("NextRecheck = %s after the recheck, want none", s.NextRecheck())
	}
	if got := len(w.digestsIn("UM1")); got != 1 {
		t.Errorf("Mia has %d digests in Slack, want exactly 1", got)
	}
	if pending, err := w.db.PendingDigests(); err != nil || len(pending) != 0 {
		t.Errorf("pending after the recheck: %v, %v; want none", pending, err)
	}
}

// A digest whose send failed is looked for (and then sent) after the grace
// period too, and each try of a send counts from its own start: a post
// retried after a long Retry-After wait is not looked for as soon as the
// process restarts.
func TestEveryTryNotesItsAttempt(t *testing.T) {
	w := newWorld(t)
	if _, err := w.db.Apply(w.org, habits(t, w.now)); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	w.now = w.now.AddDate(0, 0, 7).Add(9 * time.Hour)
	start := w.now
	w.sleep = func(_ context.Context, d time.Duration) error {
		w.now = w.now.Add(d) // the wait passes on the test's clock
		return nil
	}
	s := w.scheduler(&rateLimitedThenCrash{world: w, wait: 2 * time.Minute})
	if _, err := s.RunDue(ctx, w.now); err != nil {
		t.Fatal(err)
	}
	pending, err := w.db.PendingDigests()
	if err != nil || len(pending) != 1 {
		t.Fatalf("pending: %v, %v", pending, err)
	}
	if p := pending[0]; p.Attempts != 2 || !p.AttemptedAt.Equal(start.Add(2*time.Minute)) {
		t.Errorf("attempts %d, last at %s; want 2, the second after the 2-minute wait (%s)", p.Attempts, p.AttemptedAt, start.Add(2*time.Minute))
	}
	// A restart right after the second try waits; one after the grace
	// period looks, finds nothing, and sends.
	w.now = start.Add(2*time.Minute + time.Second)
	if rep, err := w.scheduler(w.msgr).RunDue(ctx, w.now); err != nil || rep.Deferred != 1 || rep.Sent != 0 {
		t.Errorf("restart just after the second try: %+v, %v; want it deferred", rep, err)
	}
	w.now = start.Add(2*time.Minute + nudges.DefaultRecheckAfter)
	if rep, err := w.scheduler(w.msgr).RunDue(ctx, w.now); err != nil || rep.Sent != 1 {
		t.Errorf("restart after the grace period: %+v, %v; want the digest sent", rep, err)
	}
	if got := len(w.digestsIn("UM1")); got != 1 {
		t.Errorf("Mia has %d digests in Slack, want exactly 1", got)
	}
}

// rateLimitedThenCrash answers the first send with a 429 and dies on the
// second, as a process killed during the retry.
type rateLimitedThenCrash struct {
	world *world
	wait  time.Duration
	sends int
}

func (r *rateLimitedThenCrash) SendDigest(context.Context, nudges.Digest) (string, string, error) {
	r.sends++
	if r.sends == 1 {
		return "", "", &nudges.RetryAfter{After: r.wait}
	}
	return "", "", errCrash
}

func (r *rateLimitedThenCrash) FindDigest(ctx context.Context, m, id string) (string, string, bool, error) {
	return r.world.msgr.FindDigest(ctx, m, id)
}

// `/coach nudge` sends at once even while a run is busy sending another
// manager's digest, and a digest being sent by one is not sent again by the
// other.
func TestSendNowDoesNotWaitForARun(t *testing.T) {
	w := newWorld(t)
	if _, err := w.db.Apply(w.org, habits(t, w.now)); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	w.now = w.now.AddDate(0, 0, 7).Add(18 * time.Hour) // Monday 19:00 Berlin, 10:00 Los Angeles: both due
	held := &holdingMessenger{real: w.msgr, started: make(chan string, 4), release: make(chan struct{})}
	s := w.scheduler(held)
	ran := make(chan error, 1)
	go func() {
		_, err := s.RunDue(ctx, w.now)
		ran <- err
	}()
	var busy string // the manager whose digest the run is sending
	select {
	case busy = <-held.started:
	case <-time.After(10 * time.Second):
		t.Fatal("the run sent nothing")
	}
	other := "UM1"
	if busy == "UM1" {
		other = "UM2"
	}
	// The same digest: the run is sending it; SendNow does not send it too.
	done := make(chan error, 2)
	go func() {
		_, err := s.SendNow(ctx, busy, w.now)
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("SendNow(%s) while the run sends it: %v", busy, err)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("SendNow(%s) waited for the run", busy)
	}
	// Another manager's digest goes out while the run is still held.
	held.pass(other)
	go func() {
		_, err := s.SendNow(ctx, other, w.now)
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("SendNow(%s): %v", other, err)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("SendNow(%s) waited for the run busy with %s's digest", other, busy)
	}
	if got := len(w.digestsIn(other)); got != 1 {
		t.Errorf("%s has %d digests while the run is still busy, want 1", other, got)
	}
	close(held.release)
	if err := <-ran; err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"UM1", "UM2"} {
		if got := len(w.digestsIn(m)); got != 1 {
			t.Errorf("%s has %d digests, want exactly 1", m, got)
		}
	}
}

// holdingMessenger holds each send until release is closed, except those
// to the managers set free.
type holdingMessenger struct {
	real    nudges.Messenger
	started chan string
	release chan struct{}

	mu   sync.Mutex
	free map[string]bool
}

func (h *holdingMessenger) pass(m string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.free == nil {
		h.free = map[string]bool{}
	}
	h.free[m] = true
}

func (h *holdingMessenger) SendDigest(ctx context.Context, d nudges.Digest) (string, string, error) {
	h.mu.Lock()
	free := h.free[d.Manager]
	h.mu.Unlock()
	if !free {
		h.started <- d.Manager
		<-h.release
	}
	return h.real.SendDigest(ctx, d)
}

func (h *holdingMessenger) FindDigest(ctx context.Context, m, id string) (string, string, bool, error) {
	return h.real.FindDigest(ctx, m, id)
}
