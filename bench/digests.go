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

// runDigests plans every manager's weekly digest at now from the database
// the ingest wrote, the way the scheduler does (History, Compute, Plan),
// without storing or sending it.
func runDigests(db *store.DB, org *signals.Org, managers []string, policy nudges.Policy, now time.Time) (digestRun, error) {
	cat, err := nudges.LoadCatalog()
	if err != nil {
		return digestRun{}, err
	}
	run := digestRun{managers: len(managers), fired: map[signals.Kind]int{}}
	hist := signals.Day(org.Limits.HistoryDays())
	start := time.Now()
	for _, m := range managers {
		today := signals.DayOf(now, org.Loc(m))
		ws, st, err := db.History(m, today-hist, today)
		if err != nil {
			return run, err
		}
		sigs := signals.Compute(org, signals.Input{Manager: m, Now: now, Windows: ws, State: st})
		d, _, err := policy.Plan(cat, m, now, sigs, nudges.History{})
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
