package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"coach/nudges"
	"coach/signals"
	"coach/store"
)

// teamCommand edits who reports to whom. Every change is checked first: no
// one reports to themself, and nobody is in two teams.
func (s *Server) teamCommand(ctx context.Context, c Command) Reply {
	ids, err := s.resolve(c.Name, c.Mentions)
	if err != nil {
		return say("%s", err.Error())
	}
	org := s.Org()
	m := ids[0]
	if c.Sub == "remove" && len(ids) == 1 {
		return s.removeTeam(ctx, org, m)
	}
	cur := signals.Team{Manager: m}
	if t, ok := org.Teams[m]; ok {
		cur = *t
	}
	var refused string
	switch c.Sub {
	case "set":
		cur.Reports = ids[1:]
	case "add":
		cur, refused = addReport(org, cur, ids[1])
	case "remove":
		cur, refused = removeReport(org, cur, ids[1])
	case "channel":
		if _, ok := org.Teams[m]; !ok {
			refused = fmt.Sprintf("%s doesn't lead a team in coach; set one first with `/coach team set`.", org.Name(m))
		}
		cur.Channel = c.Channel
	}
	if refused == "" {
		refused = checkReports(org, cur)
	}
	if refused != "" {
		return say("%s", refused)
	}
	if err := s.db.SetTeam(cur); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return s.conflict(err, cur)
		}
		return s.failed(err)
	}
	return s.teamsChanged(ctx, fmt.Sprintf("Done: %s leads %s.", org.Name(m), teamLine(org, cur)))
}

// removeTeam is /coach team remove @manager: the whole team goes.
func (s *Server) removeTeam(ctx context.Context, org *signals.Org, m string) Reply {
	if _, ok := org.Teams[m]; !ok {
		return say("%s doesn't lead a team in coach.", org.Name(m))
	}
	if err := s.db.RemoveTeam(m); err != nil {
		return s.failed(err)
	}
	return s.teamsChanged(ctx, fmt.Sprintf("Done: %s's team is removed from coach.", org.Name(m)))
}

// addReport is t with report r added, or why not.
func addReport(org *signals.Org, t signals.Team, r string) (signals.Team, string) {
	for _, q := range t.Reports {
		if q == r {
			return t, fmt.Sprintf("%s already reports to %s.", org.Name(r), org.Name(t.Manager))
		}
	}
	t.Reports = append(append([]string(nil), t.Reports...), r)
	return t, ""
}

// removeReport is t without report r, or why not.
func removeReport(org *signals.Org, t signals.Team, r string) (signals.Team, string) {
	kept := t.Reports[:0:0]
	for _, q := range t.Reports {
		if q != r {
			kept = append(kept, q)
		}
	}
	if len(kept) == len(t.Reports) {
		return t, fmt.Sprintf("%s doesn't report to %s.", org.Name(r), org.Name(t.Manager))
	}
	t.Reports = kept
	return t, ""
}

// checkReports says what is wrong with t's reports, if anything: the
// manager among them, someone named twice, or a bot.
func checkReports(org *signals.Org, t signals.Team) string {
	for i, r := range t.Reports {
		if r == t.Manager {
			return fmt.Sprintf("%s can't report to themself. Usage: `%s`", org.Name(r), usage("team"))
		}
		for _, q := range t.Reports[:i] {
			if q == r {
				return fmt.Sprintf("%s is named twice. Usage: `%s`", org.Name(r), usage("team"))
			}
		}
		if p := org.People[r]; p != nil && p.IsBot {
			return fmt.Sprintf("%s is a bot; only people can be in a team.", org.Name(r))
		}
	}
	return ""
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
	return Reply{Text: msg, After: func() { s.noticeMembers(s.work()) }}
}

// minStatsManagers is how many managers admin figures must cover, so that
// none of them stands for one manager.
const minStatsManagers = 5

// stats are aggregates only: no manager's signals, nudges or feedback. They
// are shown only for at least minStatsManagers managers, and count complete
// weeks only, so that asking before and after a nudge or a click shows no
// difference that could be one manager's.
func (s *Server) stats() Reply {
	org := s.Org()
	managers, reports := 0, 0
	for m := range org.Teams {
		if org.Recorded(m) {
			managers++
			reports += len(org.Reports(m))
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "*coach, workspace-wide* (aggregates only: no one manager's data)\n")
	if managers < minStatsManagers {
		fmt.Fprintf(&b, "coach shows workspace figures only once at least %d managers are measured, so that no figure can be one manager's (measured now: %s).",
			minStatsManagers, plural(managers, "manager"))
		return Reply{Text: b.String()}
	}
	st, err := s.db.Stats(s.cfg.Now())
	if err != nil {
		return s.failed(err)
	}
	n := st.Counters
	fmt.Fprintf(&b, "Counted over complete weeks up to %s (Monday to Sunday, UTC); this week's show from next Monday.\n", st.Through.Start(time.UTC).Format("Mon 2 Jan 2006"))
	fmt.Fprintf(&b, "• %s, %s measured now\n", plural(managers, "manager"), plural(reports, "report"))
	fmt.Fprintf(&b, "• %s sent\n", plural(int(n["digests_sent"]), "digest"))
	var kinds []string
	for _, k := range signals.Kinds {
		sent := int(n["nudges/"+string(k)])
		if sent == 0 {
			continue
		}
		feedback := func(a nudges.Action) int { return int(n["feedback/"+string(k)+"/"+string(a)]) }
		helpful := feedback(nudges.Helpful)
		answered := 0
		for _, a := range nudges.Actions {
			answered += feedback(a)
		}
		rate := "no feedback yet"
		if answered > 0 {
			rate = fmt.Sprintf("%d%% helpful of %d answered", helpful*100/answered, answered)
		}
		title, _ := s.catalogTitle(signals.Signal{Kind: k})
		if title == "" {
			title = string(k)
		}
		kinds = append(kinds, fmt.Sprintf("%s: %s, %s", title, plural(sent, "nudge"), rate))
	}
	if len(kinds) > 0 {
		fmt.Fprintf(&b, "• nudges by kind: %s\n", strings.Join(kinds, "; "))
	}
	var agreed []string
	for _, k := range s.norms.Kinds() {
		if c := n["norms_agreed/"+string(k)]; c > 0 {
			agreed = append(agreed, fmt.Sprintf("%s %d", homeNormLabel(string(k)), c))
		}
	}
	if len(agreed) == 0 {
		agreed = []string{"none yet"}
	}
	fmt.Fprintf(&b, "• norms agreed: %s", strings.Join(agreed, ", "))
	b.WriteString(s.pulseStats())
	return Reply{Text: b.String()}
}

// nudgeCommand sends a manager's digest now, to that manager. The admin is
// not told what it said, or whether it said anything.
func (s *Server) nudgeCommand(ctx context.Context, c Command) Reply {
	ids, err := s.resolve(c.Name, c.Mentions)
	if err != nil {
		return say("%s", err.Error())
	}
	m := ids[0]
	org := s.Org()
	if !org.IsManager(m) {
		return say("%s doesn't lead a team in coach. Usage: `%s`", org.Name(m), usage("nudge"))
	}
	// The digest is planned before the answer, so that the request is
	// durable once acknowledged and a second request for the same slot,
	// however soon, finds it.
	now := s.cfg.Now()
	p, err := s.scheduler.PlanNow(m, now)
	if err != nil {
		return s.failed(err)
	}
	if !p.New {
		return say("coach has already dealt with %s's digest for %s, and a manager gets one per digest day, so nothing more goes out now. What it said, if anything, is for them alone.",
			org.Name(m), p.Digest.Slot.In(org.Loc(m)).Format("Mon 2 Jan"))
	}
	return Reply{
		Text: fmt.Sprintf("Done: if coach has something for %s this week, it's in their DMs now. What it says is for them alone.", org.Name(m)),
		After: func() {
			if _, err := s.scheduler.SendNow(s.work(), m, now); err != nil {
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
		return say("`%s` is not a cron schedule. Usage: `%s`", clip(c.Cron), usage("schedule"))
	}
	if err := s.db.SetMeta("schedule", c.Cron); err != nil {
		return s.failed(err)
	}
	s.scheduler.SetSchedule(sched)
	return say("Done: digests now go out at `%s` in each manager's own time zone (moved into their working hours when needed).", c.Cron)
}
