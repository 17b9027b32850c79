package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"

	"coach/signals"
)

// ForgetStats counts the records ForgetPerson deleted or scrubbed, by
// bucket. seen/ (event ids), stats/ (aggregates), meta/ and optout/ (keyed
// hashes) hold no ids and are not touched.
type ForgetStats struct {
	Users      int // person records deleted
	Teams      int // teams deleted (they led it) or scrubbed (they were a report)
	Convs      int // DM and group DM member lists deleted
	Windows    int // day windows deleted (theirs, or left empty) or scrubbed (as a report)
	States     int // manager states deleted (theirs) or scrubbed (their waits, last contact)
	Digests    int // outbox records deleted (theirs) or scrubbed (they were named)
	Coaching   int // coaching histories deleted
	Prompts    int // prompts deleted (they opened it) or scrubbed (they could vote)
	PromptMsgs int // prompt message index entries deleted
	Notices    int // consent notice records deleted
	Tokens     int // sealed user tokens deleted (Connect)
	Pulses     int // their team's pulses deleted (they led it); DMs asking them and their keyed hash in open pulses deleted
}

// Total is the number of records touched.
func (s ForgetStats) Total() int {
	return s.Users + s.Teams + s.Convs + s.Windows + s.States + s.Digests + s.Coaching + s.Prompts + s.PromptMsgs + s.Notices + s.Tokens + s.Pulses
}

// ForgetPerson deletes, in one transaction, every record of id and scrubs
// id from every record that mentions it, whatever role they had: their
// person record, the team they lead and their place in any team, DM member
// lists with them in, their windows and state as a manager and their
// counters, waits and last contact in every manager's, their digests,
// coaching history and prompts as a manager, their name and counts in
// other managers' digests, their votes, their consent notice, and their
// sealed user token (the caller revokes it at Slack first: that needs it). An
// opt-out record stays (it is not the id); use OptIn to remove it.
func (db *DB) ForgetPerson(id string) (ForgetStats, error) {
	var st ForgetStats
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		var err error
		st, err = db.forget(tx, id)
		return err
	})
	if err != nil {
		return ForgetStats{}, fmt.Errorf("store: forget %s: %w", id, err)
	}
	return st, nil
}

func (db *DB) forget(tx *bolt.Tx, id string) (ForgetStats, error) {
	var st ForgetStats
	if id == "" {
		return st, fmt.Errorf("empty user id")
	}
	steps := []struct {
		name string
		f    func(*bolt.Tx, string, *ForgetStats) error
	}{
		{"users", forgetUser},
		{"teams", forgetTeams},
		{"convs", forgetConvs},
		{"windows", forgetWindows},
		{"state", forgetStates},
		{"outbox", forgetDigests},
		{"coaching", forgetCoaching},
		{"prompts", forgetPrompts},
		{"notices", forgetNotice},
		{"tokens", forgetToken},
		{"pulses", db.forgetPulses},
	}
	for _, s := range steps {
		if err := s.f(tx, id, &st); err != nil {
			return st, fmt.Errorf("%s: %w", s.name, err)
		}
	}
	return st, nil
}

func forgetUser(tx *bolt.Tx, id string, st *ForgetStats) error {
	return deleteKey(tx.Bucket(bucketUsers), []byte(id), &st.Users)
}

func forgetCoaching(tx *bolt.Tx, id string, st *ForgetStats) error {
	return deleteKey(tx.Bucket(bucketCoaching), []byte(id), &st.Coaching)
}

func forgetNotice(tx *bolt.Tx, id string, st *ForgetStats) error {
	return deleteKey(tx.Bucket(bucketNotices), []byte(id), &st.Notices)
}

func forgetToken(tx *bolt.Tx, id string, st *ForgetStats) error {
	return deleteKey(tx.Bucket(bucketTokens), []byte(id), &st.Tokens)
}

// deleteKey deletes key from b, counting it when it was there.
func deleteKey(b *bolt.Bucket, key []byte, n *int) error {
	if b.Get(key) == nil {
		return nil
	}
	*n++
	return b.Delete(key)
}

// rewrite is a record to put back (val non-nil) or delete (val nil) once a
// walk over its bucket is done.
type rewrite struct {
	key, val []byte
}

func applyRewrites(b *bolt.Bucket, rs []rewrite) error {
	for _, r := range rs {
		var err error
		if r.val == nil {
			err = b.Delete(r.key)
		} else {
			err = b.Put(r.key, r.val)
		}
		if err != nil {
			return fmt.Errorf("write %s: %w", r.key, err)
		}
	}
	return nil
}

func encodeJSON(v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	return raw, nil
}

// forgetTeams deletes the team id leads and takes id out of every team's
// reports.
func forgetTeams(tx *bolt.Tx, id string, st *ForgetStats) error {
	b := tx.Bucket(bucketTeams)
	var rs []rewrite
	err := b.ForEach(func(k, v []byte) error {
		if string(k) == id {
			rs = append(rs, rewrite{key: bytes.Clone(k)})
			return nil
		}
		if !bytes.Contains(v, []byte(id)) {
			return nil
		}
		var t signals.Team
		if err := jsonUnmarshal(v, &t); err != nil {
			return fmt.Errorf("team %s: %w", k, err)
		}
		if !slices.Contains(t.Reports, id) {
			return nil
		}
		t.Reports = slices.DeleteFunc(t.Reports, func(r string) bool { return r == id })
		raw, err := encodeJSON(t)
		if err != nil {
			return fmt.Errorf("team %s: %w", k, err)
		}
		rs = append(rs, rewrite{key: bytes.Clone(k), val: raw})
		return nil
	})
	if err != nil {
		return err
	}
	st.Teams += len(rs)
	return applyRewrites(b, rs)
}

// forgetConvs deletes every stored member list with id in it.
func forgetConvs(tx *bolt.Tx, id string, st *ForgetStats) error {
	b := tx.Bucket(bucketConvs)
	var rs []rewrite
	err := b.ForEach(func(k, v []byte) error {
		if !bytes.Contains(v, []byte(id)) {
			return nil
		}
		var ids []string
		if err := jsonUnmarshal(v, &ids); err != nil {
			return fmt.Errorf("conversation %s: %w", k, err)
		}
		if slices.Contains(ids, id) {
			rs = append(rs, rewrite{key: bytes.Clone(k)})
		}
		return nil
	})
	if err != nil {
		return err
	}
	st.Convs += len(rs)
	return applyRewrites(b, rs)
}

// forgetWindows deletes id's own windows and removes id's counters (and
// their part in the totals) from every other manager's windows, deleting
// windows and managers left empty.
func forgetWindows(tx *bolt.Tx, id string, st *ForgetStats) error {
	windows := tx.Bucket(bucketWindows)
	if b := windows.Bucket([]byte(id)); b != nil {
		st.Windows += b.Stats().KeyN
		if err := windows.DeleteBucket([]byte(id)); err != nil {
			return fmt.Errorf("delete windows of %s: %w", id, err)
		}
	}
	var managers [][]byte
	if err := windows.ForEach(func(k, _ []byte) error {
		managers = append(managers, bytes.Clone(k))
		return nil
	}); err != nil {
		return err
	}
	for _, m := range managers {
		b := windows.Bucket(m)
		if b == nil {
			continue
		}
		var rs []rewrite
		left := 0
		err := b.ForEach(func(k, v []byte) error {
			left++
			if !bytes.Contains(v, []byte(id)) {
				return nil
			}
			var w signals.DayWindow
			if err := decodeWindow(v, &w); err != nil {
				return fmt.Errorf("window %s/%x: %w", m, k, err)
			}
			if _, ok := w.Reports[id]; !ok {
				return nil
			}
			w.Forget(id)
			r := rewrite{key: bytes.Clone(k)}
			if w.Empty() {
				left--
			} else {
				r.val = encodeWindow(&w)
			}
			rs = append(rs, r)
			return nil
		})
		if err != nil {
			return err
		}
		st.Windows += len(rs)
		if left == 0 && len(rs) > 0 {
			if err := windows.DeleteBucket(m); err != nil {
				return fmt.Errorf("delete windows of %s: %w", m, err)
			}
			continue
		}
		if err := applyRewrites(b, rs); err != nil {
			return fmt.Errorf("windows of %s: %w", m, err)
		}
	}
	return nil
}

// forgetStates deletes id's state as a manager and takes their waits and
// last contact out of every other manager's.
func forgetStates(tx *bolt.Tx, id string, st *ForgetStats) error {
	b := tx.Bucket(bucketState)
	var rs []rewrite
	err := b.ForEach(func(k, v []byte) error {
		if string(k) == id {
			rs = append(rs, rewrite{key: bytes.Clone(k)})
			return nil
		}
		if !bytes.Contains(v, []byte(id)) {
			return nil
		}
		var s signals.ManagerState
		if err := jsonUnmarshal(v, &s); err != nil {
			return fmt.Errorf("state %s: %w", k, err)
		}
		s.Forget(id)
		r := rewrite{key: bytes.Clone(k)}
		if !s.Empty() {
			raw, err := encodeJSON(s)
			if err != nil {
				return fmt.Errorf("state %s: %w", k, err)
			}
			r.val = raw
		}
		rs = append(rs, r)
		return nil
	})
	if err != nil {
		return err
	}
	st.States += len(rs)
	return applyRewrites(b, rs)
}
