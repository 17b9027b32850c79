package signals

// attentionBalance: how the manager's directed messages spread across the
// team over AttentionDays days. Fires, for teams of at least
// AttentionMinTeam, when a report got less than AttentionMinFraction of the
// even share, once there are AttentionMinMessages messages to judge by.
// Only the days coach saw all of the manager's conversations count: a day
// it saw only the channels would make a report they DM look forgotten.
func (c *calc) attentionBalance() Signal {
	f := Facts{Days: c.lim.AttentionDays}
	s := Signal{Kind: AttentionBalance, Facts: f}
	n := len(c.reports)
	if n < c.lim.AttentionMinTeam {
		return s
	}
	per := map[string]int{}
	for _, r := range c.reports {
		per[r] = 0
	}
	c.spanFrom(c.first, f.Days, func(w *DayWindow) {
		for _, r := range c.reports {
			if rd := w.Reports[r]; rd != nil {
				per[r] += rd.Directed
				f.Total += rd.Directed
			}
		}
	})
	even := float64(f.Total) / float64(n)
	low := map[string]int{}
	lowest := even
	for r, k := range per {
		if float64(k) < c.lim.AttentionMinFraction*even {
			low[r] = k
			lowest = min(lowest, float64(k))
		}
	}
	f.Reports = c.ranked(low, true)
	for i := range f.Reports {
		f.Reports[i].Share = round3(share(f.Reports[i].Count, f.Total))
	}
	f.Count = len(f.Reports)
	if f.Total > 0 {
		f.Share = round3(1 / float64(n)) // the even share
	}
	s.Facts = f
	if f.Total >= c.lim.AttentionMinMessages && f.Count > 0 {
		s.Fired = true
		s.Severity = round3(clamp01(0.3 + 0.5*(1-lowest/even)))
	}
	return s
}
