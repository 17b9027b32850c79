package store

import (
	"bytes"
	"os"
	"regexp"
	"testing"
	"time"

	"coach/pulse"
)

var hex64 = regexp.MustCompile(`[0-9a-f]{64}`)

// linkAttack is what someone holding copies of the database file (no more)
// can try, knowing how coach makes its hashes: every 32 bytes anywhere in
// the copies (meta/secret among them) taken as the key, every user id
// tested against every hash in them. It returns the users whose hash it
// tied to them, and how many hashes the copies hold.
func linkAttack(copies [][]byte, pulseID string, users []string) (map[string]bool, int) {
	hashes := map[string]bool{}
	keys := map[[32]byte]bool{}
	for _, raw := range copies {
		for _, h := range hex64.FindAll(raw, -1) {
			hashes[string(h)] = true
		}
		for i := 0; i+32 <= len(raw); i++ {
			var k [32]byte
			copy(k[:], raw[i:])
			keys[k] = true
		}
	}
	linked := map[string]bool{}
	for k := range keys {
		for _, u := range users {
			if hashes[string(pulseVoterKey(k[:], pulseID, u))] {
				linked[u] = true
			}
		}
	}
	return linked, len(hashes)
}

// Backups taken before and after each click of an open pulse, and the file
// after it closed, cannot tie an answer to a person: the respondent hashes
// are keyed with the pulse key, which is not in the file, so no key the
// file holds links any hash (in live or freed pages) to any user id. The
// same attack with the pulse key itself does link them: the test can fail.
func TestPulseBackupsDoNotLinkAnswersToPeople(t *testing.T) {
	cat, _ := pulse.LoadCatalog()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	users := []string{"UA", "UB", "UC", "UD", "UE"}
	db := openPulseTest(t, cat, now, map[string][]string{"UM1": users})
	id := pulse.ID("UM1", now)
	backup := func() []byte {
		t.Helper()
		var b bytes.Buffer
		if _, err := db.Backup(&b); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	copies := [][]byte{backup()}
	answers := map[string]string{"UA": "45s", "UB": "214", "UC": "333", "UD": "5s1", "UE": "423"}
	last := map[string]PulseCopy{}
	for _, u := range users {
		c := firstCopy(t, db, id, u)
		for i := range answers[u] {
			c = click(t, db, id, u, c, i, answers[u][i], now)
			copies = append(copies, backup())
		}
		last[u] = c
	}
	// UB changes an answer: the copies before and after show which count
	// moved, and which hash's copy id changed.
	click(t, db, id, "UB", last["UB"], 0, '5', now)
	copies = append(copies, backup())

	open, n := linkAttack(copies, id, users)
	if n < len(users) {
		t.Fatalf("the copies hold %d hashes, want at least one per respondent (%d)", n, len(users))
	}
	if len(open) != 0 {
		t.Errorf("copies of the file taken while the pulse was open tie hashes to %v with a key the file holds", open)
	}
	withKey := 0
	for _, raw := range copies {
		for _, u := range users {
			if bytes.Contains(raw, pulseVoterKey(testPulseKey, id, u)) {
				withKey++
			}
		}
	}
	if withKey == 0 {
		t.Fatal("no respondent hash made with the pulse key is in the copies: the attack above could not have found one")
	}
	if bytes.Contains(copies[len(copies)-1], testPulseKey) {
		t.Error("the pulse key is in the database file")
	}

	if _, _, err := db.ClosePulse(id, 3); err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile(db.Path())
	if err != nil {
		t.Fatal(err)
	}
	after := [][]byte{backup(), file}
	if closed, _ := linkAttack(after, id, users); len(closed) != 0 {
		t.Errorf("after close, the file's pages (freed ones too) tie hashes to %v with a key the file holds", closed)
	}
}
