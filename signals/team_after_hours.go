package signals

// teamAfterHours: the share of the reports' own messages sent outside their
// own working hours, over the last WindowDays days. A team aggregate only —
// it never names anyone — and absent for teams smaller than
// TeamAfterHoursMinTeam. Fires at TeamAfterHoursMinShare when it is also
// higher than the pooled share of the TeamAfterHoursBaseWeeks weeks before.
func (c *calc) teamAfterHours() (Signal, bool) {
	if len(c.reports) < c.lim.TeamAfterHoursMinTeam {
		return Signal{}, false
	}
	f := Facts{Days: c.lim.WindowDays}
	var baseOff, baseAll int
	sum := func(off, all *int) func(*DayWindow) {
		return func(w *DayWindow) {
			for _, r := range c.reports {
				if rd := w.Reports[r]; rd != nil {
					*off += rd.OwnOffHours
					*all += rd.Own
				}
			}
		}
	}
	c.span(f.Days, sum(&f.Count, &f.Total))
	c.spanAt(f.Days, f.Days*c.lim.TeamAfterHoursBaseWeeks, sum(&baseOff, &baseAll))
	sh := share(f.Count, f.Total)
	base := share(baseOff, baseAll)
	f.Share, f.Baseline = round3(sh), round3(base)
	s := Signal{Kind: TeamAfterHours, Facts: f}
	if sh >= c.lim.TeamAfterHoursMinShare && baseAll > 0 && sh > base {
		s.Fired = true
		s.Severity = round3(clamp01(0.2 + sh + (sh - base)))
	}
	return s, true
}
