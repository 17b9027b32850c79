package signals

import (
	"reflect"
	"testing"
	"time"
)

// recognition nudges when a report had no thanks/kudos message or positive
// reaction from the manager in 30 days, and makes no claim while coach has
// less than 30 days of history. The clock is Wed 17 June 2026 12:00 Berlin;
// the 30 days are the 30 full days ending yesterday (1 to 30 days ago):
// today's recognition is counted from tomorrow on.
func TestRecognitionThresholds(t *testing.T) {
	o := newTeam(Norms{}, "UA", "UB", "UK")
	now := june(t)
	rec := func(n int, ids ...string) DayWindow {
		reps := map[string]ReportDay{}
		for _, id := range ids {
			reps[id] = ReportDay{Recognition: 1}
		}
		return perReport(t, n, reps)
	}
	tests := []struct {
		name      string
		since     time.Time
		windows   []DayWindow
		wantFired bool
		wantCount int // recognition given in the window
		want      []ReportFact
	}{
		{
			// Ana 30 days ago is the window's first day, Cat yesterday its last.
			name:      "everyone recognised within 30 days",
			since:     now.AddDate(0, 0, -60),
			windows:   []DayWindow{rec(30, "UA"), rec(3, "UB"), rec(1, "UK")},
			wantCount: 3,
		},
		{
			// Ana 30 days ago is inside; Cat's 31 days ago is not.
			name:      "Cat last recognised 31 days ago",
			since:     now.AddDate(0, 0, -60),
			windows:   []DayWindow{rec(30, "UA"), rec(3, "UB"), rec(31, "UK")},
			wantFired: true, wantCount: 2,
			want: []ReportFact{{ID: "UK", Name: "Cat", Days: 31}},
		},
		{
			name:      "Cat 45 and Ben 31 days ago: longest first",
			since:     now.AddDate(0, 0, -60),
			windows:   []DayWindow{rec(1, "UA"), rec(31, "UB"), rec(45, "UK")},
			wantFired: true, wantCount: 1,
			want: []ReportFact{{ID: "UK", Name: "Cat", Days: 45}, {ID: "UB", Name: "Ben", Days: 31}},
		},
		{
			// Everyone was recognised yesterday; Ana's second thanks today
			// is not counted yet: 3 given, not 4.
			name:      "Ana recognised again today: not counted yet",
			since:     now.AddDate(0, 0, -60),
			windows:   []DayWindow{rec(1, "UA", "UB", "UK"), rec(0, "UA")},
			wantCount: 3,
		},
		{
			name:  "nobody recognised, coach recording for 10 days: no claim",
			since: now.AddDate(0, 0, -10),
		},
		{
			// 29 days of history cannot back "none in 30 days".
			name:  "nobody recognised, coach recording for 29 days: no claim",
			since: now.AddDate(0, 0, -29),
		},
		{
			name:      "nobody recognised, coach recording for 30 days: everyone, 30 days",
			since:     now.AddDate(0, 0, -30),
			wantFired: true,
			want:      []ReportFact{{ID: "UA", Name: "Ana", Days: 30}, {ID: "UB", Name: "Ben", Days: 30}, {ID: "UK", Name: "Cat", Days: 30}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sigs := Compute(o, Input{Manager: "UM", Now: now, Windows: tt.windows, Since: tt.since})
			got := find(t, sigs, Recognition)
			checkSeverity(t, got)
			if got.Fired != tt.wantFired {
				t.Errorf("fired = %v, want %v (reports %+v)", got.Fired, tt.wantFired, got.Facts.Reports)
			}
			if !reflect.DeepEqual(got.Facts.Reports, tt.want) {
				t.Errorf("reports = %+v, want %+v", got.Facts.Reports, tt.want)
			}
			for _, r := range got.Facts.Reports {
				if r.Days < 30 {
					t.Errorf("names %s with %d days without recognition; the threshold is 30", r.Name, r.Days)
				}
			}
			if got.Facts.Count != tt.wantCount || got.Facts.Total != 3 || got.Facts.Days != 30 {
				t.Errorf("facts %d given, total %d over %d days, want %d given, 3 over 30", got.Facts.Count, got.Facts.Total, got.Facts.Days, tt.wantCount)
			}
		})
	}
}

// Recognition through Fold: a thanks message or one of the positive
// reactions (👍 🎉 👏 🙌 ❤️ ⭐ 💯 🔥 🙏) from Mia; other reactions, and a
// reaction taken back, are not recognition.
func TestRecognitionThroughFold(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	o := newTeam(Norms{}, "UA", "UB", "UK")
	now := june(t)
	msgAt := wall(berlin, time.June, 10, 10, 0) // Ana's, Ben's and Cat's messages in C1
	tests := []struct {
		emoji string
		want  int // recognition counted for Ana
	}{
		{"+1", 1}, {"+1::skin-tone-4", 1}, {"tada", 1}, {"clap", 1}, {"raised_hands", 1},
		{"heart", 1}, {"star", 1}, {"100", 1}, {"fire", 1}, {"pray", 1},
		{"eyes", 0}, {"white_check_mark", 0}, {"thinking_face", 0},
	}
	for _, tt := range tests {
		l := foldAll(o,
			post("C1", "UA", nil, msgAt, Flags{}),
			react("C1", ts(msgAt), "UA", "UM", tt.emoji, msgAt.Add(time.Hour)),
		)
		if _, reps := l.total("UM"); reps["UA"].Recognition != tt.want {
			t.Errorf(":%s: on Ana's message: recognition %d, want %d", tt.emoji, reps["UA"].Recognition, tt.want)
		}
	}

	// Ana gets 🎉, Ben a "thanks" DM; Cat gets 👀 and a ❤️ taken back.
	catAt := msgAt.Add(time.Minute)
	l := foldAll(o,
		post("C1", "UA", nil, msgAt, Flags{}),
		post("C1", "UK", nil, catAt, Flags{}),
		react("C1", ts(msgAt), "UA", "UM", "tada", msgAt.Add(time.Hour)),
		dm("UM", "UB", msgAt.Add(time.Hour), Flags{Recognition: true}),
		react("C1", ts(catAt), "UK", "UM", "eyes", msgAt.Add(time.Hour)),
		react("C1", ts(catAt), "UK", "UM", "heart", msgAt.Add(time.Hour)),
		Event{Reaction: &Reaction{Channel: "C1", TS: ts(catAt), ItemUser: "UK", User: "UM", Emoji: "heart", At: msgAt.Add(2 * time.Hour), Removed: true}},
	)
	got := find(t, computeLedger(o, l, now, now.AddDate(0, 0, -45)), Recognition)
	want := []ReportFact{{ID: "UK", Name: "Cat", Days: 45}}
	if !got.Fired || !reflect.DeepEqual(got.Facts.Reports, want) || got.Facts.Count != 2 {
		t.Errorf("recognition fired %v, %d given, reports %+v; want fired, 2, %+v", got.Fired, got.Facts.Count, got.Facts.Reports, want)
	}
}

// A report thanked this morning is not named, though today is not in the
// 30-day window yet: the manager already did what the nudge would ask.
func TestRecognitionTodayStopsTheClaim(t *testing.T) {
	o := newTeam(Norms{}, "UA", "UB", "UK")
	now := ago(t, 0).Start(time.UTC).Add(12 * time.Hour)
	thanks := func(day Day, rs ...string) DayWindow {
		w := DayWindow{Day: day}
		for _, r := range rs {
			w.Report(r).Recognition = 1
		}
		return w
	}
	sigs := Compute(o, Input{Manager: "UM", Now: now, Since: now.AddDate(0, 0, -60),
		Windows: []DayWindow{thanks(ago(t, 1), "UA", "UB"), thanks(ago(t, 0), "UK")}})
	if s := find(t, sigs, Recognition); s.Fired {
		t.Errorf("recognition fired naming %+v though the last report was thanked today", s.Facts.Reports)
	}
}
