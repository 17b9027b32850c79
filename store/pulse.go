package store

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"coach/pulse"
)

// The trust pulse's buckets (doc.go draws them).
//
// Anonymity by construction: pulses/ holds, per statement, only how many
// people gave each answer. Who was asked (pulseasks/, to deliver each DM
// exactly once) and who has answered (pulsevoters/, a keyed hash with a
// count of clicks) are kept apart, only while the pulse is open, and both
// are deleted when it closes.
//
// A person may change an answer and still count once. For that coach must
// take their previous answer out of its count, so it must learn it from
// somewhere; the database never holds it. Each button of a person's pulse
// DM carries their answers so far, with an HMAC tag over the pulse, the
// person, those answers and a version (PulseTag): the answers live only in
// the DM that person sees (where Slack shows them anyway), and the tag lets
// coach trust them when a click brings them back. pulsevoters/ keeps, per
// keyed hash, only the version: how many answers the person has given, so
// a click from an older copy of the DM (a double click, a replay) is
// refused rather than counted twice.
//
// The trade-off, said plainly: while a pulse is open, someone holding the
// database file and its secret can tell which team members have answered
// (by testing ids against the hashes) and, by copying the file before and
// after one person's click, which count that click moved. After close
// neither is possible: the hashes are gone and only counts remain.
//
// Forget and opt-out while a pulse is open delete the person's ask and
// hash, so they can answer no more; answers they already gave stay in the
// counts, because taking them out would need to know them. Those counts
// say nothing about who gave them.
var (
	bucketPulses      = []byte("pulses")
	bucketPulseVoters = []byte("pulsevoters")
	bucketPulseAsks   = []byte("pulseasks")
	bucketPulseStats  = []byte("pulsestats")
)

// Pulse errors the bot maps to a short answer.
var (
	ErrPulseClosed = errors.New("pulse closed")
	ErrNotAsked    = errors.New("not asked in this pulse")
	ErrPulseStale  = errors.New("click from an older copy of the pulse")
	ErrPulseForged = errors.New("pulse answers coach did not make")
)

// Pulse DM delivery states.
const (
	AskPending = "pending"
	AskSent    = "sent"
)

// PulseAsk is the delivery of one pulse DM: to whom, from when, and how far
// it got. It is deleted when the pulse closes.
type PulseAsk struct {
	Pulse    string    `json:"pulse"`
	User     string    `json:"user"`
	Due      time.Time `json:"due"` // a working-hours moment in their zone
	State    string    `json:"state"`
	Attempts int       `json:"attempts,omitempty"`
	Channel  string    `json:"channel,omitempty"`
	TS       string    `json:"ts,omitempty"`
}

// PulseRound is the workspace's aggregate of one pulse round, frozen when
// the round's last team pulse closed: per statement, the counts summed
// over the teams that had a score for it, and how many teams that was.
// Only statements with a score in at least MinStatsTeams teams are kept.
type PulseRound struct {
	Opens  time.Time               `json:"opens"`
	Closes time.Time               `json:"closes"`
	Counts map[string]pulse.Counts `json:"counts,omitempty"`
	Teams  map[string]int          `json:"teams,omitempty"`
}

// MinStatsTeams is how many teams an admin figure of the pulse must cover.
const MinStatsTeams = 5

// pulseKeep is how long closed pulses (team counts only) are kept: long
// enough for a trend over a year of pulses, and no longer.
const pulseKeep = 400 * 24 * time.Hour

func pulseKey(opens time.Time) []byte {
	k := make([]byte, 8)
	binary.BigEndian.PutUint64(k, uint64(opens.Unix()))
	return k
}

// pulseVoterKey is the pulsevoters/ key of user in pulse id: a keyed hash,
// not the id.
func (db *DB) pulseVoterKey(id, user string) []byte {
	m := hmac.New(sha256.New, db.secret)
	m.Write([]byte("pulse voter\x00" + id + "\x00" + user))
	return []byte(hex.EncodeToString(m.Sum(nil)))
}

// PulseTag is the tag a pulse DM's buttons carry with user's answers so far
// and their version, so a click can bring them back to coach unaltered.
func (db *DB) PulseTag(id, user string, version uint32, a pulse.Answers) string {
	m := hmac.New(sha256.New, db.secret)
	m.Write([]byte("pulse answers\x00" + id + "\x00" + user + "\x00" + strconv.FormatUint(uint64(version), 10) + "\x00" + string(a)))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// pulseOf reads a pulse by id within tx.
func pulseOf(tx *bolt.Tx, id string) (pulse.Pulse, *bolt.Bucket, bool, error) {
	m, opens, ok := pulse.ParseID(id)
	if !ok {
		return pulse.Pulse{}, nil, false, nil
	}
	b := tx.Bucket(bucketPulses).Bucket([]byte(m))
	if b == nil {
		return pulse.Pulse{}, nil, false, nil
	}
	var p pulse.Pulse
	found, err := getJSON(b, pulseKey(opens), &p)
	return p, b, found, err
}

// NewPulse is a team's pulse to open and the DMs that ask it.
type NewPulse struct {
	Pulse pulse.Pulse
	Asks  []PulseAsk
}

// OpenPulses stores, in one transaction, each team's pulse and the DMs
// that ask it, unless that pulse exists already. It returns the ids of the
// pulses it opened. Nobody who opted out is asked.
func (db *DB) OpenPulses(ps []NewPulse) ([]string, error) {
	var opened []string
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		opened = opened[:0]
		out := db.optOuts(tx)
		for _, np := range ps {
			p := np.Pulse
			if _, _, found, err := pulseOf(tx, p.ID); err != nil || found {
				if err != nil {
					return err
				}
				continue
			}
			if out.has(p.Manager) {
				continue
			}
			b, err := tx.Bucket(bucketPulses).CreateBucketIfNotExists([]byte(p.Manager))
			if err != nil {
				return err
			}
			if err := putJSON(b, pulseKey(p.Opens), p); err != nil {
				return err
			}
			ab, err := tx.Bucket(bucketPulseAsks).CreateBucketIfNotExists([]byte(p.ID))
			if err != nil {
				return err
			}
			for _, a := range np.Asks {
				if out.has(a.User) {
					continue
				}
				a.Pulse, a.State = p.ID, AskPending
				if err := putJSON(ab, []byte(a.User), a); err != nil {
					return err
				}
			}
			opened = append(opened, p.ID)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: open pulses: %w", err)
	}
	return opened, nil
}

// PulseByID returns one pulse.
func (db *DB) PulseByID(id string) (pulse.Pulse, error) {
	var p pulse.Pulse
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var found bool
		var err error
		p, _, found, err = pulseOf(tx, id)
		if err == nil && !found {
			err = ErrNotFound
		}
		return err
	})
	if err != nil {
		return p, fmt.Errorf("store: pulse %s: %w", id, err)
	}
	return p, nil
}

// Pulses lists every pulse kept, oldest first.
func (db *DB) Pulses() ([]pulse.Pulse, error) {
	var out []pulse.Pulse
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketPulses).ForEachBucket(func(m []byte) error {
			return tx.Bucket(bucketPulses).Bucket(m).ForEach(func(_, v []byte) error {
				var p pulse.Pulse
				if err := jsonUnmarshal(v, &p); err != nil {
					return fmt.Errorf("pulse of %s: %w", m, err)
				}
				out = append(out, p)
				return nil
			})
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: pulses: %w", err)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Opens.Before(out[j].Opens) })
	return out, nil
}

// TeamPulses lists the pulses of manager's team, oldest first.
func (db *DB) TeamPulses(manager string) ([]pulse.Pulse, error) {
	var out []pulse.Pulse
	err := db.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketPulses).Bucket([]byte(manager))
		if b == nil {
			return nil
		}
		return b.ForEach(func(_, v []byte) error {
			var p pulse.Pulse
			if err := jsonUnmarshal(v, &p); err != nil {
				return err
			}
			out = append(out, p)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: pulses of %s: %w", manager, err)
	}
	return out, nil
}

// PulseAsks lists the DMs of open pulses still to be delivered that are due
// by now, and when the next of the others is due (zero when none is).
func (db *DB) PulseAsks(now time.Time) ([]PulseAsk, time.Time, error) {
	var out []PulseAsk
	var next time.Time
	err := db.bolt.View(func(tx *bolt.Tx) error {
		asks := tx.Bucket(bucketPulseAsks)
		return asks.ForEachBucket(func(id []byte) error {
			return asks.Bucket(id).ForEach(func(_, v []byte) error {
				var a PulseAsk
				if err := jsonUnmarshal(v, &a); err != nil {
					return err
				}
				switch {
				case a.State != AskPending:
				case !a.Due.After(now):
					out = append(out, a)
				case next.IsZero() || a.Due.Before(next):
					next = a.Due
				}
				return nil
			})
		})
	})
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("store: pulse asks: %w", err)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Due.Before(out[j].Due) })
	return out, next, nil
}

// updateAsk changes one pulse DM's delivery record.
func (db *DB) updateAsk(id, user string, f func(*PulseAsk)) (PulseAsk, error) {
	var a PulseAsk
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketPulseAsks).Bucket([]byte(id))
		if b == nil {
			return ErrNotAsked
		}
		found, err := getJSON(b, []byte(user), &a)
		if err != nil {
			return err
		}
		if !found {
			return ErrNotAsked
		}
		f(&a)
		return putJSON(b, []byte(user), a)
	})
	if err != nil {
		return a, fmt.Errorf("store: pulse DM %s: %w", id, err)
	}
	return a, nil
}

// MarkPulseAttempt notes that sending a pulse DM starts.
func (db *DB) MarkPulseAttempt(id, user string) (PulseAsk, error) {
	return db.updateAsk(id, user, func(a *PulseAsk) { a.Attempts++ })
}

// MarkPulseSent records where a pulse DM landed.
func (db *DB) MarkPulseSent(id, user, channel, ts string) error {
	_, err := db.updateAsk(id, user, func(a *PulseAsk) { a.State, a.Channel, a.TS = AskSent, channel, ts })
	return err
}

// AnswerPulse records one click on a pulse DM: user chose answer for the
// statement at index i. prev and version are the answers and version the
// clicked copy of the DM carries, tag their PulseTag. The previous answer
// to statement i leaves its count and the new one joins its own, and the
// person's version goes up by one; the answers and the new version come
// back so the DM can be redrawn with them. Nothing of which answer is
// whose is written.
func (db *DB) AnswerPulse(id, user string, i int, answer byte, prev pulse.Answers, version uint32, tag string, now time.Time) (pulse.Answers, uint32, error) {
	next, nextVersion := prev, version
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		p, b, found, err := pulseOf(tx, id)
		if err != nil {
			return err
		}
		if !found {
			return ErrNotFound
		}
		if p.State != pulse.Open || !now.Before(p.Closes) {
			return ErrPulseClosed
		}
		asks := tx.Bucket(bucketPulseAsks).Bucket([]byte(id))
		if asks == nil || asks.Get([]byte(user)) == nil || db.optOuts(tx).has(user) {
			return ErrNotAsked
		}
		if !prev.Valid(len(p.Statements)) || !hmac.Equal([]byte(tag), []byte(db.PulseTag(id, user, version, prev))) {
			return ErrPulseForged
		}
		voters, err := tx.Bucket(bucketPulseVoters).CreateBucketIfNotExists([]byte(id))
		if err != nil {
			return err
		}
		key := db.pulseVoterKey(id, user)
		var have uint32
		if v := voters.Get(key); len(v) == 4 {
			have = binary.BigEndian.Uint32(v)
		}
		if have != version {
			return ErrPulseStale
		}
		if i < 0 || i >= len(p.Statements) || !pulse.ValidAnswer(answer) {
			return pulse.ErrBadAnswer
		}
		if prev[i] == answer {
			return nil
		}
		if err := p.Change(i, prev[i], answer, now); err != nil {
			return err
		}
		next, nextVersion = prev.With(i, answer), version+1
		v := make([]byte, 4)
		binary.BigEndian.PutUint32(v, nextVersion)
		if err := voters.Put(key, v); err != nil {
			return err
		}
		return putJSON(b, pulseKey(p.Opens), p)
	})
	if err != nil {
		return prev, version, fmt.Errorf("store: answer pulse %s: %w", id, err)
	}
	return next, nextVersion, nil
}

// ClosePulse closes a pulse: statements with fewer than min answers lose
// their counts, and who was asked and who answered are deleted. It returns
// the pulse and the DMs that had been sent, so they can be redrawn closed.
// Closing a closed pulse changes nothing.
func (db *DB) ClosePulse(id string, min int) (pulse.Pulse, []PulseAsk, error) {
	var p pulse.Pulse
	var sent []PulseAsk
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		var b *bolt.Bucket
		var found bool
		var err error
		p, b, found, err = pulseOf(tx, id)
		if err != nil {
			return err
		}
		if !found {
			return ErrNotFound
		}
		if asks := tx.Bucket(bucketPulseAsks).Bucket([]byte(id)); asks != nil {
			if err := asks.ForEach(func(_, v []byte) error {
				var a PulseAsk
				if err := jsonUnmarshal(v, &a); err != nil {
					return err
				}
				if a.State == AskSent {
					sent = append(sent, a)
				}
				return nil
			}); err != nil {
				return err
			}
			if err := tx.Bucket(bucketPulseAsks).DeleteBucket([]byte(id)); err != nil {
				return err
			}
		}
		if tx.Bucket(bucketPulseVoters).Bucket([]byte(id)) != nil {
			if err := tx.Bucket(bucketPulseVoters).DeleteBucket([]byte(id)); err != nil {
				return err
			}
		}
		if p.State == pulse.Closed {
			return nil
		}
		p.Close(min)
		return putJSON(b, pulseKey(p.Opens), p)
	})
	if err != nil {
		return p, nil, fmt.Errorf("store: close pulse %s: %w", id, err)
	}
	return p, sent, nil
}

// FreezePulseRound makes the workspace aggregate of the pulse round that
// opened at opens, once none of its team pulses is open any more, and
// keeps it from then on: forgetting a team later does not change what an
// admin saw, so no difference singles it out. It reports whether the round
// is frozen (now or before).
func (db *DB) FreezePulseRound(opens time.Time) (bool, error) {
	frozen := false
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		rb := tx.Bucket(bucketPulseStats)
		if rb.Get(pulseKey(opens)) != nil {
			frozen = true
			return nil
		}
		r := PulseRound{Opens: opens.UTC(), Closes: opens.Add(pulse.CloseAfter).UTC(), Counts: map[string]pulse.Counts{}, Teams: map[string]int{}}
		open := false
		err := tx.Bucket(bucketPulses).ForEachBucket(func(m []byte) error {
			var p pulse.Pulse
			found, err := getJSON(tx.Bucket(bucketPulses).Bucket(m), pulseKey(opens), &p)
			if err != nil || !found {
				return err
			}
			if p.State != pulse.Closed {
				open = true
				return nil
			}
			for id, c := range p.Counts {
				r.Counts[id] = r.Counts[id].Add(c)
				r.Teams[id]++
			}
			return nil
		})
		if err != nil || open {
			return err
		}
		for id, n := range r.Teams {
			if n < MinStatsTeams {
				delete(r.Teams, id)
				delete(r.Counts, id)
			}
		}
		frozen = true
		return putJSON(rb, pulseKey(opens), r)
	})
	if err != nil {
		return false, fmt.Errorf("store: freeze pulse round %s: %w", opens.Format(time.RFC3339), err)
	}
	return frozen, nil
}

// PulseRounds lists the frozen workspace aggregates, oldest first.
func (db *DB) PulseRounds() ([]PulseRound, error) {
	var out []PulseRound
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketPulseStats).ForEach(func(_, v []byte) error {
			var r PulseRound
			if err := jsonUnmarshal(v, &r); err != nil {
				return err
			}
			out = append(out, r)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: pulse rounds: %w", err)
	}
	return out, nil
}

// SharePulse marks a closed pulse with a result as shared by its manager;
// first is false when it was shared already.
func (db *DB) SharePulse(id, manager string, shared bool) (pulse.Pulse, bool, error) {
	var p pulse.Pulse
	first := false
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		var b *bolt.Bucket
		var found bool
		var err error
		p, b, found, err = pulseOf(tx, id)
		switch {
		case err != nil:
			return err
		case !found || !p.HasResult():
			return ErrNotFound
		case p.Manager != manager:
			return ErrForbidden
		case p.Shared == shared:
			return nil
		}
		p.Shared, first = shared, true
		return putJSON(b, pulseKey(p.Opens), p)
	})
	if err != nil {
		return p, false, fmt.Errorf("store: share pulse %s: %w", id, err)
	}
	return p, first, nil
}

// PrunePulses deletes closed pulses and frozen rounds that opened more
// than a year and a bit before now. Open pulses are never pruned.
func (db *DB) PrunePulses(now time.Time) (int, error) {
	n := 0
	cutoff := pulseKey(now.Add(-pulseKeep))
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		pb := tx.Bucket(bucketPulses)
		type key struct{ team, opens []byte }
		var old []key
		err := pb.ForEachBucket(func(m []byte) error {
			c := pb.Bucket(m).Cursor()
			for k, v := c.First(); k != nil && bytes.Compare(k, cutoff) < 0; k, v = c.Next() {
				var p pulse.Pulse
				if err := jsonUnmarshal(v, &p); err != nil {
					return err
				}
				if p.State == pulse.Closed {
					old = append(old, key{append([]byte(nil), m...), append([]byte(nil), k...)})
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range old {
			b := pb.Bucket(k.team)
			if err := b.Delete(k.opens); err != nil {
				return err
			}
			n++
			if first, _ := b.Cursor().First(); first == nil {
				if err := pb.DeleteBucket(k.team); err != nil {
					return err
				}
			}
		}
		rb := tx.Bucket(bucketPulseStats)
		var rounds [][]byte
		c := rb.Cursor()
		for k, _ := c.First(); k != nil && bytes.Compare(k, cutoff) < 0; k, _ = c.Next() {
			rounds = append(rounds, append([]byte(nil), k...))
		}
		for _, k := range rounds {
			if err := rb.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: prune pulses: %w", err)
	}
	return n, nil
}

// forgetPulses deletes id's part in the trust pulse: the pulses of the
// team they lead, and, in any open pulse, the DM that asks them and their
// keyed hash. Answers they gave stay counted: see the note above.
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
	for _, pid := range in {
		if err := asks.Bucket(pid).Delete([]byte(id)); err != nil {
			return err
		}
		if vb := tx.Bucket(bucketPulseVoters).Bucket(pid); vb != nil {
			if err := vb.Delete(db.pulseVoterKey(string(pid), id)); err != nil {
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
		if vb := tx.Bucket(bucketPulseVoters).Bucket(pid); vb != nil {
			e.Answered = vb.Get(db.pulseVoterKey(string(pid), id)) != nil
		}
		out = append(out, e)
		return nil
	})
	return out, err
}
