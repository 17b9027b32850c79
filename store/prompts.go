package store

import (
	"errors"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"coach/norms"
	"coach/signals"
)

// ErrPromptOpen means the team already has an open prompt of that kind.
var ErrPromptOpen = errors.New("a prompt of that kind is already open for this team")

func promptMsgKey(channel, ts string) []byte { return []byte(channel + " " + ts) }

// AddPrompt stores a new prompt, unless the manager's team already has one
// of that kind open or the manager opted out (ErrOptedOut). Voters who
// opted out are left off its voter list.
func (db *DB) AddPrompt(p *norms.Prompt) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketPrompts)
		dup := false
		if err := b.ForEach(func(k, v []byte) error {
			var o norms.Prompt
			if err := jsonUnmarshal(v, &o); err != nil {
				return fmt.Errorf("prompt %s: %w", k, err)
			}
			dup = dup || (o.State == norms.Open && o.Manager == p.Manager && o.Kind == p.Kind)
			return nil
		}); err != nil {
			return err
		}
		if dup {
			return ErrPromptOpen
		}
		out := db.optOuts(tx)
		if out.has(p.Manager) {
			return ErrOptedOut
		}
		p.Voters = out.without(p.Voters)
		return putJSON(b, []byte(p.ID), p)
	})
	if err != nil {
		return fmt.Errorf("store: add prompt %s: %w", p.ID, err)
	}
	return nil
}

// DropPrompt deletes a prompt that never made it to Slack.
func (db *DB) DropPrompt(id string) error {
	return db.bolt.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketPrompts).Delete([]byte(id)) })
}

// DropPromptVoters takes voters off an open prompt's voter list: people it
// could not be delivered to, so "everyone has voted" means everyone asked.
func (db *DB) DropPromptVoters(id string, gone []string) (norms.Prompt, error) {
	return db.updatePrompt(id, func(_ *bolt.Tx, p *norms.Prompt) error {
		kept := p.Voters[:0]
		for _, v := range p.Voters {
			if !slices.Contains(gone, v) {
				kept = append(kept, v)
			}
		}
		p.Voters = kept
		return nil
	})
}

// SetPromptMessage records where a prompt was posted, so reactions on that
// message count as votes.
func (db *DB) SetPromptMessage(id, channel, ts string) error {
	_, err := db.updatePrompt(id, func(_ *bolt.Tx, p *norms.Prompt) error {
		p.Channel, p.TS = channel, ts
		return nil
	}, func(tx *bolt.Tx) error {
		return tx.Bucket(bucketPromptMsgs).Put(promptMsgKey(channel, ts), []byte(id))
	})
	return err
}

func (db *DB) updatePrompt(id string, f func(*bolt.Tx, *norms.Prompt) error, also ...func(*bolt.Tx) error) (norms.Prompt, error) {
	var p norms.Prompt
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketPrompts)
		found, err := getJSON(b, []byte(id), &p)
		if err != nil {
			return err
		}
		if !found {
			return ErrNotFound
		}
		if err := f(tx, &p); err != nil {
			return err
		}
		for _, g := range also {
			if err := g(tx); err != nil {
				return err
			}
		}
		return putJSON(b, []byte(id), p)
	})
	if err != nil {
		return p, fmt.Errorf("store: prompt %s: %w", id, err)
	}
	return p, nil
}

// Prompt returns one prompt.
func (db *DB) Prompt(id string) (norms.Prompt, error) {
	var p norms.Prompt
	err := db.bolt.View(func(tx *bolt.Tx) error {
		found, err := getJSON(tx.Bucket(bucketPrompts), []byte(id), &p)
		if err == nil && !found {
			err = ErrNotFound
		}
		return err
	})
	if err != nil {
		return p, fmt.Errorf("store: prompt %s: %w", id, err)
	}
	return p, nil
}

// Prompts lists every prompt, open and closed.
func (db *DB) Prompts() ([]norms.Prompt, error) {
	var out []norms.Prompt
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketPrompts).ForEach(func(k, v []byte) error {
			var p norms.Prompt
			if err := jsonUnmarshal(v, &p); err != nil {
				return fmt.Errorf("prompt %s: %w", k, err)
			}
			out = append(out, p)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: prompts: %w", err)
	}
	return out, nil
}

// vote applies a reaction to the prompt it was made on, if it was made on
// one. It runs inside Apply's transaction, so a vote counts exactly once.
func (db *DB) vote(tx *bolt.Tx, rc *signals.Reaction) (norms.Prompt, bool, error) {
	var p norms.Prompt
	id := tx.Bucket(bucketPromptMsgs).Get(promptMsgKey(rc.Channel, rc.TS))
	if id == nil {
		return p, false, nil
	}
	b := tx.Bucket(bucketPrompts)
	found, err := getJSON(b, id, &p)
	if err != nil || !found {
		return p, false, err
	}
	d, ok := db.norms.Lookup(p.Kind)
	if !ok || !p.React(d, rc.User, rc.Emoji, rc.Removed) {
		return p, false, nil
	}
	return p, true, putJSON(b, id, p)
}

// VoteAnonymously records a button vote on an anonymous prompt.
func (db *DB) VoteAnonymously(id, user, emoji string) (norms.Prompt, error) {
	return db.updatePrompt(id, func(_ *bolt.Tx, p *norms.Prompt) error {
		d, ok := db.norms.Lookup(p.Kind)
		if !ok {
			return fmt.Errorf("unknown prompt kind %s", p.Kind)
		}
		return p.VoteAnonymously(d, user, emoji)
	})
}

// ClosePrompt ends a prompt's vote and, when the team agreed, makes the
// agreed option the team's norm and counts it in the stats — in one
// transaction. closed is false when the prompt was already closed (its
// stored result is returned).
func (db *DB) ClosePrompt(id string, minVotes int, now time.Time) (p norms.Prompt, closed bool, err error) {
	p, err = db.updatePrompt(id, func(tx *bolt.Tx, p *norms.Prompt) error {
		if p.State != norms.Open {
			return nil
		}
		d, ok := db.norms.Lookup(p.Kind)
		if !ok {
			return fmt.Errorf("unknown prompt kind %s", p.Kind)
		}
		r := p.Close(d, minVotes, now)
		closed = true
		if r.Agreed == "" {
			return nil
		}
		o, _ := d.Option(r.Agreed)
		err := db.updateTeamTx(tx, p.Manager, func(t *signals.Team) {
			o.Apply(p.Kind, &t.Norms)
			if t.Norms.Agreed == nil {
				t.Norms.Agreed = map[string]time.Time{}
			}
			t.Norms.Agreed[string(p.Kind)] = now
		})
		if err != nil {
			return err
		}
		return incStats(tx, now, "norms_agreed/"+string(p.Kind))
	})
	return p, closed, err
}

// MarkAnnounced records that a prompt's result was posted somewhere
// ("thread", "dm").
func (db *DB) MarkAnnounced(id, where string) error {
	_, err := db.updatePrompt(id, func(_ *bolt.Tx, p *norms.Prompt) error {
		if p.Announced == nil {
			p.Announced = map[string]bool{}
		}
		p.Announced[where] = true
		return nil
	})
	return err
}

// UpdateTeam changes one stored team in a transaction. Reports who opted
// out are left out of what it writes.
func (db *DB) UpdateTeam(manager string, f func(*signals.Team)) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error { return db.updateTeamTx(tx, manager, f) })
	if err != nil {
		return fmt.Errorf("store: update team of %s: %w", manager, err)
	}
	return nil
}

func (db *DB) updateTeamTx(tx *bolt.Tx, manager string, f func(*signals.Team)) error {
	b := tx.Bucket(bucketTeams)
	var t signals.Team
	found, err := getJSON(b, []byte(manager), &t)
	if err != nil {
		return err
	}
	if !found {
		return ErrNotFound
	}
	f(&t)
	t.Reports = db.optOuts(tx).without(t.Reports)
	return putJSON(b, []byte(manager), t)
}
