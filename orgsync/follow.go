package orgsync

import (
	"context"
	"errors"
	"os"
	"time"
)

// Follow keeps the org chart's teams in step with src while coach runs:
// it reads src now, then every Interval (a day) and each time reread
// delivers (SIGHUP), applies what changed, logs it as counts, and calls
// changed after a change. A source that cannot be read is logged and the
// teams stay as they are. It returns when ctx ends.
func (s *Syncer) Follow(ctx context.Context, src Source, reread <-chan os.Signal, changed func()) {
	interval := s.Interval
	if interval <= 0 {
		interval = 24 * time.Hour
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	why := "start"
	for {
		s.refresh(ctx, src, why, changed)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			why = "daily"
		case <-reread:
			why = "SIGHUP"
		}
	}
}

// refresh reads src once and applies it. A change that takes more than
// MaxRemovedPercent of the org chart's people out of every team, and an
// org chart with nobody in it coach can use, are logged and not applied.
func (s *Syncer) refresh(ctx context.Context, src Source, why string, changed func()) {
	start := time.Now()
	res, err := s.Import(ctx, src, false)
	var large *LargeChangeError
	var empty *NothingUsableError
	switch {
	case err != nil && ctx.Err() != nil:
		return
	case errors.As(err, &large):
		hint := "if it is right, apply it once with coach teams import FILE --allow-large-change while coach is stopped, or raise teams_from.max_removed_percent"
		if src.CSV == "" {
			hint = "if it is right, raise teams_from.max_removed_percent"
		}
		res.logged(s.Log.Error()).Str("source", src.storeSource()).Str("trigger", why).Int("people_leaving", large.Leaving).Int("people_in_org_chart", large.Of).
			Int("max_removed_percent", large.MaxPercent).Msg("teams_from: not applied, teams unchanged: the change takes more of the org chart's people out of every team than teams_from.max_removed_percent allows (a truncated export or an empty profile field?); " + hint)
		return
	case errors.As(err, &empty):
		s.Log.Error().Err(err).Str("source", src.storeSource()).Str("trigger", why).Int("records", res.Records).Int("not_used", len(res.Problems)).
			Msg("teams_from: not applied, teams unchanged: nobody in it can be used")
		return
	case err != nil:
		s.Log.Error().Err(err).Str("source", src.storeSource()).Str("trigger", why).Msg("teams_from: not read; teams unchanged")
		return
	}
	res.logged(s.Log.Info()).Str("source", src.storeSource()).Str("trigger", why).Dur("took", time.Since(start)).Msg("teams_from: read")
	if !res.Change.Empty() && changed != nil {
		changed()
	}
}
