package pulse

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

// Point is a statement's score in one closed pulse.
type Point struct {
	Opens time.Time
	Mean  float64
}

// Trends are each statement's scores over a team's closed pulses, oldest
// first, by statement id. Pulses without a result, and statements without
// enough answers in a pulse, add nothing.
func Trends(c *Catalog, results []Pulse) map[string][]Point {
	sorted := append([]Pulse(nil), results...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Opens.Before(sorted[j].Opens) })
	out := map[string][]Point{}
	for _, p := range sorted {
		if !p.HasResult() {
			continue
		}
		for _, id := range p.Statements {
			s, ok := c.Lookup(id)
			cs, has := p.Counts[id]
			if !ok || !has || cs.N() == 0 {
				continue
			}
			out[id] = append(out[id], Point{Opens: p.Opens, Mean: cs.Mean(s)})
		}
	}
	return out
}

// Agreed is a norm a team agreed: its norm prompt kind, what in words
// (":city_sunset: until 20:00 is fine"), and when.
type Agreed struct {
	Kind, Description string
	At                time.Time
}

// Move is one statement's score in the latest pulse and, if it was asked
// before, in the pulse before that.
type Move struct {
	Statement Statement
	Now       float64
	Before    float64
	Since     time.Time // when it was last asked; zero if never
	Norm      *Agreed   // a norm bearing on it agreed since, if any
}

// Moves are the statements of results' latest pulse with a score, in the
// order asked, each with its previous score and a norm agreed since that
// bears on it.
func Moves(c *Catalog, results []Pulse, agreed []Agreed) []Move {
	latest, ok := Latest(results)
	if !ok {
		return nil
	}
	trends := Trends(c, results)
	var out []Move
	for _, id := range latest.Statements {
		s, _ := c.Lookup(id)
		pts := trends[id]
		if len(pts) == 0 || !pts[len(pts)-1].Opens.Equal(latest.Opens) {
			continue
		}
		m := Move{Statement: s, Now: pts[len(pts)-1].Mean}
		if len(pts) >= 2 {
			prev := pts[len(pts)-2]
			m.Before, m.Since = prev.Mean, prev.Opens
			for i := range agreed {
				a := agreed[i]
				if a.At.After(prev.Opens) && !a.At.After(latest.Opens) && containsString(s.Norms, a.Kind) {
					m.Norm = &a
					break
				}
			}
		}
		out = append(out, m)
	}
	return out
}

// Latest is the newest of results that has a result.
func Latest(results []Pulse) (Pulse, bool) {
	var best Pulse
	found := false
	for _, p := range results {
		if p.HasResult() && (!found || p.Opens.After(best.Opens)) {
			best, found = p, true
		}
	}
	return best, found
}

// DigestLine is the one line a manager's next digest says about the team's
// latest pulse result: how a statement moved since it was last asked,
// beside a norm the team agreed in between when there is one ("Since your
// team agreed :city_sunset: until 20:00 is fine, *I can switch off after
// work* went from 3.1 to 3.9."), else the statement that moved most, else
// the first scores. "" when there is no result.
func DigestLine(c *Catalog, results []Pulse, agreed []Agreed) string {
	moves := Moves(c, results, agreed)
	if len(moves) == 0 {
		return ""
	}
	var pick *Move
	for i := range moves {
		if moves[i].Norm != nil {
			pick = &moves[i]
			break
		}
	}
	if pick == nil {
		for i := range moves {
			m := &moves[i]
			if !m.Since.IsZero() && (pick == nil || math.Abs(m.Now-m.Before) > math.Abs(pick.Now-pick.Before)) {
				pick = m
			}
		}
	}
	const more = " Your App Home has every score, beside what you worked on."
	if pick == nil {
		parts := make([]string, 0, len(moves))
		for _, m := range moves {
			parts = append(parts, fmt.Sprintf("*%s* %s", m.Statement.Name(), Score(m.Now)))
		}
		return "Your team's trust pulse is in: " + strings.Join(parts, ", ") + "." + more
	}
	went := "went from " + Score(pick.Before) + " to " + Score(pick.Now)
	if Score(pick.Before) == Score(pick.Now) {
		went = "stayed at " + Score(pick.Now)
	}
	if pick.Norm != nil {
		return fmt.Sprintf("Since your team agreed %s, *%s* %s in the trust pulse.%s", pick.Norm.Description, pick.Statement.Name(), went, more)
	}
	return fmt.Sprintf("In your team's latest trust pulse, *%s* %s since it was last asked.%s", pick.Statement.Name(), went, more)
}

// ShareText is what "Share with my team" posts: the latest result's scores
// as a conversation starter, in the manager's name (manager is how Slack
// shows them, e.g. "<@U123>"), with the starter of its lowest score.
func ShareText(c *Catalog, results []Pulse, manager string, min int) string {
	moves := Moves(c, results, nil)
	if len(moves) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s shared the team's latest trust pulse. It is anonymous: coach keeps only counts, and shows a statement's team score only from at least %d answers. 1 is strongly disagree, 5 strongly agree; higher is better.\n", manager, max(min, MinResponsesFloor))
	low := moves[0]
	for _, m := range moves {
		fmt.Fprintf(&b, "• *%s*: %s", m.Statement.Name(), Score(m.Now))
		if !m.Since.IsZero() {
			fmt.Fprintf(&b, " (last time %s)", Score(m.Before))
		}
		b.WriteString("\n")
		if m.Now < low.Now {
			low = m
		}
	}
	fmt.Fprintf(&b, "A question to start with: _%s_ Reply in this thread, or bring it to the next team meeting.", low.Statement.Starter)
	return b.String()
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
