package signals

import (
	"reflect"
	"testing"
	"time"
)

// response_time nudges when the median reply over the last 7 days took more
// than 4 of the manager's working hours (240 minutes), or when ≥ 2 waits have
// been open for more than 1 working day (540 minutes under 09:00–18:00).
// The clock is Wed 17 June 2026 12:00 Berlin. The 7 days are the full days
// ending yesterday (1 to 7 days ago): replies closed today count from
// tomorrow on. Open waits are measured up to now.
func TestResponseTimeThresholds(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	o := newTeam(Norms{}, "UA", "UB", "UK")
	lat := func(n int, xs ...int32) DayWindow {
		return DayWindow{Day: ago(t, n), Reports: map[string]*ReportDay{"UA": {Latencies: xs}}}
	}
	wait := func(r string, opened time.Time) Wait {
		return Wait{Report: r, Channel: "D" + r, TS: ts(opened), Opened: opened}
	}
	june := func(d, h, m int) time.Time { return wall(berlin, time.June, d, h, m) }
	tests := []struct {
		name       string
		windows    []DayWindow
		waits      []Wait
		wantFired  bool
		wantMedian int
		wantWaits  int
		wantOpen   int
		wantNamed  []string
	}{
		{name: "median 240: exactly 4 working hours", windows: []DayWindow{lat(1, 240)}, wantMedian: 240, wantWaits: 1},
		{name: "median 241: just over", windows: []DayWindow{lat(1, 241)}, wantFired: true, wantMedian: 241, wantWaits: 1},
		// The median of {240, 241} is 240.5 minutes: more than 4 hours.
		// 240.5 is over the limit; the number shown rounds to 241.
		{name: "median of 240 and 241 is 240.5: over", windows: []DayWindow{lat(1, 240), lat(2, 241)}, wantFired: true, wantMedian: 241, wantWaits: 2},
		{name: "median of 30, 200, 600 is 200", windows: []DayWindow{lat(1, 600, 30), lat(4, 200)}, wantMedian: 200, wantWaits: 3},
		// Yesterday and 7 days ago: the window's last and first days.
		{name: "median of 30, 300, 600 is 300", windows: []DayWindow{lat(1, 600, 30), lat(7, 300)}, wantFired: true, wantMedian: 300, wantWaits: 3},
		{name: "slow replies 8 days ago are outside the window", windows: []DayWindow{lat(8, 600, 600)}},
		// With today's two slow replies the median would be 600.
		{name: "slow replies closed today are not counted yet", windows: []DayWindow{lat(1, 240), lat(0, 600, 600)}, wantMedian: 240, wantWaits: 1},
		{
			// Mon 09:00 → Wed 12:00: 540 + 540 + 180 = 1260 working minutes.
			name:     "one wait open more than a working day",
			waits:    []Wait{wait("UB", june(15, 9, 0))},
			wantOpen: 1, wantNamed: []string{"UB"},
		},
		{
			// Ben as above; Cat Tue 11:59 → Wed 12:00: 361 + 180 = 541 > 540.
			name:      "two waits open more than a working day",
			waits:     []Wait{wait("UB", june(15, 9, 0)), wait("UK", june(16, 11, 59))},
			wantFired: true, wantOpen: 2, wantNamed: []string{"UB", "UK"},
		},
		{
			// Cat Tue 12:00 → Wed 12:00: 360 + 180 = 540, not more than 540.
			name:     "second wait open exactly one working day",
			waits:    []Wait{wait("UB", june(15, 9, 0)), wait("UK", june(16, 12, 0))},
			wantOpen: 1, wantNamed: []string{"UB"},
		},
		{
			// Sat and Sun count nothing: Mon + Tue + Wed morning = 1260 each.
			name:      "two waits opened at the weekend",
			waits:     []Wait{wait("UA", june(13, 12, 0)), wait("UB", june(14, 20, 0))},
			wantFired: true, wantOpen: 2, wantNamed: []string{"UA", "UB"},
		},
		{
			// Fri 12 June 17:00 → Wed 12:00 is 4.4 calendar days but only
			// 60 + 540 + 540 + 180 = 1320 working minutes; one wait is one.
			name:     "two waits, one of them opened today",
			waits:    []Wait{wait("UA", june(12, 17, 0)), wait("UB", june(17, 9, 30))},
			wantOpen: 1, wantNamed: []string{"UA"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := find(t, judge(t, o, ManagerState{Waits: tt.waits}, tt.windows...), ResponseTime)
			checkSeverity(t, got)
			f := got.Facts
			if got.Fired != tt.wantFired {
				t.Errorf("fired = %v, want %v (facts %+v)", got.Fired, tt.wantFired, f)
			}
			if f.MedianMinutes != tt.wantMedian || f.Waits != tt.wantWaits || f.OpenWaits != tt.wantOpen {
				t.Errorf("median %d of %d replies, %d open; want %d of %d, %d open", f.MedianMinutes, f.Waits, f.OpenWaits, tt.wantMedian, tt.wantWaits, tt.wantOpen)
			}
			var named []string
			for _, r := range f.Reports {
				named = append(named, r.ID)
			}
			if !reflect.DeepEqual(named, tt.wantNamed) {
				t.Errorf("named %v, want %v", named, tt.wantNamed)
			}
		})
	}
}

// Norms.ResponseHours replaces the 4-hour limit on the median.
func TestResponseTimeTeamNorm(t *testing.T) {
	tests := []struct {
		hours     int // the team's agreed response time; 0 = not agreed
		median    int32
		wantFired bool
	}{
		{0, 300, true},    // 5h > 4h default
		{8, 300, false},   // 5h ≤ 8h agreed
		{8, 480, false},   // exactly 8h
		{8, 481, true},    // over 8h
		{2, 120, false},   // exactly 2h
		{2, 121, true},    // over 2h
		{2, 200, true},    // 3h20 ≤ 4h default, but over the agreed 2h
		{24, 1440, false}, // three working days, as agreed
	}
	for _, tt := range tests {
		o := newTeam(Norms{ResponseHours: tt.hours}, "UA", "UB", "UK")
		got := find(t, judge(t, o, ManagerState{}, DayWindow{Day: ago(t, 1), Reports: map[string]*ReportDay{"UA": {Latencies: []int32{tt.median}}}}), ResponseTime)
		checkSeverity(t, got)
		if got.Fired != tt.wantFired {
			t.Errorf("agreed %dh, median %d min: fired = %v, want %v", tt.hours, tt.median, got.Fired, tt.wantFired)
		}
	}
}

// Waits over a weekend, folded as the product does, in Mia's working minutes
// (Berlin, 09:00–18:00 Mon–Fri). In March 2026 Berlin is on CET (UTC+1) and,
// from 8 March, Los Angeles on PDT (UTC−7): 8 hours apart.
func TestResponseTimeWeekendThroughFold(t *testing.T) {
	berlin, la := mustLoc(t, "Europe/Berlin"), mustLoc(t, "America/Los_Angeles")
	o := newTeam(Norms{}, "UA", "UB", "UK")
	b := func(m time.Month, d, h, min int) time.Time { return wall(berlin, m, d, h, min) }
	anaAsks := wall(la, time.March, 13, 8, 0) // Fri 08:00 PDT = 15:00 UTC = 16:00 CET
	parent := ts(b(time.March, 16, 8, 0))     // Mia's thread parent in C2
	tests := []struct {
		name       string
		now        time.Time
		events     []Event
		wantLat    []int32 // every latency folded, smallest first
		wantMedian int
		wantFired  bool
	}{
		{
			// Judged on Tuesday, when Monday, the day of the replies, is a
			// full day.
			name: "Fri afternoon questions answered on Monday: median 150",
			now:  b(time.March, 17, 12, 0),
			events: []Event{
				// Ben Fri 16:00 → Mia's DM Mon 11:00: 120 (Fri) + 120 (Mon) = 240.
				dm("UB", "UM", b(time.March, 13, 16, 0), Flags{Question: true}),
				// Ana Fri 16:00 CET → Mia reacts 👀 Mon 09:30: 120 + 30 = 150.
				post("C1", "UA", []string{"UM"}, anaAsks, Flags{Question: true}),
				// Cat replies in Mia's thread Mon 10:00 → Mia in the thread 10:30: 30.
				reply("C2", parent, "UM", "UK", b(time.March, 16, 10, 0), Flags{}),
				react("C1", ts(anaAsks), "UA", "UM", "eyes", b(time.March, 16, 9, 30)),
				reply("C2", parent, "UM", "UM", b(time.March, 16, 10, 30), Flags{}),
				dm("UM", "UB", b(time.March, 16, 11, 0), Flags{}),
			},
			wantLat: []int32{30, 150, 240}, wantMedian: 150,
		},
		{
			name: "Fri lunchtime questions answered Monday 10:00: median 360",
			now:  b(time.March, 17, 12, 0),
			events: []Event{
				// Ben Fri 13:00 → Mon 10:00: 300 + 60 = 360.
				dm("UB", "UM", b(time.March, 13, 13, 0), Flags{}),
				// Ana Fri 05:00 PDT = 12:00 UTC = 13:00 CET → Mon 10:00: 360.
				dm("UA", "UM", wall(la, time.March, 13, 5, 0), Flags{}),
				// Cat Mon 09:00 → 09:30: 30.
				dm("UK", "UM", b(time.March, 16, 9, 0), Flags{}),
				dm("UM", "UK", b(time.March, 16, 9, 30), Flags{}),
				dm("UM", "UB", b(time.March, 16, 10, 0), Flags{}),
				dm("UM", "UA", b(time.March, 16, 10, 0), Flags{}),
			},
			wantLat: []int32{30, 360, 360}, wantMedian: 360, wantFired: true,
		},
		{
			// Fri 27 Mar 17:00 CET → Mon 30 Mar 10:00 CEST: 60 + 60; the hour
			// lost at 02:00 on Sunday is not a working hour. Judged Tuesday.
			name: "over the weekend of the EU spring change",
			now:  b(time.March, 31, 12, 0),
			events: []Event{
				dm("UB", "UM", b(time.March, 27, 17, 0), Flags{}),
				dm("UM", "UB", b(time.March, 30, 10, 0), Flags{}),
			},
			wantLat: []int32{120}, wantMedian: 120,
		},
		{
			// Fri 23 Oct 13:00 CEST → Mon 26 Oct 13:00 CET: 300 + 240 = 540.
			// Judged Tuesday.
			name: "over the weekend of the EU autumn change",
			now:  b(time.October, 27, 14, 0),
			events: []Event{
				dm("UB", "UM", b(time.October, 23, 13, 0), Flags{}),
				dm("UM", "UB", b(time.October, 26, 13, 0), Flags{}),
			},
			wantLat: []int32{540}, wantMedian: 540, wantFired: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := foldAll(o, tt.events...)
			if n := len(l.State("UM").Waits); n != 0 {
				t.Errorf("%d waits still open, want 0: %+v", n, l.State("UM").Waits)
			}
			tot, _ := l.total("UM")
			if !reflect.DeepEqual(tot.Latencies(), tt.wantLat) {
				t.Errorf("latencies = %v, want %v", tot.Latencies(), tt.wantLat)
			}
			got := find(t, computeLedger(o, l, tt.now, tt.now.AddDate(0, 0, -60)), ResponseTime)
			checkSeverity(t, got)
			if got.Facts.MedianMinutes != tt.wantMedian || got.Facts.Waits != len(tt.wantLat) || got.Fired != tt.wantFired {
				t.Errorf("median %d of %d, fired %v; want %d of %d, fired %v", got.Facts.MedianMinutes, got.Facts.Waits, got.Fired, tt.wantMedian, len(tt.wantLat), tt.wantFired)
			}
		})
	}
}

// What answers a wait (PRODUCT.md, response_time): in a DM any message of
// the manager's; in a group DM or channel a message of hers in the same
// thread, one directed at the report (a mention, or a reply in a thread the
// report started) in that conversation, a DM from her to the report, or her
// reaction on the message. A top-level channel message to other people
// answers nothing. Ana opens a wait at Tue 16 June 10:00 Berlin; Mia acts at
// 11:00, so a closed wait measures 60 working minutes.
func TestResponseTimeWaitCloses(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	o := newTeam(Norms{}, "UA", "UB", "UK")
	asked := wall(berlin, time.June, 16, 10, 0)
	acts := wall(berlin, time.June, 16, 11, 0)
	earlier := wall(berlin, time.June, 16, 9, 0)
	thread := ts(wall(berlin, time.June, 16, 8, 0)) // Mia's thread parent in C1
	topLevel := post("C1", "UA", []string{"UM"}, asked, Flags{Question: true})
	inThread := reply("C1", thread, "UM", "UA", asked, Flags{Question: true})
	inGroup := group("G1", "UA", []string{"UM", "UA", "UB"}, asked, Flags{Question: true})
	inDM := dm("UA", "UM", asked, Flags{Question: true})
	anaOld := post("C1", "UA", nil, earlier, Flags{}) // Ana's earlier message, not directed at Mia
	anaThread := ts(earlier)                          // … and the thread under it
	tests := []struct {
		name     string
		opened   []Event
		act      Event
		wantOpen bool
	}{
		{"top-level wait, Mia's DM to Ana", []Event{topLevel}, dm("UM", "UA", acts, Flags{}), false},
		// The channel's top level, to nobody or to others, is not an answer.
		{"top-level wait, Mia posts in the channel", []Event{topLevel}, post("C1", "UM", nil, acts, Flags{}), true},
		{"top-level wait, Mia asks Ben at the channel's top level", []Event{topLevel}, post("C1", "UM", []string{"UB"}, acts, Flags{StatusChase: true}), true},
		{"top-level wait, Mia mentions Ana at the channel's top level", []Event{topLevel}, post("C1", "UM", []string{"UA"}, acts, Flags{}), false},
		{"top-level wait, Mia mentions Ana and Ben", []Event{topLevel}, post("C1", "UM", []string{"UB", "UA"}, acts, Flags{}), false},
		{"top-level wait, Mia mentions Ana in another channel", []Event{topLevel}, post("C2", "UM", []string{"UA"}, acts, Flags{}), true},
		{"top-level wait, Mia replies in another thread Ana started", []Event{anaOld, topLevel}, reply("C1", anaThread, "UA", "UM", acts, Flags{}), false},
		{"top-level wait, Mia replies in its thread", []Event{topLevel}, reply("C1", ts(asked), "UA", "UM", acts, Flags{}), false},
		{"top-level wait, Mia reacts on it", []Event{topLevel}, react("C1", ts(asked), "UA", "UM", "eyes", acts), false},
		{"top-level wait, Mia replies in another thread", []Event{topLevel}, reply("C1", thread, "UM", "UM", acts, Flags{}), true},
		{"top-level wait, Mia posts in another channel", []Event{topLevel}, post("C2", "UM", nil, acts, Flags{}), true},
		{"top-level wait, Mia DMs Ben", []Event{topLevel}, dm("UM", "UB", acts, Flags{}), true},
		{"thread wait, Mia replies in the thread", []Event{inThread}, reply("C1", thread, "UM", "UM", acts, Flags{}), false},
		{"thread wait, Mia reacts on it", []Event{inThread}, react("C1", ts(asked), "UA", "UM", "+1", acts), false},
		{"thread wait, Mia's DM to Ana", []Event{inThread}, dm("UM", "UA", acts, Flags{}), false},
		{"thread wait, Mia posts at the channel's top level", []Event{inThread}, post("C1", "UM", nil, acts, Flags{}), true},
		{"thread wait, Mia mentions Ana at the channel's top level", []Event{inThread}, post("C1", "UM", []string{"UA"}, acts, Flags{}), false},
		{"thread wait, Mia mentions Ben in the thread", []Event{inThread}, mentioning(reply("C1", thread, "UM", "UM", acts, Flags{}), "UB"), false},
		{"thread wait, Mia mentions Ana in another thread", []Event{inThread}, mentioning(reply("C1", anaThread, "UB", "UM", acts, Flags{}), "UA"), false},
		{"thread wait, Mia replies in another thread", []Event{inThread}, reply("C1", anaThread, "UB", "UM", acts, Flags{}), true},
		// "M's reaction on it": a reaction on another message of Ana's, in
		// another thread of the channel, does not answer this one.
		{"thread wait, Mia reacts on Ana's earlier top-level message", []Event{anaOld, inThread}, react("C1", ts(earlier), "UA", "UM", "eyes", acts), true},
		{"group DM wait, Mia writes in the group DM", []Event{inGroup}, group("G1", "UM", []string{"UM", "UA", "UB"}, acts, Flags{}), false},
		{"group DM wait, Mia's DM to Ana", []Event{inGroup}, dm("UM", "UA", acts, Flags{}), false},
		{"group DM wait, Mia reacts on it", []Event{inGroup}, react("G1", ts(asked), "UA", "UM", "eyes", acts), false},
		{"group DM wait, Mia writes in another group DM with Ana", []Event{inGroup}, group("G2", "UM", []string{"UM", "UA", "UK"}, acts, Flags{}), true},
		{"group DM wait, Mia writes in a group DM without Ana", []Event{inGroup}, group("G3", "UM", []string{"UM", "UB", "UK"}, acts, Flags{}), true},
		{"DM wait, Mia writes in the DM", []Event{inDM}, dm("UM", "UA", acts, Flags{}), false},
		{"DM wait, Mia reacts on it", []Event{inDM}, react(dmChannel("UA", "UM"), ts(asked), "UA", "UM", "eyes", acts), false},
		{"DM wait, Mia mentions Ana in a channel", []Event{inDM}, post("C1", "UM", []string{"UA"}, acts, Flags{}), true},
		{"DM wait, Mia writes in a group DM with Ana", []Event{inDM}, group("G1", "UM", []string{"UM", "UA", "UB"}, acts, Flags{}), true},
		{"DM wait, Mia DMs Ben", []Event{inDM}, dm("UM", "UB", acts, Flags{}), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := foldAll(o, append(tt.opened, tt.act)...)
			open := len(l.State("UM").Waits) > 0
			tot, _ := l.total("UM")
			if open != tt.wantOpen {
				t.Errorf("wait open = %v, want %v (waits %+v, latencies %v)", open, tt.wantOpen, l.State("UM").Waits, tot.Latencies())
			}
			wantLat := []int32{60}
			if tt.wantOpen {
				wantLat = nil
			}
			if !reflect.DeepEqual(tot.Latencies(), wantLat) {
				t.Errorf("latencies = %v, want %v", tot.Latencies(), wantLat)
			}
		})
	}
}

// Ben asks Mia at the top level of #launch on Tue 16 June 10:00 Berlin. At
// 11:00 Mia asks Fox, who is not on her team, "@Fox any update?" at the
// channel's top level: that answers nothing. She replies in Ben's thread on
// Wed 17 June 12:00, 26 hours later: 480 working minutes on Tuesday (10:00
// to 18:00) and 180 on Wednesday (09:00 to 12:00) make 660, not 60. Judged
// on Thursday, when Wednesday is a full day, the median of 660 is over 240.
func TestResponseTimeTopLevelPostToOthers(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	o := newTeam(Norms{}, "UA", "UB", "UK")
	asked := wall(berlin, time.June, 16, 10, 0)
	events := []Event{
		post("C1", "UB", []string{"UM"}, asked, Flags{Question: true}),
		post("C1", "UM", []string{"UF"}, wall(berlin, time.June, 16, 11, 0), o.Lexicon.Classify("<@UF> any update?")),
	}
	l := foldAll(o, events...)
	if tot, _ := l.total("UM"); len(l.State("UM").Waits) != 1 || len(tot.Latencies()) != 0 {
		t.Fatalf("after the post to Fox: waits %+v, latencies %v; want Ben's wait open, no latency", l.State("UM").Waits, tot.Latencies())
	}
	Fold(o, l, reply("C1", ts(asked), "UB", "UM", wall(berlin, time.June, 17, 12, 0), Flags{}))
	tot, _ := l.total("UM")
	if got, want := tot.Latencies(), []int32{660}; !reflect.DeepEqual(got, want) || len(l.State("UM").Waits) != 0 {
		t.Errorf("latencies %v with %d waits open, want %v and none", got, len(l.State("UM").Waits), want)
	}
	now := wall(berlin, time.June, 18, 12, 0)
	got := find(t, computeLedger(o, l, now, now.AddDate(0, 0, -60)), ResponseTime)
	checkSeverity(t, got)
	if !got.Fired || got.Facts.MedianMinutes != 660 || got.Facts.Waits != 1 {
		t.Errorf("fired %v with median %d of %d, want fired with 660 of 1", got.Fired, got.Facts.MedianMinutes, got.Facts.Waits)
	}
}
