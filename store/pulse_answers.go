package store

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"coach/pulse"
)

// A person may change an answer and still count once. For that coach must
// take their previous answer out of its count, so it must learn it from
// somewhere; the database never holds it. Each button of a person's pulse
// DM carries the copy of the DM it belongs to (PulseCopy): the answers it
// shows, the copy it was drawn from and that one's answers, under a tag
// keyed with the pulse key. The answers live only in the DM that person
// sees (where Slack shows them anyway), and the tag lets coach trust them
// when a click brings them back. pulsevoters/ keeps, per keyed hash, only
// the id of the copy that is counted.
//
// A click is counted before its ack: coach draws the next copy, counts it
// (CountPulseCopy), and then redraws the DM with it, after the ack when
// Slack is slow or rate limited. If coach stops between the count and the
// redraw, the DM shows the copy before the counted one: its clicks count
// nothing (ErrPulseStale), the answer given stands. A DM that shows a copy
// drawn from the counted one (redrawn, not counted: as an older coach did
// it) counts that change first with its next click. A click from any other
// copy (a double click, a view of the DM from before a redraw) counts
// nothing.

// PulseCopy is one drawn copy of a person's pulse DM, as its buttons carry
// it.
type PulseCopy struct {
	// ID names the copy: 16 hex digits, random; "" for the DM as first sent.
	ID string
	// Answers are what the copy shows, one byte per statement.
	Answers pulse.Answers
	// From and FromAnswers are the copy it was drawn from, and what that
	// showed: they differ from Answers in one statement. The first copy is
	// drawn from nothing: From is "" and FromAnswers are its Answers.
	From        string
	FromAnswers pulse.Answers
	// Tag says coach made this copy for this person (an HMAC under the
	// pulse key).
	Tag string
}

// copyIDSize is the length of a copy id, in bytes.
const copyIDSize = 8

// pulseVoterKey is the pulsevoters/ key of user in pulse id: a hash keyed
// with the pulse key, not the id.
func pulseVoterKey(key []byte, id, user string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("pulse voter\x00" + id + "\x00" + user))
	return []byte(hex.EncodeToString(m.Sum(nil)))
}

// pulseTag is the tag of copy c of user's DM of pulse id.
func pulseTag(key []byte, id, user string, c PulseCopy) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("pulse copy\x00" + id + "\x00" + user + "\x00" + c.ID + "\x00" + string(c.Answers) + "\x00" + c.From + "\x00" + string(c.FromAnswers)))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// validCopyID reports whether s is a copy id coach could have made.
func validCopyID(s string) bool {
	if s == "" {
		return true
	}
	b, err := hex.DecodeString(s)
	return err == nil && len(b) == copyIDSize && hex.EncodeToString(b) == s
}

// FirstPulseCopy is the copy of user's DM of pulse id as first sent: n
// statements, none answered.
func (db *DB) FirstPulseCopy(id, user string, n int) (PulseCopy, error) {
	key := db.pulseKey()
	if key == nil {
		return PulseCopy{}, fmt.Errorf("store: pulse DM %s: %w", id, ErrNoPulseKey)
	}
	c := PulseCopy{Answers: pulse.NoAnswers(n), FromAnswers: pulse.NoAnswers(n)}
	c.Tag = pulseTag(key, id, user, c)
	return c, nil
}

// NextPulseCopy draws the copy of user's DM that follows from, with
// statement i answered answer. Nothing is counted until CountPulseCopy.
func (db *DB) NextPulseCopy(id, user string, from PulseCopy, i int, answer byte) (PulseCopy, error) {
	key := db.pulseKey()
	if key == nil {
		return PulseCopy{}, fmt.Errorf("store: pulse DM %s: %w", id, ErrNoPulseKey)
	}
	if i < 0 || i >= len(from.Answers) || !pulse.ValidAnswer(answer) {
		return PulseCopy{}, pulse.ErrBadAnswer
	}
	raw := make([]byte, copyIDSize)
	if _, err := rand.Read(raw); err != nil {
		return PulseCopy{}, fmt.Errorf("store: pulse DM %s: %w", id, err)
	}
	c := PulseCopy{ID: hex.EncodeToString(raw), Answers: from.Answers.With(i, answer), From: from.ID, FromAnswers: from.Answers}
	c.Tag = pulseTag(key, id, user, c)
	return c, nil
}

// CountPulseCopy makes c, the copy of user's DM of pulse id that a click
// came from or that coach just drew it with, the counted one. It is
// already; or it was drawn from the counted copy, and then its one change
// is counted now (the previous answer to that statement leaves its count,
// the new one joins its own). A copy coach did not make for this person is
// ErrPulseForged, any other copy ErrPulseStale. Nothing of which answer is
// whose is written.
func (db *DB) CountPulseCopy(id, user string, c PulseCopy, now time.Time) error {
	key := db.pulseKey()
	if key == nil {
		return fmt.Errorf("store: answer pulse %s: %w", id, ErrNoPulseKey)
	}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		p, b, err := openPulseOf(tx, id, now)
		if err != nil {
			return err
		}
		asks := tx.Bucket(bucketPulseAsks).Bucket([]byte(id))
		if asks == nil || asks.Get([]byte(user)) == nil || db.optOuts(tx).has(user) {
			return ErrNotAsked
		}
		if !madeCopy(key, id, user, c, len(p.Statements)) {
			return ErrPulseForged
		}
		voters, err := tx.Bucket(bucketPulseVoters).CreateBucketIfNotExists([]byte(id))
		if err != nil {
			return err
		}
		vk := pulseVoterKey(key, id, user)
		have := hex.EncodeToString(voters.Get(vk))
		switch {
		case have == c.ID:
			return nil
		case have != c.From || c.ID == "":
			return ErrPulseStale
		}
		if err := countChange(&p, c, now); err != nil {
			return err
		}
		raw, _ := hex.DecodeString(c.ID)
		if err := voters.Put(vk, raw); err != nil {
			return err
		}
		return putJSON(b, pulseKey(p.Opens), p)
	})
	if err != nil {
		return fmt.Errorf("store: answer pulse %s: %w", id, err)
	}
	return nil
}

// openPulseOf reads pulse id, and its team's bucket, if it takes answers at
// now: ErrNotFound for no such pulse, ErrPulseClosed for one closed or past
// its close.
func openPulseOf(tx *bolt.Tx, id string, now time.Time) (pulse.Pulse, *bolt.Bucket, error) {
	p, b, found, err := pulseOf(tx, id)
	switch {
	case err != nil:
		return p, nil, err
	case !found:
		return p, nil, ErrNotFound
	case p.State != pulse.Open || !now.Before(p.Closes):
		return p, nil, ErrPulseClosed
	}
	return p, b, nil
}

// madeCopy reports whether coach made copy c of user's DM of pulse id, of
// n statements: its answers and ids are of the right form and its tag is
// theirs under key.
func madeCopy(key []byte, id, user string, c PulseCopy, n int) bool {
	return c.Answers.Valid(n) && c.FromAnswers.Valid(n) && validCopyID(c.ID) && validCopyID(c.From) &&
		hmac.Equal([]byte(c.Tag), []byte(pulseTag(key, id, user, c)))
}

// countChange counts in p the one change copy c makes to the copy it was
// drawn from: the previous answer to that statement leaves its count, the
// new one joins its own. A copy that changes more or less than one
// statement is not one coach drew (ErrPulseForged).
func countChange(p *pulse.Pulse, c PulseCopy, now time.Time) error {
	changed := 0
	for i := range p.Statements {
		if c.FromAnswers[i] == c.Answers[i] {
			continue
		}
		changed++
		if err := p.Change(i, c.FromAnswers[i], c.Answers[i], now); err != nil {
			return err
		}
	}
	if changed != 1 {
		return ErrPulseForged // coach draws one change per copy
	}
	return nil
}

// forgetPulses deletes id's part in the trust pulse: the pulses of the
// team they lead, and, in any open pulse, the DM that asks them and their
// keyed hash. Answers they gave stay counted: see pulse.go.
func (db *DB) forgetPulses(tx *bolt.Tx, id string, st *ForgetStats) error {
	pb := tx.Bucket(bucketPulses)
	if b := pb.Bucket([]byte(id)); b != nil {
		// The team's pulses still open lose their asks and hashes too.
		var ids []string
		if err := b.ForEach(func(_, v []byte) error {
			var p pulse.Pulse
			if err := jsonUnmarshal(v, &p); err != nil {
				return err
			}
			ids = append(ids, p.ID)
			return nil
		}); err != nil {
			return err
		}
		for _, pid := range ids {
			for _, name := range [][]byte{bucketPulseAsks, bucketPulseVoters} {
				if tx.Bucket(name).Bucket([]byte(pid)) != nil {
					if err := tx.Bucket(name).DeleteBucket([]byte(pid)); err != nil {
						return err
					}
				}
			}
		}
		st.Pulses += len(ids)
		if err := pb.DeleteBucket([]byte(id)); err != nil {
			return err
		}
	}
	asks := tx.Bucket(bucketPulseAsks)
	var in [][]byte
	if err := asks.ForEachBucket(func(pid []byte) error {
		if asks.Bucket(pid).Get([]byte(id)) != nil {
			in = append(in, append([]byte(nil), pid...))
		}
		return nil
	}); err != nil {
		return err
	}
	key := db.pulseKey()
	for _, pid := range in {
		if err := asks.Bucket(pid).Delete([]byte(id)); err != nil {
			return err
		}
		// Without the key their hash cannot be found; nor can it be tied
		// to them, and it goes when the pulse closes.
		if vb := tx.Bucket(bucketPulseVoters).Bucket(pid); vb != nil && key != nil {
			if err := vb.Delete(pulseVoterKey(key, string(pid), id)); err != nil {
				return err
			}
		}
		st.Pulses++
	}
	return nil
}

// PulseExport is what coach holds about a person in an open pulse: that it
// asks them, and whether they have answered (a keyed hash says so), never
// what.
type PulseExport struct {
	Pulse    string    `json:"pulse"`
	Closes   time.Time `json:"closes"`
	Asked    time.Time `json:"asked"`
	Answered bool      `json:"answered"`
}

func (db *DB) exportPulses(tx *bolt.Tx, id string) ([]PulseExport, error) {
	var out []PulseExport
	key := db.pulseKey()
	asks := tx.Bucket(bucketPulseAsks)
	err := asks.ForEachBucket(func(pid []byte) error {
		var a PulseAsk
		found, err := getJSON(asks.Bucket(pid), []byte(id), &a)
		if err != nil || !found {
			return err
		}
		p, _, _, err := pulseOf(tx, string(pid))
		if err != nil {
			return err
		}
		e := PulseExport{Pulse: a.Pulse, Closes: p.Closes, Asked: a.Due}
		if vb := tx.Bucket(bucketPulseVoters).Bucket(pid); vb != nil && key != nil {
			e.Answered = vb.Get(pulseVoterKey(key, string(pid), id)) != nil
		}
		out = append(out, e)
		return nil
	})
	return out, err
}
