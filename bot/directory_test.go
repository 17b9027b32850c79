package bot

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"coach/signals"
	"coach/slackfake"
	"coach/store"
)

// directoryServer is a server, not yet running, over a fake Slack with n
// people, against a fresh store.
func directoryServer(t *testing.T, n int) (*Server, *slackfake.Server, *store.DB) {
	t.Helper()
	fake := slackfake.New(slackfake.Options{BotToken: "xoxb-d", AppToken: "xapp-d", PingInterval: time.Second})
	t.Cleanup(fake.Close)
	users := make([]slackfake.User, n)
	for i := range users {
		users[i] = slackfake.User{ID: fmt.Sprintf("U%06d", i), Name: fmt.Sprintf("person%d", i), TZ: "Europe/Berlin"}
	}
	fake.AddUsers(users...)
	db, err := store.Open(filepath.Join(t.TempDir(), "coach.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cfg := Config{
		APIURL:       fake.APIURL(),
		Teams:        []signals.Team{{Manager: "U000000", Reports: []string{"U000001", "U000002"}}},
		DefaultHours: signals.DefaultHours(), DefaultTZ: time.UTC, NoScheduler: true,
	}
	return newTestServer(t, cfg, "xoxb-d", "xapp-d", db, zerolog.New(zerolog.NewTestWriter(t))), fake, db
}

// The directory comes a users.list page at a time — a rate-limited page
// is waited out and asked again — and every person of every page is in
// the store and in the org when the link opens.
func TestDirectoryStoresEveryPage(t *testing.T) {
	const people = 2*peopleBatch + 450 // three stores, eleven pages of 200 and a short one
	srv, fake, db := directoryServer(t, people)
	fake.FailNext("users.list", 1, slackfake.Fault{Status: 429, RetryAfter: time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	wctx, wcancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer wcancel()
	if err := fake.WaitConnections(wctx, 1); err != nil {
		t.Fatal(err)
	}
	if got, want := len(fake.Calls("users.list")), (people+199)/200+1; got != want {
		t.Errorf("users.list called %d times, want %d (every page, and the refused one again)", got, want)
	}
	if got := len(srv.Org().People); got != people {
		t.Errorf("the org has %d people, want %d", got, people)
	}
	stored, err := db.People()
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) != people {
		t.Errorf("the store has %d people, want %d", len(stored), people)
	}
	if p, ok := srv.Org().People[fmt.Sprintf("U%06d", people-1)]; !ok || p.TZ != "Europe/Berlin" {
		t.Errorf("the last page's last person: %+v, %v", p, ok)
	}
}

// A users.list page that fails stops the start with an error that says so.
func TestDirectoryPageFailureStopsTheStart(t *testing.T) {
	srv, fake, _ := directoryServer(t, 450)
	fake.FailNext("users.list", 1, slackfake.Fault{Status: 200, Error: "invalid_cursor"})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := srv.Run(ctx)
	if err == nil || !strings.Contains(err.Error(), "users.list") {
		t.Errorf("Run = %v, want an error about users.list", err)
	}
	if n := fake.Connections(); n != 0 {
		t.Errorf("%d Socket Mode links opened after users.list failed", n)
	}
}
