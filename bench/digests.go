package bench

import (
	"time"

	"coach/nudges"
	"coach/signals"
	"coach/store"
)

// digestRun is what computing every manager's digest did.
type digestRun struct {
	managers int
	elapsed  time.Duration
	withNudges,
	nudges int
	fired map[signals.Kind]int
}

// runDigests drafts every manager's weekly digest at now from the database
// the ingest wrote, as the scheduler plans it (Scheduler.Draft: their
// signals, then the policy), without storing or sending it.
func runDigests(db *store.DB, org *signals.Org, managers []string, policy nudges.Policy, now time.Time) (digestRun, error) {
	sched, err := nudges.NewScheduler(nudges.Options{Org: func() *signals.Org { return org }, Store: db, Policy: policy})
	if err != nil {
		return digestRun{}, err
	}
	run := digestRun{managers: len(managers), fired: map[signals.Kind]int{}}
	start := time.Now()
	for _, m := range managers {
		d, sigs, err := sched.Draft(org, m, now, now, nudges.History{})
		if err != nil {
			return run, err
		}
		if len(d.Nudges) > 0 {
			run.withNudges++
		}
		run.nudges += len(d.Nudges)
		for _, s := range sigs {
			if s.Fired {
				run.fired[s.Kind]++
			}
		}
	}
	run.elapsed = time.Since(start)
	return run, nil
}
