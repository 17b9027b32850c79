package signals

import "time"

// contactGap: days since the last direct exchange, either way, between the
// manager and each report. Fires when any report has gone ContactGapDays
// without one. A gap is counted no further back than the start of what
// coach has seen (c.first): a report never seen in contact counts from
// there, and so does one last seen before it, so a new install or a fresh
// connection makes no claim it cannot back.
func (c *calc) contactGap() Signal {
	f := Facts{Total: len(c.reports)}
	per := map[string]int{}
	worst := 0
	for _, r := range c.reports {
		var days int
		if last, ok := c.in.State.LastContact[r]; ok && last > 0 {
			days = min(int(c.today-DayOf(time.Unix(last, 0), c.loc)), c.covered-1)
		} else {
			days = c.covered - 1
		}
		if days >= c.lim.ContactGapDays {
			per[r] = days
			worst = max(worst, days)
		}
	}
	f.Reports = c.rankedDays(per)
	f.Count = len(f.Reports)
	f.Days = worst
	s := Signal{Kind: ContactGap, Facts: f}
	if f.Count > 0 {
		s.Fired = true
		s.Severity = round3(clamp01(float64(worst) / 42))
	}
	return s
}
