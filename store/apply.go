package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"coach/signals"
)

// seenEpoch is the span of one seen/ sub-bucket. Three epochs are consulted,
// so an event id is remembered for at least 24 hours.
const seenEpoch = 12 * time.Hour

// Result is what one Apply did.
type Result struct {
	Applied    int            // events with an effect
	Duplicates int            // events already counted before (same event id)
	Hints      []signals.Hint // in-the-moment hints the batch made due
	Keys       int            // window and state keys written
	Votes      int            // reactions that were votes on a norm prompt
	// PromptsDue lists prompts whose last voter just voted.
	PromptsDue []string
}

// Apply folds a batch of events into the windows in one transaction: every
// event id is counted once, each touched key is written once, and nothing is
// visible until the whole batch is durable. Person events update the user
// directory.
func (db *DB) Apply(o *signals.Org, events []signals.Event) (Result, error) {
	var res Result
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		var err error
		res, err = db.apply(tx, o, events)
		return err
	})
	if err != nil {
		return Result{}, fmt.Errorf("store: apply %d events: %w", len(events), err)
	}
	db.releaseMapped()
	return res, nil
}

// settleReadBack is signals.SettleReadBack for manager within tx: the read
// back of their history up to until is folded.
func (db *DB) settleReadBack(tx *bolt.Tx, o *signals.Org, manager string, until time.Time) (int, error) {
	l := newLedger(tx, db.optOuts(tx))
	signals.SettleReadBack(o, l, manager, until)
	return l.flush()
}

// TryApply folds events as Apply would and rolls the transaction back: it
// says whether Apply would succeed, and changes nothing. A panic while
// folding is returned as an error. Ingest uses it to find the events of a
// batch that cannot be committed (see package ingest).
func (db *DB) TryApply(o *signals.Org, events []signals.Event) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("store: try %d events: internal error: %v", len(events), r)
		}
	}()
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		if _, err := db.apply(tx, o, events); err != nil {
			return err
		}
		return errTrialOnly
	})
	if errors.Is(err, errTrialOnly) {
		return nil
	}
	return fmt.Errorf("store: try %d events: %w", len(events), err)
}

// errTrialOnly rolls back TryApply's transaction.
var errTrialOnly = errors.New("trial only")

// apply is Apply within tx.
func (db *DB) apply(tx *bolt.Tx, o *signals.Org, events []signals.Event) (Result, error) {
	var res Result
	seen, err := seenBuckets(tx, db.now())
	if err != nil {
		return Result{}, err
	}
	out := db.optOuts(tx)
	l := newLedger(tx, out)
	var key []byte
	for _, ev := range events {
		if ev.ID != "" {
			key = seenKey(key[:0], ev)
			if seen.has(key, ev.ID) {
				res.Duplicates++
				continue
			}
		}
		recorded := false
		if ev.Reaction != nil {
			p, voted, err := db.vote(tx, ev.Reaction)
			if err != nil {
				return Result{}, err
			}
			if voted {
				res.Votes++
				recorded = true
				if p.AllVoted() {
					res.PromptsDue = append(res.PromptsDue, p.ID)
				}
			}
		}
		if ev.Person != nil {
			written, err := mergePerson(tx, out, *ev.Person)
			if err != nil {
				return Result{}, err
			}
			recorded = recorded || written
		} else {
			eff := signals.Fold(o, l, ev)
			recorded = recorded || eff.Recorded
			res.Hints = append(res.Hints, eff.Hints...)
		}
		if recorded {
			res.Applied++
			if ev.ID != "" {
				if err := seen.add(key); err != nil {
					return Result{}, err
				}
			}
		}
	}
	res.Hints = withoutOptedOut(out, res.Hints)
	res.Keys, err = l.flush()
	return res, err
}

// ledger implements signals.Ledger over one transaction, decoding each
// record at most once and writing it back once in flush.
type ledger struct {
	tx      *bolt.Tx
	out     *optOuts
	days    map[dayRef]*signals.DayWindow
	states  map[string]*signals.ManagerState
	readErr error
}

type dayRef struct {
	manager string
	day     signals.Day
}

func newLedger(tx *bolt.Tx, out *optOuts) *ledger {
	return &ledger{tx: tx, out: out, days: map[dayRef]*signals.DayWindow{}, states: map[string]*signals.ManagerState{}}
}

func (l *ledger) Day(m string, d signals.Day) *signals.DayWindow {
	ref := dayRef{m, d}
	if w, ok := l.days[ref]; ok {
		return w
	}
	w := &signals.DayWindow{Day: d}
	if b := l.tx.Bucket(bucketWindows).Bucket([]byte(m)); b != nil {
		if raw := b.Get(dayKey(d)); raw != nil {
			if err := decodeWindow(raw, w); err != nil && l.readErr == nil {
				l.readErr = fmt.Errorf("window %s/%s: %w", m, d, err)
			}
		}
	}
	l.days[ref] = w
	return w
}

func (l *ledger) State(m string) *signals.ManagerState {
	if s, ok := l.states[m]; ok {
		return s
	}
	s := &signals.ManagerState{}
	if _, err := getJSON(l.tx.Bucket(bucketState), []byte(m), s); err != nil && l.readErr == nil {
		l.readErr = fmt.Errorf("state %s: %w", m, err)
	}
	l.states[m] = s
	return s
}

// flush writes every record the batch touched, deleting the empty ones.
// Whatever an out-of-date org let through about people who opted out is
// dropped here: their windows and state as a manager are not written, and
// their counters, waits and last contact leave everyone else's.
func (l *ledger) flush() (int, error) {
	if l.readErr != nil {
		return 0, l.readErr
	}
	windows := l.tx.Bucket(bucketWindows)
	for ref, w := range l.days {
		if l.out.has(ref.manager) {
			continue
		}
		for r := range w.Reports {
			if l.out.has(r) {
				w.Forget(r)
			}
		}
		b, err := windows.CreateBucketIfNotExists([]byte(ref.manager))
		if err != nil {
			return 0, err
		}
		if w.Empty() {
			if err := b.Delete(dayKey(ref.day)); err != nil {
				return 0, err
			}
			continue
		}
		if err := b.Put(dayKey(ref.day), encodeWindow(w)); err != nil {
			return 0, err
		}
	}
	state := l.tx.Bucket(bucketState)
	for m, s := range l.states {
		if l.out.has(m) {
			continue
		}
		if l.out.b != nil {
			var gone []string
			for r := range s.LastContact {
				if l.out.has(r) {
					gone = append(gone, r)
				}
			}
			for _, w := range s.Waits {
				if l.out.has(w.Report) {
					gone = append(gone, w.Report)
				}
			}
			for _, r := range gone {
				s.Forget(r)
			}
		}
		var err error
		if s.Empty() {
			err = state.Delete([]byte(m))
		} else {
			err = putJSON(state, []byte(m), s)
		}
		if err != nil {
			return 0, err
		}
	}
	return len(l.days) + len(l.states), nil
}

// withoutOptedOut drops hints to managers who opted out and the opted-out
// reports from the rest, dropping hints left with no report.
func withoutOptedOut(out *optOuts, hints []signals.Hint) []signals.Hint {
	if out.b == nil {
		return hints
	}
	kept := hints[:0]
	for _, h := range hints {
		if out.has(h.Manager) {
			continue
		}
		if h.Reports = out.without(h.Reports); len(h.Reports) > 0 {
			kept = append(kept, h)
		}
	}
	return kept
}

// seenSet is the last three seen/ epochs within one transaction.
//
// An event id is kept under its Slack ts (seenKey), which is the same in
// every delivery of the event and close to the time it arrives, so the ids
// of a batch land together at the end of the epoch's keys: a commit rewrites a few pages of seen/
// instead of one page per event, as random ids alone would.
type seenSet struct {
	current *bolt.Bucket
	epochs  []seenEpochBucket // current first
}

type seenEpochBucket struct {
	b *bolt.Bucket
	// bare: the epoch may also hold bare event ids, written before ids
	// were keyed by time; it lacks the seenTimed marker.
	bare bool
}

// seenTimed marks an epoch created with time-keyed ids only. No seenKey is
// one byte long.
var seenTimed = []byte{0}

func seenBuckets(tx *bolt.Tx, now time.Time) (*seenSet, error) {
	epoch := uint32(now.Unix() / int64(seenEpoch/time.Second))
	root := tx.Bucket(bucketSeen)
	cur := root.Bucket(epochKey(epoch))
	if cur == nil {
		var err error
		if cur, err = root.CreateBucket(epochKey(epoch)); err != nil {
			return nil, fmt.Errorf("seen epoch: %w", err)
		}
		if err := cur.Put(seenTimed, []byte{}); err != nil {
			return nil, fmt.Errorf("seen epoch: %w", err)
		}
	}
	s := &seenSet{current: cur, epochs: []seenEpochBucket{{cur, cur.Get(seenTimed) == nil}}}
	for i := uint32(1); i <= 2 && i <= epoch; i++ {
		if b := root.Bucket(epochKey(epoch - i)); b != nil {
			s.epochs = append(s.epochs, seenEpochBucket{b, b.Get(seenTimed) == nil})
		}
	}
	return s, nil
}

func epochKey(e uint32) []byte {
	k := make([]byte, 4)
	binary.BigEndian.PutUint32(k, e)
	return k
}

// seenKey appends the seen/ key of ev to buf: the whole seconds of its
// Slack ts (the message's, or for a reaction the message reacted to; uint32
// BE, 0 when there is none) and its id. A ts is part of what Slack
// delivers, the same in every delivery of the event.
func seenKey(buf []byte, ev signals.Event) []byte {
	var ts string
	switch {
	case ev.Message != nil:
		ts = ev.Message.TS
	case ev.Deletion != nil:
		ts = ev.Deletion.TS
	case ev.Reaction != nil:
		ts = ev.Reaction.TS
	}
	sec, _, _ := strings.Cut(ts, ".")
	n, err := strconv.ParseUint(sec, 10, 32)
	if err != nil {
		n = 0
	}
	buf = binary.BigEndian.AppendUint32(buf, uint32(n))
	return append(buf, ev.ID...)
}

// has reports whether the event with this key and id was counted.
func (s *seenSet) has(key []byte, id string) bool {
	for _, e := range s.epochs {
		if e.b.Get(key) != nil || e.bare && e.b.Get([]byte(id)) != nil {
			return true
		}
	}
	return false
}

func (s *seenSet) add(key []byte) error { return s.current.Put(key, []byte{}) }
