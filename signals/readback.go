package signals

import (
	"sort"
	"time"
)

// The wait that spans the moment a manager connects.
//
// Live DM events count from the moment a manager connected (T0), and the
// history before it is read back afterwards (History): a report's DM
// written before T0 may be folded after the manager's live answer to it.
// Folded in that order, the answer would find no wait to close and the
// wait would stay open for good. So while that history is still to be
// read back (readBackDue), a manager's live answer in a DM or group DM is
// kept in their state (ManagerState.Answered: by report their first DM to
// them since T0, by group DM their first message in it), the waits opened
// before T0 stay open for it, and once the history up to T0 is folded
// SettleReadBack closes each wait still open that one of those answers
// answers, at the first of them. Answers in channels are folded in order
// and close waits as ever.

// readBackDue reports whether manager m's history before they connected
// is still to be read back, and when they connected. Nothing is due for a
// history fold, for a manager who is not connected, once their read back
// is settled, or when coach sees their DMs only from the moment they
// connected on.
func readBackDue(o *Org, st *ManagerState, m string) (bool, time.Time) {
	v := o.Visibility(m)
	switch {
	case o.History, v.Connected.IsZero(), !st.Settled.Before(v.Connected):
		return false, v.Connected
	case v.DMs() && !v.DMsSince.Before(v.Connected):
		return false, v.Connected
	}
	return true, v.Connected
}

// noteAnswer keeps at as the first answer under key since conn, and
// reports whether that changed the state. An answer kept from before conn
// (an earlier connection) gives way.
func (s *ManagerState) noteAnswer(key string, at, conn time.Time) bool {
	u := at.UnixMicro()
	if cur, ok := s.Answered[key]; ok && cur >= conn.UnixMicro() && cur <= u {
		return false
	}
	if s.Answered == nil {
		s.Answered = make(map[string]int64)
	}
	s.Answered[key] = u
	return true
}

// SettleReadBack is called once the history of manager m's DMs and group
// DMs up to until (the moment they connected) is folded: each wait opened
// before until that is still open and that a kept answer answers (a DM to
// its report, or a message in its group DM, at or after it opened) closes
// at the first such answer, its latency going into the window of that
// answer's day as if it had been folded in order. The kept answers are
// then dropped, and the read back up to until is settled.
func SettleReadBack(o *Org, l Ledger, m string, until time.Time) Effects {
	st := l.State(m)
	if !until.After(st.Settled) {
		return Effects{}
	}
	type closing struct {
		at   int64
		wait Wait
	}
	var closed []closing
	kept := st.Waits[:0]
	for _, w := range st.Waits {
		if w.Opened.Before(until) {
			opened := w.Opened.UnixMicro()
			best := int64(0)
			for _, key := range []string{w.Report, w.Channel} {
				if at, ok := st.Answered[key]; ok && at >= opened && (best == 0 || at < best) {
					best = at
				}
			}
			if best != 0 {
				closed = append(closed, closing{best, w})
				continue
			}
		}
		kept = append(kept, w)
	}
	st.Waits = kept
	sort.SliceStable(closed, func(i, j int) bool { return closed[i].at < closed[j].at })
	for _, c := range closed {
		recordLatencies(o, l, m, []Wait{c.wait}, time.UnixMicro(c.at).UTC())
	}
	st.Answered = nil
	st.Settled = until.UTC()
	return Effects{Recorded: true}
}
