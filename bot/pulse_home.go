package bot

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"coach/nudges"
	"coach/pulse"
	"coach/signals"
	"coach/store"
)

// HomePulse is the App Home's trust pulse section of a manager: their
// team's scores with their trend, and what they worked on in that time.
type HomePulse struct {
	On    bool          // new pulses open
	Every time.Duration // how often
	Min   int           // the fewest answers a score rests on
	// OpenUntil is when the pulse open now closes (zero when none is).
	OpenUntil time.Time
	// Closed is when the latest pulse with a result closed; zero when no
	// pulse has a result yet.
	Closed time.Time
	Lines  []HomePulseLine
	// Since is the start of the time Worked covers.
	Since  time.Time
	Worked []string // what they worked on in that time, in words
	// ShareID is the latest result's pulse, for Share with my team;
	// Shared says it was shared.
	ShareID string
	Shared  bool
}

// HomePulseLine is one statement's latest team score and its trend.
type HomePulseLine struct {
	Name  string   // higher-is-better wording
	Score string   // "3.9"
	Trend []string // earlier scores then the latest, oldest first, when asked more than once
	Asked time.Time
	// Latest says it was asked in the latest pulse.
	Latest bool
}

// maxTrend is how many pulses a statement's trend shows.
const maxTrend = 4

// homePulse draws the pulse section: nothing when the pulse is off and has
// no result; its scores and trends, what the manager worked on meanwhile,
// and Share with my team once there is a result.
func homePulse(p *HomePulse) []slack.Block {
	if p == nil {
		return nil
	}
	text := "*Your team's trust pulse*\n"
	if len(p.Lines) == 0 {
		text += fmt.Sprintf("Every %s coach asks your team three short statements, anonymously. A statement's team score shows here once at least %d people have answered it; below that nobody sees anything, not even how many answered.",
			nudges.Span(p.Every), p.Min)
		if !p.OpenUntil.IsZero() {
			text += " A pulse is open now, until " + homeDay(p.OpenUntil) + "."
		}
		return []slack.Block{slack.NewSectionBlock(mrkdwn(text), nil, nil, slack.SectionBlockOptionBlockID("home_pulse"))}
	}
	text += fmt.Sprintf("Team scores from 1 (strongly disagree) to 5 (strongly agree), higher is better, each from at least %d answers. The latest pulse closed %s.", p.Min, homeDay(p.Closed))
	if !p.OpenUntil.IsZero() {
		text += " Another is open until " + homeDay(p.OpenUntil) + "."
	}
	for _, l := range p.Lines {
		text += "\n• *" + escape(l.Name) + "*: *" + l.Score + "*"
		if len(l.Trend) > 1 {
			text += " (" + strings.Join(l.Trend, " → ") + ")"
		}
		if !l.Latest {
			text += " — asked " + homeDay(l.Asked)
		}
	}
	worked := "*What you worked on* since " + homeDay(p.Since) + ": "
	if len(p.Worked) == 0 {
		worked += "no norm agreed and no nudge marked helpful yet. Sharing this result with your team is a good start."
	} else {
		worked += strings.Join(p.Worked, "; ") + "."
	}
	out := []slack.Block{
		slack.NewSectionBlock(mrkdwn(text), nil, nil, slack.SectionBlockOptionBlockID("home_pulse")),
		slack.NewContextBlock("home_pulse_worked", mrkdwn(worked)),
	}
	if p.Shared {
		return append(out, slack.NewContextBlock("home_pulse_shared", mrkdwn("You shared this result with your team.")))
	}
	return append(out, slack.NewActionBlock("home_pulse_actions", homeButton(PulseShareAction, "Share with my team", p.ShareID)))
}

// homePulseData gathers the pulse section of manager m's App Home; nil
// when pulses are off and m's team has none.
func (s *Server) homePulseData(m string, now time.Time, loc *time.Location) (*HomePulse, error) {
	cat, err := s.pulseCatalog()
	if err != nil {
		return nil, err
	}
	ps, err := s.db.TeamPulses(m)
	if err != nil {
		return nil, err
	}
	on := s.pulseOn()
	if !on && len(ps) == 0 {
		return nil, nil
	}
	hp := &HomePulse{On: on, Every: s.pulseEvery(), Min: s.pulseMin()}
	for _, p := range ps {
		if p.State == pulse.Open {
			hp.OpenUntil = p.Closes.In(loc)
		}
	}
	latest, ok := pulse.Latest(ps)
	if !ok {
		return hp, nil
	}
	hp.Closed, hp.ShareID, hp.Shared = latest.Closes.In(loc), latest.ID, latest.Shared
	hp.Min = s.pulseMinOf(latest)
	trends := pulse.Trends(cat, ps)
	for _, id := range latest.Statements {
		if pts := trends[id]; len(pts) > 0 && pts[len(pts)-1].Opens.Equal(latest.Opens) {
			hp.Lines = append(hp.Lines, homePulseLine(cat, id, pts, true, loc))
		}
	}
	var older []HomePulseLine
	for _, st := range cat.All() {
		pts := trends[st.ID]
		if len(pts) == 0 || pts[len(pts)-1].Opens.Equal(latest.Opens) {
			continue
		}
		older = append(older, homePulseLine(cat, st.ID, pts, false, loc))
	}
	sort.SliceStable(older, func(i, j int) bool { return older[i].Asked.After(older[j].Asked) })
	hp.Lines = append(hp.Lines, older...)

	// What they worked on: since the result before, or the pulse before it.
	hp.Since = latest.Opens.Add(-s.pulseEvery())
	for _, p := range ps {
		if p.HasResult() && p.Opens.Before(latest.Opens) {
			hp.Since = p.Opens
		}
	}
	hp.Worked = s.workedOn(m, hp.Since, latest.Closes, now, loc)
	hp.Since = hp.Since.In(loc)
	return hp, nil
}

func homePulseLine(cat *pulse.Catalog, id string, pts []pulse.Point, latest bool, loc *time.Location) HomePulseLine {
	st, _ := cat.Lookup(id)
	l := HomePulseLine{Name: st.Name(), Score: pulse.Score(pts[len(pts)-1].Mean), Asked: pts[len(pts)-1].Opens.In(loc), Latest: latest}
	if len(pts) > 1 {
		for _, p := range pts[max(0, len(pts)-maxTrend):] {
			l.Trend = append(l.Trend, pulse.Score(p.Mean))
		}
	}
	return l
}

// workedOn is what manager m worked on from from to to, in words: norms
// the team agreed, nudges they marked helpful, and signals coach flagged
// at the start that it no longer flags at the end (only while the days
// are still kept).
func (s *Server) workedOn(m string, from, to, now time.Time, loc *time.Location) []string {
	var out []string
	for _, a := range s.agreedNorms(m) {
		if !a.At.Before(from) && !a.At.After(to) {
			out = append(out, "your team agreed "+escape(a.Description)+" ("+homeDay(a.At.In(loc))+")")
		}
	}
	if recs, err := s.db.DigestsOf(m); err == nil {
		var helpful []string
		seen := map[signals.Kind]bool{}
		for _, rec := range recs {
			if rec.Digest.Slot.Before(from) || rec.Digest.Slot.After(to) {
				continue
			}
			for _, n := range rec.Digest.Nudges {
				if rec.Digest.Feedback[n.Kind] == nudges.Helpful && !seen[n.Kind] {
					seen[n.Kind] = true
					helpful = append(helpful, "*"+escape(n.Title)+"*")
				}
			}
		}
		if len(helpful) > 0 {
			out = append(out, "you marked "+homeList(helpful)+" helpful")
		}
	}
	kept := now.Add(-time.Duration(max(s.cfg.RetentionDays-7, 0)) * 24 * time.Hour)
	if s.cfg.RetentionDays > 0 && from.After(kept) {
		if better := s.noLongerFlagged(m, from, to); len(better) > 0 {
			out = append(out, "no longer flagged: "+homeList(better))
		}
	}
	return out
}

// noLongerFlagged are the titles, in bold, of the signals coach flagged
// for m at from and no longer flags at to; none when it cannot tell.
func (s *Server) noLongerFlagged(m string, from, to time.Time) []string {
	sigs, err := nudges.SignalsEach(s.db, s.Org(), m, from, to)
	if err != nil {
		return nil
	}
	fired := map[signals.Kind]bool{}
	for _, sg := range sigs[0] {
		fired[sg.Kind] = sg.Fired && !sg.Unseen
	}
	var better []string
	for _, sg := range sigs[1] {
		if fired[sg.Kind] && !sg.Fired && !sg.Unseen {
			better = append(better, "*"+homeTitle(sg.Kind)+"*")
		}
	}
	return better
}

// pulseShare posts the team's latest pulse result to the team, as a
// conversation starter in the manager's name: the team channel, else a
// group DM of the manager and the reports, else (too many for one) each
// report's DM. Only the team's manager can, once per result.
func (s *Server) pulseShare(ctx context.Context, user, id string) {
	cat, err := s.pulseCatalog()
	if err != nil {
		return
	}
	p, first, err := s.db.SharePulse(id, user, true)
	switch {
	case errors.Is(err, store.ErrForbidden), errors.Is(err, store.ErrNotFound):
		s.log.Warn().Str("user", user).Msg("share of a pulse that is not the clicker's, or has no result; ignored")
		return
	case err != nil:
		s.log.Error().Err(err).Msg("share pulse")
		return
	case !first:
		s.changed(user)
		return
	}
	ps, err := s.db.TeamPulses(p.Manager)
	if err != nil {
		s.log.Error().Err(err).Msg("share pulse")
		return
	}
	var upTo []pulse.Pulse
	for _, q := range ps {
		if !q.Opens.After(p.Opens) {
			upTo = append(upTo, q)
		}
	}
	text := pulse.ShareText(cat, upTo, "<@"+p.Manager+">", s.pulseMinOf(p))
	if err := s.postToTeam(ctx, p.Manager, text); err != nil {
		s.log.Warn().Err(err).Str("pulse", id).Msg("pulse result not shared")
		if _, _, err := s.db.SharePulse(id, user, false); err != nil {
			s.log.Error().Err(err).Msg("undo pulse share")
		}
		return
	}
	s.log.Info().Str("pulse", id).Msg("pulse result shared with the team")
	s.changed(user)
}

// postToTeam posts text where the team talks: its channel, else a group
// DM of the manager and the reports, else each report's DM.
func (s *Server) postToTeam(ctx context.Context, manager, text string) error {
	org := s.Org()
	team := org.Teams[manager]
	if team == nil {
		return ErrNoTeam
	}
	reports := org.Reports(manager)
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(text), nil, nil)}
	if team.Channel == "" && 1+len(reports) > maxGroupDMUsers {
		var errs []error
		for _, r := range reports {
			ch, err := s.messenger.dm(ctx, r)
			if err == nil {
				_, err = s.messenger.post(ctx, ch, text, blocks, nil, "")
			}
			errs = append(errs, err)
		}
		return errors.Join(errs...)
	}
	channel := team.Channel
	if channel == "" {
		var err error
		if channel, err = s.messenger.groupDM(ctx, append([]string{manager}, reports...)); err != nil {
			return err
		}
	}
	_, err := s.messenger.post(ctx, channel, text, blocks, nil, "")
	return err
}
