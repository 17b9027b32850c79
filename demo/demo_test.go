package demo

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"coach/nudges"
	"coach/signals"
)

func runDemo(t *testing.T, seed int64) (Result, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out bytes.Buffer
	start := time.Now()
	res, err := Run(ctx, Options{Seed: seed, Weeks: 4, DBPath: filepath.Join(t.TempDir(), "demo.db"), Log: zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.InfoLevel)}, &out)
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	if d := time.Since(start); d > 60*time.Second {
		t.Errorf("demo took %s, want under 60s", d)
	}
	return res, out.String()
}

// kindsByWeek maps each digest's slot week (1 = the first Monday after the
// simulation began) to its nudge kinds.
func kindsByWeek(ds []nudges.Digest) map[int][]signals.Kind {
	start := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	out := map[int][]signals.Kind{}
	for _, d := range ds {
		wk := int(d.Slot.Sub(start) / (7 * 24 * time.Hour))
		for _, n := range d.Nudges {
			out[wk] = append(out[wk], n.Kind)
		}
	}
	return out
}

func has(ks []signals.Kind, k signals.Kind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

// Each habit earns the nudge it deserves, in the week it first can, and
// nothing it does not; the exemplary manager gets none. (Sam, who never
// connects his DMs, is TestDemoConnect's.)
func TestDemoHabitsGetTheirNudges(t *testing.T) {
	res, out := runDemo(t, 1)
	habits := []struct {
		manager string
		kind    signals.Kind
		week    int            // the first digest that must carry it
		allowed []signals.Kind // every kind this manager may get
	}{
		{"U0MIA", signals.AfterHours, 1, []signals.Kind{signals.AfterHours}},
		{"U0RAJ", signals.ResponseTime, 1, []signals.Kind{signals.ResponseTime}},
		{"U0LEE", signals.StatusChasing, 1, []signals.Kind{signals.StatusChasing}},
	}
	for _, h := range habits {
		byWeek := kindsByWeek(res.Digests[h.manager])
		if !has(byWeek[h.week], h.kind) {
			t.Errorf("%s: week %d digest has %v, want %s", h.manager, h.week, byWeek[h.week], h.kind)
		}
		for wk, ks := range byWeek {
			for _, k := range ks {
				if !has(h.allowed, k) {
					t.Errorf("%s: week %d digest has %s, which their habit does not explain", h.manager, wk, k)
				}
			}
		}
	}
	// The norm changes the verdict: Mia's 19:30 messages stop counting.
	if res.AfterHoursBefore < 10 || res.AfterHoursAfter != 0 {
		t.Errorf("Mia's after_hours %d before the norm and %d in the last week, want ≥ 10 then 0", res.AfterHoursBefore, res.AfterHoursAfter)
	}
	// The exemplary manager gets no nudge: only the trust pulse's news.
	for _, d := range res.Digests["U0ZOE"] {
		if len(d.Nudges) != 0 || d.Pulse == "" {
			t.Errorf("the exemplary manager got a digest with %v and pulse line %q, want no nudge", kindsByWeek([]nudges.Digest{d}), d.Pulse)
		}
	}
	if res.Hints["U0MIA"] == 0 || res.Hints["U0ZOE"] != 0 {
		t.Errorf("hints = %v, want some for Mia and none for Zoe", res.Hints)
	}
	for _, want := range []string{"Messages outside working hours", "Zoe, Mon 9 Nov 09:00 Europe/Berlin: nothing stood out", "only Mia sees", "Where everyone stands",
		"Mia clicks *Share with my team*", "@Mia asks: _I'd like us to agree on when work messages are OK",
		"The votes are in (4 of 4): 🌆 until 20:00 is fine — 2", "Agreed: 🌆 until 20:00 is fine",
		"Mia types `/coach norms`", "• when work messages are OK: 🌆 until 20:00 is fine", "Mia opens coach's App Home tab", "Last 4 weeks"} {
		if !strings.Contains(out, want) {
			t.Errorf("transcript lacks %q", want)
		}
	}
	for _, text := range []string{"moving the review to Thursday", "launch checklist", "vendor contract"} {
		if strings.Contains(out, text) {
			t.Errorf("transcript shows message text %q", text)
		}
	}
}

// The same seed gives the same transcript.
func TestDemoIsDeterministic(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the demo twice")
	}
	_, a := runDemo(t, 7)
	_, b := runDemo(t, 7)
	if a != b {
		t.Errorf("two runs with seed 7 differ:\n%s\n----\n%s", a, b)
	}
}
