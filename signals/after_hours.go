package signals

// afterHours: messages the manager directed at reports that landed outside
// the recipient's working hours, over the last WindowDays days. Fires at
// AfterHoursMinCount messages that are at least AfterHoursMinShare of all the
// manager's directed messages.
func (c *calc) afterHours() Signal {
	f := Facts{Days: c.lim.WindowDays}
	per := map[string]int{}
	c.span(f.Days, func(w *DayWindow) {
		f.Count += w.OffHours
		f.Total += w.Directed
		f.Late += w.Late
		for _, r := range c.reports {
			if rd := w.Reports[r]; rd != nil {
				per[r] += rd.OffHours
			}
		}
	})
	sh := share(f.Count, f.Total)
	f.Share = round3(sh)
	f.Reports = c.ranked(per, false)
	s := Signal{Kind: AfterHours, Facts: f}
	if f.Count >= c.lim.AfterHoursMinCount && sh >= c.lim.AfterHoursMinShare {
		s.Fired = true
		// A larger share, and late-night or weekend messages, weigh more.
		s.Severity = round3(clamp01(0.2 + sh + 0.05*float64(f.Late)))
	}
	return s
}
