package store

import (
	"errors"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"coach/norms"
	"coach/nudges"
	"coach/signals"
)

// reportDays is every report's counters in a manager's windows, by day.
func reportDays(t *testing.T, db *DB, m string) map[signals.Day]map[string]signals.ReportDay {
	t.Helper()
	ws, err := db.Windows(m, 0, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	out := map[signals.Day]map[string]signals.ReportDay{}
	for _, w := range ws {
		out[w.Day] = map[string]signals.ReportDay{}
		for r, rd := range w.Reports {
			out[w.Day][r] = *rd
		}
	}
	return out
}

// without drops one report from reportDays' result, and days left empty.
func withoutReport(days map[signals.Day]map[string]signals.ReportDay, id string) map[signals.Day]map[string]signals.ReportDay {
	out := map[signals.Day]map[string]signals.ReportDay{}
	for d, rs := range days {
		kept := maps.Clone(rs)
		delete(kept, id)
		if len(kept) > 0 {
			out[d] = kept
		}
	}
	return out
}

func TestForgetReport(t *testing.T) {
	tests := []struct {
		id   string
		want ForgetStats
	}{
		// A: two DMs with the manager, a group DM, 3 days, last contact, a
		// digest, a reaction vote, voter of both prompts.
		{idA, ForgetStats{Users: 1, Teams: 1, Convs: 2, Windows: 3, States: 1, Digests: 1, Prompts: 2, Notices: 1}},
		// B: an open wait, an anonymous vote.
		{idB, ForgetStats{Users: 1, Teams: 1, Convs: 2, Windows: 3, States: 1, Digests: 1, Prompts: 2, Notices: 1}},
		// C: an open wait, recognition, named in a digest.
		{idC, ForgetStats{Users: 1, Teams: 1, Convs: 2, Windows: 2, States: 1, Digests: 1, Prompts: 2, Notices: 1}},
	}
	for _, tt := range tests {
		t.Run(fixtureNames[tt.id], func(t *testing.T) {
			f := newFixture(t)
			if len(traces(t, f.db, tt.id)) < 10 {
				t.Fatalf("the fixture holds too little of %s to test forgetting", tt.id)
			}
			before := reportDays(t, f.db, idMgr)
			other2, _ := f.db.Export(idMgr2)
			stats, _ := f.db.AllStats()
			st, err := f.db.ForgetPerson(tt.id)
			if err != nil {
				t.Fatal(err)
			}
			if st != tt.want {
				t.Errorf("ForgetPerson = %+v, want %+v", st, tt.want)
			}
			assertNoTrace(t, f.db, tt.id, fixtureNames[tt.id])

			// The manager's other reports keep their counters exactly.
			if got, want := reportDays(t, f.db, idMgr), withoutReport(before, tt.id); !reflect.DeepEqual(got, want) {
				t.Errorf("other reports' counters = %v, want %v", got, want)
			}
			team := teamOfManager(t, f.db, idMgr)
			if want := slices.DeleteFunc([]string{idA, idB, idC}, func(r string) bool { return r == tt.id }); !slices.Equal(team.Reports, want) {
				t.Errorf("team reports = %v, want %v", team.Reports, want)
			}
			rec, err := f.db.Digest(f.digest)
			if err != nil {
				t.Fatalf("manager's digest: %v", err)
			}
			if len(rec.Digest.Nudges) != 2 || rec.State != DigestSent {
				t.Errorf("manager's digest = %+v, want both nudges, sent", rec)
			}
			p, err := f.db.Prompt(f.prompt)
			if err != nil || len(p.Voters) != 2 {
				t.Errorf("prompt voters = %v (%v), want the other two", p.Voters, err)
			}
			// The other team is untouched, and so are the aggregates.
			other2After, _ := f.db.Export(idMgr2)
			other2.GeneratedAt, other2After.GeneratedAt = other2After.GeneratedAt, other2.GeneratedAt
			if !reflect.DeepEqual(other2, other2After) {
				t.Errorf("other manager's data changed:\n got %+v\nwant %+v", other2After, other2)
			}
			if after, _ := f.db.AllStats(); !maps.Equal(after, stats) {
				t.Errorf("stats = %v, want unchanged %v", after, stats)
			}
			// Forgetting twice finds nothing more.
			if st, err := f.db.ForgetPerson(tt.id); err != nil || st.Total() != 0 {
				t.Errorf("second ForgetPerson = %+v, %v; want nothing", st, err)
			}
		})
	}
}

func teamOfManager(t *testing.T, db *DB, m string) signals.Team {
	t.Helper()
	teams, err := db.Teams()
	if err != nil {
		t.Fatal(err)
	}
	for _, tm := range teams {
		if tm.Manager == m {
			return tm
		}
	}
	t.Fatalf("no team of %s in %+v", m, teams)
	return signals.Team{}
}

func TestForgetReportScrubsDigestText(t *testing.T) {
	f := newFixture(t)
	if _, err := f.db.ForgetPerson(idC); err != nil {
		t.Fatal(err)
	}
	rec, err := f.db.Digest(f.digest)
	if err != nil {
		t.Fatal(err)
	}
	n := rec.Digest.Nudges[0]
	if got := len(n.Facts.Reports); got != 1 || n.Facts.Reports[0].ID != idA {
		t.Errorf("contact_gap facts = %+v, want only Anneliese", n.Facts.Reports)
	}
	for _, tt := range []struct{ field, got, want string }{
		{"observation", n.Observation, "You haven't talked with 2 of your 3 reports for a while: a team member (15 days) and Anneliese (14 days)."},
		{"try", n.Try, "Send a team member a short message today."},
	} {
		if tt.got != tt.want {
			t.Errorf("%s = %q, want %q", tt.field, tt.got, tt.want)
		}
	}
	if got := rec.Digest.Feedback[signals.ContactGap]; got != nudges.Helpful {
		t.Errorf("feedback = %q, want kept %q", got, nudges.Helpful)
	}
}

func TestForgetAnonymousVoter(t *testing.T) {
	f := newFixture(t)
	p, _ := f.db.Prompt(f.anonymous)
	if h := voterHash(p.Salt, idB); !p.Voted[h] {
		t.Fatalf("voterHash(B) = %s not in %v: store's copy of norms' hash has drifted", h, p.Voted)
	}
	if _, err := f.db.ForgetPerson(idB); err != nil {
		t.Fatal(err)
	}
	p, _ = f.db.Prompt(f.anonymous)
	if len(p.Voted) != 0 || slices.Contains(p.Voters, idB) {
		t.Errorf("after forgetting B: voted %v, voters %v; want no trace of B", p.Voted, p.Voters)
	}
	if p.Counts["one"] != 1 {
		t.Errorf("counts = %v, want the anonymous vote kept", p.Counts)
	}
	// B could not vote again: they are no longer a voter.
	if _, err := f.db.VoteAnonymously(f.anonymous, idB, "v"); !errors.Is(err, norms.ErrNotVoter) {
		t.Errorf("B votes again: %v, want ErrNotVoter", err)
	}
}

func TestForgetManager(t *testing.T) {
	f := newFixture(t)
	reportA, _ := f.db.Export(idA)
	other2, _ := f.db.Export(idMgr2)
	st, err := f.db.ForgetPerson(idMgr)
	if err != nil {
		t.Fatal(err)
	}
	want := ForgetStats{Users: 1, Teams: 1, Convs: 4, Windows: 3, States: 1, Digests: 1, Coaching: 1, Prompts: 2, PromptMsgs: 1, Notices: 1}
	if st != want {
		t.Errorf("ForgetPerson = %+v, want %+v", st, want)
	}
	assertNoTrace(t, f.db, idMgr, fixtureNames[idMgr])

	for _, tt := range []struct {
		what string
		err  error
	}{
		{"digest", func() error { _, err := f.db.Digest(f.digest); return err }()},
		{"prompt", func() error { _, err := f.db.Prompt(f.prompt); return err }()},
	} {
		if !errors.Is(tt.err, ErrNotFound) {
			t.Errorf("manager's %s: %v, want ErrNotFound", tt.what, tt.err)
		}
	}
	// Their reports keep their own records, minus the manager's.
	if p, ok, _ := f.db.Person(idA); !ok || p.Name != "Anneliese" {
		t.Errorf("report A's person record = %+v, %v; want kept", p, ok)
	}
	if ok, _ := f.db.Notified(idA); !ok {
		t.Error("report A's notice was forgotten with their manager")
	}
	after, _ := f.db.Export(idA)
	if after.AsReport != nil || after.ReportsTo != "" || after.Votes != nil {
		t.Errorf("report A's export still shows the manager's records: %+v", after)
	}
	if reportA.Person == nil || !reflect.DeepEqual(after.Person, reportA.Person) {
		t.Errorf("report A's person = %+v, want %+v", after.Person, reportA.Person)
	}
	other2After, _ := f.db.Export(idMgr2)
	other2.GeneratedAt = other2After.GeneratedAt
	if !reflect.DeepEqual(other2, other2After) {
		t.Errorf("other manager's data changed:\n got %+v\nwant %+v", other2After, other2)
	}
}

func TestOptOutKeepsReportOut(t *testing.T) {
	f := newFixture(t)
	staleOrg := orgFromStore(t, f.db) // an org built before the opt-out
	if err := f.db.OptOut(idA); err != nil {
		t.Fatal(err)
	}
	assertNoTrace(t, f.db, idA, fixtureNames[idA])
	if out, err := f.db.IsOptedOut(idA); err != nil || !out {
		t.Fatalf("IsOptedOut(A) = %v, %v; want true", out, err)
	}
	if got, err := f.db.OptedOut([]string{idA, idB}); err != nil || !maps.Equal(got, map[string]bool{idA: true, idB: false}) {
		t.Errorf("OptedOut(A, B) = %v, %v; want A only", got, err)
	}

	// Directory refreshes, config syncs and DM lookups don't bring them back.
	if err := f.db.PutPeople(fixturePeople()); err != nil {
		t.Fatal(err)
	}
	if err := f.db.SyncTeams(fixtureTeams()); err != nil {
		t.Fatal(err)
	}
	if err := f.db.PutMembers("DCHANA001", []string{idMgr, idA}); err != nil {
		t.Fatal(err)
	}
	if err := f.db.MarkNotified(idA); err != nil {
		t.Fatal(err)
	}
	if err := f.db.UpdateTeam(idMgr, func(tm *signals.Team) { tm.Reports = append(tm.Reports, idA) }); err != nil {
		t.Fatal(err)
	}
	if ok, _ := f.db.Notified(idA); !ok {
		t.Error("Notified(A) = false after opting out, want true (no notice to someone who left)")
	}
	if _, ok, _ := f.db.Person(idA); ok {
		t.Error("PutPeople stored A again")
	}
	if got := teamOfManager(t, f.db, idMgr).Reports; !slices.Equal(got, []string{idB, idC}) {
		t.Errorf("team after sync = %v, want B and C", got)
	}
	if ids, found, _ := f.db.Members("DCHANA001"); found {
		t.Errorf("members = %v, want the DM with them not kept", ids)
	}
	assertNoTrace(t, f.db, idA, fixtureNames[idA])

	// New events about them record nothing, with a fresh org and even with
	// one built before they opted out.
	before := reportDays(t, f.db, idMgr)
	evs := []signals.Event{
		dm("Ev20", "DCHANA001", at(0, 11, 30), idMgr, idA, signals.Flags{Recognition: true}),
		dm("Ev21", "DCHANA001", at(0, 11, 40), idA, idMgr, signals.Flags{}),
		{ID: "Ev22", Message: &signals.Message{Channel: "GCHANABC1", TS: "1772625700.000100", At: at(0, 23, 0), Author: idMgr, Kind: signals.GroupDM, Members: []string{idMgr, idA, idB}}},
		{ID: "Ev23", Person: &signals.Person{ID: idA, Name: "Anneliese", TZ: "UTC"}},
		{ID: "Ev24", Reaction: &signals.Reaction{Channel: teamCh, TS: promptT, ItemUser: idMgr, User: idA, Emoji: "sunrise", At: at(0, 11, 50)}},
	}
	for _, tt := range []struct {
		name string
		org  *signals.Org
	}{
		{"org from the store", orgFromStore(t, f.db)},
		{"org from before the opt-out", staleOrg},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for i := range evs {
				evs[i].ID += "x" // new deliveries
			}
			if _, err := f.db.Apply(tt.org, evs); err != nil {
				t.Fatal(err)
			}
			assertNoTrace(t, f.db, idA, fixtureNames[idA])
		})
	}
	// Nothing of A's counts. To the org from the store A is no longer in
	// the team, so the group DM at 23:00 has someone outside it and is not
	// counted; to the org from before, B's share of it counts.
	after := reportDays(t, f.db, idMgr)
	today := signals.DayOf(fixtureNow, time.UTC)
	if got, want := after[today][idB].Directed, before[today][idB].Directed+1; got != want {
		t.Errorf("B's directed today = %d, want %d (the group DM, by the org from before only)", got, want)
	}

	// A digest planned from an out-of-date org does not name them.
	slot := at(0, 9, 0)
	rec, _, err := f.db.PlanDigest(idMgr, slot, func(h nudges.History) (nudges.Digest, nudges.History, error) {
		return nudges.Digest{ID: nudges.DigestID(idMgr, slot), Manager: idMgr, Slot: slot, Nudges: []nudges.Nudge{{
			Kind: signals.ContactGap, Facts: signals.Facts{Reports: []signals.ReportFact{{ID: idA, Name: "Anneliese", Days: 20}}},
			Observation: "20 days since you and Anneliese talked.",
		}}}, h, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := rec.Digest.Nudges[0].Observation; got != "20 days since you and a team member talked." {
		t.Errorf("observation = %q, want A's name redacted", got)
	}
	assertNoTrace(t, f.db, idA, fixtureNames[idA])

	// Opting back in lifts the block; the sync brings them back.
	if err := f.db.OptIn(idA); err != nil {
		t.Fatal(err)
	}
	if out, _ := f.db.IsOptedOut(idA); out {
		t.Error("IsOptedOut(A) after OptIn = true, want false")
	}
	if err := f.db.SyncTeams(fixtureTeams()); err != nil {
		t.Fatal(err)
	}
	if got := teamOfManager(t, f.db, idMgr).Reports; !slices.Equal(got, []string{idA, idB, idC}) {
		t.Errorf("team after opt-in and sync = %v, want A back", got)
	}
}

func TestOptOutManager(t *testing.T) {
	f := newFixture(t)
	if err := f.db.OptOut(idMgr); err != nil {
		t.Fatal(err)
	}
	assertNoTrace(t, f.db, idMgr, fixtureNames[idMgr])
	if err := f.db.SyncTeams(fixtureTeams()); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Apply(orgFromStore(t, f.db), fixtureEvents()[:4]); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		what string
		err  error
	}{
		{"SetTeam", f.db.SetTeam(signals.Team{Manager: idMgr, Reports: []string{idA}})},
		{"UpdateCoaching", f.db.UpdateCoaching(idMgr, func(h nudges.History) nudges.History { return h })},
		{"PlanDigest", func() error {
			_, _, err := f.db.PlanDigest(idMgr, fixtureNow, func(h nudges.History) (nudges.Digest, nudges.History, error) {
				return nudges.Digest{Manager: idMgr}, h, nil
			})
			return err
		}()},
	} {
		if !errors.Is(tt.err, ErrOptedOut) {
			t.Errorf("%s for an opted-out manager: %v, want ErrOptedOut", tt.what, tt.err)
		}
	}
	if err := f.db.RemoveTeam(idMgr); err != nil {
		t.Fatal(err)
	}
	assertNoTrace(t, f.db, idMgr, fixtureNames[idMgr])
	if o := orgFromStore(t, f.db); o.IsManager(idMgr) {
		t.Error("org still has the opted-out manager's team")
	}
}

func TestOptOutKeyIsNotTheID(t *testing.T) {
	f := newFixture(t)
	other := openTest(t, nil) // another install: another secret
	if got, want := string(f.db.optOutKey(idA)), string(f.db.optOutKey(idA)); got != want {
		t.Fatalf("optOutKey is not stable: %s, %s", got, want)
	}
	if k := string(f.db.optOutKey(idA)); strings.Contains(k, idA) || len(k) != 64 || k == string(other.optOutKey(idA)) {
		t.Errorf("optOutKey(A) = %s: want 64 hex digits, not the id, differing between installs", k)
	}
}

func TestReplaceWord(t *testing.T) {
	tests := []struct{ in, word, want string }{
		{"Ask Al's view", "Al", "Ask X's view"},
		{"Also ask Al.", "Al", "Also ask X."},
		{"Chloé, Ben and Chloé", "Chloé", "X, Ben and X"},
		{"Chloéa", "Chloé", "Chloéa"},
		{"nothing here", "Al", "nothing here"},
		{"Al", "", "Al"},
	}
	for _, tt := range tests {
		if got := replaceWord(tt.in, tt.word, "X"); got != tt.want {
			t.Errorf("replaceWord(%q, %q) = %q, want %q", tt.in, tt.word, got, tt.want)
		}
	}
}

func TestNotices(t *testing.T) {
	db := openTest(t, func() time.Time { return fixtureNow })
	if ok, err := db.Notified(idA); err != nil || ok {
		t.Fatalf("Notified before = %v, %v; want false", ok, err)
	}
	if err := db.MarkNotified(idA); err != nil {
		t.Fatal(err)
	}
	if ok, err := db.Notified(idA); err != nil || !ok {
		t.Errorf("Notified after = %v, %v; want true", ok, err)
	}
	ex, _ := db.Export(idA)
	if ex.NotifiedAt == nil || !ex.NotifiedAt.Equal(fixtureNow) {
		t.Errorf("export NotifiedAt = %v, want %v", ex.NotifiedAt, fixtureNow)
	}
	if st, _ := db.ForgetPerson(idA); st.Notices != 1 {
		t.Errorf("ForgetPerson notices = %d, want 1", st.Notices)
	}
	if ok, _ := db.Notified(idA); ok {
		t.Error("Notified after ForgetPerson = true, want false")
	}
}
