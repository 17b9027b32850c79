package store

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"coach/norms"
	"coach/nudges"
	"coach/signals"
)

// The people of the privacy fixture. Ids and names are chosen so that no
// one's is a substring of anyone else's, so a byte scan for one finds only
// that person.
const (
	idMgr   = "UMGR7Q2X1" // Magdalena, leads A, B and C
	idA     = "URPA4K9Z2" // Anneliese
	idB     = "URPB8H3W5" // Bartholomew
	idC     = "URPC1N6V8" // Cordelia
	idMgr2  = "UMGR2J5T4" // Ottoline, leads D: another team, untouched
	idD     = "URPD3F7Y6" // Desmond
	teamCh  = "CTEAM0001"
	promptT = "1772625600.000100"
)

var fixtureNames = map[string]string{
	idMgr: "Magdalena", idA: "Anneliese", idB: "Bartholomew", idC: "Cordelia", idMgr2: "Ottoline", idD: "Desmond",
}

// fixtureNow is a Wednesday noon; everyone is in UTC with default hours.
var fixtureNow = time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)

// fixtureConnected is when the fixture's managers connected their DMs.
var fixtureConnected = fixtureNow.AddDate(0, 0, -60)

func fixturePeople() []signals.Person {
	var out []signals.Person
	for _, id := range []string{idMgr, idA, idB, idC, idMgr2, idD} {
		out = append(out, signals.Person{ID: id, Name: fixtureNames[id], TZ: "UTC"})
	}
	return out
}

func fixtureTeams() []signals.Team {
	return []signals.Team{
		{Manager: idMgr, Reports: []string{idA, idB, idC}, Channel: teamCh, Prompts: true},
		{Manager: idMgr2, Reports: []string{idD}},
	}
}

// fixture is a store filled the way a running bot fills it.
type fixture struct {
	db        *DB
	prompt    string // open message_hours prompt of idMgr, A and B voted
	anonymous string // open anonymous check_ins prompt of idMgr, B voted
	digest    string // idMgr's sent digest, naming A, B and C
	digest2   string // idMgr2's digest, naming D
}

// orgFromStore builds the org the bot would: from People() and Teams().
func orgFromStore(t *testing.T, db *DB) *signals.Org {
	t.Helper()
	people, err := db.People()
	if err != nil {
		t.Fatal(err)
	}
	teams, err := db.Teams()
	if err != nil {
		t.Fatal(err)
	}
	return signals.NewOrg(people, teams, signals.DefaultHours(), time.UTC)
}

func at(dayOffset, hour, minute int) time.Time {
	return time.Date(2026, 3, 4+dayOffset, hour, minute, 0, 0, time.UTC)
}

func dm(id, channel string, when time.Time, from, to string, f signals.Flags) signals.Event {
	return signals.Event{ID: id, Message: &signals.Message{Channel: channel, TS: fmt.Sprintf("%d.000100", when.Unix()), At: when, Author: from, Kind: signals.DM, Members: []string{from, to}, Flags: f}}
}

// fixtureEvents are a few days of two teams: messages both ways, an
// off-hours status chase, waits opened and answered, a recognition
// reaction, a group DM, and votes on a prompt.
func fixtureEvents() []signals.Event {
	bMention := at(-1, 10, 0)
	cPost := at(-1, 10, 5)
	return []signals.Event{
		dm("Ev01", "DCHANA001", at(-2, 10, 0), idMgr, idA, signals.Flags{Question: true}),
		dm("Ev02", "DCHANA001", at(-2, 11, 0), idA, idMgr, signals.Flags{Question: true}),
		dm("Ev03", "DCHANB001", at(-2, 22, 30), idMgr, idB, signals.Flags{StatusChase: true}),
		dm("Ev04", "DCHANA001", at(-1, 9, 30), idMgr, idA, signals.Flags{}),
		{ID: "Ev05", Message: &signals.Message{Channel: teamCh, TS: fmt.Sprintf("%d.000200", bMention.Unix()), At: bMention, Author: idB, Kind: signals.Channel, Mentioned: []string{idMgr}}},
		{ID: "Ev06", Message: &signals.Message{Channel: teamCh, TS: fmt.Sprintf("%d.000300", cPost.Unix()), At: cPost, Author: idC, Kind: signals.Channel}},
		{ID: "Ev07", Reaction: &signals.Reaction{Channel: teamCh, TS: fmt.Sprintf("%d.000300", cPost.Unix()), ItemUser: idC, User: idMgr, Emoji: "tada", At: at(-1, 14, 0)}},
		{ID: "Ev08", Message: &signals.Message{Channel: "GCHANABC1", TS: fmt.Sprintf("%d.000400", at(0, 10, 0).Unix()), At: at(0, 10, 0), Author: idMgr, Kind: signals.GroupDM, Members: []string{idMgr, idA, idB, idC}, Flags: signals.Flags{Recognition: true}}},
		dm("Ev09", "DCHANC001", at(0, 11, 0), idC, idMgr, signals.Flags{}),
		dm("Ev10", "DCHAND001", at(-1, 9, 0), idMgr2, idD, signals.Flags{Question: true}),
		dm("Ev11", "DCHAND001", at(-1, 9, 30), idD, idMgr2, signals.Flags{}),
		// Votes on the prompt message (posted before these events).
		{ID: "Ev12", Reaction: &signals.Reaction{Channel: teamCh, TS: promptT, ItemUser: idMgr, User: idA, Emoji: "sunny", At: at(0, 9, 0)}},
		{ID: "Ev13", Reaction: &signals.Reaction{Channel: teamCh, TS: promptT, ItemUser: idMgr, User: idB, Emoji: "crescent_moon", At: at(0, 9, 5)}},
	}
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	now := fixtureNow
	db := openTest(t, func() time.Time { return now })
	f := &fixture{db: db}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.PutPeople(fixturePeople()))
	must(db.SyncTeams(fixtureTeams()))
	for _, m := range []string{idMgr, idMgr2} { // both connected their DMs long before
		must(db.SetConnected(m, fixtureConnected))
		must(db.SetDMsSince(m, fixtureConnected))
	}
	for ch, ids := range map[string][]string{
		"DCHANA001": {idMgr, idA}, "DCHANB001": {idMgr, idB}, "DCHANC001": {idC, idMgr},
		"GCHANABC1": {idMgr, idA, idB, idC}, "DCHAND001": {idMgr2, idD},
	} {
		must(db.PutMembers(ch, ids))
	}
	for _, id := range []string{idMgr, idA, idB, idC, idMgr2, idD} {
		must(db.MarkNotified(id))
	}

	// A norm prompt with reaction votes, and an anonymous one.
	hoursDef, _ := db.norms.Lookup(norms.MessageHours)
	p := norms.NewPrompt(hoursDef, idMgr, []string{idA, idB, idC}, at(0, 8, 0), 48*time.Hour, false, false)
	must(db.AddPrompt(p))
	must(db.SetPromptMessage(p.ID, teamCh, promptT))
	f.prompt = p.ID
	checkDef, _ := db.norms.Lookup(norms.CheckIns)
	ap := norms.NewPrompt(checkDef, idMgr, []string{idA, idB, idC}, at(0, 8, 0), 48*time.Hour, true, false)
	must(db.AddPrompt(ap))
	f.anonymous = ap.ID
	if _, err := db.VoteAnonymously(ap.ID, idB, "one"); err != nil {
		t.Fatal(err)
	}

	res, err := db.Apply(orgFromStore(t, db), fixtureEvents())
	must(err)
	if res.Votes != 2 {
		t.Fatalf("fixture: %d votes counted, want 2", res.Votes)
	}

	// Digests naming reports, planned and sent, with feedback.
	f.digest = planSent(t, db, idMgr, []nudges.Nudge{
		{Kind: signals.ContactGap, Severity: 0.8, Facts: signals.Facts{Count: 2, Total: 3, Reports: []signals.ReportFact{
			{ID: idC, Name: "Cordelia", Days: 15}, {ID: idA, Name: "Anneliese", Days: 14}}},
			Title: "Staying in touch", Observation: "You haven't talked with 2 of your 3 reports for a while: Cordelia (15 days) and Anneliese (14 days).",
			Try: "Send Cordelia a short message today."},
		{Kind: signals.StatusChasing, Severity: 0.5, Facts: signals.Facts{Count: 3, Reports: []signals.ReportFact{{ID: idB, Name: "Bartholomew", Count: 3}}},
			Title: "Chasing status", Observation: "You asked Bartholomew for status 3 times.", Try: "Ask Bartholomew's view instead."},
	})
	if _, _, err := db.RecordFeedback(f.digest, signals.ContactGap, nudges.Helpful, idMgr, func(h nudges.History) nudges.History { return h }); err != nil {
		t.Fatal(err)
	}
	f.digest2 = planSent(t, db, idMgr2, []nudges.Nudge{
		{Kind: signals.Recognition, Severity: 0.4, Facts: signals.Facts{Reports: []signals.ReportFact{{ID: idD, Name: "Desmond", Days: 30}}},
			Title: "Recognition", Observation: "Desmond had no thanks from you in 30 days."},
	})
	return f
}

func planSent(t *testing.T, db *DB, m string, ns []nudges.Nudge) string {
	t.Helper()
	slot := at(-2, 9, 0)
	rec, _, err := db.PlanDigest(m, slot, func(h nudges.History) (nudges.Digest, nudges.History, error) {
		h.Last = map[signals.Kind]float64{}
		for _, n := range ns {
			h.Last[n.Kind] = n.Severity
		}
		return nudges.Digest{ID: nudges.DigestID(m, slot), Manager: m, Slot: slot, Nudges: ns}, h, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.MarkAttempt(rec.Digest.ID, at(-2, 9, 0)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.MarkSent(rec.Digest.ID, "D"+m, "1.1", at(-2, 9, 1)); err != nil {
		t.Fatal(err)
	}
	return rec.Digest.ID
}

// trace is where a needle was found in the database.
type trace struct {
	path   string // bucket path and key
	needle string
	inKey  bool
}

// traces walks every bucket, nested ones too, and returns every key or
// value that contains one of the needles.
func traces(t *testing.T, db *DB, needles ...string) []trace {
	t.Helper()
	var out []trace
	check := func(path string, k, v []byte) {
		for _, n := range needles {
			switch {
			case bytes.Contains(k, []byte(n)):
				out = append(out, trace{path: path, needle: n, inKey: true})
			case bytes.Contains(v, []byte(n)):
				out = append(out, trace{path: path, needle: n})
			}
		}
	}
	var walk func(path string, b *bolt.Bucket) error
	walk = func(path string, b *bolt.Bucket) error {
		return b.ForEach(func(k, v []byte) error {
			p := path + "/" + printable(k)
			check(p, k, v)
			if v == nil {
				return walk(p, b.Bucket(k))
			}
			return nil
		})
	}
	err := db.Bolt().View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			check(string(name), name, nil)
			return walk(string(name), b)
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func printable(k []byte) string {
	for _, c := range k {
		if c < 0x20 || c > 0x7e {
			return fmt.Sprintf("%x", k)
		}
	}
	return string(k)
}

// assertNoTrace fails the test for every key or value holding a needle.
func assertNoTrace(t *testing.T, db *DB, needles ...string) {
	t.Helper()
	found := traces(t, db, needles...)
	var lines []string
	for _, tr := range found {
		where := "value"
		if tr.inKey {
			where = "key"
		}
		lines = append(lines, fmt.Sprintf("%q in the %s of %s", tr.needle, where, tr.path))
	}
	if len(lines) > 0 {
		t.Errorf("database still holds:\n\t%s", strings.Join(lines, "\n\t"))
	}
}
