package signals

// statusChasing: the manager's messages matching the status-chase patterns
// over the last WindowDays days. Fires at StatusChasePerReport to one report
// (or more than the team's agreed check_ins norm) or StatusChaseTotal in all.
func (c *calc) statusChasing() Signal {
	f := Facts{Days: c.lim.WindowDays}
	per := map[string]int{}
	c.span(f.Days, func(w *DayWindow) {
		f.Count += w.StatusChase
		f.Total += w.Directed
		for _, r := range c.reports {
			if rd := w.Reports[r]; rd != nil && rd.StatusChase > 0 {
				per[r] += rd.StatusChase
			}
		}
	})
	limit, total := c.lim.StatusChasePerReport, c.lim.StatusChaseTotal
	if c.team != nil && c.team.Norms.CheckIns > 0 {
		// The team agreed how many check-ins are fine: more than that to
		// anyone, or more than that for everyone together, is chasing.
		limit = c.team.Norms.CheckIns + 1
		total = max(total, c.team.Norms.CheckIns*len(c.reports)+1)
	}
	f.Reports = c.ranked(per, false)
	worst := 0
	for _, k := range per {
		worst = max(worst, k)
	}
	s := Signal{Kind: StatusChasing, Facts: f}
	if worst >= limit || f.Count >= total {
		s.Fired = true
		s.Severity = round3(clamp01(max(float64(f.Count)/float64(2*total), float64(worst)/float64(2*limit))))
	}
	return s
}
