package bot

import (
	"fmt"
	"strings"
	"time"

	"coach/nudges"
	"coach/pulse"
	"coach/signals"
	"coach/store"
)

// pulseCommand is `/coach pulse on|off`: whether new trust pulses open,
// for the whole workspace, kept across restarts. The first time it is
// turned on the rhythm starts that day; turned off and on again it keeps
// that rhythm, so a round already open is not opened twice. A pulse open
// when it is turned off closes as planned. Without COACH_TOKEN_KEY it
// cannot be turned on.
func (s *Server) pulseCommand(c Command) Reply {
	now := s.cfg.Now()
	if c.Sub == "off" {
		if err := s.db.SetMeta(pulseSetting, "off"); err != nil {
			return s.failed(err)
		}
		return say("Done: the trust pulse is off, so no new pulse opens. A pulse that is open now still closes as planned, a week after it opened.")
	}
	if !s.db.HasPulseKey() {
		return say(pulseKeyMissing)
	}
	if v, err := s.db.Meta(pulseAnchorSetting); err != nil {
		return s.failed(err)
	} else if _, err := time.Parse(time.RFC3339, v); err != nil {
		anchor := signals.DayOf(now, time.UTC).Start(time.UTC)
		if err := s.db.SetMeta(pulseAnchorSetting, anchor.Format(time.RFC3339)); err != nil {
			return s.failed(err)
		}
	}
	if err := s.db.SetMeta(pulseSetting, "on"); err != nil {
		return s.failed(err)
	}
	s.pulse.mu.Lock()
	s.pulse.round = time.Time{}
	s.pulse.mu.Unlock()
	return say("Done: the trust pulse is on. Every %s, each report of a team of at least %d gets three short statements to answer anonymously, in their own working hours; each pulse closes after a week. A manager sees a team score only where at least %d answered, and you see only workspace figures over at least %d teams. `/coach pulse off` stops it.",
		nudges.Span(s.pulseEvery()), s.pulseMin(), s.pulseMin(), store.MinStatsTeams)
}

// pulseStats is the trust pulse's part of /coach stats: the workspace's
// scores in the latest pulse round that closed for every team, over at
// least store.MinStatsTeams teams per statement, never one team's. Open
// pulses never count, so no answer moves what an admin sees; each round's
// figures are frozen once it closes. "" while pulses are off and none ran.
func (s *Server) pulseStats() string {
	rounds, err := s.db.PulseRounds()
	if err != nil {
		s.log.Warn().Err(err).Msg("pulse stats")
		return ""
	}
	var latest *store.PulseRound
	for i := range rounds {
		if len(rounds[i].Counts) > 0 && (latest == nil || rounds[i].Opens.After(latest.Opens)) {
			latest = &rounds[i]
		}
	}
	if latest == nil {
		if !s.pulseOn() && len(rounds) == 0 {
			return ""
		}
		return fmt.Sprintf("\n• trust pulse: workspace scores show once a pulse has closed with a score in at least %d teams.", store.MinStatsTeams)
	}
	cat, err := s.pulseCatalog()
	if err != nil {
		return ""
	}
	var parts []string
	for _, st := range cat.All() {
		if c, ok := latest.Counts[st.ID]; ok {
			parts = append(parts, fmt.Sprintf("%s %s", st.Name(), pulse.Score(c.Mean(st))))
		}
	}
	return fmt.Sprintf("\n• trust pulse closed %s, workspace scores (1–5, higher is better; each over at least %d teams): %s",
		latest.Closes.Format("Mon 2 Jan 2006"), store.MinStatsTeams, strings.Join(parts, "; "))
}
