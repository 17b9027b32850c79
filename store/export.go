package store

import (
	"bytes"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"coach/norms"
	"coach/nudges"
	"coach/signals"
)

// Export is everything coach holds about one person, for /coach export. It
// holds no other person's data beyond the ids that appear in their own
// records as a manager (their team, their waits, the reports their digests
// name). Dates are ISO (2026-03-02) and instants RFC 3339, throughout.
type Export struct {
	// ID is the person's Slack user id.
	ID string `json:"id"`
	// GeneratedAt is when the export was made.
	GeneratedAt time.Time `json:"generated_at"`
	// OptedOut says whether they opted out: then nothing else is held.
	OptedOut bool `json:"opted_out"`
	// Person is their directory record (display name, time zone, admin
	// flag, their own working hours); nil when none is held.
	Person *signals.Person `json:"person,omitempty"`
	// NotifiedAt is when they were sent the notice of what is measured;
	// nil when they were not.
	NotifiedAt *time.Time `json:"notified_at,omitempty"`
	// ReportsTo is the manager of the team they are a report in, if any.
	ReportsTo string `json:"reports_to,omitempty"`
	// Team is the team they lead, with its agreed norms; nil when they lead
	// none.
	Team *signals.Team `json:"team,omitempty"`
	// Conversations are the DMs and group DMs whose member lists are held
	// with them in (channel ids only).
	Conversations []string `json:"conversations,omitempty"`
	// Manager is what is held about them as a manager; nil when nothing is.
	Manager *ManagerExport `json:"manager,omitempty"`
	// AsReport is, for each manager whose records count them as a report,
	// their own share of those records.
	AsReport []ReportExport `json:"as_report,omitempty"`
	// Votes are their votes on norm prompts still open (closed prompts keep
	// counts only).
	Votes []VoteExport `json:"votes,omitempty"`
	// Pulses are the open trust pulses that ask them: when, and whether
	// they answered, never what (coach does not hold that).
	Pulses []PulseExport `json:"pulses,omitempty"`
}

// ManagerExport is what coach holds about a manager.
type ManagerExport struct {
	// Days are their day windows, oldest first: what they sent their
	// reports and how, per report. The reports' own message counts (own,
	// own_off_hours) are left out: a manager sees those only as a team
	// aggregate.
	Days []DayExport `json:"days,omitempty"`
	// State is their open waits (reports' messages not yet answered) and
	// their last direct exchange with each report; nil when empty.
	State *StateExport `json:"state,omitempty"`
	// Coaching is their coaching history: last digest's kinds, silenced
	// kinds, pause, starter rotation; nil when none.
	Coaching *nudges.History `json:"coaching,omitempty"`
	// Digests are their weekly digests, planned or sent, with feedback.
	Digests []OutboxRecord `json:"digests,omitempty"`
	// Prompts are the norm prompts they opened. Anonymous prompts' salt
	// and voter hashes are left out.
	Prompts []norms.Prompt `json:"prompts,omitempty"`
}

// DayExport is one of a manager's day windows.
type DayExport struct {
	// Day is the manager's local date, ISO.
	Day string `json:"day"`
	// DayWindow are the counters; its own day number is not written.
	signals.DayWindow
}

// StateExport is a manager's state between days.
type StateExport struct {
	// Waits are their reports' messages not yet answered.
	Waits []signals.Wait `json:"waits,omitempty"`
	// LastContact is, by report, their last direct exchange.
	LastContact map[string]time.Time `json:"last_contact,omitempty"`
	// HintDay is the date of the last live hint, ISO; empty when none.
	HintDay string `json:"hint_day,omitempty"`
}

// exportState writes s with dates and instants rather than day and Unix
// numbers.
func exportState(s signals.ManagerState) *StateExport {
	out := &StateExport{Waits: s.Waits}
	if len(s.LastContact) > 0 {
		out.LastContact = make(map[string]time.Time, len(s.LastContact))
		for r, at := range s.LastContact {
			out.LastContact[r] = time.Unix(at, 0).UTC()
		}
	}
	if s.HintDay != 0 {
		out.HintDay = s.HintDay.String()
	}
	return out
}

// ReportExport is what one manager's records hold about a report.
type ReportExport struct {
	// Manager is the manager whose records these are.
	Manager string `json:"manager"`
	// Days are the report's counters in the manager's day windows.
	Days []ReportDayExport `json:"days,omitempty"`
	// Waits are the report's messages to the manager not yet answered.
	Waits []signals.Wait `json:"waits,omitempty"`
	// LastContact is their last direct exchange with the manager; nil when
	// none is held.
	LastContact *time.Time `json:"last_contact,omitempty"`
}

// ReportDayExport is a report's counters for one of their manager's days.
type ReportDayExport struct {
	// Day is the manager's local date, ISO.
	Day string `json:"day"`
	// ReportDay are the counters: messages to and from the manager,
	// off-hours, recognition, status chases, own messages, reply latencies.
	signals.ReportDay
}

// VoteExport is one vote on an open norm prompt.
type VoteExport struct {
	// Prompt is the prompt's id.
	Prompt string `json:"prompt"`
	// Kind is the norm the prompt asks about.
	Kind norms.Kind `json:"kind"`
	// Options are the options they reacted with, oldest first: the last
	// one is their vote. Empty for an anonymous prompt, which keeps no
	// record of who chose what.
	Options []string `json:"options,omitempty"`
	// Anonymous says the prompt was anonymous: only that they voted is
	// held.
	Anonymous bool `json:"anonymous,omitempty"`
}

// Export gathers, in one read, everything held about id.
func (db *DB) Export(id string) (Export, error) {
	e := Export{ID: id, GeneratedAt: db.now().UTC()}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		e.OptedOut = db.optOuts(tx).has(id)
		var p signals.Person
		found, err := getJSON(tx.Bucket(bucketUsers), []byte(id), &p)
		if err != nil {
			return fmt.Errorf("person: %w", err)
		}
		if found {
			e.Person = &p
		}
		if e.NotifiedAt, err = notifiedAt(tx, id); err != nil {
			return fmt.Errorf("notice: %w", err)
		}
		if e.ReportsTo, _, err = teamOf(tx, id); err != nil {
			return err
		}
		var t signals.Team
		if found, err := getJSON(tx.Bucket(bucketTeams), []byte(id), &t); err != nil {
			return fmt.Errorf("team: %w", err)
		} else if found && !t.Removed {
			e.Team = &t
		}
		if e.Conversations, err = exportConvs(tx, id); err != nil {
			return fmt.Errorf("convs: %w", err)
		}
		if e.Manager, err = exportManager(tx, id); err != nil {
			return err
		}
		if e.AsReport, err = exportAsReport(tx, id); err != nil {
			return err
		}
		if e.Votes, err = exportVotes(tx, id); err != nil {
			return err
		}
		e.Pulses, err = db.exportPulses(tx, id)
		return err
	})
	if err != nil {
		return Export{}, fmt.Errorf("store: export %s: %w", id, err)
	}
	return e, nil
}

func exportConvs(tx *bolt.Tx, id string) ([]string, error) {
	var out []string
	err := tx.Bucket(bucketConvs).ForEach(func(k, v []byte) error {
		if !bytes.Contains(v, []byte(id)) {
			return nil
		}
		var ids []string
		if err := jsonUnmarshal(v, &ids); err != nil {
			return fmt.Errorf("conversation %s: %w", k, err)
		}
		if slices.Contains(ids, id) {
			out = append(out, string(k))
		}
		return nil
	})
	return out, err
}

// exportManager gathers id's records as a manager; nil when there are none.
func exportManager(tx *bolt.Tx, id string) (*ManagerExport, error) {
	var m ManagerExport
	var err error
	if m.Days, err = exportDays(tx, id); err != nil {
		return nil, fmt.Errorf("windows: %w", err)
	}
	var s signals.ManagerState
	if found, err := getJSON(tx.Bucket(bucketState), []byte(id), &s); err != nil {
		return nil, fmt.Errorf("state: %w", err)
	} else if found {
		m.State = exportState(s)
	}
	var h nudges.History
	if found, err := getJSON(tx.Bucket(bucketCoaching), []byte(id), &h); err != nil {
		return nil, fmt.Errorf("coaching: %w", err)
	} else if found {
		m.Coaching = &h
	}
	if m.Digests, err = exportDigests(tx, id); err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	if m.Prompts, err = exportPrompts(tx, id); err != nil {
		return nil, fmt.Errorf("prompts: %w", err)
	}
	if len(m.Days) == 0 && m.State == nil && m.Coaching == nil && len(m.Digests) == 0 && len(m.Prompts) == 0 {
		return nil, nil
	}
	return &m, nil
}

// exportDays lists manager id's day windows, without their reports' own
// message counts (those are the reports' records, exported to them).
func exportDays(tx *bolt.Tx, id string) ([]DayExport, error) {
	days, err := readWindows(tx, id, 0, signals.Day(1<<31-1))
	if err != nil {
		return nil, err
	}
	var out []DayExport
	for _, d := range days {
		for _, rd := range d.Reports {
			rd.Own, rd.OwnOffHours = 0, 0
		}
		out = append(out, DayExport{Day: d.Day.String(), DayWindow: d})
	}
	return out, nil
}

// exportDigests lists the outbox's digests to manager id.
func exportDigests(tx *bolt.Tx, id string) ([]OutboxRecord, error) {
	var out []OutboxRecord
	err := tx.Bucket(bucketOutbox).ForEach(func(k, v []byte) error {
		if !bytes.Contains(v, []byte(id)) {
			return nil
		}
		var rec OutboxRecord
		if err := jsonUnmarshal(v, &rec); err != nil {
			return fmt.Errorf("digest %s: %w", k, err)
		}
		if rec.Digest.Manager == id {
			out = append(out, rec)
		}
		return nil
	})
	return out, err
}

// exportPrompts lists manager id's norm prompts, without their salt and
// who voted.
func exportPrompts(tx *bolt.Tx, id string) ([]norms.Prompt, error) {
	var out []norms.Prompt
	err := tx.Bucket(bucketPrompts).ForEach(func(k, v []byte) error {
		if !bytes.Contains(v, []byte(id)) {
			return nil
		}
		var p norms.Prompt
		if err := jsonUnmarshal(v, &p); err != nil {
			return fmt.Errorf("prompt %s: %w", k, err)
		}
		if p.Manager == id {
			p.Salt, p.Voted = "", nil
			out = append(out, p)
		}
		return nil
	})
	return out, err
}

// exportAsReport gathers id's share of every manager's records.
func exportAsReport(tx *bolt.Tx, id string) ([]ReportExport, error) {
	byManager := map[string]*ReportExport{}
	var order []string
	get := func(m string) *ReportExport {
		r, ok := byManager[m]
		if !ok {
			r = &ReportExport{Manager: m}
			byManager[m] = r
			order = append(order, m)
		}
		return r
	}
	windows := tx.Bucket(bucketWindows)
	err := windows.ForEach(func(m, _ []byte) error {
		if string(m) == id {
			return nil
		}
		return windows.Bucket(m).ForEach(func(k, v []byte) error {
			if !bytes.Contains(v, []byte(id)) {
				return nil
			}
			var w signals.DayWindow
			if err := decodeWindow(v, &w); err != nil {
				return fmt.Errorf("window %s/%x: %w", m, k, err)
			}
			if rd, ok := w.Reports[id]; ok {
				r := get(string(m))
				r.Days = append(r.Days, ReportDayExport{Day: w.Day.String(), ReportDay: *rd})
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("windows: %w", err)
	}
	err = tx.Bucket(bucketState).ForEach(func(m, v []byte) error {
		if string(m) == id || !bytes.Contains(v, []byte(id)) {
			return nil
		}
		var s signals.ManagerState
		if err := jsonUnmarshal(v, &s); err != nil {
			return fmt.Errorf("state %s: %w", m, err)
		}
		for _, w := range s.Waits {
			if w.Report == id {
				r := get(string(m))
				r.Waits = append(r.Waits, w)
			}
		}
		if at, ok := s.LastContact[id]; ok {
			t := time.Unix(at, 0).UTC()
			get(string(m)).LastContact = &t
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	var out []ReportExport
	for _, m := range order {
		out = append(out, *byManager[m])
	}
	return out, nil
}

// exportVotes gathers id's votes on open prompts.
func exportVotes(tx *bolt.Tx, id string) ([]VoteExport, error) {
	var out []VoteExport
	err := tx.Bucket(bucketPrompts).ForEach(func(k, v []byte) error {
		if !bytes.Contains(v, []byte(id)) {
			return nil
		}
		var p norms.Prompt
		if err := jsonUnmarshal(v, &p); err != nil {
			return fmt.Errorf("prompt %s: %w", k, err)
		}
		switch {
		case len(p.Votes[id]) > 0:
			out = append(out, VoteExport{Prompt: p.ID, Kind: p.Kind, Options: slices.Clone(p.Votes[id])})
		case p.Salt != "" && p.Voted[voterHash(p.Salt, id)]:
			out = append(out, VoteExport{Prompt: p.ID, Kind: p.Kind, Anonymous: true})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("prompts: %w", err)
	}
	return out, nil
}
