package bot

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"coach/nudges"
	"coach/signals"
	"coach/store"
)

// teamCommand edits who reports to whom. Every change is checked first: no
// one reports to themself, and nobody is in two teams.
func (s *Server) teamCommand(ctx context.Context, c Command) Reply {
	ids, err := s.resolve(c.Mentions)
	if err != nil {
		return say("%s", err.Error())
	}
	org := s.Org()
	m := ids[0]
	cur := signals.Team{Manager: m}
	if t, ok := org.Teams[m]; ok {
		cur = *t
	}
	switch c.Sub {
	case "set":
		cur.Reports = ids[1:]
	case "add":
		for _, r := range cur.Reports {
			if r == ids[1] {
				return say("%s already reports to %s.", org.Name(ids[1]), org.Name(m))
			}
		}
		cur.Reports = append(append([]string(nil), cur.Reports...), ids[1])
	case "remove":
		if len(ids) == 1 {
			if _, ok := org.Teams[m]; !ok {
				return say("%s doesn't lead a team in coach.", org.Name(m))
			}
			if err := s.db.RemoveTeam(m); err != nil {
				return s.failed(err)
			}
			return s.teamsChanged(ctx, fmt.Sprintf("Done: %s's team is removed from coach.", org.Name(m)))
		}
		kept := cur.Reports[:0:0]
		for _, r := range cur.Reports {
			if r != ids[1] {
				kept = append(kept, r)
			}
		}
		if len(kept) == len(cur.Reports) {
			return say("%s doesn't report to %s.", org.Name(ids[1]), org.Name(m))
		}
		cur.Reports = kept
	case "channel":
		if _, ok := org.Teams[m]; !ok {
			return say("%s doesn't lead a team in coach; set one first with `/coach team set`.", org.Name(m))
		}
		cur.Channel = c.Channel
	}
	for i, r := range cur.Reports {
		if r == m {
			return say("%s can't report to themself. Usage: `%s`", org.Name(m), usage["team"])
		}
		for _, q := range cur.Reports[:i] {
			if q == r {
				return say("%s is named twice. Usage: `%s`", org.Name(r), usage["team"])
			}
		}
		if p := org.People[r]; p != nil && p.IsBot {
			return say("%s is a bot; only people can be in a team.", org.Name(r))
		}
	}
	if err := s.db.SetTeam(cur); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return s.conflict(err, cur)
		}
		return s.failed(err)
	}
	return s.teamsChanged(ctx, fmt.Sprintf("Done: %s leads %s.", org.Name(m), teamLine(org, cur)))
}

// conflict explains a report who is already in another team.
func (s *Server) conflict(err error, t signals.Team) Reply {
	org := s.Org()
	for _, r := range t.Reports {
		if other, ok, _ := s.db.TeamOf(r); ok && other != t.Manager {
			return say("%s already reports to %s; remove them there first with `/coach team remove @%s @%s`.",
				org.Name(r), org.Name(other), org.Name(other), org.Name(r))
		}
	}
	return say("That would put someone in two teams (%s).", clip(err.Error()))
}

func teamLine(org *signals.Org, t signals.Team) string {
	s := "nobody yet"
	if len(t.Reports) > 0 {
		s = sortedNames(org, t.Reports)
	}
	if t.Channel != "" {
		s += " (team channel <#" + t.Channel + ">)"
	}
	return s
}

// teamsChanged rebuilds the org, tells new members what is measured, and
// answers.
func (s *Server) teamsChanged(ctx context.Context, msg string) Reply {
	if err := s.rebuildOrg(); err != nil {
		return s.failed(err)
	}
	return Reply{Text: msg, After: func() { s.noticeMembers(context.Background()) }}
}

func (s *Server) teamsCommand() Reply {
	org := s.Org()
	if len(org.Teams) == 0 {
		return say("No teams yet. Add one with `/coach team set @manager @report…` or in the config file.")
	}
	var lines []string
	for m, t := range org.Teams {
		lines = append(lines, fmt.Sprintf("• %s: %s", org.Name(m), teamLine(org, *t)))
	}
	sort.Strings(lines)
	return say("*Teams in coach* (%d)\n%s", len(lines), strings.Join(lines, "\n"))
}

// stats are aggregates only: no manager's signals, nudges or feedback.
func (s *Server) stats() Reply {
	org := s.Org()
	st, err := s.db.Stats()
	if err != nil {
		return s.failed(err)
	}
	reports := 0
	for m := range org.Teams {
		reports += len(org.Reports(m))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "*coach, workspace-wide* (aggregates only: no one manager's data)\n")
	fmt.Fprintf(&b, "• %s, %s measured\n", plural(len(org.Teams), "manager"), plural(reports, "report"))
	fmt.Fprintf(&b, "• %s sent\n", plural(int(st["digests_sent"]), "digest"))
	var kinds []string
	for _, k := range signals.Kinds {
		n := st["nudges/"+string(k)]
		if n == 0 {
			continue
		}
		helpful := st["feedback/"+string(k)+"/"+string(nudges.Helpful)]
		answered := helpful + st["feedback/"+string(k)+"/"+string(nudges.NotForMe)] + st["feedback/"+string(k)+"/"+string(nudges.Snooze)] + st["feedback/"+string(k)+"/"+string(nudges.Share)]
		rate := "no feedback yet"
		if answered > 0 {
			rate = fmt.Sprintf("%d%% helpful of %d answered", helpful*100/answered, answered)
		}
		kinds = append(kinds, fmt.Sprintf("%s: %d nudges, %s", k, n, rate))
	}
	if len(kinds) > 0 {
		fmt.Fprintf(&b, "• nudges by kind: %s\n", strings.Join(kinds, "; "))
	}
	var agreed []string
	for _, k := range s.norms.Kinds() {
		if n := st["norms_agreed/"+string(k)]; n > 0 {
			agreed = append(agreed, fmt.Sprintf("%s %d", k, n))
		}
	}
	if len(agreed) == 0 {
		agreed = []string{"none yet"}
	}
	fmt.Fprintf(&b, "• norms agreed: %s", strings.Join(agreed, ", "))
	return Reply{Text: b.String()}
}

// nudgeCommand sends a manager's digest now, to that manager. The admin is
// not told what it said, or whether it said anything.
func (s *Server) nudgeCommand(ctx context.Context, c Command) Reply {
	ids, err := s.resolve(c.Mentions)
	if err != nil {
		return say("%s", strings.Replace(err.Error(), usage["team"], usage["nudge"], 1))
	}
	m := ids[0]
	org := s.Org()
	if !org.IsManager(m) {
		return say("%s doesn't lead a team in coach. Usage: `%s`", org.Name(m), usage["nudge"])
	}
	return Reply{
		Text: fmt.Sprintf("Done: if coach has something for %s this week, it's in their DMs now. What it says is for them alone.", org.Name(m)),
		After: func() {
			if _, err := s.scheduler.SendNow(context.Background(), m, s.cfg.Now()); err != nil {
				s.log.Warn().Err(err).Str("manager", m).Msg("/coach nudge")
			}
		},
	}
}

// scheduleCommand changes when digests go out, for every manager, in their
// own time zone. It is kept across restarts.
func (s *Server) scheduleCommand(c Command) Reply {
	sched, err := nudges.ParseSchedule(c.Cron)
	if err != nil {
		return say("`%s` is not a cron schedule. Usage: `%s`", clip(c.Cron), usage["schedule"])
	}
	if err := s.db.SetMeta("schedule", c.Cron); err != nil {
		return s.failed(err)
	}
	s.scheduler.SetSchedule(sched)
	return say("Done: digests now go out at `%s` in each manager's own time zone (moved into their working hours when needed).", c.Cron)
}
