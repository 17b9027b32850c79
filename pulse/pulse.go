package pulse

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"coach/signals"
)

// CloseAfter is how long a pulse stays open.
const CloseAfter = 7 * 24 * time.Hour

// Defaults and limits of the pulse.* config.
const (
	DefaultEvery        = 4 * 7 * 24 * time.Hour
	DefaultMinResponses = 5
	// MinResponsesFloor is the fewest answers a score may ever rest on,
	// whatever the config says.
	MinResponsesFloor = 3
)

// Pulse states.
const (
	Open   = "open"
	Closed = "closed"
)

// Pulse is one team's pulse: which statements it asks, when, and per
// statement how many people gave each answer. It has no field for who was
// asked or who answered; while it is open store keeps those apart, and
// deletes them when it closes.
type Pulse struct {
	ID         string    `json:"id"`      // ID(manager, opens)
	Manager    string    `json:"manager"` // whose team it asks about
	Opens      time.Time `json:"opens"`
	Closes     time.Time `json:"closes"`
	Statements []string  `json:"statements"` // ids, in the order asked
	// Counts holds, per statement id, how many answered 1, 2, 3, 4 and 5
	// (the answers as given, before reverse scoring). Once closed it holds
	// only statements with at least the minimum of answers.
	Counts map[string]Counts `json:"counts,omitempty"`
	State  string            `json:"state"`
	// Shared says the manager has shared the result with the team.
	Shared bool `json:"shared,omitempty"`
	// Min is the fewest answers a statement's score rests on, as promised
	// to the team when the pulse opened (pulse.min_responses then); a later
	// change of the config does not lower it. 0 in pulses kept before it
	// was recorded.
	Min int `json:"min,omitempty"`
}

// Counts is how many people gave each answer, 1 to 5.
type Counts [5]int

// N is the number of answers.
func (c Counts) N() int {
	n := 0
	for _, v := range c {
		n += v
	}
	return n
}

// Mean is the statement's score over these answers, 1 to 5, higher better.
func (c Counts) Mean(s Statement) float64 {
	n, sum := 0, 0
	for i, v := range c {
		n += v
		sum += v * s.Score(i+1)
	}
	if n == 0 {
		return 0
	}
	return float64(sum) / float64(n)
}

// Add adds another team's counts.
func (c Counts) Add(o Counts) Counts {
	for i := range c {
		c[i] += o[i]
	}
	return c
}

// Score is a mean as people read it: one decimal, "3.9".
func Score(mean float64) string {
	return strconv.FormatFloat(math.Round(mean*10)/10, 'f', 1, 64)
}

// ID names the pulse of manager's team that opens at opens.
func ID(manager string, opens time.Time) string {
	return manager + "." + strconv.FormatInt(opens.Unix(), 10)
}

// ParseID splits a pulse id; ok is false for anything ID did not make.
func ParseID(id string) (manager string, opens time.Time, ok bool) {
	m, sec, found := strings.Cut(id, ".")
	if !found || m == "" || len(id) > 64 {
		return "", time.Time{}, false
	}
	n, err := strconv.ParseInt(sec, 10, 64)
	if err != nil || n <= 0 {
		return "", time.Time{}, false
	}
	return m, time.Unix(n, 0).UTC(), true
}

// New is a team's pulse opening at opens, asking the statements the
// catalog rotates to then.
func New(c *Catalog, manager string, opens time.Time) Pulse {
	return Pulse{
		ID: ID(manager, opens), Manager: manager, Opens: opens.UTC(), Closes: opens.Add(CloseAfter).UTC(),
		Statements: c.Asked(opens), Counts: map[string]Counts{}, State: Open,
	}
}

// Answers are one person's answers to a pulse's statements, one byte each,
// in the order asked: '1'…'5', Skipped, or Unanswered. They live only in
// the person's own DM (see store.PulseCopy), never in the database.
type Answers string

// What an answer byte can be besides '1'…'5'.
const (
	Unanswered = '-'
	Skipped    = 's'
)

// NoAnswers is a pulse DM before any click.
func NoAnswers(n int) Answers { return Answers(strings.Repeat(string(rune(Unanswered)), n)) }

// Valid reports whether a holds n answers coach could have made.
func (a Answers) Valid(n int) bool {
	if len(a) != n {
		return false
	}
	for i := 0; i < len(a); i++ {
		if !ValidAnswer(a[i]) && a[i] != Unanswered {
			return false
		}
	}
	return true
}

// ValidAnswer reports whether b is a choice a button makes: '1'…'5' or
// Skipped.
func ValidAnswer(b byte) bool { return (b >= '1' && b <= '5') || b == Skipped }

// Done reports whether every statement is answered or skipped.
func (a Answers) Done() bool {
	return !strings.ContainsRune(string(a), Unanswered) && a != ""
}

// With is a with statement i answered b.
func (a Answers) With(i int, b byte) Answers {
	s := []byte(a)
	s[i] = b
	return Answers(s)
}

// Errors of Change.
var (
	ErrClosed    = errors.New("pulse: closed")
	ErrBadAnswer = errors.New("pulse: not an answer")
)

// Change moves one person's answer to statement i from one choice to
// another: the old answer's count goes down, the new one's up. Skipping,
// or having not answered, counts nothing.
func (p *Pulse) Change(i int, from, to byte, now time.Time) error {
	if p.State != Open || !now.Before(p.Closes) {
		return ErrClosed
	}
	if i < 0 || i >= len(p.Statements) || !ValidAnswer(to) || (!ValidAnswer(from) && from != Unanswered) {
		return ErrBadAnswer
	}
	if p.Counts == nil {
		p.Counts = map[string]Counts{}
	}
	id := p.Statements[i]
	c := p.Counts[id]
	if from >= '1' && from <= '5' {
		if c[from-'1'] == 0 {
			return fmt.Errorf("%w: no answer %c to take back", ErrBadAnswer, from)
		}
		c[from-'1']--
	}
	if to >= '1' && to <= '5' {
		c[to-'1']++
	}
	p.Counts[id] = c
	return nil
}

// Due reports whether the pulse should close at now.
func (p Pulse) Due(now time.Time) bool { return p.State == Open && !now.Before(p.Closes) }

// Close ends the pulse: only statements with at least the pulse's own
// minimum of answers (Min; fallback for a pulse that recorded none) keep
// their counts, so a result below the minimum does not exist at all.
func (p *Pulse) Close(fallback int) {
	min := p.Min
	if min == 0 {
		min = fallback
	}
	min = max(min, MinResponsesFloor)
	for id, c := range p.Counts {
		if c.N() < min {
			delete(p.Counts, id)
		}
	}
	p.State = Closed
}

// HasResult reports whether the closed pulse has a score for any statement.
func (p Pulse) HasResult() bool { return p.State == Closed && len(p.Counts) > 0 }

// Schedule says when pulses open: every Every from Anchor (the day they
// were turned on). Each stays open CloseAfter.
type Schedule struct {
	Anchor time.Time
	Every  time.Duration
}

// Current is when the pulse round that now falls in opened, and ok while
// that round is still open (before it closes). Before the anchor nothing is
// open.
func (s Schedule) Current(now time.Time) (opens time.Time, ok bool) {
	every := s.Every
	if every < CloseAfter {
		every = DefaultEvery
	}
	if now.Before(s.Anchor) {
		return time.Time{}, false
	}
	k := now.Sub(s.Anchor) / every
	opens = s.Anchor.Add(k * every)
	return opens, now.Before(opens.Add(CloseAfter))
}

// AskAt is when a team member in loc, working h, is asked a pulse that
// opens at opens: then, or the start of their next working hours, as a
// digest slot is moved into a manager's.
func AskAt(opens time.Time, h signals.Hours, loc *time.Location) time.Time {
	if h.Contains(opens, loc) {
		return opens
	}
	if at := h.AddWorkingMinutes(opens, 0, loc); !at.IsZero() {
		return at
	}
	return opens
}
