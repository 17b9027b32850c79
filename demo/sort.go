package demo

import (
	"sort"

	"coach/signals"
)

// sortByTS orders events by their message time, as Slack would deliver them.
func sortByTS(evs []map[string]any) {
	sort.SliceStable(evs, func(i, j int) bool {
		a, _ := signals.ParseTS(evs[i]["ts"].(string))
		b, _ := signals.ParseTS(evs[j]["ts"].(string))
		return a.Before(b)
	})
}
