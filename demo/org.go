package demo

import (
	"fmt"
	"math/rand"
	"sort"
	"time"

	"coach/signals"
)

// person of the simulated organisation.
type person struct {
	id, name, tz string
}

// habit is how one manager behaves: it makes that manager's (and their
// team's) messages for one simulated day.
type habit func(g *gen, day time.Time)

// team is a manager, their reports, and the manager's habit.
type team struct {
	manager person
	reports []person
	habit   habit
	note    string // what the demo shows about this manager
}

// newOrg is the demo's organisation: five managers, each with one clear
// habit, and their reports across several time zones.
func newOrg() []team {
	return []team{
		{
			manager: person{"U0MIA", "Mia", "Europe/Berlin"},
			reports: []person{{"U0ANA", "Ana", "America/Los_Angeles"}, {"U0BEN", "Ben", "Europe/Berlin"}, {"U0CHLOE", "Chloé", "Asia/Tokyo"}, {"U0DAN", "Dan", "Europe/Berlin"}},
			habit:   lateNights,
			note:    "catches up on messages late in the evening",
		},
		{
			manager: person{"U0RAJ", "Raj", "America/New_York"},
			reports: []person{{"U0DEE", "Dee", "America/New_York"}, {"U0ELI", "Eli", "Europe/London"}, {"U0FAY", "Fay", "America/Los_Angeles"}},
			habit:   slowReplies,
			note:    "leaves questions waiting for days",
		},
		{
			manager: person{"U0SAM", "Sam", "Europe/London"},
			reports: []person{{"U0HANA", "Hana", "Europe/London"}, {"U0IVAN", "Ivan", "Europe/Berlin"}, {"U0JO", "Jo", "Europe/London"}, {"U0KAI", "Kai", "Australia/Sydney"}},
			habit:   oneIgnored,
			note:    "talks with everyone except Kai, far away in Sydney; never connects his DMs",
		},
		{
			manager: person{"U0LEE", "Lee", "America/Los_Angeles"},
			reports: []person{{"U0MAX", "Max", "America/Los_Angeles"}, {"U0NIA", "Nia", "America/New_York"}, {"U0OMAR", "Omar", "America/Los_Angeles"}},
			habit:   statusChaser,
			note:    "keeps asking for status updates",
		},
		{
			manager: person{"U0ZOE", "Zoe", "Europe/Berlin"},
			reports: []person{{"U0PIA", "Pia", "Europe/Berlin"}, {"U0QUINN", "Quinn", "Europe/London"}, {"U0ROSA", "Rosa", "Europe/Madrid"}},
			habit:   exemplary,
			note:    "the one to learn from: no nudges expected",
		},
	}
}

func dmID(manager, report string) string { return "D" + manager[2:] + report[2:] }

// gen collects the events of one simulated day, in time order.
type gen struct {
	rng    *rand.Rand
	t      team
	events []timed
	seq    int
}

type timed struct {
	at    time.Time
	event map[string]any
}

func (g *gen) loc(p person) *time.Location {
	l, err := time.LoadLocation(p.tz)
	if err != nil {
		return time.UTC
	}
	return l
}

// at is hh:mm on day's date in p's zone, plus up to jitter minutes.
func (g *gen) at(p person, day time.Time, hh, mm, jitter int) time.Time {
	if jitter > 0 {
		mm += g.rng.Intn(jitter)
	}
	return time.Date(day.Year(), day.Month(), day.Day(), hh, mm, 0, 0, g.loc(p))
}

func (g *gen) ts(at time.Time) string {
	g.seq++
	return fmt.Sprintf("%d.%06d", at.Unix(), g.seq)
}

// dm is a DM between the manager and a report, written by from.
func (g *gen) dm(from person, report person, at time.Time, text string) string {
	ts := g.ts(at)
	g.events = append(g.events, timed{at, map[string]any{
		"type": "message", "channel": dmID(g.t.manager.id, report.id), "channel_type": "im",
		"user": from.id, "text": text, "ts": ts,
	}})
	return ts
}

// post is a channel message that is directed at nobody.
func (g *gen) post(from person, channel string, at time.Time, text string) {
	g.events = append(g.events, timed{at, map[string]any{
		"type": "message", "channel": channel, "channel_type": "channel", "user": from.id, "text": text, "ts": g.ts(at),
	}})
}

// react is the manager's reaction on a report's message.
func (g *gen) react(report person, msgTS string, at time.Time, emoji string) {
	g.events = append(g.events, timed{at, map[string]any{
		"type": "reaction_added", "user": g.t.manager.id, "reaction": emoji, "item_user": report.id,
		"item": map[string]any{"type": "message", "channel": dmID(g.t.manager.id, report.id), "ts": msgTS}, "event_ts": g.ts(at),
	}})
}

func weekday(day time.Time) bool {
	return day.Weekday() != time.Saturday && day.Weekday() != time.Sunday
}

func nextWorkday(day time.Time) time.Time {
	for day = day.AddDate(0, 0, 1); !weekday(day); day = day.AddDate(0, 0, 1) {
	}
	return day
}

// lateNights: Mia is helpful by day and sends her new thoughts around 19:30
// her time — the evening for Ben and Dan in Berlin, lunchtime for Ana in Los
// Angeles. Chloé in Tokyo hears from her in the Berlin morning.
func lateNights(g *gen, day time.Time) {
	if !weekday(day) {
		return
	}
	m := g.t.manager
	ana, ben, chloe, dan := g.t.reports[0], g.t.reports[1], g.t.reports[2], g.t.reports[3]
	g.dm(m, chloe, g.at(m, day, 9, 30, 20), "How is the Osaka rollout going?")
	g.dm(m, ben, g.at(m, day, 14, 0, 30), "How did the customer call go?")
	ts := g.dm(ben, ben, g.at(ben, day, 14, 40, 20), "Went well, they signed.")
	g.react(ben, ts, g.at(m, day, 15, 10, 20), "tada")
	for _, r := range []person{ana, ben, dan} {
		g.dm(m, r, g.at(m, day, 19, 20, 30), "Thought for tomorrow: what do you think about moving the review to Thursday?")
	}
}

// slowReplies: Raj answers questions a day or two later, some never.
func slowReplies(g *gen, day time.Time) {
	if !weekday(day) {
		return
	}
	m := g.t.manager
	for i, r := range g.t.reports {
		g.dm(r, r, g.at(r, day, 10, 0, 90), "Can I get your decision on the vendor contract?")
		if (day.YearDay()+i)%3 == 0 {
			continue // left waiting
		}
		// The next working day at noon New York: still office hours in London
		// and Los Angeles.
		g.dm(m, r, g.at(m, nextWorkday(day), 12, 0, 50), "Thanks for the patience. Which option do you prefer?")
	}
}

// oneIgnored: Sam talks with three reports every day and never with Kai.
func oneIgnored(g *gen, day time.Time) {
	if !weekday(day) {
		return
	}
	m := g.t.manager
	for _, r := range g.t.reports[:3] {
		g.dm(r, r, g.at(r, day, 11, 0, 60), "Do you have a minute to talk about the roadmap?")
		g.dm(m, r, g.at(m, day, 11, 30, 90), "Sure, what's on your mind? Thanks for raising it.")
	}
	kai := g.t.reports[3]
	g.post(kai, "C0ENG", g.at(kai, day, 10, 0, 60), "I pushed the migration plan.")
}

// statusChaser: Lee asks every report for updates, several times a day.
func statusChaser(g *gen, day time.Time) {
	if !weekday(day) {
		return
	}
	m := g.t.manager
	for _, r := range g.t.reports {
		g.dm(m, r, g.at(m, day, 10, 0, 30), "Any update on the launch checklist?")
		g.dm(m, r, g.at(m, day, 13, 0, 30), "Status? ETA for the release notes?")
		ts := g.dm(r, r, g.at(m, day, 14, 0, 30), "Almost done, I'll post it tomorrow.")
		g.react(r, ts, g.at(m, day, 14, 40, 10), "eyes")
	}
}

// exemplary: Zoe replies within the hour, asks, thanks, and keeps to hours.
func exemplary(g *gen, day time.Time) {
	if !weekday(day) {
		return
	}
	m := g.t.manager
	for _, r := range g.t.reports {
		ts := g.dm(r, r, g.at(r, day, 10, 0, 60), "I shipped the onboarding fix.")
		g.react(r, ts, g.at(r, day, 11, 5, 10), "tada")
		g.dm(m, r, g.at(r, day, 11, 10, 30), "Great work, thank you! What would help you most this week?")
		g.dm(m, r, g.at(r, day, 14, 0, 60), "How are you feeling about the workload?")
	}
}

// traffic makes the events of days days from start, sorted by time.
func traffic(teams []team, start time.Time, days int, seed int64) []timed {
	rng := rand.New(rand.NewSource(seed))
	var all []timed
	for i, t := range teams {
		g := &gen{rng: rng, t: t, seq: i * 100000}
		for d := 0; d < days; d++ {
			t.habit(g, start.AddDate(0, 0, d))
		}
		all = append(all, g.events...)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].at.Before(all[j].at) })
	return all
}

// people lists everyone, managers first.
func people(teams []team) []person {
	var out []person
	for _, t := range teams {
		out = append(out, t.manager)
	}
	for _, t := range teams {
		out = append(out, t.reports...)
	}
	return out
}

func signalsTeams(teams []team) []signals.Team {
	var out []signals.Team
	for _, t := range teams {
		st := signals.Team{Manager: t.manager.id}
		for _, r := range t.reports {
			st.Reports = append(st.Reports, r.id)
		}
		out = append(out, st)
	}
	return out
}
