package store

import (
	"testing"
	"time"
)

// A consent notice's send noted as started is not a notice sent: it is
// sent once MarkNotified says so; until then Notice says when the send
// started, the export shows no notice, and forget deletes the note. Nothing
// is noted for someone who opted out, and a notice sent stays sent.
func TestNoticeAttemptIsNotANoticeSent(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	db := openTest(t, func() time.Time { return now })
	started := now.Add(-5 * time.Second)
	if err := db.MarkNoticeAttempt("UA", started); err != nil {
		t.Fatal(err)
	}
	if d, err := db.Notice("UA"); err != nil || d.Done || !d.AttemptedAt.Equal(started) {
		t.Errorf("Notice after an attempt = %+v, %v; want not done, attempted at %s", d, err, started)
	}
	if ok, err := db.Notified("UA"); err != nil || ok {
		t.Errorf("Notified after an attempt = %v, %v; want false", ok, err)
	}
	if ex, err := db.Export("UA"); err != nil || ex.NotifiedAt != nil {
		t.Errorf("export after an attempt: notified at %v, %v; want none", ex.NotifiedAt, err)
	}
	if err := db.MarkNotified("UA"); err != nil {
		t.Fatal(err)
	}
	if d, err := db.Notice("UA"); err != nil || !d.Done || !d.AttemptedAt.IsZero() {
		t.Errorf("Notice once sent = %+v, %v; want done", d, err)
	}
	if err := db.MarkNoticeAttempt("UA", now); err != nil {
		t.Fatal(err)
	}
	if ok, err := db.Notified("UA"); err != nil || !ok {
		t.Errorf("an attempt after the notice was sent undid it: Notified = %v, %v", ok, err)
	}
	if ex, err := db.Export("UA"); err != nil || ex.NotifiedAt == nil || !ex.NotifiedAt.Equal(now) {
		t.Errorf("export once sent: notified at %v, %v; want %s", ex.NotifiedAt, err, now)
	}

	if err := db.MarkNoticeAttempt("UB", started); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ForgetPerson("UB"); err != nil {
		t.Fatal(err)
	}
	if d, err := db.Notice("UB"); err != nil || d.Done || !d.AttemptedAt.IsZero() {
		t.Errorf("Notice after forget = %+v, %v; want nothing", d, err)
	}

	if err := db.OptOut("UC"); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkNoticeAttempt("UC", started); err != nil {
		t.Fatal(err)
	}
	if d, err := db.Notice("UC"); err != nil || !d.Done || !d.AttemptedAt.IsZero() {
		t.Errorf("Notice of someone opted out = %+v, %v; want done and nothing noted", d, err)
	}
}
