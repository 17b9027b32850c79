package signals

import (
	"math"
	"sort"
	"time"
)

// Kind names a signal. The names are the spec's, and appear as-is in
// replay's JSON output.
type Kind string

// The eight signals of the spec.
const (
	AfterHours       Kind = "after_hours"
	ResponseTime     Kind = "response_time"
	ContactGap       Kind = "contact_gap"
	AttentionBalance Kind = "attention_balance"
	Recognition      Kind = "recognition"
	Listening        Kind = "listening"
	StatusChasing    Kind = "status_chasing"
	TeamAfterHours   Kind = "team_after_hours"
)

// Kinds lists every signal kind in display order.
var Kinds = []Kind{AfterHours, ResponseTime, ContactGap, AttentionBalance, Recognition, Listening, StatusChasing, TeamAfterHours}

// Signal is one measurement of a manager's habits with the numbers a nudge
// quotes. Fired means it crossed its threshold; Severity (0–1) ranks fired
// signals against each other and is 0 when not fired.
type Signal struct {
	Kind     Kind    `json:"kind"`
	Fired    bool    `json:"fired"`
	Severity float64 `json:"severity"`
	Facts    Facts   `json:"facts"`
	// Unseen means coach cannot judge this signal for this manager: it
	// needs their DMs (Kind.NeedsDMs), which coach does not see. An unseen
	// signal never fires and holds no numbers.
	Unseen bool `json:"unseen,omitempty"`
}

// Facts are a signal's numbers. Which fields are set depends on the kind;
// the zero ones are left out of JSON.
type Facts struct {
	Count         int          `json:"count,omitempty"`          // the counted thing (off-hours messages, chases, questions…)
	Total         int          `json:"total,omitempty"`          // out of this many
	Share         float64      `json:"share,omitempty"`          // Count/Total
	Late          int          `json:"late,omitempty"`           // after_hours: after the late hour or at weekends
	MedianMinutes int          `json:"median_minutes,omitempty"` // response_time: median reply, working minutes
	Waits         int          `json:"waits,omitempty"`          // response_time: replies measured
	OpenWaits     int          `json:"open_waits,omitempty"`     // response_time: still open past the limit
	Baseline      float64      `json:"baseline,omitempty"`       // team_after_hours: share in the weeks before
	Days          int          `json:"days,omitempty"`           // the window, in days
	Reports       []ReportFact `json:"reports,omitempty"`        // the reports involved, worst first
}

// ReportFact is one report named by a signal.
type ReportFact struct {
	ID    string  `json:"id"`
	Name  string  `json:"name"`
	Days  int     `json:"days,omitempty"`  // contact_gap, recognition: days without
	Count int     `json:"count,omitempty"` // messages, chases
	Share float64 `json:"share,omitempty"` // attention_balance: their share of directed messages
}

// Input is what Compute judges one manager by.
type Input struct {
	Manager string
	Now     time.Time
	// Windows are the manager's day windows, covering at least
	// Thresholds.HistoryDays days before Now. Order does not matter.
	Windows []DayWindow
	State   ManagerState
	// Since is when coach began recording this manager. Signals about
	// absence ("no contact in 14 days") need that much history; zero means
	// the team's Since, else the oldest window. What coach sees of the
	// manager's DMs is the team's Visibility.
	Since time.Time
}

// Compute judges one manager: every signal kind, in Kinds order, with its
// numbers, whether it fired and how severe it is. team_after_hours is
// absent for teams smaller than the team minimum. A kind that needs the
// manager's DMs is Unseen when coach does not see them (Visibility).
// Compute is pure.
func Compute(o *Org, in Input) []Signal {
	c := newCalc(o, in)
	judge := func(k Kind, f func() Signal) Signal {
		if k.NeedsDMs() && !c.dms {
			return c.unseen(k)
		}
		return f()
	}
	out := []Signal{
		c.afterHours(),
		judge(ResponseTime, c.responseTime),
		judge(ContactGap, c.contactGap),
		judge(AttentionBalance, c.attentionBalance),
		judge(Recognition, c.recognition),
		judge(Listening, c.listening),
		c.statusChasing(),
	}
	if s, ok := c.teamAfterHours(); ok {
		out = append(out, s)
	}
	return out
}

// calc holds what every signal of one manager needs.
type calc struct {
	o       *Org
	in      Input
	lim     Thresholds
	team    *Team
	reports []string // recorded reports, team order
	loc     *time.Location
	today   Day
	days    map[Day]*DayWindow
	// dms says coach sees the manager's DMs, since dmSince (dmFirst is
	// that day). Kinds that need them are judged only then.
	dms     bool
	dmSince time.Time
	dmFirst Day
	// first is the first day coach has seen all of the manager's
	// conversations (channels and, with dms, DMs), and covered the days
	// from it to today, today included: how far back an absence can be
	// claimed.
	first   Day
	covered int
}

func newCalc(o *Org, in Input) *calc {
	c := &calc{o: o, in: in, lim: o.Limits, team: o.Teams[in.Manager], reports: o.Reports(in.Manager), loc: o.Loc(in.Manager)}
	c.today = DayOf(in.Now, c.loc)
	c.days = make(map[Day]*DayWindow, len(in.Windows))
	first := c.today
	for i := range in.Windows {
		w := &in.Windows[i]
		if w.Day > c.today {
			continue // the future of a replay; not yet known at Now
		}
		c.days[w.Day] = w
		if w.Day < first {
			first = w.Day
		}
	}
	switch {
	case !in.Since.IsZero():
		first = DayOf(in.Since, c.loc)
	case c.team != nil && !c.team.Since.IsZero():
		first = DayOf(c.team.Since, c.loc)
	}
	if c.team != nil && c.team.DMs() {
		c.dms, c.dmSince = true, c.team.DMsSince
		c.dmFirst = DayOf(c.dmSince, c.loc)
		first = max(first, c.dmFirst)
	}
	c.first = first
	c.covered = int(c.today-first) + 1
	return c
}

// span calls f for each window of the last n full days: the n days ending
// yesterday. A Monday digest covers Monday to Sunday of the week before;
// today, still under way, is left for next time.
func (c *calc) span(n int, f func(*DayWindow)) {
	c.spanAt(0, n, f)
}

// spanAt calls f for each window of the n full days ending back days before
// yesterday.
func (c *calc) spanAt(back, n int, f func(*DayWindow)) {
	end := c.today - 1 - Day(back)
	for d := end - Day(n) + 1; d <= end; d++ {
		if w, ok := c.days[d]; ok {
			f(w)
		}
	}
}

// spanFrom is span without the windows before day from: the days before
// coach saw what the signal needs.
func (c *calc) spanFrom(from Day, n int, f func(*DayWindow)) {
	c.span(n, func(w *DayWindow) {
		if w.Day >= from {
			f(w)
		}
	})
}

func (c *calc) fact(r string) ReportFact { return ReportFact{ID: r, Name: c.o.Name(r)} }

func share(n, total int) float64 {
	if total == 0 {
		return 0
	}
	return float64(n) / float64(total)
}

func clamp01(x float64) float64 { return math.Max(0, math.Min(1, x)) }

// round3 keeps shares readable in JSON and golden files.
func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

// median is the exact median (the mean of the middle two for an even count).
func median(xs []int32) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]int32(nil), xs...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	n := len(s)
	if n%2 == 1 {
		return float64(s[n/2])
	}
	return (float64(s[n/2-1]) + float64(s[n/2])) / 2
}
