package demo

import (
	"fmt"
	"math/rand"
	"time"

	"coach/signals"
)

type demoPerson struct {
	id, name, tz string
}

// demoOrg is the simulated organisation.
type demoOrg struct {
	people []demoPerson
	teams  []signals.Team
	dms    map[string][]string // DM channel → members
}

func newOrg() *demoOrg {
	o := &demoOrg{
		people: []demoPerson{
			{"U0MIA", "Mia", "Europe/Berlin"},
			{"U0ANA", "Ana", "America/Los_Angeles"},
			{"U0BEN", "Ben", "Europe/Berlin"},
			{"U0CHLOE", "Chloé", "Asia/Tokyo"},
			{"U0RAJ", "Raj", "America/New_York"},
			{"U0DEE", "Dee", "America/New_York"},
			{"U0ELI", "Eli", "Europe/London"},
		},
		teams: []signals.Team{
			{Manager: "U0MIA", Reports: []string{"U0ANA", "U0BEN", "U0CHLOE"}},
			{Manager: "U0RAJ", Reports: []string{"U0DEE", "U0ELI"}},
		},
		dms: map[string][]string{},
	}
	for _, t := range o.teams {
		for _, r := range t.Reports {
			o.dms[dmID(t.Manager, r)] = []string{t.Manager, r}
		}
	}
	return o
}

func dmID(a, b string) string { return "D" + a[2:] + b[2:] }

func (o *demoOrg) signalsOrg() *signals.Org {
	var people []signals.Person
	for _, p := range o.people {
		people = append(people, signals.Person{ID: p.id, Name: p.name, TZ: p.tz})
	}
	return signals.NewOrg(people, o.teams, signals.DefaultHours(), time.UTC)
}

func (o *demoOrg) tz(id string) *time.Location {
	for _, p := range o.people {
		if p.id == id {
			loc, err := time.LoadLocation(p.tz)
			if err == nil {
				return loc
			}
		}
	}
	return time.UTC
}

// traffic makes the demo's events for days working days from start: Mia
// writes late in the evening, Raj chases status, and reports ask their
// managers things that get answered (or not).
func (o *demoOrg) traffic(start time.Time, days int, seed int64) []map[string]any {
	rng := rand.New(rand.NewSource(seed))
	var evs []map[string]any
	seq := 0
	ts := func(t time.Time) string {
		seq++
		return fmt.Sprintf("%d.%06d", t.Unix(), seq%1000000)
	}
	msg := func(author, channel, ctype, text string, at time.Time) map[string]any {
		return map[string]any{"type": "message", "channel": channel, "channel_type": ctype, "user": author, "text": text, "ts": ts(at), "event_ts": ts(at)}
	}
	for d := 0; d < days; d++ {
		day := start.AddDate(0, 0, d)
		for _, t := range o.teams {
			mloc := o.tz(t.Manager)
			local := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, mloc)
			for _, r := range t.Reports {
				dm := dmID(t.Manager, r)
				// The report asks their manager something mid-morning (their time).
				rloc := o.tz(r)
				ask := time.Date(day.Year(), day.Month(), day.Day(), 10, rng.Intn(50), 0, 0, rloc)
				evs = append(evs, msg(r, dm, "im", "Could you review my proposal?", ask))
				switch t.Manager {
				case "U0MIA":
					// Mia answers late at night her time, and thanks people.
					at := local.Add(21*time.Hour + time.Duration(30+rng.Intn(25))*time.Minute)
					evs = append(evs, msg(t.Manager, dm, "im", "Thanks, looks good. One more thing for tomorrow", at))
				case "U0RAJ":
					// Raj answers quickly in the morning, and chases status.
					at := ask.Add(time.Duration(20+rng.Intn(30)) * time.Minute)
					evs = append(evs, msg(t.Manager, dm, "im", "Any update on the launch checklist? ETA?", at))
				}
			}
		}
	}
	sortByTS(evs)
	return evs
}
