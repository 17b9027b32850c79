package signals

import (
	"reflect"
	"slices"
	"testing"
	"time"
)

// What coach sees decides what it may claim. The clock is Wed 17 June 2026
// 12:00 Berlin (june); ago(n) is Mia's date n days before.

// Without Mia's DMs, the five kinds that need them are Unseen: not fired,
// severity 0, nobody named, only the length of their period; the counts of
// what coach saw in channels still judge after_hours and status_chasing.
// Coach has recorded the channels for 60 days and Mia never exchanged a
// word with anyone there — with her DMs seen, contact_gap and recognition
// would name all three, and listening would fire on 20 questionless messages.
func TestChannelsOnlyClaimsOnlyWhatItSaw(t *testing.T) {
	now := june(t)
	w := perReport(t, 1, map[string]ReportDay{
		"UA": {Directed: 10, OffHours: 5},
		"UB": {Directed: 10, StatusChase: 5},
	})
	w.Late = 0
	st := ManagerState{Waits: []Wait{
		{Report: "UA", Channel: "C1", TS: "1", Opened: now.AddDate(0, 0, -7)},
		{Report: "UB", Channel: "C1", TS: "2", Opened: now.AddDate(0, 0, -7)},
	}}
	in := Input{Manager: "UM", Now: now, Windows: []DayWindow{w}, State: st, Since: now.AddDate(0, 0, -60)}
	wantDays := map[Kind]int{ResponseTime: 7, ContactGap: 0, AttentionBalance: 28, Recognition: 30, Listening: 7}

	seeing := Compute(newTeamSeeing(Visibility{DMsSince: longAgo}, Norms{}, "UA", "UB", "UK"), in)
	for _, k := range []Kind{ResponseTime, ContactGap, Recognition, Listening} {
		if s := find(t, seeing, k); !s.Fired || s.Unseen {
			t.Fatalf("with DMs seen, %s fired %v unseen %v; the case must make it fire", k, s.Fired, s.Unseen)
		}
	}

	got := Compute(newTeamSeeing(Visibility{}, Norms{}, "UA", "UB", "UK"), in)
	if k := kindsOf(got); !reflect.DeepEqual(k, Kinds) {
		t.Fatalf("kinds = %v, want every kind %v", k, Kinds)
	}
	for _, s := range got {
		checkSeverity(t, s)
		if s.Kind.NeedsDMs() {
			want := Signal{Kind: s.Kind, Unseen: true, Facts: Facts{Days: wantDays[s.Kind]}}
			if !reflect.DeepEqual(s, want) {
				t.Errorf("%s = %+v, want %+v", s.Kind, s, want)
			}
			continue
		}
		if s.Unseen {
			t.Errorf("%s is unseen; it counts what coach saw", s.Kind)
		}
	}
	if s := find(t, got, AfterHours); !s.Fired || s.Facts.Count != 5 || s.Facts.Total != 20 {
		t.Errorf("after_hours fired %v, %d of %d; want fired, 5 of 20", s.Fired, s.Facts.Count, s.Facts.Total)
	}
	if s := find(t, got, StatusChasing); !s.Fired || s.Facts.Count != 5 {
		t.Errorf("status_chasing fired %v, count %d; want fired, 5", s.Fired, s.Facts.Count)
	}
}

// A manager who DMs Ana every day in reality, and whose DMs coach cannot
// see, gets no contact_gap claim: coach saw only her channel posts to Ben
// and Cat. Judging the same record as if it saw everything would name Ana
// with 60 days — the false nudge. Once coach sees the DMs (since 35 days
// ago, everything read back), it sees the daily contact and claims nothing.
func TestContactGapNeedsTheDMs(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	now := june(t)
	since := now.AddDate(0, 0, -60)
	var reality []Event
	for d := 30; d >= 1; d-- {
		at := now.AddDate(0, 0, -d).In(berlin)
		at = time.Date(at.Year(), at.Month(), at.Day(), 11, 0, 0, 0, berlin)
		reality = append(reality,
			dm("UM", "UA", at, Flags{}),
			dm("UA", "UM", at.Add(5*time.Minute), Flags{}),
			post("C1", "UM", []string{"UB", "UK"}, at.Add(time.Hour), Flags{}),
		)
	}
	inChannels := slices.DeleteFunc(slices.Clone(reality), func(ev Event) bool { return ev.Message.Kind != Channel })

	blind := newTeamSeeing(Visibility{}, Norms{}, "UA", "UB", "UK")
	gap := find(t, computeLedger(blind, foldAll(blind, inChannels...), now, since), ContactGap)
	if gap.Fired || !gap.Unseen || gap.Facts.Reports != nil {
		t.Errorf("channels only: contact_gap = %+v, want unseen, not fired, nobody named", gap)
	}

	assumed := newTeamSeeing(Visibility{DMsSince: longAgo}, Norms{}, "UA", "UB", "UK")
	gap = find(t, computeLedger(assumed, foldAll(assumed, inChannels...), now, since), ContactGap)
	if want := []ReportFact{{ID: "UA", Name: "Ana", Days: 60}}; !gap.Fired || !reflect.DeepEqual(gap.Facts.Reports, want) {
		t.Errorf("the channels judged as if they were everything: contact_gap fired %v, %+v; want the false claim %+v", gap.Fired, gap.Facts.Reports, want)
	}

	seeing := newTeamSeeing(Visibility{DMsSince: now.AddDate(0, 0, -35), Connected: now.AddDate(0, 0, -35)}, Norms{}, "UA", "UB", "UK")
	gap = find(t, computeLedger(seeing, foldAll(seeing, reality...), now, since), ContactGap)
	if gap.Fired || gap.Unseen || gap.Facts.Total != 3 {
		t.Errorf("DMs seen: contact_gap = %+v, want judged, not fired, of 3 reports", gap)
	}
}

// With the DMs seen since D, a gap is claimed only once coach has seen
// ContactGapDays (14) of everything: from the later of D and Since (the
// channels), and never longer than that. Ben and Cat talked to Mia today;
// Ana's last exchange is the case's.
func TestContactGapFromWhenCoachSawEverything(t *testing.T) {
	now := june(t)
	daysAgo := func(n int) int64 { return now.AddDate(0, 0, -n).Unix() }
	tests := []struct {
		name      string
		dmsSince  time.Time
		since     time.Time // channels
		ana       int64     // Ana's last exchange, 0: none seen
		wantFired bool
		wantDays  int
	}{
		{name: "DMs since 13 days ago, Ana never: no claim", dmsSince: now.AddDate(0, 0, -13), since: now.AddDate(0, 0, -60)},
		{name: "DMs since 14 days ago, Ana never: 14 days", dmsSince: now.AddDate(0, 0, -14), since: now.AddDate(0, 0, -60), wantFired: true, wantDays: 14},
		{name: "DMs since 20 days ago, Ana 16 days ago: 16 days", dmsSince: now.AddDate(0, 0, -20), since: now.AddDate(0, 0, -60), ana: daysAgo(16), wantFired: true, wantDays: 16},
		{
			// Seen in a channel 50 days ago; the DMs of days 50 to 36
			// were never read, so the gap is at most the 35 days seen.
			name: "DMs since 35 days ago, Ana 50 days ago in a channel: 35 days", dmsSince: now.AddDate(0, 0, -35), since: now.AddDate(0, 0, -60),
			ana: daysAgo(50), wantFired: true, wantDays: 35,
		},
		{
			// A new install that read 35 days of DMs back: the channels
			// of those days were not read, so 10 days is all coach saw.
			name: "DMs since 35 days ago but channels since 10: no claim", dmsSince: now.AddDate(0, 0, -35), since: now.AddDate(0, 0, -10),
		},
		{name: "DMs since 35 days ago, channels since 14: 14 days", dmsSince: now.AddDate(0, 0, -35), since: now.AddDate(0, 0, -14), wantFired: true, wantDays: 14},
		{name: "channels only, Ana never in 60 days: unseen", since: now.AddDate(0, 0, -60)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newTeamSeeing(Visibility{DMsSince: tt.dmsSince}, Norms{}, "UA", "UB", "UK")
			last := map[string]int64{"UB": daysAgo(0), "UK": daysAgo(0)}
			if tt.ana != 0 {
				last["UA"] = tt.ana
			}
			got := find(t, Compute(o, Input{Manager: "UM", Now: now, State: ManagerState{LastContact: last}, Since: tt.since}), ContactGap)
			checkSeverity(t, got)
			var want []ReportFact
			if tt.wantFired {
				want = []ReportFact{{ID: "UA", Name: "Ana", Days: tt.wantDays}}
			}
			if got.Fired != tt.wantFired || got.Facts.Days != tt.wantDays || !reflect.DeepEqual(got.Facts.Reports, want) {
				t.Errorf("fired %v, days %d, reports %+v; want %v, %d, %+v", got.Fired, got.Facts.Days, got.Facts.Reports, tt.wantFired, tt.wantDays, want)
			}
			if got.Unseen != tt.dmsSince.IsZero() {
				t.Errorf("unseen = %v with DMs since %v", got.Unseen, tt.dmsSince)
			}
		})
	}
}

// recognition needs 30 days of everything seen. Ana and Ben were thanked
// 2 days ago; Cat was last thanked 40 days ago, in a channel, which coach
// saw: with the DMs seen since D, Cat is named once D is 30 days back,
// with the days coach has seen, not the 40.
func TestRecognitionFromWhenCoachSawEverything(t *testing.T) {
	now := june(t)
	windows := []DayWindow{
		perReport(t, 2, map[string]ReportDay{"UA": {Recognition: 1}, "UB": {Recognition: 1}}),
		perReport(t, 40, map[string]ReportDay{"UK": {Recognition: 1}}),
	}
	tests := []struct {
		name      string
		dmsSince  time.Time
		wantFired bool
		wantDays  int
	}{
		{name: "DMs since 29 days ago: no claim", dmsSince: now.AddDate(0, 0, -29)},
		{name: "DMs since 30 days ago: Cat, 30 days", dmsSince: now.AddDate(0, 0, -30), wantFired: true, wantDays: 30},
		{name: "DMs since 45 days ago: Cat, 40 days", dmsSince: now.AddDate(0, 0, -45), wantFired: true, wantDays: 40},
		{name: "channels only: unseen", dmsSince: time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newTeamSeeing(Visibility{DMsSince: tt.dmsSince}, Norms{}, "UA", "UB", "UK")
			got := find(t, Compute(o, Input{Manager: "UM", Now: now, Windows: windows, Since: now.AddDate(0, 0, -60)}), Recognition)
			checkSeverity(t, got)
			var want []ReportFact
			if tt.wantFired {
				want = []ReportFact{{ID: "UK", Name: "Cat", Days: tt.wantDays}}
			}
			if got.Fired != tt.wantFired || !reflect.DeepEqual(got.Facts.Reports, want) {
				t.Errorf("fired %v, reports %+v; want %v, %+v", got.Fired, got.Facts.Reports, tt.wantFired, want)
			}
		})
	}
}

// attention_balance counts only the days coach saw everything. Mia
// connected 10 days ago. Before, coach saw her channel messages only: 3 a
// day to Ana and 3 to Ben on days 20 to 11 (30 each), none to Cat (whom she
// DMs). Since, it sees one a day to each on days 10 to 6 (5 each). Over the
// 15 seen: an even 5 each, nothing to say. Counting the channel-only days
// too, Cat would get 5 of 75 (an even share is 25; a third of it is 8.3)
// and be named.
func TestAttentionBalanceCountsWhatCoachSaw(t *testing.T) {
	now := june(t)
	var windows []DayWindow
	for n := 20; n >= 11; n-- {
		windows = append(windows, perReport(t, n, map[string]ReportDay{"UA": {Directed: 3}, "UB": {Directed: 3}}))
	}
	for n := 10; n >= 6; n-- {
		windows = append(windows, perReport(t, n, map[string]ReportDay{"UA": {Directed: 1}, "UB": {Directed: 1}, "UK": {Directed: 1}}))
	}
	tests := []struct {
		name      string
		dmsSince  time.Time
		wantFired bool
		wantTotal int
		want      []ReportFact
	}{
		{name: "DMs since 10 days ago: the 15 messages since", dmsSince: now.AddDate(0, 0, -10), wantTotal: 15},
		{name: "DMs seen all along: all 75, Cat named", dmsSince: longAgo, wantFired: true, wantTotal: 75, want: []ReportFact{{ID: "UK", Name: "Cat", Count: 5, Share: 0.067}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newTeamSeeing(Visibility{DMsSince: tt.dmsSince}, Norms{}, "UA", "UB", "UK")
			got := find(t, Compute(o, Input{Manager: "UM", Now: now, Windows: windows, Since: now.AddDate(0, 0, -60)}), AttentionBalance)
			checkSeverity(t, got)
			if got.Fired != tt.wantFired || got.Facts.Total != tt.wantTotal || !reflect.DeepEqual(got.Facts.Reports, tt.want) {
				t.Errorf("fired %v, total %d, %+v; want %v, %d, %+v", got.Fired, got.Facts.Total, got.Facts.Reports, tt.wantFired, tt.wantTotal, tt.want)
			}
		})
	}
}

// response_time counts only what coach saw while it saw the DMs: Mia
// connected on Mon 15 June at 00:00. Friday's three 10-hour replies were
// measured from channels alone (her answers may have been DMs) and do not
// count; Tuesday's two 30-minute ones do: the median is 30 minutes. Of the
// three waits still open, the two opened on Thu 11 June may have been
// answered in a DM coach never read; only Ben's, opened Mon 15 June 10:00,
// counts — 480 + 540 + 180 = 1200 working minutes, past a working day (540),
// but one is not the two that fire. Judged as if coach had seen everything,
// both parts would fire.
func TestResponseTimeCountsWhatCoachSaw(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	now := june(t)
	fri := perReport(t, 5, map[string]ReportDay{"UA": {Latencies: []int32{600, 600, 600}}})
	tue := perReport(t, 1, map[string]ReportDay{"UB": {Latencies: []int32{30, 30}}})
	st := ManagerState{Waits: []Wait{
		{Report: "UA", Channel: "C1", TS: "1", Opened: wall(berlin, time.June, 11, 10, 0)},
		{Report: "UK", Channel: "C1", TS: "2", Opened: wall(berlin, time.June, 11, 10, 0)},
		{Report: "UB", Channel: "C1", TS: "3", Opened: wall(berlin, time.June, 15, 10, 0)},
	}}
	tests := []struct {
		name      string
		dmsSince  time.Time
		wantFired bool
		want      Facts
	}{
		{
			name: "DMs since Mon 15 June", dmsSince: wall(berlin, time.June, 15, 0, 0),
			want: Facts{Days: 7, Waits: 2, MedianMinutes: 30, OpenWaits: 1, Reports: []ReportFact{{ID: "UB", Name: "Ben", Count: 1}}},
		},
		{
			name: "DMs seen all along", dmsSince: longAgo, wantFired: true,
			want: Facts{Days: 7, Waits: 5, MedianMinutes: 600, OpenWaits: 3, Reports: []ReportFact{
				{ID: "UA", Name: "Ana", Count: 1}, {ID: "UB", Name: "Ben", Count: 1}, {ID: "UK", Name: "Cat", Count: 1}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newTeamSeeing(Visibility{DMsSince: tt.dmsSince}, Norms{}, "UA", "UB", "UK")
			got := find(t, Compute(o, Input{Manager: "UM", Now: now, Windows: []DayWindow{fri, tue}, State: st, Since: now.AddDate(0, 0, -60)}), ResponseTime)
			checkSeverity(t, got)
			if got.Fired != tt.wantFired || !reflect.DeepEqual(got.Facts, tt.want) {
				t.Errorf("fired %v, facts %+v; want %v, %+v", got.Fired, got.Facts, tt.wantFired, tt.want)
			}
		})
	}
}

// listening counts only the days coach saw the DMs: Mia connected 3 days
// ago. Five days ago coach saw 30 channel announcements without a question;
// yesterday 20 messages with DMs, 4 of them questions (20 %). Over what
// coach saw with the DMs nothing fires; with the announcements counted it
// would be 4 of 50 (8 %), under the 10 % that fires.
func TestListeningCountsWhatCoachSaw(t *testing.T) {
	now := june(t)
	before := DayWindow{Day: ago(t, 5), Directed: 30}
	after := DayWindow{Day: ago(t, 1), Directed: 20, Questions: 4}
	for _, tt := range []struct {
		name      string
		dmsSince  time.Time
		wantFired bool
		wantCount int
		wantTotal int
	}{
		{name: "DMs since 3 days ago", dmsSince: now.AddDate(0, 0, -3), wantCount: 4, wantTotal: 20},
		{name: "DMs seen all along", dmsSince: longAgo, wantFired: true, wantCount: 4, wantTotal: 50},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := newTeamSeeing(Visibility{DMsSince: tt.dmsSince}, Norms{}, "UA", "UB", "UK")
			got := find(t, Compute(o, Input{Manager: "UM", Now: now, Windows: []DayWindow{before, after}, Since: now.AddDate(0, 0, -60)}), Listening)
			checkSeverity(t, got)
			if got.Fired != tt.wantFired || got.Facts.Count != tt.wantCount || got.Facts.Total != tt.wantTotal {
				t.Errorf("fired %v, %d of %d; want %v, %d of %d", got.Fired, got.Facts.Count, got.Facts.Total, tt.wantFired, tt.wantCount, tt.wantTotal)
			}
		})
	}
}

// NeedsDMs names the absence claims and the signals resting on DMs, and
// nothing else.
func TestNeedsDMs(t *testing.T) {
	var got []Kind
	for _, k := range Kinds {
		if k.NeedsDMs() {
			got = append(got, k)
		}
	}
	if want := []Kind{ResponseTime, ContactGap, AttentionBalance, Recognition, Listening}; !reflect.DeepEqual(got, want) {
		t.Errorf("kinds needing DMs = %v, want %v", got, want)
	}
}

// An org knows each manager's visibility; anyone else sees channels only.
func TestOrgVisibility(t *testing.T) {
	since := time.Date(2026, time.May, 1, 0, 0, 0, 0, time.UTC)
	o := newTeamSeeing(Visibility{DMsSince: since}, Norms{}, "UA")
	if v := o.Visibility("UM"); !v.DMs() || !v.DMsSince.Equal(since) {
		t.Errorf("Mia's visibility = %+v, want DMs since %v", v, since)
	}
	if v := o.Visibility("UA"); v.DMs() {
		t.Errorf("a report's visibility = %+v, want channels only", v)
	}
}
