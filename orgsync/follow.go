package orgsync

import (
	"context"
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

// refresh reads src once and applies it.
func (s *Syncer) refresh(ctx context.Context, src Source, why string, changed func()) {
	start := time.Now()
	res, err := s.Import(ctx, src, false)
	if err != nil {
		if ctx.Err() == nil {
			s.Log.Error().Err(err).Str("source", src.storeSource()).Str("trigger", why).Msg("teams_from: not read; teams unchanged")
		}
		return
	}
	res.logged(s.Log.Info()).Str("source", src.storeSource()).Str("trigger", why).Dur("took", time.Since(start)).Msg("teams_from: read")
	if !res.Change.Empty() && changed != nil {
		changed()
	}
}
