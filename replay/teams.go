package replay

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"coach/internal/jsonscan"
	"coach/signals"
)

// exportUser is what replay reads of a users.json entry to match the names
// in the teams file. The person coach records is made by decode.Decoder from
// the same object, as for a user_change event.
type exportUser struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	RealName string `json:"real_name"`
	Profile  struct {
		RealName    string `json:"real_name"`
		DisplayName string `json:"display_name"`
	} `json:"profile"`
}

// directory finds people by id or by name.
type directory struct {
	byID   map[string]exportUser
	byName map[string][]string // lower-case name, real name or display name → ids
}

func newDirectory(users []exportUser) *directory {
	d := &directory{byID: make(map[string]exportUser, len(users)), byName: map[string][]string{}}
	for _, u := range users {
		d.byID[u.ID] = u
		for _, n := range []string{u.Name, u.RealName, u.Profile.RealName, u.Profile.DisplayName} {
			key := strings.ToLower(strings.TrimSpace(n))
			if key != "" && !slices.Contains(d.byName[key], u.ID) {
				d.byName[key] = append(d.byName[key], u.ID)
			}
		}
	}
	return d
}

// resolve finds the one user a teams-file entry means: a user id, else a
// name, real name or display name (case-insensitive).
func (d *directory) resolve(s string) (string, error) {
	if _, ok := d.byID[s]; ok {
		return s, nil
	}
	ids := d.byName[strings.ToLower(strings.TrimSpace(s))]
	switch len(ids) {
	case 0:
		return "", fmt.Errorf("%q is no one in users.json (want a user id, or a name, real name or display name)", s)
	case 1:
		return ids[0], nil
	}
	var who []string
	for _, id := range ids {
		u := d.byID[id]
		who = append(who, fmt.Sprintf("%s (%s)", id, strings.Join(nonEmpty(u.Name, u.RealName, u.Profile.DisplayName), ", ")))
	}
	return "", fmt.Errorf("%q is ambiguous: it matches %s; use the user id", s, strings.Join(who, " and "))
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// readTeams reads the teams file (path) and resolves every name in it
// against users.json. Every problem is reported, one line each, as
// "path:line: teams[i].reports[k]: why".
func readTeams(path string, dir *directory) ([]signals.Team, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("replay: teams: %w", err)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("replay: %s: %w", path, err)
	}
	tp := &teamsParser{path: path, dir: dir, managerOf: map[string]string{}, teamAt: map[string]string{}}
	teams := tp.parse(&root)
	if len(tp.problems) > 0 {
		return nil, errors.Join(tp.problems...)
	}
	return teams, nil
}

// teamsParser walks the YAML tree, keeping each value's line for errors.
type teamsParser struct {
	path      string
	dir       *directory
	problems  []error
	managerOf map[string]string // report → manager
	teamAt    map[string]string // manager → key path of their team
}

func (tp *teamsParser) add(n *yaml.Node, key, format string, args ...any) {
	loc := tp.path
	if n != nil && n.Line > 0 {
		loc = fmt.Sprintf("%s:%d", tp.path, n.Line)
	}
	if key != "" {
		loc += ": " + key
	}
	tp.problems = append(tp.problems, fmt.Errorf("%s: %s", loc, fmt.Sprintf(format, args...)))
}

const teamsShape = `want "teams:" with a list of {manager: U… or name, reports: [U… or name, …]}`

func (tp *teamsParser) parse(root *yaml.Node) []signals.Team {
	doc := root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		doc = doc.Content[0]
	}
	if doc.Kind != yaml.MappingNode {
		tp.add(doc, "", "%s", teamsShape)
		return nil
	}
	// Other top-level keys are ignored, so coach's own config file, whose
	// teams: uses user ids, works as a teams file too.
	list := mapValue(doc, "teams")
	if list == nil || list.Kind != yaml.SequenceNode || len(list.Content) == 0 {
		tp.add(doc, "teams", "missing or empty (%s)", teamsShape)
		return nil
	}
	var teams []signals.Team
	for i, item := range list.Content {
		if t, ok := tp.team(fmt.Sprintf("teams[%d]", i), item); ok {
			teams = append(teams, t)
		}
	}
	return teams
}

func (tp *teamsParser) team(key string, n *yaml.Node) (signals.Team, bool) {
	if n.Kind != yaml.MappingNode {
		tp.add(n, key, "%s", teamsShape)
		return signals.Team{}, false
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		switch k := n.Content[i]; k.Value {
		case "manager", "reports", "channel", "scheduled_prompts":
		default:
			tp.add(k, key+"."+k.Value, "unknown key (want manager and reports)")
		}
	}
	var t signals.Team
	ok := true
	mn := mapValue(n, "manager")
	if mn == nil || mn.Kind != yaml.ScalarNode || mn.Value == "" {
		tp.add(n, key+".manager", "missing (want the manager's user id or name)")
		ok = false
	} else if id, err := tp.dir.resolve(mn.Value); err != nil {
		tp.add(mn, key+".manager", "%v", err)
		ok = false
	} else if prev, dup := tp.teamAt[id]; dup {
		tp.add(mn, key+".manager", "%s already has a team at %s (list each manager once)", id, prev)
		ok = false
	} else {
		t.Manager = id
		tp.teamAt[id] = key
	}
	rn := mapValue(n, "reports")
	if rn == nil || rn.Kind != yaml.SequenceNode || len(rn.Content) == 0 {
		tp.add(n, key+".reports", "missing or empty (want the user ids or names of the people who report to the manager)")
		return t, false
	}
	for k, r := range rn.Content {
		rk := fmt.Sprintf("%s.reports[%d]", key, k)
		if r.Kind != yaml.ScalarNode {
			tp.add(r, rk, "want a user id or name")
			ok = false
			continue
		}
		id, err := tp.dir.resolve(r.Value)
		if err != nil {
			tp.add(r, rk, "%v", err)
			ok = false
			continue
		}
		switch m, has := tp.managerOf[id]; {
		case id == t.Manager:
			tp.add(r, rk, "%s is the team's own manager (a manager cannot report to themselves)", id)
			ok = false
		case has:
			tp.add(r, rk, "%s already reports to %s (a report has one manager)", id, m)
			ok = false
		default:
			tp.managerOf[id] = t.Manager
			t.Reports = append(t.Reports, id)
		}
	}
	return t, ok
}

// mapValue is the value of key in a mapping node, or nil.
func mapValue(n *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// parseUsers reads the fields of users.json that names are matched by.
func parseUsers(raw []json.RawMessage) ([]exportUser, error) {
	users := make([]exportUser, 0, len(raw))
	for i, r := range raw {
		var u exportUser
		if err := json.Unmarshal(r, &u); err != nil {
			return nil, fmt.Errorf("entry %d: %w", i, jsonscan.Redact(err))
		}
		if u.ID == "" {
			return nil, fmt.Errorf("entry %d has no id", i)
		}
		users = append(users, u)
	}
	return users, nil
}
