package store

import (
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// A consent notice is sent exactly once the way a digest is (outbox.go): its
// attempt is noted, with its time, before the call starts, so that a notice
// whose send may have reached Slack is looked for there, once Slack has had
// time to record it, before it is sent again. notices/<user id> holds the
// time the notice was sent (JSON), or, while a send is not known to have
// reached Slack, {"attempted_at": time}.

// NoticeDelivery is how far a person's consent notice got.
type NoticeDelivery struct {
	// Done is true once it was sent, or when there is nothing to send (they
	// opted out).
	Done bool
	// AttemptedAt is when a send started that is not known to have reached
	// Slack; zero when none did.
	AttemptedAt time.Time
}

// noticeAttempt is notices/<user id> while a send may be on its way.
type noticeAttempt struct {
	AttemptedAt time.Time `json:"attempted_at"`
}

// noticeOf reads notices/<id>: when the notice was sent (nil: not known
// sent), and when a send of it started that is not known to have reached
// Slack.
func noticeOf(tx *bolt.Tx, id string) (sentAt *time.Time, attempted time.Time, err error) {
	raw := tx.Bucket(bucketNotices).Get([]byte(id))
	switch {
	case raw == nil:
		return nil, time.Time{}, nil
	case raw[0] == '{':
		var a noticeAttempt
		if err := jsonUnmarshal(raw, &a); err != nil {
			return nil, time.Time{}, fmt.Errorf("decode notice of %s: %w", id, err)
		}
		return nil, a.AttemptedAt, nil
	}
	var at time.Time
	if err := jsonUnmarshal(raw, &at); err != nil {
		return nil, time.Time{}, fmt.Errorf("decode notice of %s: %w", id, err)
	}
	return &at, time.Time{}, nil
}

// Notice says how far id's consent notice got.
func (db *DB) Notice(id string) (NoticeDelivery, error) {
	var d NoticeDelivery
	err := db.bolt.View(func(tx *bolt.Tx) error {
		at, attempted, err := noticeOf(tx, id)
		d = NoticeDelivery{Done: at != nil || db.optOuts(tx).has(id), AttemptedAt: attempted}
		return err
	})
	if err != nil {
		return NoticeDelivery{}, fmt.Errorf("store: read notice of %s: %w", id, err)
	}
	return d, nil
}

// MarkNoticeAttempt notes that sending id's notice starts, at at. It
// records nothing for someone who opted out or who has the notice already.
func (db *DB) MarkNoticeAttempt(id string, at time.Time) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		if db.optOuts(tx).has(id) {
			return nil
		}
		sent, _, err := noticeOf(tx, id)
		if err != nil || sent != nil {
			return err
		}
		return putJSON(tx.Bucket(bucketNotices), []byte(id), noticeAttempt{AttemptedAt: at.UTC()})
	})
	if err != nil {
		return fmt.Errorf("store: mark notice attempt of %s: %w", id, err)
	}
	return nil
}
