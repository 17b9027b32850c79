package orgsync

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"coach/orgchart"
	"coach/slackfake"
	"coach/store"
)

const field = "Xf0MANAGER"

func setup(t *testing.T) (*slackfake.Server, *Syncer, *store.DB) {
	t.Helper()
	fake := slackfake.New(slackfake.Options{BotToken: "xoxb-o"})
	t.Cleanup(fake.Close)
	db, err := store.Open(filepath.Join(t.TempDir(), "coach.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s := New(fake.APIURL(), "xoxb-o", db, zerolog.New(zerolog.NewTestWriter(t)))
	return fake, s, db
}

func teams(t *testing.T, db *store.DB) string {
	t.Helper()
	ts, err := db.Teams()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, tm := range ts {
		out = append(out, fmt.Sprintf("%s:%s(%s)", tm.Manager, strings.Join(tm.Reports, ","), tm.Source))
	}
	return strings.Join(out, " ")
}

// The profile field: found by label, read for each active person no
// sooner than ProfilePace after the last call, each 429 waited out for
// its Retry-After before the same person is asked again.
func TestProfileSourcePacedAnd429(t *testing.T) {
	fake, s, db := setup(t)
	fake.SetProfileFields(slackfake.ProfileField{ID: "Xf0PHONE", Label: "Phone", Type: "text"}, slackfake.ProfileField{ID: field, Label: "Manager", Type: "user"})
	users := []slackfake.User{
		{ID: "UBOSS", Email: "boss@x.io", RealName: "Bo Ss"},
		{ID: "UA", Email: "a@x.io", Fields: map[string]string{field: "UBOSS"}},
		{ID: "UB", Email: "b@x.io", Fields: map[string]string{field: "UA"}},
		{ID: "UC", Email: "c@x.io", Fields: map[string]string{field: "UA"}},
		{ID: "UD", Email: "d@x.io", Fields: map[string]string{field: "UGONE"}},    // deactivated manager
		{ID: "UE", Email: "e@x.io", Fields: map[string]string{field: "UA,UBOSS"}}, // two managers
		{ID: "UF", Email: "f@x.io", Fields: map[string]string{field: "UNOBODY"}},  // not a member
		{ID: "UGONE", Email: "gone@x.io", Deleted: true, Fields: map[string]string{field: "UBOSS"}},
		{ID: "UBOT", IsBot: true},
	}
	for _, u := range users {
		fake.AddUser(u)
	}
	fake.FailNext("users.profile.get", 2, slackfake.Fault{Status: 429, RetryAfter: time.Second})
	s.ProfilePace = 40 * time.Millisecond
	var mu sync.Mutex
	var waits []time.Duration
	s.Sleep = func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		waits = append(waits, d)
		mu.Unlock()
		return sleep(ctx, d)
	}
	res, err := s.Import(context.Background(), Source{Field: "manager"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := teams(t, db), "UA:UB,UC(slack_profile) UBOSS:UA(slack_profile)"; got != want {
		t.Errorf("teams = %s, want %s", got, want)
	}
	if fake.RateLimited("users.profile.get") != 2 {
		t.Errorf("%d 429s served, want 2", fake.RateLimited("users.profile.get"))
	}
	calls := fake.Calls("users.profile.get")
	if len(calls) != 7+2 {
		t.Errorf("%d users.profile.get calls, want one per active person (7) and 2 again after a 429", len(calls))
	}
	for i := 1; i < len(calls); i++ {
		gap, min := calls[i].At.Sub(calls[i-1].At), s.ProfilePace
		if i <= 2 {
			min = time.Second // after each 429
		}
		if gap < min-5*time.Millisecond {
			t.Errorf("call %d came %v after the one before, want at least %v", i, gap, min)
		}
		if i <= 2 && calls[i].Args["user"] != calls[0].Args["user"] {
			t.Errorf("call %d after a 429 asked for %s, want %s again", i, calls[i].Args["user"], calls[0].Args["user"])
		}
	}
	if n := slices.Index(waits, time.Second); n < 0 {
		t.Errorf("waits %v hold no Retry-After of 1s", waits)
	}
	var ps []string
	for _, p := range res.Problems {
		ps = append(ps, p.String())
	}
	want := []string{
		"the Slack profile of d@x.io: their manager gone@x.io is deactivated in Slack",
		"the Slack profile of e@x.io: it names 2 managers (UA, UBOSS): none is used",
		"the Slack profile of f@x.io: their manager UNOBODY is not a member of this workspace",
	}
	if !slices.Equal(ps, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(ps, "\n"), strings.Join(want, "\n"))
	}
	var b strings.Builder
	res.Write(&b)
	if !strings.HasPrefix(b.String(), `Read the Slack profile field "manager": 7 profiles of active people.`) || !strings.Contains(b.String(), "Profiles not used (3):") {
		t.Errorf("Write:\n%s", b.String())
	}
}

func TestProfileFieldNotFound(t *testing.T) {
	fake, s, _ := setup(t)
	fake.AddUser(slackfake.User{ID: "UA", Email: "a@x.io"})
	for _, tt := range []struct {
		fields []slackfake.ProfileField
		want   string
	}{
		{nil, `the workspace has no custom profile fields, so none called "Manager" of type user`},
		{[]slackfake.ProfileField{{ID: "Xf1", Label: "Title", Type: "text"}, {ID: "Xf2", Label: "Boss", Type: "user"}}, `the workspace has no profile field called "Manager"; it has "Boss" (user), "Title" (text)`},
		{[]slackfake.ProfileField{{ID: "Xf1", Label: "Manager", Type: "text"}}, `the workspace's profile field "Manager" is of type text, not user`},
	} {
		fake.SetProfileFields(tt.fields...)
		_, err := s.Import(context.Background(), Source{Field: "Manager"}, true)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("fields %v: error %v, want %q", tt.fields, err, tt.want)
		}
	}
}

// Follow reads the source at start, and again on each signal: a change is
// applied and reported, a bad file changes nothing.
func TestFollow(t *testing.T) {
	fake, s, db := setup(t)
	for _, id := range []string{"UM", "UA", "UB", "UN"} {
		fake.AddUser(slackfake.User{ID: id, Email: strings.ToLower(id) + "@x.io"})
	}
	path := filepath.Join(t.TempDir(), "org.csv")
	write := func(body string) {
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("email,manager_email\num@x.io,\nua@x.io,um@x.io\n")
	changed := make(chan struct{}, 4)
	reread := make(chan os.Signal, 1)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); s.Follow(ctx, Source{CSV: path}, reread, func() { changed <- struct{}{} }) }()
	wait := func(what string) {
		t.Helper()
		select {
		case <-changed:
		case <-time.After(10 * time.Second):
			t.Fatalf("no change reported after %s", what)
		}
	}
	wait("start")
	if got := teams(t, db); got != "UM:UA(import)" {
		t.Errorf("after start: %s", got)
	}
	write("email,manager_email\num@x.io,\nua@x.io,um@x.io\nub@x.io,ua@x.io\n")
	reread <- os.Interrupt
	wait("a reread")
	if got := teams(t, db); got != "UA:UB(import) UM:UA(import)" {
		t.Errorf("after a reread: %s", got)
	}
	write("email\tmanager_email\n")
	reread <- os.Interrupt
	reread <- os.Interrupt // taken once the bad file was read
	time.Sleep(300 * time.Millisecond)
	select {
	case <-changed:
		t.Error("a bad file reported a change")
	default:
	}
	if got := teams(t, db); got != "UA:UB(import) UM:UA(import)" {
		t.Errorf("after a bad file: %s", got)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Follow did not return when ctx ended")
	}
}

func TestReadFileTooBigIsRefusedUnread(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.csv")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, orgchart.MaxSize+1); err != nil { // sparse: never read
		t.Fatal(err)
	}
	_, err := ReadFile(path)
	var fe *orgchart.FileError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "larger than 20 MB") {
		t.Errorf("ReadFile = %v", err)
	}
}

// profileOrg puts 8 people in the fake with their managers in the profile
// field, applies it, and returns a function that clears the field of the
// people keep does not keep.
func profileOrg(t *testing.T) (*Syncer, *store.DB, func(keep func(id string) bool)) {
	t.Helper()
	fake, s, db := setup(t)
	fake.SetProfileFields(slackfake.ProfileField{ID: field, Label: "Manager", Type: "user"})
	s.ProfilePace = 0
	ids := []string{"UBOSS", "UA", "UB", "UC", "UD", "UE", "UF", "UG"}
	manager := map[string]string{"UA": "UBOSS", "UB": "UBOSS", "UC": "UA", "UD": "UA", "UE": "UB", "UF": "UB", "UG": "UB"}
	set := func(keep func(id string) bool) {
		for _, id := range ids {
			u := slackfake.User{ID: id, Email: strings.ToLower(id) + "@x.io"}
			if m := manager[id]; m != "" && keep(id) {
				u.Fields = map[string]string{field: m}
			}
			fake.AddUser(u)
		}
	}
	set(func(string) bool { return true })
	if _, err := s.Import(context.Background(), Source{Field: "Manager"}, false); err != nil {
		t.Fatal(err)
	}
	if got := teams(t, db); got != profileTeams {
		t.Fatalf("teams = %s", got)
	}
	return s, db, set
}

const profileTeams = "UA:UC,UD(slack_profile) UB:UE,UF,UG(slack_profile) UBOSS:UA,UB(slack_profile)"

// The profile field read back empty for everyone (cleared by mistake) is
// an org chart with nobody in it: refused, teams unchanged.
func TestProfileSweepEmptyRefused(t *testing.T) {
	s, db, set := profileOrg(t)
	set(func(string) bool { return false })
	res, err := s.Import(context.Background(), Source{Field: "Manager"}, false)
	var empty *NothingUsableError
	if !errors.As(err, &empty) || res == nil {
		t.Errorf("an empty sweep: %v, want a NothingUsableError", err)
	}
	if want := `the Slack profile field "Manager": no active person's profile names a manager coach can use (8 profiles read)`; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %v, want it to start %q", err, want)
	}
	if got := teams(t, db); got != profileTeams {
		t.Errorf("after an empty sweep: %s", got)
	}
}

// Half the profile field cleared takes more than MaxRemovedPercent of the
// people out of every team: refused, unless the share allowed is raised.
func TestProfileSweepHalfRefused(t *testing.T) {
	s, db, set := profileOrg(t)
	set(func(id string) bool { return id != "UE" && id != "UF" && id != "UG" && id != "UD" })
	_, err := s.Import(context.Background(), Source{Field: "Manager"}, false)
	var large *LargeChangeError
	if !errors.As(err, &large) || large.Leaving != 4 || large.Of != 8 || large.MaxPercent != DefaultMaxRemovedPercent {
		t.Errorf("half the field cleared: %v, want a LargeChangeError of 4 of 8", err)
	}
	if got := teams(t, db); got != profileTeams {
		t.Errorf("after a refused change: %s", got)
	}
	s.MaxRemovedPercent = 50
	res, err := s.Import(context.Background(), Source{Field: "Manager"}, false)
	if err != nil || !res.Applied {
		t.Fatalf("with 50%% allowed: %v", err)
	}
	if got, want := teams(t, db), "UA:UC(slack_profile) UB:(slack_profile) UBOSS:UA,UB(slack_profile)"; got != want {
		t.Errorf("teams = %s, want %s (UB's team kept as a tombstone)", got, want)
	}
}
