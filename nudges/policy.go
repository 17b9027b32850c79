package nudges

import (
	"fmt"
	"sort"
	"time"

	"coach/signals"
)

// History is what coach remembers of one manager's digests, to keep them
// from nagging: what the last digest said, what the manager silenced, and
// which conversation starter each kind used last.
type History struct {
	// Last holds the kinds of the previous digest and their severities: a
	// kind is not repeated in the next digest unless it got worse.
	Last map[signals.Kind]float64 `json:"last,omitempty"`
	// Silenced holds "Not for me" choices: kind → until when.
	Silenced map[signals.Kind]time.Time `json:"silenced,omitempty"`
	// PausedUntil silences the whole digest (Snooze 2 weeks, /coach pause).
	PausedUntil time.Time `json:"paused_until,omitempty"`
	// Starters is the starter index each kind used last, for rotation.
	Starters map[signals.Kind]int `json:"starters,omitempty"`
	// Sent counts the digests DMed.
	Sent int `json:"sent,omitempty"`
	// Pulse is the id of the last trust pulse result a digest told of.
	Pulse string `json:"pulse,omitempty"`
}

// Policy is how many nudges a digest may carry and how long choices last.
type Policy struct {
	MaxPerDigest int           // at most this many nudges (default 2)
	NotForMe     time.Duration // "Not for me" silences a kind this long (default 8 weeks)
	Snooze       time.Duration // "Snooze" silences the digest this long (default 2 weeks)
	AllClear     bool          // send a short "all clear" when there is nothing to say
	// ShareCloses is how long a norm prompt shared from a nudge stays open
	// (norms.close_after; default 48 hours), and LateHour the hour from
	// which an off-hours message counts as late (signals.late_hour; default
	// 21; 0 reads as the default). The digest's words say what these are.
	ShareCloses time.Duration
	LateHour    int
}

// DefaultPolicy is the spec's.
func DefaultPolicy() Policy {
	return Policy{MaxPerDigest: 2, NotForMe: 8 * 7 * 24 * time.Hour, Snooze: 2 * 7 * 24 * time.Hour,
		ShareCloses: 48 * time.Hour, LateHour: 21}
}

// Terms are the lengths the digest's buttons and acknowledgements promise.
// A zero length (a digest planned before terms were kept, a policy built
// by hand) reads as the default.
func (p Policy) Terms() Terms {
	return Terms{NotForMe: p.NotForMe, Snooze: p.Snooze, ShareCloses: p.ShareCloses}.WithDefaults()
}

// Select picks the nudges worth a manager's attention from their signals:
// fired ones only, none while paused, none of a silenced kind, none of a
// kind the previous digest had unless it got worse; the most severe first,
// at most MaxPerDigest.
func (p Policy) Select(sigs []signals.Signal, h History, now time.Time) []signals.Signal {
	if now.Before(h.PausedUntil) {
		return nil
	}
	var out []signals.Signal
	for _, s := range sigs {
		if !s.Fired {
			continue
		}
		if until, ok := h.Silenced[s.Kind]; ok && now.Before(until) {
			continue
		}
		if prev, ok := h.Last[s.Kind]; ok && s.Severity <= prev {
			continue
		}
		out = append(out, s)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Severity > out[j].Severity })
	if max := p.MaxPerDigest; max > 0 && len(out) > max {
		out = out[:max]
	}
	return out
}

// Plan makes the digest for one slot and the history that follows it. It is
// pure: the same signals and history give the same digest.
func (p Policy) Plan(cat *Catalog, manager string, slot time.Time, sigs []signals.Signal, h History) (Digest, History, error) {
	d := Digest{ID: DigestID(manager, slot), Manager: manager, Slot: slot, Terms: p.Terms()}
	if slot.Before(h.PausedUntil) {
		return d, h, nil
	}
	next := h.clone()
	next.Last = map[signals.Kind]float64{}
	for _, s := range p.Select(sigs, h, slot) {
		starter := 0
		if last, ok := h.Starters[s.Kind]; ok {
			starter = last + 1
		}
		if n := cat.Starters(s.Kind); n > 0 {
			starter %= n
		}
		n, err := cat.render(s, starter, p.LateHour)
		if err != nil {
			return Digest{}, h, fmt.Errorf("nudges: render %s for %s: %w", s.Kind, manager, err)
		}
		d.Nudges = append(d.Nudges, n)
		next.Last[s.Kind] = s.Severity
		next.Starters[s.Kind] = n.Starter
	}
	d.AllClear = len(d.Nudges) == 0 && p.AllClear
	d.NothingSeen = d.AllClear && nothingSeen(sigs)
	return d, next, nil
}

// nothingSeen reports whether the signals rest on no messages at all: the
// manager sent their team nothing (in the last 7 and 28 days) and no
// message of theirs waited on the manager. An all-clear then has nothing to
// go on, rather than good news.
func nothingSeen(sigs []signals.Signal) bool {
	for _, s := range sigs {
		f := s.Facts
		switch s.Kind {
		case signals.AfterHours, signals.AttentionBalance, signals.Listening, signals.StatusChasing, signals.TeamAfterHours:
			if f.Total > 0 {
				return false
			}
		case signals.ResponseTime:
			if f.Waits > 0 || f.OpenWaits > 0 {
				return false
			}
		case signals.Recognition:
			if f.Count > 0 {
				return false
			}
		}
	}
	return true
}

// Apply records a button click in the history.
func (p Policy) Apply(h History, kind signals.Kind, a Action, now time.Time) History {
	next := h.clone()
	switch a {
	case NotForMe:
		next.Silenced[kind] = now.Add(p.NotForMe)
	case Snooze:
		next.PausedUntil = now.Add(p.Snooze)
	}
	return next
}

func (h History) clone() History {
	c := h
	c.Last = make(map[signals.Kind]float64, len(h.Last))
	for k, v := range h.Last {
		c.Last[k] = v
	}
	c.Silenced = make(map[signals.Kind]time.Time, len(h.Silenced))
	for k, v := range h.Silenced {
		c.Silenced[k] = v
	}
	c.Starters = make(map[signals.Kind]int, len(h.Starters))
	for k, v := range h.Starters {
		c.Starters[k] = v
	}
	return c
}

// DigestID is the idempotency key of a manager's digest for one slot.
func DigestID(manager string, slot time.Time) string {
	return fmt.Sprintf("d1-%s-%d", manager, slot.Unix())
}
