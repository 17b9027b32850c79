package bot

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"coach/signals"
	"coach/store"
)

// orgChartChanged follows a change of teams that teams_from applied: a new
// org snapshot, then the consent notice for new members, in the
// background and paced.
func (s *Server) orgChartChanged(ctx context.Context) {
	if err := s.rebuildOrg(); err != nil {
		s.log.Error().Err(err).Msg("rebuild the org after teams_from")
		return
	}
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		s.noticeMembers(ctx)
	}()
}

// teamSource is where a team comes from, as /coach teams shows it: config
// (the YAML file), admin (/coach team), import (an HR export) or
// slack_profile (the profile field). store/doc.go has their precedence.
func teamSource(t signals.Team) string {
	if t.Source == "" {
		return store.SourceConfig
	}
	return t.Source
}

// teamsBudget bounds the text of /coach teams, well inside Slack's 40,000
// characters and short enough to read in one ephemeral: an org of
// thousands gets a summary and the first teams, and /coach teams @manager
// shows one team in full.
const teamsBudget = 3500

// teamsSummaryReports is how many reports a team's line names in the
// summary of a large org.
const teamsSummaryReports = 5

// teamsCommand is /coach teams: every team, one line each, with its
// source; for an org too large for that, the teams per source and as many
// teams as fit; with a manager, that manager's team in full.
func (s *Server) teamsCommand(c Command) Reply {
	org := s.Org()
	if len(c.Mentions) == 1 {
		ids, err := s.resolve(c.Name, c.Mentions)
		if err != nil {
			return say("%s", err.Error())
		}
		return say("%s", oneTeam(org, ids[0]))
	}
	if len(org.Teams) == 0 {
		return say("No teams yet. Add one with `/coach team set @manager @report…` or in the config file.")
	}
	lines := make([]string, 0, len(org.Teams))
	size := 0
	for m, t := range org.Teams {
		l := fmt.Sprintf("• %s: %s (%s)", org.Name(m), teamLine(org, *t), teamSource(*t))
		lines = append(lines, l)
		size += len(l) + 1
	}
	if size <= teamsBudget {
		sort.Strings(lines)
		return say("*Teams in coach* (%d)\n%s", len(lines), strings.Join(lines, "\n"))
	}
	return say("%s", teamsSummary(org))
}

// teamsSummary is /coach teams for an org too large to list: how many
// teams and people each source gives, then the first teams by manager
// name, each naming a few reports, within teamsBudget.
func teamsSummary(org *signals.Org) string {
	teams, people := map[string]int{}, map[string]int{}
	type entry struct{ name, line string }
	entries := make([]entry, 0, len(org.Teams))
	for m, t := range org.Teams {
		src := teamSource(*t)
		teams[src]++
		people[src] += len(t.Reports)
		names := make([]string, 0, len(t.Reports))
		for _, r := range t.Reports {
			names = append(names, clip(org.Name(r)))
		}
		sort.Strings(names)
		shown := strings.Join(names[:min(len(names), teamsSummaryReports)], ", ")
		if n := len(names) - teamsSummaryReports; n > 0 {
			shown += fmt.Sprintf(" and %d more", n)
		}
		if len(names) == 0 {
			shown = "nobody yet"
		}
		entries = append(entries, entry{org.Name(m), fmt.Sprintf("• %s: %s (%s)", clip(org.Name(m)), shown, src)})
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].name < entries[j].name })
	var b strings.Builder
	fmt.Fprintf(&b, "*Teams in coach* (%d)\n", len(entries))
	var bySource []string
	for _, src := range []string{store.SourceAdmin, store.SourceConfig, store.SourceImport, store.SourceSlackProfile} {
		if teams[src] > 0 {
			bySource = append(bySource, fmt.Sprintf("%s with %s (%s)", plural(teams[src], "team"), plural(people[src], "report"), teamSourceWords[src]))
		}
	}
	fmt.Fprintf(&b, "%s.\n", strings.Join(bySource, "; "))
	const tail = "\n…and %d more teams. `/coach teams @manager` shows one team in full."
	shown := 0
	for _, e := range entries {
		if b.Len()+len(e.line)+1+len(tail)+10 > teamsBudget {
			break
		}
		b.WriteString(e.line + "\n")
		shown++
	}
	text := strings.TrimSuffix(b.String(), "\n")
	if rest := len(entries) - shown; rest > 0 {
		text += fmt.Sprintf(tail, rest)
	}
	return text
}

// teamSourceWords says each source as an admin reads it.
var teamSourceWords = map[string]string{
	store.SourceAdmin:        "admin: set with /coach team",
	store.SourceConfig:       "config: the config file",
	store.SourceImport:       "import: the HR export",
	store.SourceSlackProfile: "slack_profile: the profile field",
}

// oneTeam is /coach teams @manager: the manager's team in full (within
// teamsBudget) with its source and channel, and whose team the manager
// is in.
func oneTeam(org *signals.Org, m string) string {
	var b strings.Builder
	t, ok := org.Teams[m]
	if ok {
		fmt.Fprintf(&b, "*%s's team* (%s): %s", org.Name(m), teamSource(*t), plural(len(t.Reports), "report"))
		if t.Channel != "" {
			b.WriteString(", team channel <#" + t.Channel + ">")
		}
		b.WriteString("\n")
		names := make([]string, 0, len(t.Reports))
		for _, r := range t.Reports {
			names = append(names, org.Name(r))
		}
		sort.Strings(names)
		for i, n := range names {
			if b.Len()+len(n)+60 > teamsBudget {
				fmt.Fprintf(&b, "…and %d more.\n", len(names)-i)
				break
			}
			b.WriteString("• " + n + "\n")
		}
	} else {
		fmt.Fprintf(&b, "%s doesn't lead a team in coach.\n", org.Name(m))
	}
	if boss, ok := org.ManagerOf(m); ok {
		fmt.Fprintf(&b, "%s is in %s's team (%s).", org.Name(m), org.Name(boss), teamSource(*org.Teams[boss]))
	}
	return strings.TrimSuffix(b.String(), "\n")
}
