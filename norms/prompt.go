package norms

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"time"
)

// Prompt states.
const (
	Open   = "open"
	Closed = "closed"
)

// Prompt is one norm prompt posted to a team.
type Prompt struct {
	ID        string    `json:"id"`
	Kind      Kind      `json:"kind"`
	Manager   string    `json:"manager"`
	Voters    []string  `json:"voters"` // the reports who may vote
	Channel   string    `json:"channel,omitempty"`
	TS        string    `json:"ts,omitempty"`
	Opened    time.Time `json:"opened"`
	Closes    time.Time `json:"closes"`
	Anonymous bool      `json:"anonymous,omitempty"`
	Recheck   bool      `json:"recheck,omitempty"`
	// Direct means each voter was asked in their own DM with coach, because
	// the team has no channel and is too big for a group DM. Direct prompts
	// vote with buttons, and only the manager hears the result.
	Direct bool   `json:"direct,omitempty"`
	State  string `json:"state"`

	// Votes holds, per voter, the options they reacted with, oldest first:
	// the newest one still there is their vote. Not used when anonymous.
	Votes map[string][]string `json:"votes,omitempty"`
	// Anonymous voting keeps only counts, and while the prompt is open, a
	// salted hash of who has voted so nobody votes twice. Both the salt and
	// the hashes are deleted when it closes.
	Counts map[string]int  `json:"counts,omitempty"`
	Salt   string          `json:"salt,omitempty"`
	Voted  map[string]bool `json:"voted,omitempty"`

	Result *Result `json:"result,omitempty"`
	// Announced records which results were posted: "thread", "dm".
	Announced map[string]bool `json:"announced,omitempty"`
}

// Result is a closed prompt's outcome. It holds counts only.
type Result struct {
	Counts map[string]int `json:"counts"` // option emoji → votes
	Votes  int            `json:"votes"`
	Agreed string         `json:"agreed,omitempty"` // the winning emoji; "" when too few voted
	Closed time.Time      `json:"closed"`
}

// NewPrompt opens a prompt of definition d for a manager's reports.
func NewPrompt(d *Definition, manager string, voters []string, now time.Time, closeAfter time.Duration, anonymous, recheck bool) *Prompt {
	p := &Prompt{
		ID:        fmt.Sprintf("p1-%s-%s-%d", manager, d.Kind, now.Unix()),
		Kind:      d.Kind,
		Manager:   manager,
		Voters:    append([]string(nil), voters...),
		Opened:    now,
		Closes:    now.Add(closeAfter),
		Anonymous: anonymous,
		Recheck:   recheck,
		State:     Open,
	}
	if anonymous {
		var b [16]byte
		_, _ = rand.Read(b[:])
		p.Salt = hex.EncodeToString(b[:])
		p.Counts, p.Voted = map[string]int{}, map[string]bool{}
	} else {
		p.Votes = map[string][]string{}
	}
	return p
}

func (p *Prompt) eligible(user string) bool {
	for _, v := range p.Voters {
		if v == user {
			return true
		}
	}
	return false
}

// React applies a reaction added to or removed from the prompt. Only the
// team's reports vote, only with the prompt's options, only while it is
// open; everything else is ignored (false).
func (p *Prompt) React(d *Definition, user, emoji string, removed bool) bool {
	if p.State != Open || p.Anonymous || !p.eligible(user) {
		return false
	}
	if _, ok := d.Option(baseEmoji(emoji)); !ok {
		return false
	}
	emoji = baseEmoji(emoji)
	if p.Votes == nil {
		p.Votes = map[string][]string{}
	}
	list := p.Votes[user]
	kept := list[:0]
	for _, e := range list {
		if e != emoji {
			kept = append(kept, e)
		}
	}
	if !removed {
		kept = append(kept, emoji)
	}
	if len(kept) == 0 {
		delete(p.Votes, user)
	} else {
		p.Votes[user] = kept
	}
	return true
}

// VoteAnonymously records a button vote: one per person, no changing it,
// and nothing kept that says who chose what.
func (p *Prompt) VoteAnonymously(d *Definition, user, emoji string) error {
	switch {
	case p.State != Open:
		return ErrClosed
	case !p.Anonymous:
		return fmt.Errorf("norms: prompt %s is not anonymous", p.ID)
	case !p.eligible(user):
		return ErrNotVoter
	}
	if _, ok := d.Option(emoji); !ok {
		return fmt.Errorf("norms: %q is not an option of %s", emoji, p.Kind)
	}
	if p.Voted == nil {
		p.Voted = map[string]bool{}
	}
	if p.Counts == nil {
		p.Counts = map[string]int{}
	}
	h := p.voterHash(user)
	if p.Voted[h] {
		return ErrAlreadyVoted
	}
	p.Voted[h] = true
	p.Counts[emoji]++
	return nil
}

// Vote errors the bot turns into a short reply to the voter.
var (
	ErrClosed       = fmt.Errorf("norms: the prompt is closed")
	ErrNotVoter     = fmt.Errorf("norms: only the team's members vote")
	ErrAlreadyVoted = fmt.Errorf("norms: already voted")
)

func (p *Prompt) voterHash(user string) string {
	sum := sha256.Sum256([]byte(p.Salt + "|" + user))
	return hex.EncodeToString(sum[:12])
}

// Tally counts the current votes by option.
func (p *Prompt) Tally() (map[string]int, int) {
	if p.Anonymous {
		n := 0
		out := map[string]int{}
		for e, c := range p.Counts {
			out[e] = c
			n += c
		}
		return out, n
	}
	out := map[string]int{}
	n := 0
	for _, list := range p.Votes {
		if len(list) > 0 {
			out[list[len(list)-1]]++
			n++
		}
	}
	return out, n
}

// AllVoted reports whether every voter has a vote.
func (p *Prompt) AllVoted() bool {
	_, n := p.Tally()
	return n >= len(p.Voters) && len(p.Voters) > 0
}

// Due reports whether the prompt should close at now: its time is up or
// everyone voted.
func (p *Prompt) Due(now time.Time) bool {
	return p.State == Open && (!now.Before(p.Closes) || p.AllVoted())
}

// Close ends the vote. The option with the most votes wins; a tie goes to
// the more considerate option (listed first); fewer than minVotes votes
// agree nothing. Who voted for what is dropped: only counts remain.
func (p *Prompt) Close(d *Definition, minVotes int, now time.Time) Result {
	counts, n := p.Tally()
	r := Result{Counts: counts, Votes: n, Closed: now}
	if n >= minVotes && n > 0 {
		emojis := make([]string, 0, len(counts))
		for e := range counts {
			emojis = append(emojis, e)
		}
		sort.Slice(emojis, func(i, j int) bool {
			if counts[emojis[i]] != counts[emojis[j]] {
				return counts[emojis[i]] > counts[emojis[j]]
			}
			return d.rank(emojis[i]) < d.rank(emojis[j])
		})
		r.Agreed = emojis[0]
	}
	p.State, p.Result = Closed, &r
	p.Votes, p.Voted, p.Salt, p.Counts = nil, nil, "", nil
	return r
}

// baseEmoji drops a skin tone: "+1::skin-tone-2" votes as "+1".
func baseEmoji(e string) string {
	for i := 0; i+1 < len(e); i++ {
		if e[i] == ':' && e[i+1] == ':' {
			return e[:i]
		}
	}
	return e
}
