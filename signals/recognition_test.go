package signals

import (
	"reflect"
	"testing"
	"time"
)

// recognition nudges when a report had no thanks/kudos message or positive
// reaction from the manager in 30 days, and makes no claim while coach has
// less than 30 days of history. The clock is Wed 17 June 2026 12:00 Berlin;
// the 30 days are today and the 29 dates before.
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
		want      []ReportFact
	}{
		{
			name:    "everyone recognised within 30 days",
			since:   now.AddDate(0, 0, -60),
			windows: []DayWindow{rec(29, "UA"), rec(3, "UB"), rec(0, "UK")},
		},
		{
			// Ana 29 days ago is inside; Cat's 30 days ago is not.
			name:      "Cat last recognised 30 days ago",
			since:     now.AddDate(0, 0, -60),
			windows:   []DayWindow{rec(29, "UA"), rec(3, "UB"), rec(30, "UK")},
			wantFired: true,
			want:      []ReportFact{{ID: "UK", Name: "Cat", Days: 30}},
		},
		{
			name:      "Cat 45 and Ben 31 days ago: longest first",
			since:     now.AddDate(0, 0, -60),
			windows:   []DayWindow{rec(1, "UA"), rec(31, "UB"), rec(45, "UK")},
			wantFired: true,
			want:      []ReportFact{{ID: "UK", Name: "Cat", Days: 45}, {ID: "UB", Name: "Ben", Days: 31}},
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
			if got.Facts.Total != 3 || got.Facts.Days != 30 {
				t.Errorf("facts total %d over %d days, want 3 over 30", got.Facts.Total, got.Facts.Days)
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
