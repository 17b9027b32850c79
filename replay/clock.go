package replay

import (
	"context"
	"fmt"
	"sort"
	"time"

	"coach/nudges"
	"coach/signals"
	"coach/store"
)

// maxBatch caps the events folded in one store transaction. Batches are also
// cut at every tick of the clock, so that the scheduler sees exactly the
// events before it.
const maxBatch = 100_000

// grid is how often the clock ticks while some manager's next digest could
// be due at any moment: before their first digest, and when their next
// slot fell due without one. A quarter hour fits every zone.
const grid = 15 * time.Minute

// replayer is the simulated clock: it applies time-ordered events to the
// store in batches and, whenever a digest may be due, lets the real digest
// scheduler run as ` + "`coach run`" + ` would at that moment.
type replayer struct {
	db     *store.DB
	orgSet signals.OrgSettings // what the org is built with
	people []signals.Person
	teams  []signals.Team
	sched  *nudges.Scheduler
	ob     *outbox
	rec    *recorder
	pr     *printer
	// beforePrint runs before digests are written (it clears the
	// progress bar).
	beforePrint func()

	from, to time.Time // --from, and the instant after --to; zero when not given

	org   *signals.Org
	start time.Time // the first replayed day, UTC midnight
	now   time.Time // the replay clock: everything before it is applied
	next  time.Time // the next tick
	last  int64     // the latest event time seen (unix ns)
	batch []signals.Event
	// nextDue is, per manager, when the slot after that of their last
	// digest falls due (Scheduler.NextDue): no digest of theirs is planned
	// before it.
	nextDue map[string]time.Time

	recorded int // events that changed some manager's counters
}

// begin starts the clock on the first replayed day: --from, else the UTC
// date of the first event. The org is built then, because each team's Since
// is that day: its midnight on the manager's own clock, so that a manager
// west of UTC is not credited with a day of history before the export. A
// full export holds every DM and group DM too, so coach sees each manager's
// DMs from that same moment (Visibility.DMsSince), as if they had all
// connected before it.
func (r *replayer) begin(first time.Time) {
	r.start = r.from
	if r.start.IsZero() {
		r.start = dayEnd(first).AddDate(0, 0, -1)
	}
	org := r.orgSet.Org("", r.people, nil)
	teams := make([]signals.Team, len(r.teams))
	for i, t := range r.teams {
		y, m, d := r.start.Date()
		t.Since = time.Date(y, m, d, 0, 0, 0, 0, org.Loc(t.Manager))
		t.DMsSince = t.Since
		teams[i] = t
	}
	r.org = r.orgSet.Org("", r.people, teams)
	r.org.History = true // an export is history: its DMs count whenever they were sent
	r.nextDue = map[string]time.Time{}
	r.now = r.start
	r.next = r.nextTick()
}

// never is later than any replay.
var never = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)

// nextTick is the next moment the scheduler could plan a digest: the
// earliest time a manager's next slot falls due, as the scheduler says
// (NextDue), or the next quarter hour for a manager who has no digest yet
// or whose next slot fell due without one. RunDue at any moment in between
// would do nothing, so the replay skips those moments; the digests are the
// same.
func (r *replayer) nextTick() time.Time {
	next := never
	for m := range r.org.Teams {
		if !r.org.Recorded(m) {
			continue // the scheduler skips them too
		}
		n, ok := r.nextDue[m]
		if !ok || !n.After(r.now) {
			n = r.now.Truncate(grid).Add(grid)
		}
		if n.Before(next) {
			next = n
		}
	}
	return next
}

// feed takes events in time order.
func (r *replayer) feed(ctx context.Context, items []item) error {
	for i := range items {
		it := &items[i]
		if r.org == nil {
			r.begin(time.Unix(0, it.at))
		}
		for it.at >= r.next.UnixNano() {
			if err := r.tick(ctx, r.next); err != nil {
				return err
			}
		}
		r.last = max(r.last, it.at)
		r.batch = append(r.batch, it.ev)
		if len(r.batch) >= maxBatch {
			if err := r.flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

// finish applies what is left and runs the clock to the end of the last
// replayed day (--to, else the UTC date of the last event), where the
// scheduler runs once more.
func (r *replayer) finish(ctx context.Context) error {
	if r.org == nil {
		if r.from.IsZero() || r.to.IsZero() {
			return nil // nothing to replay
		}
		r.begin(r.from)
	}
	end := r.to
	if end.IsZero() {
		end = dayEnd(time.Unix(0, r.last))
	}
	for r.next.Before(end) {
		if err := r.tick(ctx, r.next); err != nil {
			return err
		}
	}
	return r.tick(ctx, end)
}

// tick commits the events before t, moves the clock to t and runs the
// digest scheduler.
func (r *replayer) tick(ctx context.Context, t time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := r.flush(); err != nil {
		return err
	}
	r.now = t
	if _, err := r.sched.RunDue(ctx, r.now); err != nil {
		return fmt.Errorf("replay: digests at %s: %w", r.now.Format(time.RFC3339), err)
	}
	for _, p := range r.ob.planned {
		m := p.Digest.Manager
		r.nextDue[m] = r.sched.NextDue(p.Digest.Slot, r.org.Loc(m), r.org.HoursOf(m))
	}
	err := r.printPlanned()
	r.next = r.nextTick()
	return err
}

func (r *replayer) flush() error {
	if len(r.batch) == 0 {
		return nil
	}
	res, err := r.db.Apply(r.org, r.batch)
	if err != nil {
		return err
	}
	r.recorded += res.Applied
	clear(r.batch) // drop the references for the garbage collector
	r.batch = r.batch[:0]
	return nil
}

// printPlanned prints the digests this tick planned, by slot then manager:
// what was sent, or "nothing to say". A slot at or before the start of the
// first replayed day is left out: the scheduler catches up on the last slot
// it missed when it starts, which here is a week that was not replayed.
func (r *replayer) printPlanned() error {
	planned := r.ob.planned
	r.ob.planned = r.ob.planned[:0]
	if len(planned) == 0 {
		return nil
	}
	sort.SliceStable(planned, func(i, j int) bool {
		a, b := planned[i].Digest, planned[j].Digest
		if !a.Slot.Equal(b.Slot) {
			return a.Slot.Before(b.Slot)
		}
		return a.Manager < b.Manager
	})
	printed := false
	for _, p := range planned {
		d := p.Digest
		if !d.Slot.After(r.start) {
			delete(r.rec.sent, d.ID)
			continue
		}
		if p.State == "pending" {
			sent, ok := r.rec.sent[d.ID]
			if !ok {
				return fmt.Errorf("replay: digest %s was planned but not delivered", d.ID)
			}
			delete(r.rec.sent, d.ID)
			d = sent
		}
		if !printed && r.beforePrint != nil {
			r.beforePrint()
		}
		printed = true
		if err := r.pr.print(d); err != nil {
			return err
		}
	}
	if printed {
		return r.pr.w.Flush()
	}
	return nil
}
