package signals

// Thresholds are the "nudges when" column of the spec, from config.
type Thresholds struct {
	AfterHoursMinCount      int     // after_hours: at least this many off-hours messages
	AfterHoursMinShare      float64 // … and at least this share of directed messages
	LateHour                int     // "late" is at or after this local hour (or a weekend)
	ResponseMedianHours     float64 // response_time: median above this many working hours
	ResponseOpenWaits       int     // … or at least this many waits open
	ResponseOpenDays        float64 // … for longer than this many working days
	ContactGapDays          int     // contact_gap: any report this many days without an exchange
	AttentionMinFraction    float64 // attention_balance: a report below this fraction of the even share
	AttentionDays           int     // … over this many days
	AttentionMinMessages    int     // … once there are this many directed messages to judge by
	RecognitionDays         int     // recognition: a report with none in this many days
	ListeningMinShare       float64 // listening: questions below this share
	ListeningMinMessages    int     // … over at least this many directed messages
	StatusChasePerReport    int     // status_chasing: this many to one report
	StatusChaseTotal        int     // … or this many in total
	TeamAfterHoursMinShare  float64 // team_after_hours: share at least this and rising
	TeamAfterHoursMinTeam   int     // team aggregates only for teams of at least this size
	AttentionMinTeam        int     // attention_balance only for teams of at least this size
	WindowDays              int     // the signals' default window
	TeamAfterHoursBaseWeeks int     // weeks before this one that team_after_hours compares with
}

// DefaultThresholds are the defaults of the spec.
func DefaultThresholds() Thresholds {
	return Thresholds{
		AfterHoursMinCount:      3,
		AfterHoursMinShare:      0.10,
		LateHour:                21,
		ResponseMedianHours:     4,
		ResponseOpenWaits:       2,
		ResponseOpenDays:        1,
		ContactGapDays:          14,
		AttentionMinFraction:    1.0 / 3,
		AttentionDays:           28,
		AttentionMinMessages:    10,
		RecognitionDays:         30,
		ListeningMinShare:       0.10,
		ListeningMinMessages:    20,
		StatusChasePerReport:    3,
		StatusChaseTotal:        5,
		TeamAfterHoursMinShare:  0.15,
		TeamAfterHoursMinTeam:   3,
		AttentionMinTeam:        3,
		WindowDays:              7,
		TeamAfterHoursBaseWeeks: 3,
	}
}

// HistoryDays is how many days of windows, before today, Compute needs to see.
func (t Thresholds) HistoryDays() int {
	n := t.WindowDays * (1 + t.TeamAfterHoursBaseWeeks)
	for _, d := range []int{t.AttentionDays, t.RecognitionDays, t.ContactGapDays + 1} {
		if d > n {
			n = d
		}
	}
	return n
}
