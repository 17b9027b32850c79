package nudges

import (
	"time"

	"coach/signals"
)

// HistoryReader is what computing a manager's signals needs of storage:
// their day windows and state. store.DB implements it.
type HistoryReader interface {
	// History returns a manager's day windows from..to and their state.
	History(manager string, from, to signals.Day) ([]signals.DayWindow, signals.ManagerState, error)
}

// Signals is manager's signals as of at: their day windows of the days
// Compute needs before at, and their state, read from h. It is what a
// digest planned at at says, and what /coach me, App Home and the demo show.
func Signals(h HistoryReader, o *signals.Org, manager string, at time.Time) ([]signals.Signal, error) {
	sigs, err := SignalsEach(h, o, manager, at)
	if err != nil {
		return nil, err
	}
	return sigs[0], nil
}

// SignalsEach is manager's signals as of each time in at, in that order,
// from one read of the history that covers them all (App Home's four weeks,
// the signals a trust pulse saw before and after). With no times it reads
// nothing and returns nothing.
func SignalsEach(h HistoryReader, o *signals.Org, manager string, at ...time.Time) ([][]signals.Signal, error) {
	if len(at) == 0 {
		return nil, nil
	}
	loc := o.Loc(manager)
	first, last := signals.DayOf(at[0], loc), signals.DayOf(at[0], loc)
	for _, t := range at[1:] {
		first, last = min(first, signals.DayOf(t, loc)), max(last, signals.DayOf(t, loc))
	}
	ws, st, err := h.History(manager, first-signals.Day(o.Limits.HistoryDays()), last)
	if err != nil {
		return nil, err
	}
	out := make([][]signals.Signal, len(at))
	for i, t := range at {
		out[i] = signals.Compute(o, signals.Input{Manager: manager, Now: t, Windows: ws, State: st})
	}
	return out, nil
}
