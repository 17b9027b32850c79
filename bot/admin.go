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
	ids, err := s.resolve(c.Mentions)
	if err != nil {
		return say("%s", strings.Replace(err.Error(), usage["team"], usage["nudge"], 1))
	}
	m := ids[0]
	org := s.Org()
	if !org.IsManager(m) {
		return say("%s doesn't lead a team in coach. Usage: `%s`", org.Name(m), usage["nudge"])
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
			if _, err := s.scheduler.SendNow(context.Background(), m, now); err != nil {
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
