package orgchart

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"coach/signals"
)

// Move is one person's change of manager: From "" means they had none,
// To "" that they have none now.
type Move struct {
	Person, From, To string
}

// Change is how one set of teams becomes another, as a person reads it.
// Each person is in at most one of Added, Moved and Removed; someone who
// had no team and is in a new team is only in Created.
type Change struct {
	Created []signals.Team // new teams, with all their reports
	Added   []Move         // joined a team that was there before
	Moved   []Move         // from one manager to another
	Removed []Move         // in a team before, in none now
	Gone    []string       // managers whose team is gone
}

// Empty reports whether nothing changed.
func (c Change) Empty() bool {
	return len(c.Created) == 0 && len(c.Added) == 0 && len(c.Moved) == 0 && len(c.Removed) == 0 && len(c.Gone) == 0
}

// Diff is the change from teams before to teams after. Teams an admin
// removed (Removed) are no teams.
func Diff(before, after []signals.Team) Change {
	was, wasTeam := managers(before)
	now, nowTeam := managers(after)
	var c Change
	for _, t := range after {
		if !t.Removed && !wasTeam[t.Manager] {
			c.Created = append(c.Created, signals.Team{Manager: t.Manager, Reports: sorted(t.Reports)})
		}
	}
	for _, t := range before {
		if !t.Removed && !nowTeam[t.Manager] {
			c.Gone = append(c.Gone, t.Manager)
		}
	}
	for p, to := range now {
		from := was[p]
		switch {
		case from == "" && !wasTeam[to]:
			// in a new team: Created lists them
		case from == "":
			c.Added = append(c.Added, Move{Person: p, To: to})
		case from != to:
			c.Moved = append(c.Moved, Move{Person: p, From: from, To: to})
		}
	}
	for p, from := range was {
		if now[p] == "" {
			c.Removed = append(c.Removed, Move{Person: p, From: from})
		}
	}
	for _, ms := range [][]Move{c.Added, c.Moved, c.Removed} {
		sort.Slice(ms, func(i, j int) bool { return ms[i].Person < ms[j].Person })
	}
	sort.Slice(c.Created, func(i, j int) bool { return c.Created[i].Manager < c.Created[j].Manager })
	sort.Strings(c.Gone)
	return c
}

// managers is each report's manager and the set of managers with a team.
func managers(teams []signals.Team) (map[string]string, map[string]bool) {
	of, has := map[string]string{}, map[string]bool{}
	for _, t := range teams {
		if t.Removed {
			continue
		}
		has[t.Manager] = true
		for _, r := range t.Reports {
			of[r] = t.Manager
		}
	}
	return of, has
}

func sorted(ss []string) []string {
	out := append([]string(nil), ss...)
	sort.Strings(out)
	return out
}

// Write prints the change, one person or team a line, each section sorted
// by how people are named (label), or "no changes".
func (c Change) Write(w io.Writer, label func(id string) string) {
	if c.Empty() {
		fmt.Fprintln(w, "Teams: no changes.")
		return
	}
	fmt.Fprintf(w, "Teams: %s.\n", c.Summary())
	names := func(ids []string) string {
		out := make([]string, len(ids))
		for i, id := range ids {
			out[i] = label(id)
		}
		sort.Strings(out)
		return strings.Join(out, ", ")
	}
	section := func(title string, lines []string) {
		if len(lines) == 0 {
			return
		}
		sort.Strings(lines)
		fmt.Fprintf(w, "%s (%d):\n", title, len(lines))
		for _, l := range lines {
			fmt.Fprintf(w, "  %s\n", l)
		}
	}
	var lines []string
	for _, t := range c.Created {
		lines = append(lines, label(t.Manager)+": "+names(t.Reports))
	}
	section("Teams created", lines)
	lines = nil
	for _, m := range c.Added {
		lines = append(lines, label(m.Person)+" joins "+label(m.To)+"'s team")
	}
	section("People added", lines)
	lines = nil
	for _, m := range c.Moved {
		lines = append(lines, label(m.Person)+" moves from "+label(m.From)+"'s team to "+label(m.To)+"'s")
	}
	section("People moved", lines)
	lines = nil
	for _, m := range c.Removed {
		lines = append(lines, label(m.Person)+" leaves "+label(m.From)+"'s team")
	}
	section("People removed", lines)
	lines = nil
	for _, m := range c.Gone {
		lines = append(lines, label(m))
	}
	section("Teams gone (no reports left)", lines)
}

// Summary counts the change in words: "3 teams created, 1 person moved".
func (c Change) Summary() string {
	var parts []string
	add := func(n int, one, many, what string) {
		if n == 0 {
			return
		}
		word := many
		if n == 1 {
			word = one
		}
		parts = append(parts, fmt.Sprintf("%d %s %s", n, word, what))
	}
	add(len(c.Created), "team", "teams", "created")
	add(len(c.Added), "person", "people", "added")
	add(len(c.Moved), "person", "people", "moved")
	add(len(c.Removed), "person", "people", "removed")
	add(len(c.Gone), "team", "teams", "gone")
	if len(parts) == 0 {
		return "no changes"
	}
	return strings.Join(parts, ", ")
}

// MaxProblemsPrinted is how many problems WriteProblems prints; the rest
// are counted. A file with thousands of bad rows has one mistake or a
// few, which the first hundred show.
const MaxProblemsPrinted = 100

// WriteProblems prints under title ("Rows not used") what could not be
// used, one a line with where it is: the first MaxProblemsPrinted, then
// how many more.
func WriteProblems(w io.Writer, title string, ps []Problem) {
	if len(ps) == 0 {
		return
	}
	fmt.Fprintf(w, "%s (%d):\n", title, len(ps))
	for _, p := range ps[:min(len(ps), MaxProblemsPrinted)] {
		fmt.Fprintf(w, "  %s\n", p)
	}
	if n := len(ps) - MaxProblemsPrinted; n > 0 {
		fmt.Fprintf(w, "  … and %s more, not shown: fix the ones above and run it again to see the rest\n", Count(n))
	}
}
