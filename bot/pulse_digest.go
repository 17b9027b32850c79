package bot

import (
	"sort"
	"time"

	"coach/nudges"
	"coach/pulse"
)

// pulseDigestStore is the digest store (store.DB) with one more thing to
// say: the first digest planned after a team's pulse result came in tells
// its manager how it went, beside what they worked on (pulse.DigestLine). That
// digest and the note that it told of this result are stored together, in
// the digest's own transaction, so the line is said exactly once.
type pulseDigestStore struct {
	nudges.Store
	s *Server
}

func (s *Server) pulseDigests(st nudges.Store) nudges.Store { return pulseDigestStore{Store: st, s: s} }

func (p pulseDigestStore) PlanSlot(m string, slot time.Time, f func(nudges.History) (nudges.Digest, nudges.History, error)) (nudges.Planned, error) {
	id, line := p.s.pulseNews(m)
	if id == "" {
		return p.Store.PlanSlot(m, slot, f)
	}
	return p.Store.PlanSlot(m, slot, func(h nudges.History) (nudges.Digest, nudges.History, error) {
		d, next, err := f(h)
		if err != nil || h.Pulse == id || slot.Before(h.PausedUntil) {
			return d, next, err
		}
		d.Pulse, next.Pulse = line, id
		return d, next, nil
	})
}

// pulseNews is the id of the latest pulse result of m's team and the line
// a digest says about it; "" when there is none.
func (s *Server) pulseNews(m string) (id, line string) {
	cat, err := s.pulseCatalog()
	if err != nil {
		return "", ""
	}
	ps, err := s.db.TeamPulses(m)
	if err != nil {
		s.log.Warn().Err(err).Str("manager", m).Msg("pulse results for the digest")
		return "", ""
	}
	latest, ok := pulse.Latest(ps)
	if !ok {
		return "", ""
	}
	return latest.ID, pulse.DigestLine(cat, ps, s.agreedNorms(m))
}

// agreedNorms are the norms m's team agreed, in words, oldest first.
func (s *Server) agreedNorms(m string) []pulse.Agreed {
	t := s.Org().Teams[m]
	if t == nil || s.norms == nil {
		return nil
	}
	var out []pulse.Agreed
	for _, k := range s.norms.Kinds() {
		at, ok := t.Norms.Agreed[string(k)]
		if desc := s.norms.Describe(k, t.Norms); ok && desc != "" {
			out = append(out, pulse.Agreed{Kind: string(k), Description: desc, At: at})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out
}
