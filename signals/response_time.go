package signals

// responseTime: how long reports wait for the manager, in the manager's
// working minutes. Fires when the median reply over the last WindowDays days
// took longer than ResponseMedianHours (or the team's agreed response
// norm), or when ResponseOpenWaits waits have been open longer than
// ResponseOpenDays working days. A wait is opened by a report's message
// directed at the manager and closed by the first message or reaction of the
// manager's that answers it (answers, and foldReaction). The answer may be
// a DM, so only what coach saw while it saw the manager's DMs counts: the
// replies of the days since dmFirst, and the waits opened since dmSince (an
// older one may have been answered where coach could not see).
func (c *calc) responseTime() Signal {
	f := Facts{Days: c.lim.WindowDays}
	var lat []int32
	c.spanFrom(c.dmFirst, f.Days, func(w *DayWindow) {
		for _, r := range c.reports {
			if rd := w.Reports[r]; rd != nil {
				lat = append(lat, rd.Latencies...)
			}
		}
	})
	f.Waits = len(lat)
	med := median(lat)
	f.MedianMinutes = int(med + 0.5)

	limit := c.lim.ResponseMedianHours * 60
	if c.team != nil && c.team.Norms.ResponseHours > 0 {
		limit = float64(c.team.Norms.ResponseHours) * 60
	}
	h := c.o.HoursOf(c.in.Manager)
	openLimit := int(c.lim.ResponseOpenDays * float64(h.End-h.Start))
	per := map[string]int{}
	for _, w := range c.in.State.Waits {
		if !c.recorded(w.Report) || w.Opened.After(c.in.Now) || w.Opened.Before(c.dmSince) {
			continue
		}
		if h.WorkingMinutes(w.Opened, c.in.Now, c.loc) > openLimit {
			f.OpenWaits++
			per[w.Report]++
		}
	}
	f.Reports = c.ranked(per, false)
	s := Signal{Kind: ResponseTime, Facts: f}
	slow := f.Waits > 0 && med > limit
	stuck := f.OpenWaits >= c.lim.ResponseOpenWaits
	if slow || stuck {
		s.Fired = true
		sev := 0.0
		if slow {
			sev = clamp01(med / (3 * limit))
		}
		if stuck {
			sev = max(sev, clamp01(0.3+0.15*float64(f.OpenWaits)))
		}
		s.Severity = round3(max(sev, 0.2))
	}
	return s
}

// recorded reports whether r is one of the manager's recorded reports.
func (c *calc) recorded(r string) bool { return contains(c.reports, r) }

// answers reports whether the manager's message m (in thread, "" at the top
// level; a DM with dmWith; directed at directed) answers wait w, by the
// spec's rules: a DM from the manager to the report answers every wait of
// theirs, which covers any message in a DM wait's own DM; in a group DM or
// channel, so does a message in the wait's thread (a reply under the
// report's own message is in its thread) or one directed at the report in
// the same conversation. A top-level channel message to other people
// answers nothing.
func answers(w Wait, m *Message, thread, dmWith string, directed []string) bool {
	switch {
	case w.Report == dmWith:
		return true
	case w.Channel != m.Channel:
		return false
	case thread != "" && (thread == w.Thread || thread == w.TS):
		return true
	}
	return contains(directed, w.Report)
}
