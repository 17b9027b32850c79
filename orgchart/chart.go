package orgchart

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"coach/signals"
)

// Member is a Slack workspace member as users.list gives them.
type Member struct {
	ID, Email, Name string
	Deactivated     bool // deleted: a deactivated account
	Bot             bool
}

// Label is how a member is named to a person: "Ana López (ana@example.com)",
// or whichever of the two they have, or their id.
func (m Member) Label() string {
	switch {
	case m.Name != "" && m.Email != "":
		return m.Name + " (" + m.Email + ")"
	case m.Email != "":
		return m.Email
	case m.Name != "":
		return m.Name
	}
	return m.ID
}

// Link says that Person reports to Manager (Slack ids), and where that
// was read.
type Link struct {
	Person, Manager string
	Where           string // "org.csv:17", "the Slack profile of Ana (ana@example.com)"
	Line            int    // the file's physical line, 0 for a profile
}

// Resolve finds each row's person and manager in Slack by email, in any
// case. A person or manager who is not in Slack, is deactivated or is a
// bot is a problem, and the row gives no link. A row with no manager
// gives no link either: it is the top of the org.
func (f *File) Resolve(members []Member) ([]Link, []Problem) {
	byEmail := emailIndex(members)
	var links []Link
	var problems []Problem
	for _, r := range f.Rows {
		where := fmt.Sprintf("%s:%d", f.Name, r.Line)
		p, why := findMember(byEmail, r.Email, "")
		if why == "" && r.Manager != "" {
			var m Member
			m, why = findMember(byEmail, r.Manager, "their manager ")
			if why == "" {
				links = append(links, Link{Person: p.ID, Manager: m.ID, Where: where, Line: r.Line})
			}
		}
		if why != "" {
			problems = append(problems, Problem{Where: where, Line: r.Line, Why: why})
		}
	}
	return links, problems
}

// emailIndex maps lower-case emails to members; where two members share
// an email, an active person is preferred to a deactivated one or a bot.
func emailIndex(members []Member) map[string]Member {
	out := make(map[string]Member, len(members))
	for _, m := range members {
		e := strings.ToLower(strings.TrimSpace(m.Email))
		if e == "" {
			continue
		}
		if old, ok := out[e]; ok && !old.Deactivated && !old.Bot {
			continue
		}
		out[e] = m
	}
	return out
}

func findMember(byEmail map[string]Member, email, role string) (Member, string) {
	m, ok := byEmail[email]
	switch {
	case !ok:
		return m, role + email + " is nobody's email in Slack"
	case m.Deactivated:
		return m, role + email + " is deactivated in Slack"
	case m.Bot:
		return m, role + email + " is a bot in Slack"
	}
	return m, ""
}

// Build makes the tree: each person's manager, from links. A person given
// two different managers, a person who reports to themself and everyone
// in a cycle get no manager from these links; each is a problem where
// the link was read. label names people in the problems.
func Build(links []Link, label func(id string) string) (map[string]string, []Problem) {
	var problems []Problem
	byPerson := map[string][]Link{}
	for _, l := range links {
		byPerson[l.Person] = append(byPerson[l.Person], l)
	}
	managerOf := make(map[string]string, len(byPerson))
	linkOf := make(map[string]Link, len(byPerson))
	for p, ls := range byPerson {
		l := ls[0]
		two := false
		for _, o := range ls[1:] {
			two = two || o.Manager != l.Manager
		}
		switch {
		case two:
			why := fmt.Sprintf("%s is given %d different managers (%s): none is used", label(p), distinctManagers(ls), wheres(ls))
			for _, o := range ls {
				problems = append(problems, Problem{Where: o.Where, Line: o.Line, Why: why})
			}
		case l.Manager == p:
			for _, o := range ls {
				problems = append(problems, Problem{Where: o.Where, Line: o.Line, Why: label(p) + " reports to themself"})
			}
		default:
			managerOf[p], linkOf[p] = l.Manager, l
		}
	}
	for _, cycle := range cycles(managerOf) {
		names := make([]string, 0, min(len(cycle), maxListed)+2)
		for _, p := range cycle[:min(len(cycle), maxListed)] {
			names = append(names, label(p))
		}
		if len(cycle) > maxListed {
			names = append(names, "… ("+Count(len(cycle)-maxListed)+" more)")
		}
		names = append(names, label(cycle[0]))
		why := "a reporting cycle: " + strings.Join(names, " → ") + "; nobody in it is given a manager"
		for _, p := range cycle {
			l := linkOf[p]
			problems = append(problems, Problem{Where: l.Where, Line: l.Line, Why: why})
			delete(managerOf, p)
		}
	}
	SortProblems(problems)
	return managerOf, problems
}

func distinctManagers(ls []Link) int {
	seen := map[string]bool{}
	for _, l := range ls {
		seen[l.Manager] = true
	}
	return len(seen)
}

// wheres is where each link was read: "org.csv:4, org.csv:9", at most
// maxListed of them and how many more.
func wheres(ls []Link) string {
	out := make([]string, 0, min(len(ls), maxListed))
	for _, l := range ls[:min(len(ls), maxListed)] {
		out = append(out, l.Where)
	}
	s := strings.Join(out, ", ")
	if len(ls) > maxListed {
		s += " and " + Count(len(ls)-maxListed) + " more"
	}
	return s
}

// cycles returns each cycle of the manager relation once, starting at its
// person who sorts first. Each person is walked once.
func cycles(managerOf map[string]string) [][]string {
	const (
		unseen = iota
		walking
		done
	)
	state := make(map[string]int, len(managerOf))
	people := make([]string, 0, len(managerOf))
	for p := range managerOf {
		people = append(people, p)
	}
	sort.Strings(people)
	var out [][]string
	for _, start := range people {
		var path []string
		p, top := start, false
		for state[p] == unseen {
			state[p] = walking
			path = append(path, p)
			m, ok := managerOf[p]
			if !ok {
				top = true
				break
			}
			p = m
		}
		if !top && state[p] == walking { // back on this walk's own path: a cycle
			i := slices.Index(path, p)
			c := slices.Clone(path[i:])
			first := slices.Index(c, slices.Min(c))
			out = append(out, append(c[first:], c[:first]...))
		}
		for _, q := range path {
			state[q] = done
		}
	}
	return out
}

// Teams are the managers' teams of a tree: each manager's direct reports,
// sorted, teams in manager order. They carry only Manager and Reports.
func Teams(managerOf map[string]string) []signals.Team {
	by := map[string][]string{}
	for p, m := range managerOf {
		by[m] = append(by[m], p)
	}
	out := make([]signals.Team, 0, len(by))
	for m, rs := range by {
		sort.Strings(rs)
		out = append(out, signals.Team{Manager: m, Reports: rs})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Manager < out[j].Manager })
	return out
}
