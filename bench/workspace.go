package bench

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"coach/signals"
)

// zones are the IANA zones people are spread over, with the share of teams
// in each: most of a team sits in its manager's zone.
var zones = []struct {
	name  string
	share int
}{
	{"America/Los_Angeles", 18},
	{"America/New_York", 22},
	{"America/Sao_Paulo", 6},
	{"Europe/London", 14},
	{"Europe/Berlin", 16},
	{"Asia/Kolkata", 10},
	{"Asia/Tokyo", 8},
	{"Australia/Sydney", 6},
}

// workspace is the generated org: users 0..managers-1 lead a team each,
// the next managers×reports users are their reports (team m owns
// managers+m*reports …), and the rest belong to no team.
//
// Conversation ids encode what they are (convID), so the members of every
// DM and group DM can be told from the id (Members) without a table.
type workspace struct {
	managers, reports, users int

	ids  []string // user ids
	zone []uint8  // index into zones
	locs []*time.Location

	crossWith   []int32 // by manager: the other manager of their cross-team DM
	outsideWith []int32 // by outsider: the team member of their DM
}

// Conversation kinds, the top byte of a conversation number.
const (
	convManagerDM   = 1 + iota // by report: the DM with their manager
	convPeerDM                 // by report: a DM with the next report in the team
	convCrossDM                // by manager: a DM with another manager
	convOutsideDM              // by outsider: a DM with a team member
	convTeamGroup              // by manager: group DM of the manager and reports 0–2
	convPeerGroup              // by manager: group DM of reports 1–3
	convTeamChannel            // by manager: the team's channel
	convGeneral                // busy channels everyone posts in
)

const nGeneral = 24

// convID is the Slack-looking id of conversation i of kind k: "D", "G" or
// "C" and eight hex digits.
func convID(k, i int) string {
	prefix := "C"
	switch k {
	case convManagerDM, convPeerDM, convCrossDM, convOutsideDM:
		prefix = "D"
	case convTeamGroup, convPeerGroup:
		prefix = "G"
	}
	return fmt.Sprintf("%s%08X", prefix, k<<24|i)
}

func newWorkspace(users, managers, reports int, rng *rand.Rand) (*workspace, error) {
	if managers*(reports+1) > users {
		return nil, fmt.Errorf("%d managers with %d reports each need more than %d users", managers, reports, users)
	}
	if reports < 4 || managers < 2 {
		return nil, fmt.Errorf("%d teams of %d reports: the traffic needs at least 2 teams of 4", managers, reports)
	}
	if users >= 1<<24 {
		return nil, fmt.Errorf("%d users: at most %d", users, 1<<24-1)
	}
	w := &workspace{managers: managers, reports: reports, users: users}
	for _, z := range zones {
		loc, err := time.LoadLocation(z.name)
		if err != nil {
			return nil, fmt.Errorf("zone %s: %w", z.name, err)
		}
		w.locs = append(w.locs, loc)
	}
	w.ids = make([]string, users)
	w.zone = make([]uint8, users)
	for u := range users {
		w.ids[u] = fmt.Sprintf("U%08X", 0x10000000+u)
	}
	for m := range managers {
		z := pickZone(rng)
		w.zone[m] = z
		for r := range reports {
			rz := z
			if rng.IntN(5) == 0 { // a fifth of reports work from elsewhere
				rz = pickZone(rng)
			}
			w.zone[w.report(m, r)] = rz
		}
		w.crossWith = append(w.crossWith, int32((m+1+rng.IntN(managers-1))%managers))
	}
	for u := w.inTeams(); u < users; u++ {
		w.zone[u] = pickZone(rng)
		w.outsideWith = append(w.outsideWith, int32(rng.IntN(w.inTeams())))
	}
	return w, nil
}

func pickZone(rng *rand.Rand) uint8 {
	n := rng.IntN(100)
	for i, z := range zones {
		if n < z.share {
			return uint8(i)
		}
		n -= z.share
	}
	return 0
}

// report is the user index of manager m's r-th report.
func (w *workspace) report(m, r int) int { return w.managers + m*w.reports + r }

// teamOf is the manager of u (themselves for a manager), or -1.
func (w *workspace) teamOf(u int) int {
	switch {
	case u < w.managers:
		return u
	case u < w.managers*(w.reports+1):
		return (u - w.managers) / w.reports
	}
	return -1
}

// inTeams is the number of users in a team.
func (w *workspace) inTeams() int { return w.managers * (w.reports + 1) }

// people and teams are the directory the bot would load from users.list
// and the config file.
func (w *workspace) people() []signals.Person {
	out := make([]signals.Person, w.users)
	for u := range w.users {
		out[u] = signals.Person{ID: w.ids[u], Name: fmt.Sprintf("Person %d", u), TZ: zones[w.zone[u]].name}
	}
	return out
}

func (w *workspace) teams() []signals.Team {
	out := make([]signals.Team, w.managers)
	for m := range w.managers {
		t := signals.Team{Manager: w.ids[m], Channel: convID(convTeamChannel, m), Source: "config"}
		for r := range w.reports {
			t.Reports = append(t.Reports, w.ids[w.report(m, r)])
		}
		out[m] = t
	}
	return out
}

// Members is the members of a generated DM or group DM, from its id; nil
// for anything else.
func (w *workspace) Members(channel string) []string {
	if len(channel) != 9 {
		return nil
	}
	n, err := strconv.ParseUint(channel[1:], 16, 32)
	if err != nil {
		return nil
	}
	k, i := int(n>>24), int(n&(1<<24-1))
	ids := func(us ...int) []string {
		out := make([]string, len(us))
		for j, u := range us {
			out[j] = w.ids[u]
		}
		return out
	}
	switch {
	case k == convManagerDM && i >= w.managers && i < w.inTeams():
		return ids(w.teamOf(i), i)
	case k == convPeerDM && i >= w.managers && i < w.inTeams():
		m := w.teamOf(i)
		return ids(i, w.report(m, (i-w.managers+1)%w.reports))
	case k == convCrossDM && i < w.managers:
		return ids(i, int(w.crossWith[i]))
	case k == convOutsideDM && i < len(w.outsideWith):
		return ids(w.inTeams()+i, int(w.outsideWith[i]))
	case k == convTeamGroup && i < w.managers:
		return ids(i, w.report(i, 0), w.report(i, 1), w.report(i, 2))
	case k == convPeerGroup && i < w.managers:
		return ids(w.report(i, 1), w.report(i, 2), w.report(i, 3))
	}
	return nil
}
