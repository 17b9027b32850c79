package nudges

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/rs/zerolog"

	"coach/signals"
)

// Store is what the scheduler needs of storage. store.DB implements it.
type Store interface {
	HistoryReader
	// PlanSlot stores the digest of a manager's slot exactly once (plan is
	// called with their coaching history only when the slot has no digest
	// yet, in the same transaction) and returns it with its delivery state.
	PlanSlot(manager string, slot time.Time, plan func(History) (Digest, History, error)) (Planned, error)
	// NoteAttempt notes that a send starts at at; NoteSent records where it
	// landed.
	NoteAttempt(id string, at time.Time) error
	NoteSent(id, channel, ts string, at time.Time) error
	// PendingPlans lists digests planned but not known to be in Slack.
	PendingPlans() ([]Planned, error)
	// PlannedDigest returns one planned digest as it stands now.
	PlannedDigest(id string) (Planned, error)
}

// Planned is a digest and how far its delivery got.
type Planned struct {
	Digest      Digest
	State       string    // "pending", "sent" or "empty"
	Attempts    int       // sends started before
	AttemptedAt time.Time // when the last of them started
	New         bool      // planned by this call, not found already planned
}

// Messenger delivers digests. bot implements it over the Slack Web API.
type Messenger interface {
	// SendDigest DMs d to d.Manager with d.ID in the message metadata.
	SendDigest(ctx context.Context, d Digest) (channel, ts string, err error)
	// FindDigest looks for a message carrying digest id in the manager's DM.
	FindDigest(ctx context.Context, manager, id string) (channel, ts string, found bool, err error)
}

// RetryAfter is a Messenger error asking to wait before trying again (a
// Slack 429). Delivery waits and retries; it never drops the digest.
type RetryAfter struct{ After time.Duration }

func (e *RetryAfter) Error() string { return fmt.Sprintf("rate limited: retry after %s", e.After) }

// DefaultSchedule is when digests go out unless configured otherwise:
// Mondays at 09:00 in each manager's own zone.
const DefaultSchedule = "0 9 * * MON"

// Options are what a Scheduler is built from. Zero fields take the
// defaults NewScheduler names.
type Options struct {
	// Schedule is a 5-field cron spec, run in each manager's own zone
	// (default DefaultSchedule).
	Schedule string
	// Org is the current snapshot of people and teams.
	Org       func() *signals.Org
	Store     Store
	Messenger Messenger
	// Catalog holds the texts (default LoadCatalog()).
	Catalog *Catalog
	// Policy is the delivery policy (DefaultPolicy() when MaxPerDigest is 0).
	Policy Policy
	Log    zerolog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Sleep waits d or until ctx ends (default Wait). Injected so
	// Retry-After waits cost nothing in tests that fake time.
	Sleep func(ctx context.Context, d time.Duration) error
	// MaxRetries bounds the retries of one send within one RunDue (default 5).
	MaxRetries int
	// SendTimeout bounds one send (default DefaultSendTimeout), so a send
	// cut short by a crash was in flight for at most that long after its
	// attempt was noted.
	SendTimeout time.Duration
	// RecheckAfter is how long after a send attempt a digest whose send may
	// not have finished (coach stopped, or the call failed) is looked for in
	// Slack before it is sent again (default DefaultRecheckAfter). Slack
	// records a post some time after it takes the call; looking earlier may
	// miss a post that lands later, and the digest would go out twice.
	RecheckAfter time.Duration
}

// Scheduler sends each manager's digest at the configured schedule in the
// manager's own time zone, never outside their working hours. It is driven
// by RunDue(now), so a test or the demo can run weeks of schedule in
// moments; Run drives it with the real clock. NewScheduler builds one.
type Scheduler struct {
	opt Options

	mu      sync.Mutex        // one run at a time
	planned map[string]string // manager → id of the last digest known planned, to skip recomputing
	started bool              // a run has happened: leftovers of the previous process were sent

	schedMu  sync.RWMutex  // guards schedule: Slot may be asked outside a run
	schedule cron.Schedule // the parsed Options.Schedule, or SetSchedule's

	sendMu    sync.Mutex
	sending   map[string]bool // digest ids being delivered now, by a run or SendNow
	recheckAt time.Time       // earliest time a digest left for a recheck may be looked for
}

// NewScheduler builds a scheduler from o, filling in its defaults. It fails
// on a schedule that does not parse or a catalog that does not load.
func NewScheduler(o Options) (*Scheduler, error) {
	if o.Schedule == "" {
		o.Schedule = DefaultSchedule
	}
	sched, err := ParseSchedule(o.Schedule)
	if err != nil {
		return nil, err
	}
	if o.Catalog == nil {
		if o.Catalog, err = LoadCatalog(); err != nil {
			return nil, err
		}
	}
	if o.Policy.MaxPerDigest == 0 {
		o.Policy = DefaultPolicy()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = Wait
	}
	if o.MaxRetries == 0 {
		o.MaxRetries = 5
	}
	if o.SendTimeout <= 0 {
		o.SendTimeout = DefaultSendTimeout
	}
	if o.RecheckAfter <= 0 {
		o.RecheckAfter = DefaultRecheckAfter
	}
	return &Scheduler{opt: o, schedule: sched}, nil
}

// Defaults of SendTimeout and RecheckAfter. A send that started is in
// Slack's hands within SendTimeout; RecheckAfter leaves Slack at least
// 20 seconds more to record it before coach looks.
const (
	DefaultSendTimeout  = 10 * time.Second
	DefaultRecheckAfter = 30 * time.Second
)

// Catalog is the catalog the scheduler's digests are written from.
func (s *Scheduler) Catalog() *Catalog { return s.opt.Catalog }

// SetSchedule changes the schedule from the next run on.
func (s *Scheduler) SetSchedule(sched cron.Schedule) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.schedMu.Lock()
	defer s.schedMu.Unlock()
	s.schedule = sched
}

// ParseSchedule parses a standard 5-field cron string.
func ParseSchedule(spec string) (cron.Schedule, error) {
	s, err := cron.ParseStandard(spec)
	if err != nil {
		return nil, fmt.Errorf("nudges: schedule %q: %w", spec, err)
	}
	return s, nil
}

// Report says what one RunDue did.
type Report struct {
	Planned int // digests planned for due slots
	Empty   int // of those, nothing to say
	Sent    int // DMs sent (including retries of earlier pending ones)
	Found   int // pending digests found already in Slack after a restart
	Failed  int // sends that failed and stay pending
	// Deferred counts digests whose last send may still be on its way into
	// Slack: they are looked for once RecheckAfter has passed (NextRecheck).
	Deferred int
}

// Slot is the most recent scheduled time at or before now for a manager in
// loc, moved forward to the start of their working hours when it falls
// outside them. ok is false when no slot is due yet (within 8 days).
func (s *Scheduler) Slot(now time.Time, loc *time.Location, h signals.Hours) (slot, due time.Time, ok bool) {
	return SlotIn(s.currentSchedule(), now, loc, h)
}

// SlotIn is Scheduler.Slot for another schedule (the weekly team
// conversation starter's).
func SlotIn(sched cron.Schedule, now time.Time, loc *time.Location, h signals.Hours) (slot, due time.Time, ok bool) {
	t := now.In(loc).Add(-8 * 24 * time.Hour)
	for i := 0; i < 100000; i++ {
		n := sched.Next(t)
		if n.IsZero() || n.After(now) {
			break
		}
		slot, ok, t = n, true, n
	}
	if !ok {
		return time.Time{}, time.Time{}, false
	}
	due = slot
	if !h.Contains(slot, loc) {
		due = h.AddWorkingMinutes(slot, 0, loc)
	}
	if due.IsZero() || due.After(now) {
		return time.Time{}, time.Time{}, false
	}
	return slot, due, true
}

// NextDue is when the first slot after t falls due for a manager in loc
// with working hours h: the schedule's next time after t, moved forward to
// the start of their working hours when it falls outside them, as Slot
// moves it. No digest is planned for them before then once the slot at or
// before t has one: a caller that runs RunDue on a simulated clock (coach
// replay) need not run it earlier. Zero when the schedule has no next time.
func (s *Scheduler) NextDue(t time.Time, loc *time.Location, h signals.Hours) time.Time {
	next := s.currentSchedule().Next(t.In(loc))
	if next.IsZero() || h.Contains(next, loc) {
		return next
	}
	return h.AddWorkingMinutes(next, 0, loc)
}

// RunDue plans and sends every digest due at now, and retries the pending
// ones. Planning is idempotent per slot, so calling it again sends nothing
// twice.
func (s *Scheduler) RunDue(ctx context.Context, now time.Time) (Report, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var rep Report
	var errs []error
	var leftovers map[string]bool
	var err error
	if !s.started {
		// The first run of a process: what the previous one left pending (a
		// digest of `/coach nudge` acknowledged just before it stopped, a
		// send a crash cut short) goes out before anything new is planned.
		s.started = true
		if leftovers, err = s.deliverPending(ctx, &rep, nil); err != nil {
			return rep, err
		}
	}
	o := s.opt.Org()
	for m := range o.Teams {
		if !o.Recorded(m) {
			continue
		}
		slot, due, ok := s.Slot(now, o.Loc(m), o.HoursOf(m))
		if !ok || s.planned[m] == DigestID(m, slot) {
			continue
		}
		if t := o.Teams[m]; t != nil && slot.Before(t.Since.Add(-time.Hour)) {
			// A slot from well before coach knew this team (a fresh install
			// on a Wednesday and last Monday's slot): nothing to say about it.
			continue
		}
		rep.Planned++
		p, err := s.plan(o, m, slot, due)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if p.State == "empty" {
			rep.Empty++
		}
	}
	if _, err := s.deliverPending(ctx, &rep, leftovers); err != nil {
		return rep, err
	}
	return rep, errors.Join(errs...)
}

// deliverPending sends every pending digest not in done (see deliver) and
// returns the ids it went through. The digests that still wait for a
// recheck set NextRecheck anew.
func (s *Scheduler) deliverPending(ctx context.Context, rep *Report, done map[string]bool) (map[string]bool, error) {
	pending, err := s.opt.Store.PendingPlans()
	if err != nil {
		return nil, err
	}
	if done == nil {
		s.sendMu.Lock()
		s.recheckAt = time.Time{}
		s.sendMu.Unlock()
	}
	seen := map[string]bool{}
	for _, p := range pending {
		if err := ctx.Err(); err != nil {
			return seen, err
		}
		if id := p.Digest.ID; !done[id] {
			seen[id] = true
			s.deliver(ctx, id, rep)
		}
	}
	return seen, nil
}

// NextRecheck is the earliest time a digest left for a recheck (Report.
// Deferred) may be looked for in Slack; zero when none is waiting. A caller
// that runs RunDue on a timer runs it again then, rather than a minute later.
func (s *Scheduler) NextRecheck() time.Time {
	s.sendMu.Lock()
	defer s.sendMu.Unlock()
	return s.recheckAt
}

// CurrentSlot is the slot a digest asked for at now belongs to: the
// manager's latest slot that is due, else (a schedule with no slot in the
// last 8 days) the start of their day. A manager gets one digest per slot,
// however many times it is asked for.
func (s *Scheduler) CurrentSlot(o *signals.Org, manager string, now time.Time) time.Time {
	loc := o.Loc(manager)
	if slot, _, ok := s.Slot(now, loc, o.HoursOf(manager)); ok {
		return slot
	}
	return signals.DayOf(now, loc).Start(loc)
}

// PlanNow plans manager's digest for their current slot, with their
// signals as of now, unless that slot's digest is planned already (then it
// is returned as it stands, New false). It does not send: SendNow or the
// next run does. `/coach nudge @m` plans before it answers, so the request
// is durable once acknowledged.
func (s *Scheduler) PlanNow(manager string, now time.Time) (Planned, error) {
	o := s.opt.Org()
	return s.planFor(o, manager, s.CurrentSlot(o, manager, now), now)
}

// SendNow plans (if not yet) and sends manager's digest for their current
// slot, outside the schedule: `/coach nudge @m`. A slot's digest that is
// already sent is not sent again. It does not wait for a run in progress:
// only the sends of one digest exclude each other.
func (s *Scheduler) SendNow(ctx context.Context, manager string, now time.Time) (Planned, error) {
	o := s.opt.Org()
	p, err := s.planFor(o, manager, s.CurrentSlot(o, manager, now), now)
	if err != nil {
		return p, err
	}
	var rep Report
	if p.State == "pending" {
		s.deliver(ctx, p.Digest.ID, &rep)
	}
	return p, nil
}

// plan computes the manager's signals as of due and stores the digest,
// remembering it was planned. Call it with s.mu held.
func (s *Scheduler) plan(o *signals.Org, m string, slot, due time.Time) (Planned, error) {
	p, err := s.planFor(o, m, slot, due)
	if err == nil {
		if s.planned == nil {
			s.planned = map[string]string{}
		}
		s.planned[m] = p.Digest.ID
	}
	return p, err
}

// planFor computes the manager's signals as of due and stores the digest
// of slot, exactly once (the store's PlanSlot is one transaction).
func (s *Scheduler) planFor(o *signals.Org, m string, slot, due time.Time) (Planned, error) {
	sigs, err := Signals(s.opt.Store, o, m, due)
	if err != nil {
		return Planned{}, err
	}
	return s.opt.Store.PlanSlot(m, slot, func(h History) (Digest, History, error) {
		return s.draft(o, m, slot, sigs, h)
	})
}

// Draft is the digest the scheduler would plan for manager's slot, with
// their signals as of due and coaching history h, and those signals. It
// stores and sends nothing: coach bench times it over a whole workspace.
func (s *Scheduler) Draft(o *signals.Org, manager string, slot, due time.Time, h History) (Digest, []signals.Signal, error) {
	sigs, err := Signals(s.opt.Store, o, manager, due)
	if err != nil {
		return Digest{}, nil, err
	}
	d, _, err := s.draft(o, manager, slot, sigs, h)
	return d, sigs, err
}

// draft makes the digest of slot from signals and history h, and the
// history that follows it.
func (s *Scheduler) draft(o *signals.Org, m string, slot time.Time, sigs []signals.Signal, h History) (Digest, History, error) {
	d, next, err := s.opt.Policy.Plan(s.opt.Catalog, m, slot, sigs, h)
	d.Visibility = o.Visibility(m)
	return d, next, err
}

// claim marks digest id as being delivered by the caller; false when
// someone else is delivering it.
func (s *Scheduler) claim(id string) bool {
	s.sendMu.Lock()
	defer s.sendMu.Unlock()
	if s.sending[id] {
		return false
	}
	if s.sending == nil {
		s.sending = map[string]bool{}
	}
	s.sending[id] = true
	return true
}

func (s *Scheduler) unclaim(id string) {
	s.sendMu.Lock()
	defer s.sendMu.Unlock()
	delete(s.sending, id)
}

// deferRecheck notes that a digest may be looked for at at.
func (s *Scheduler) deferRecheck(at time.Time) {
	s.sendMu.Lock()
	defer s.sendMu.Unlock()
	if s.recheckAt.IsZero() || at.Before(s.recheckAt) {
		s.recheckAt = at
	}
}

// deliver sends one pending digest exactly once. One delivery of a digest
// runs at a time, on the digest as it stands in the store. A digest whose
// send may have reached Slack (a crash, a failed call) is looked for in the
// manager's DM first, once Slack has had RecheckAfter to record that send;
// until then it waits.
func (s *Scheduler) deliver(ctx context.Context, id string, rep *Report) {
	log := s.opt.Log.With().Str("digest", id).Logger()
	if !s.claim(id) {
		return // being sent right now; it is not sent twice
	}
	defer s.unclaim(id)
	p, err := s.opt.Store.PlannedDigest(id)
	if err != nil {
		log.Error().Err(err).Msg("read digest before sending")
		rep.Failed++
		return
	}
	if p.State != "pending" {
		return
	}
	d := p.Digest
	if p.Attempts > 0 {
		now := s.now()
		if at := s.RecheckAt(p.AttemptedAt); now.Before(at) {
			log.Info().Time("recheck_at", at).Msg("digest may be on its way into Slack; looking for it once Slack has recorded it")
			s.deferRecheck(at)
			rep.Deferred++
			return
		}
		ch, ts, found, err := s.opt.Messenger.FindDigest(ctx, d.Manager, d.ID)
		if err != nil {
			log.Warn().Err(err).Msg("could not check whether the digest was already sent; will retry")
			rep.Failed++
			return
		}
		if found {
			if err := s.opt.Store.NoteSent(d.ID, ch, ts, s.now()); err != nil {
				log.Error().Err(err).Msg("record digest found in Slack")
				rep.Failed++
				return
			}
			log.Info().Msg("digest found in Slack, sent before coach stopped; not sent again")
			rep.Found++
			return
		}
	}
	retries := s.opt.MaxRetries
	for try := 0; ; try++ {
		// Each try is noted before it starts: its time is what a recheck
		// after a crash counts from.
		if err := s.opt.Store.NoteAttempt(d.ID, s.now()); err != nil {
			log.Error().Err(err).Msg("record send attempt")
			rep.Failed++
			return
		}
		ch, ts, err := s.send(ctx, d)
		var ra *RetryAfter
		if errors.As(err, &ra) && try < retries {
			log.Info().Dur("retry_after", ra.After).Msg("rate limited; waiting")
			if err := s.sleep(ctx, ra.After); err != nil {
				rep.Failed++
				return
			}
			continue
		}
		if err != nil {
			log.Warn().Err(err).Msg("digest not sent; it stays pending and is retried")
			rep.Failed++
			return
		}
		if err := s.opt.Store.NoteSent(d.ID, ch, ts, s.now()); err != nil {
			log.Error().Err(err).Msg("record sent digest")
			rep.Failed++
			return
		}
		log.Info().Int("nudges", len(d.Nudges)).Msg("digest sent")
		rep.Sent++
		return
	}
}

// Run calls RunDue every minute until ctx ends.
func (s *Scheduler) Run(ctx context.Context) error {
	for {
		if _, err := s.RunDue(ctx, s.now()); err != nil && ctx.Err() == nil {
			s.opt.Log.Error().Err(err).Msg("digest run")
		}
		if err := s.sleep(ctx, time.Minute); err != nil {
			return nil
		}
	}
}

// send is one SendDigest, within SendTimeout.
func (s *Scheduler) send(ctx context.Context, d Digest) (string, string, error) {
	ctx, cancel := s.SendContext(ctx)
	defer cancel()
	return s.opt.Messenger.SendDigest(ctx, d)
}

func (s *Scheduler) recheckAfter() time.Duration { return s.opt.RecheckAfter }

func (s *Scheduler) now() time.Time { return s.opt.Now() }

func (s *Scheduler) sleep(ctx context.Context, d time.Duration) error { return s.opt.Sleep(ctx, d) }

func (s *Scheduler) currentSchedule() cron.Schedule {
	s.schedMu.RLock()
	defer s.schedMu.RUnlock()
	return s.schedule
}

// Wait waits d or until ctx ends, whichever is first.
func Wait(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
