package signals

import (
	"slices"
	"time"
)

// MaxLatencies caps the reply latencies kept per report-day, so a window's
// size does not grow with traffic. The median of the kept values is used.
const MaxLatencies = 64

// DayWindow is one manager's counters for one day (the manager's local
// date). It is the unit the store keeps: the database grows with managers ×
// days, not with messages.
type DayWindow struct {
	Day         Day `json:"day"`
	Directed    int `json:"directed,omitempty"`     // messages the manager directed at reports
	OffHours    int `json:"off_hours,omitempty"`    // of those, landed off-hours for a recipient
	Late        int `json:"late,omitempty"`         // of those, after the late hour or on a weekend
	Questions   int `json:"questions,omitempty"`    // of the directed, asked a question
	StatusChase int `json:"status_chase,omitempty"` // of the directed, chased status
	// Reports holds per-report counters, by user id.
	Reports map[string]*ReportDay `json:"reports,omitempty"`
}

// ReportDay is one report's share of a manager's day.
type ReportDay struct {
	Directed    int `json:"directed,omitempty"`      // manager → report messages
	OffHours    int `json:"off_hours,omitempty"`     // of those, off-hours for the report
	Recognition int `json:"recognition,omitempty"`   // thanks/kudos messages and positive reactions from the manager
	StatusChase int `json:"status_chase,omitempty"`  // status chases from the manager
	FromReport  int `json:"from_report,omitempty"`   // report → manager directed messages
	Own         int `json:"own,omitempty"`           // all the report's own messages
	OwnOffHours int `json:"own_off_hours,omitempty"` // of those, outside the report's own hours
	// Latencies are the manager's replies to this report that closed this
	// day, in the manager's working minutes.
	Latencies []int32 `json:"latencies,omitempty"`
}

// IsZero reports whether rd counts nothing.
func (rd *ReportDay) IsZero() bool {
	return rd.Directed == 0 && rd.OffHours == 0 && rd.Recognition == 0 && rd.StatusChase == 0 &&
		rd.FromReport == 0 && rd.Own == 0 && rd.OwnOffHours == 0 && len(rd.Latencies) == 0
}

// Report returns the counters of report r, creating them.
func (w *DayWindow) Report(r string) *ReportDay {
	if w.Reports == nil {
		w.Reports = make(map[string]*ReportDay)
	}
	rd, ok := w.Reports[r]
	if !ok {
		rd = &ReportDay{}
		w.Reports[r] = rd
	}
	return rd
}

// Empty reports whether the window holds nothing worth keeping.
func (w *DayWindow) Empty() bool {
	if w.Directed != 0 || w.OffHours != 0 || w.Late != 0 || w.Questions != 0 || w.StatusChase != 0 {
		return false
	}
	for _, rd := range w.Reports {
		if !rd.IsZero() {
			return false
		}
	}
	return true
}

// Latencies are all the manager's reply latencies that closed this day,
// smallest first.
func (w *DayWindow) Latencies() []int32 {
	var out []int32
	for _, rd := range w.Reports {
		out = append(out, rd.Latencies...)
	}
	slices.Sort(out)
	return out
}

// Forget removes every counter about person id from the window, including
// their part in the manager's totals: a message to them leaves the totals
// (for a group DM this takes away a little more than their share, which errs
// on the side of forgetting).
func (w *DayWindow) Forget(id string) {
	rd, ok := w.Reports[id]
	if !ok {
		return
	}
	w.Directed = add(w.Directed, -rd.Directed)
	w.OffHours = add(w.OffHours, -rd.OffHours)
	w.Late = min(w.Late, w.OffHours)
	w.StatusChase = add(w.StatusChase, -rd.StatusChase)
	w.Questions = min(w.Questions, w.Directed)
	delete(w.Reports, id)
}

// ManagerState is the small per-manager state that is not a daily counter:
// the waits still open, the last exchange with each report, and the last day
// an in-the-moment hint was given.
type ManagerState struct {
	Waits       []Wait           `json:"waits,omitempty"`
	LastContact map[string]int64 `json:"last_contact,omitempty"` // report → unix seconds
	HintDay     Day              `json:"hint_day,omitempty"`
	// Answered holds, while the history before the manager connected is
	// still to be read back, the first answer coach saw from them since
	// they connected (unix microseconds): by report, their first DM to
	// them, and by group DM, their first message in it (readback.go).
	Answered map[string]int64 `json:"answered,omitempty"`
	// Settled is the moment the manager connected whose history before it
	// was read back and settled (SettleReadBack).
	Settled time.Time `json:"settled,omitzero"`
}

// Wait is a report's message directed at the manager that has not been
// answered yet.
type Wait struct {
	Report  string    `json:"report"`
	Channel string    `json:"channel"`
	Thread  string    `json:"thread,omitempty"` // thread ts when the message was a reply
	TS      string    `json:"ts"`               // the message that opened the wait
	Opened  time.Time `json:"opened"`
}

// Contact records an exchange with report r at t, keeping the latest.
func (s *ManagerState) Contact(r string, t time.Time) {
	if s.LastContact == nil {
		s.LastContact = make(map[string]int64)
	}
	if u := t.Unix(); u > s.LastContact[r] {
		s.LastContact[r] = u
	}
}

// Forget removes every trace of person id from the state.
func (s *ManagerState) Forget(id string) {
	delete(s.LastContact, id)
	delete(s.Answered, id)
	kept := s.Waits[:0]
	for _, w := range s.Waits {
		if w.Report != id {
			kept = append(kept, w)
		}
	}
	s.Waits = kept
}

// Empty reports whether the state holds nothing.
func (s *ManagerState) Empty() bool {
	return len(s.Waits) == 0 && len(s.LastContact) == 0 && s.HintDay == 0 && len(s.Answered) == 0 && s.Settled.IsZero()
}
