package signals

// recognition: thanks and kudos messages, and positive reactions, from the
// manager to each report. Fires when a report had none in RecognitionDays
// days, once coach has seen that much of all the manager's conversations
// (c.covered). A recognition seen before then still counts against a claim.
func (c *calc) recognition() Signal {
	f := Facts{Days: c.lim.RecognitionDays, Total: len(c.reports)}
	got := map[string]int{}
	c.span(f.Days, func(w *DayWindow) {
		for _, r := range c.reports {
			if rd := w.Reports[r]; rd != nil {
				got[r] += rd.Recognition
				f.Count += rd.Recognition
			}
		}
	})
	// A report recognised today, after the window's end, is not named: the
	// manager has just done what the nudge would ask.
	today := c.days[c.today]
	without := map[string]int{}
	if c.covered-1 >= f.Days { // history reaches back the full period
		for _, r := range c.reports {
			if today != nil && today.Reports[r] != nil && today.Reports[r].Recognition > 0 {
				continue
			}
			if got[r] == 0 {
				without[r] = c.daysSinceRecognition(r)
			}
		}
	}
	f.Reports = c.rankedDays(without)
	s := Signal{Kind: Recognition, Facts: f}
	if len(without) > 0 {
		s.Fired = true
		s.Severity = round3(clamp01(0.2 + 0.6*float64(len(without))/float64(len(c.reports))))
	}
	return s
}

// daysSinceRecognition looks back through the windows held for the last
// recognition of r; with none, it is the whole history.
func (c *calc) daysSinceRecognition(r string) int {
	for back := 0; back < c.covered; back++ {
		if w, ok := c.days[c.today-Day(back)]; ok {
			if rd := w.Reports[r]; rd != nil && rd.Recognition > 0 {
				return back
			}
		}
	}
	return c.covered - 1
}
