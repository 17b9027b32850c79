package bot

import (
	"strings"

	"coach/signals"
)

// HintText is the in-the-moment hint: gentle, specific, and only ever seen
// by the manager.
func HintText(o *signals.Org, h signals.Hint) string {
	names := make([]string, 0, len(h.Reports))
	for _, r := range h.Reports {
		names = append(names, o.Name(r))
	}
	who := strings.Join(names, ", ")
	if i := strings.LastIndex(who, ", "); i >= 0 {
		who = who[:i] + " and " + who[i+2:]
	}
	return "🌙 Just so you know (only you can see this): your message lands outside " + who +
		"'s working hours. Next time, Slack's *Schedule for later* (the arrow next to Send) can deliver it when their day starts."
}
