package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"

	"coach/pulse"
)

// The trust pulse's buckets (doc.go draws them); this file opens and lists
// pulses, pulse_asks.go delivers the DMs that ask them, pulse_answers.go
// counts the answers, and pulse_rounds.go closes pulses and keeps the
// workspace's figures.
//
// Anonymity by construction: pulses/ holds, per statement, only how many
// people gave each answer. Who was asked (pulseasks/, to deliver each DM
// exactly once) and who has answered (pulsevoters/, a keyed hash with the
// id of the copy of their DM that is counted) are kept apart, only while
// the pulse is open, and both are deleted when it closes.
//
// The hashes, and the tags on the DM's buttons, are keyed with the pulse
// key (SetPulseKey), which is derived from the operator's COACH_TOKEN_KEY
// and never written to this file. What the file and its backups then hold,
// said plainly: while a pulse is open, who was asked and whether their DM
// has gone out (pulseasks/), how many have answered (one hash each), and,
// between two copies of the file, which hash's copy id and which counts
// changed. Without the key no hash can be tested against a person's id,
// so the hashes tie no count change to a person. What the file does not
// hide is timing: copies taken as the DMs go out narrow a new hash down to
// those whose DM had gone out by then, and when that is one person, it is
// them. With the key too, copies taken before and after one click would
// tell whose click moved which count; so the key is kept apart from the
// database and its backups. After close the hashes and asks are deleted
// (bbolt's freed pages may keep their bytes until reused, still useless
// without the key) and only counts remain.
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
	ErrPulseStale  = errors.New("click from an out-of-date copy of the pulse DM")
	ErrPulseForged = errors.New("pulse answers coach did not make")
	// ErrNoPulseKey means no pulse key was set (SetPulseKey): without it
	// coach cannot count anyone once, so the pulse takes no answers.
	ErrNoPulseKey = errors.New("no trust pulse key (COACH_TOKEN_KEY is not set)")
	// ErrRoundOpened means the round's pulses opened already: a team
	// formed or changed later gets none in that round.
	ErrRoundOpened = errors.New("pulse round opened already")
)

// pulseKeyring holds the pulse key, which is kept outside the database.
type pulseKeyring struct{ key atomic.Pointer[[]byte] }

// SetPulseKey sets the key of the trust pulse's respondent hashes and
// button tags: pulse.Key of the operator's key. It is never written to the
// database. Without it the pulse takes no answers (ErrNoPulseKey).
func (db *DB) SetPulseKey(key []byte) {
	if len(key) == 0 {
		db.pulse.key.Store(nil)
		return
	}
	k := append([]byte(nil), key...)
	db.pulse.key.Store(&k)
}

// HasPulseKey reports whether SetPulseKey gave a key.
func (db *DB) HasPulseKey() bool { return db.pulseKey() != nil }

func (db *DB) pulseKey() []byte {
	if k := db.pulse.key.Load(); k != nil {
		return *k
	}
	return nil
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

// OpenPulses opens the pulse round that opens at round: in one
// transaction it stores each team's pulse and the DMs that ask it, and
// marks the round opened. A round opens once: when it was opened before,
// nothing is stored and the error is ErrRoundOpened, so the teams and
// members a round asks are those of its first opening, and a team formed
// or changed later in the round (say, of an admin, one person and two
// colluders) gets no pulse until the next round. It returns the ids of
// the pulses it opened. Nobody who opted out is asked.
func (db *DB) OpenPulses(round time.Time, ps []NewPulse) ([]string, error) {
	var opened []string
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		opened = opened[:0]
		rb := tx.Bucket(bucketPulseStats)
		if rb.Get(pulseKey(round)) != nil {
			return ErrRoundOpened
		}
		if err := putJSON(rb, pulseKey(round), PulseRound{Opens: round.UTC(), Closes: round.Add(pulse.CloseAfter).UTC(), Open: true}); err != nil {
			return err
		}
		out := db.optOuts(tx)
		for _, np := range ps {
			p := np.Pulse
			if !p.Opens.Equal(round) {
				return fmt.Errorf("pulse %s is not of the round that opens %s", p.ID, round.Format(time.RFC3339))
			}
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
	if errors.Is(err, ErrRoundOpened) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("store: open pulses: %w", err)
	}
	return opened, nil
}

// PulseRoundOpened reports whether the round that opens at round has
// opened (OpenPulses).
func (db *DB) PulseRoundOpened(round time.Time) (bool, error) {
	opened := false
	err := db.bolt.View(func(tx *bolt.Tx) error {
		opened = tx.Bucket(bucketPulseStats).Get(pulseKey(round)) != nil
		return nil
	})
	return opened, err
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
