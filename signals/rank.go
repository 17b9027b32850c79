package signals

import "sort"

// ranked turns per-report counts into facts, largest count first (smallest
// first when asc), ties by team order. Zero counts are left out unless asc.
func (c *calc) ranked(per map[string]int, asc bool) []ReportFact {
	var out []ReportFact
	for _, r := range c.reports {
		k, ok := per[r]
		if !ok || (!asc && k == 0) {
			continue
		}
		f := c.fact(r)
		f.Count = k
		out = append(out, f)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if asc {
			return out[i].Count < out[j].Count
		}
		return out[i].Count > out[j].Count
	})
	return out
}

// rankedDays turns per-report day counts into facts, longest first.
func (c *calc) rankedDays(per map[string]int) []ReportFact {
	var out []ReportFact
	for _, r := range c.reports {
		if d, ok := per[r]; ok {
			f := c.fact(r)
			f.Days = d
			out = append(out, f)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Days > out[j].Days })
	return out
}
