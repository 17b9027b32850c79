package bot

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"

	"coach/norms"
	"coach/slacklink"
	"coach/store"
)

// newTestServer is New over a Slack at cfg.APIURL (the tests' fake, or a
// proxy in front of it) with these tokens, wired as coach run wires it.
func newTestServer(t testing.TB, cfg Config, botToken, appToken string, db *store.DB, log zerolog.Logger) *Server {
	t.Helper()
	api := slack.New(botToken, slack.OptionAPIURL(cfg.APIURL), slack.OptionHTTPClient(&http.Client{Timeout: 30 * time.Second}))
	cat, err := norms.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(cfg, Deps{
		API:       api,
		Link:      slacklink.New(slacklink.Config{APIURL: cfg.APIURL, AppToken: appToken, HTTPClient: &http.Client{Timeout: 10 * time.Second}, Log: log}),
		Messenger: NewMessenger(api, cfg.Metrics),
		Norms:     cat,
		Store:     db,
		Log:       log,
	})
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

// refusingAPI is a Web API whose auth.test refuses the token; it makes
// no other call.
type refusingAPI struct{ slackAPI }

func (refusingAPI) AuthTestContext(context.Context) (*slack.AuthTestResponse, error) {
	return nil, errors.New("invalid_auth")
}

// The Web API is the server's to be given: with one that refuses the bot
// token, Run stops at once and says which token to check, and touches
// nothing else.
func TestRunStopsWhenTheBotTokenIsRefused(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "coach.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cat, err := norms.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	log := zerolog.New(zerolog.NewTestWriter(t))
	srv, err := New(Config{}, Deps{
		API:       refusingAPI{},
		Link:      slacklink.New(slacklink.Config{APIURL: "http://127.0.0.1:1/api/", AppToken: "xapp-x", Log: log}),
		Messenger: NewMessenger(nil, nil),
		Norms:     cat,
		Store:     db,
		Log:       log,
	})
	if err != nil {
		t.Fatal(err)
	}
	err = srv.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "auth.test") || !strings.Contains(err.Error(), "SLACK_BOT_TOKEN") {
		t.Errorf("Run = %v, want the refused auth.test naming SLACK_BOT_TOKEN", err)
	}
	if people, _ := db.People(); len(people) != 0 {
		t.Errorf("the directory was synced with a refused token: %d people", len(people))
	}
}

// New refuses to build a server without its dependencies.
func TestNewWantsItsDependencies(t *testing.T) {
	if _, err := New(Config{}, Deps{}); err == nil {
		t.Error("New without dependencies: no error")
	}
}
