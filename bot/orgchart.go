package bot

import (
	"context"

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
