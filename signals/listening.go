package signals

// listening: the share of the manager's directed messages over the last
// WindowDays days that ask a question. Fires below ListeningMinShare over at
// least ListeningMinMessages messages. Only the days coach saw the
// manager's DMs count: the questions of a 1:1 are asked there.
func (c *calc) listening() Signal {
	f := Facts{Days: c.lim.WindowDays}
	c.spanFrom(c.dmFirst, f.Days, func(w *DayWindow) {
		f.Count += w.Questions
		f.Total += w.Directed
	})
	sh := share(f.Count, f.Total)
	f.Share = round3(sh)
	s := Signal{Kind: Listening, Facts: f}
	if f.Total >= c.lim.ListeningMinMessages && sh < c.lim.ListeningMinShare {
		s.Fired = true
		s.Severity = round3(clamp01(0.2 + 0.6*(1-sh/c.lim.ListeningMinShare)))
	}
	return s
}
