package signals

import "time"

// Ledger is where Fold reads and writes a manager's windows. The store
// implements it over one transaction, caching each record so that a batch of
// events writes every touched key once.
type Ledger interface {
	// Day returns manager m's window for day d, creating an empty one.
	Day(m string, d Day) *DayWindow
	// State returns manager m's state, creating an empty one.
	State(m string) *ManagerState
}

// Hint is an in-the-moment nudge: manager Manager just sent a message in
// Channel that landed off-hours for Reports.
type Hint struct {
	Manager string
	Channel string
	Reports []string
	At      time.Time
}

// Effects is what folding one event changed.
type Effects struct {
	Recorded bool   // some window or state changed
	Hints    []Hint // hints due (at most one per manager per day)
}

// Fold applies one derived event to the windows of the managers it concerns.
// Events of people who are not recorded change nothing, and neither do
// events of DMs and group DMs that coach may not record (dms.go). Fold is
// pure: all it touches is the ledger.
func Fold(o *Org, l Ledger, ev Event) Effects {
	var eff Effects
	if !o.mayRecord(ev) {
		return eff
	}
	switch {
	case ev.Message != nil:
		foldMessage(o, l, ev.Message, +1, &eff)
	case ev.Deletion != nil:
		foldMessage(o, l, ev.Deletion, -1, &eff)
	case ev.Reaction != nil:
		foldReaction(o, l, ev.Reaction, &eff)
	}
	return eff
}

// DirectedAt lists who a message is directed at, by the spec's rules: the
// other members of a DM or group DM, people mentioned, and the author of the
// thread parent. The author is never in the list.
func DirectedAt(m *Message) []string {
	var out []string
	add := func(id string) {
		if id != "" && id != m.Author && !contains(out, id) {
			out = append(out, id)
		}
	}
	if m.Kind == DM || m.Kind == GroupDM {
		for _, id := range m.Members {
			add(id)
		}
	}
	for _, id := range m.Mentioned {
		add(id)
	}
	if m.ThreadTS != "" && m.ThreadTS != m.TS {
		add(m.ParentUser)
	}
	return out
}

func foldMessage(o *Org, l Ledger, m *Message, sign int, eff *Effects) {
	if m.Author == "" || !o.Recorded(m.Author) {
		return
	}
	directed := DirectedAt(m)
	if o.IsManager(m.Author) {
		foldManagerMessage(o, l, m, directed, sign, eff)
	}
	if mgr, ok := o.ManagerOf(m.Author); ok && o.Recorded(mgr) {
		foldReportMessage(o, l, mgr, m, directed, sign, eff)
	}
}

// foldManagerMessage counts a manager's message: what it was directed at,
// when it landed for each recipient, and which waits it answers.
func foldManagerMessage(o *Org, l Ledger, m *Message, directed []string, sign int, eff *Effects) {
	mgr := m.Author
	today := DayOf(m.At, o.Loc(mgr))
	st := l.State(mgr)
	if sign > 0 && closeWaits(o, l, st, m, directed) {
		eff.Recorded = true
	}
	recipients := reportsAmong(o, mgr, directed)
	if len(recipients) == 0 {
		return
	}
	eff.Recorded = true
	w := l.Day(mgr, today)
	countDirected(w, m.Flags, sign)
	off, late := countRecipients(o, w, st, m, recipients, sign)
	if len(off) == 0 {
		return
	}
	w.OffHours = add(w.OffHours, sign)
	if late {
		w.Late = add(w.Late, sign)
	}
	if sign > 0 && o.Hints && st.HintDay != today {
		st.HintDay = today
		eff.Hints = append(eff.Hints, Hint{Manager: mgr, Channel: m.Channel, Reports: off, At: m.At})
	}
}

// reportsAmong lists those of directed who are mgr's recorded reports.
func reportsAmong(o *Org, mgr string, directed []string) []string {
	var out []string
	for _, r := range directed {
		if mm, ok := o.ManagerOf(r); ok && mm == mgr && o.Recorded(r) {
			out = append(out, r)
		}
	}
	return out
}

// countDirected counts a manager's message directed at their team in the
// day's window, with its question and status-chase flags.
func countDirected(w *DayWindow, f Flags, sign int) {
	w.Directed = add(w.Directed, sign)
	if f.Question {
		w.Questions = add(w.Questions, sign)
	}
	if f.StatusChase {
		w.StatusChase = add(w.StatusChase, sign)
	}
}

// countRecipients counts a manager's message for each report it is directed
// at, and notes the contact. It returns the reports for whom it landed
// outside their working hours, and whether it was late for any of them.
func countRecipients(o *Org, w *DayWindow, st *ManagerState, m *Message, recipients []string, sign int) (off []string, late bool) {
	for _, r := range recipients {
		rd := w.Report(r)
		rd.Directed = add(rd.Directed, sign)
		if m.Flags.Recognition {
			rd.Recognition = add(rd.Recognition, sign)
		}
		if m.Flags.StatusChase {
			rd.StatusChase = add(rd.StatusChase, sign)
		}
		locR := o.Loc(r)
		if !o.HoursOf(r).Contains(m.At, locR) {
			rd.OffHours = add(rd.OffHours, sign)
			off = append(off, r)
			late = late || Late(m.At, locR, o.Limits.LateHour)
		}
		if sign > 0 {
			st.Contact(r, m.At)
		}
	}
	return off, late
}

// closeWaits closes the waits a manager's message answers. Each closed
// wait's latency in the manager's working minutes goes into the window of
// the day it closed.
func closeWaits(o *Org, l Ledger, st *ManagerState, m *Message, directed []string) bool {
	var dmWith string
	if m.Kind == DM {
		for _, id := range m.Members {
			if id != m.Author {
				dmWith = id
			}
		}
	}
	thread := m.ThreadTS
	if thread == m.TS {
		thread = ""
	}
	// While the history before the manager connected is still to be read
	// back, an answer in a DM or group DM is kept for the waits that
	// history opens (readback.go), and the waits opened before then stay
	// open for it: the first answer to them may be in that history.
	due, conn := readBackDue(o, st, m.Author)
	held := due && m.Kind != Channel
	changed := false
	if held && !m.At.Before(conn) {
		key := m.Channel
		if dmWith != "" {
			key = dmWith
		}
		changed = st.noteAnswer(key, m.At, conn)
	}
	kept := st.Waits[:0]
	var closed []Wait
	for _, w := range st.Waits {
		if !w.Opened.After(m.At) && answers(w, m, thread, dmWith, directed) && !(held && w.Opened.Before(conn)) {
			closed = append(closed, w)
			continue
		}
		kept = append(kept, w)
	}
	st.Waits = kept
	recordLatencies(o, l, m.Author, closed, m.At)
	return changed || len(closed) > 0
}

func recordLatencies(o *Org, l Ledger, mgr string, closed []Wait, at time.Time) {
	if len(closed) == 0 {
		return
	}
	locM := o.Loc(mgr)
	h := o.HoursOf(mgr)
	w := l.Day(mgr, DayOf(at, locM))
	for _, c := range closed {
		rd := w.Report(c.Report)
		if len(rd.Latencies) < MaxLatencies {
			rd.Latencies = append(rd.Latencies, int32(h.WorkingMinutes(c.Opened, at, locM)))
		}
	}
}

// foldReportMessage counts a report's own message for team_after_hours and,
// when it is directed at their manager, opens a wait.
func foldReportMessage(o *Org, l Ledger, mgr string, m *Message, directed []string, sign int, eff *Effects) {
	eff.Recorded = true
	r := m.Author
	w := l.Day(mgr, DayOf(m.At, o.Loc(mgr)))
	rd := w.Report(r)
	rd.Own = add(rd.Own, sign)
	if !o.HoursOf(r).Contains(m.At, o.Loc(r)) {
		rd.OwnOffHours = add(rd.OwnOffHours, sign)
	}
	if !contains(directed, mgr) {
		return
	}
	rd.FromReport = add(rd.FromReport, sign)
	st := l.State(mgr)
	if sign < 0 {
		kept := st.Waits[:0]
		for _, wt := range st.Waits {
			if !(wt.Channel == m.Channel && wt.TS == m.TS) {
				kept = append(kept, wt)
			}
		}
		st.Waits = kept
		return
	}
	st.Contact(r, m.At)
	thread := m.ThreadTS
	if thread == m.TS {
		thread = ""
	}
	for _, wt := range st.Waits {
		if wt.Report == r && wt.Channel == m.Channel && wt.Thread == thread {
			return // already waiting on an earlier message here
		}
	}
	st.Waits = append(st.Waits, Wait{Report: r, Channel: m.Channel, Thread: thread, TS: m.TS, Opened: m.At})
}

// foldReaction counts a manager's positive reaction on a report's message as
// recognition, and lets any reaction of the manager on the message that
// opened a wait answer it.
func foldReaction(o *Org, l Ledger, rc *Reaction, eff *Effects) {
	mgr := rc.User
	if !o.Recorded(mgr) || !o.IsManager(mgr) {
		return
	}
	if m, ok := o.ManagerOf(rc.ItemUser); !ok || m != mgr || !o.Recorded(rc.ItemUser) {
		return
	}
	st := l.State(mgr)
	if !rc.Removed {
		kept := st.Waits[:0]
		var closed []Wait
		for _, w := range st.Waits {
			if w.Report == rc.ItemUser && w.Channel == rc.Channel && w.TS == rc.TS && !w.Opened.After(rc.At) {
				closed = append(closed, w)
				continue
			}
			kept = append(kept, w)
		}
		st.Waits = kept
		recordLatencies(o, l, mgr, closed, rc.At)
		eff.Recorded = eff.Recorded || len(closed) > 0
	}
	if !o.Lexicon.IsRecognitionEmoji(rc.Emoji) {
		return
	}
	eff.Recorded = true
	rd := l.Day(mgr, DayOf(rc.At, o.Loc(mgr))).Report(rc.ItemUser)
	if rc.Removed {
		rd.Recognition = add(rd.Recognition, -1)
	} else {
		rd.Recognition++
	}
}

// add applies a signed change, never going below zero (a deletion of
// something that was never counted changes nothing).
func add(n, sign int) int {
	if n+sign < 0 {
		return 0
	}
	return n + sign
}
