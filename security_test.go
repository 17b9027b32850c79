package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"coach/connect"
	"coach/internal/logsink"
	"coach/slackfake"
)

// A wrong bot token fails auth.test, a wrong app token fails
// apps.connections.open: either way coach stops with a clear error, and
// neither the error nor the debug logs show the token it was given or the
// right ones.
func TestWrongTokensAreNeverShown(t *testing.T) {
	const wrongBot, wrongApp = "xoxb-wrong-BOTSECRET-4711", "xapp-wrong-APPSECRET-4711"
	for _, tt := range []struct {
		name, bot, app, want string
	}{
		{"bot token", wrongBot, testAppToken, "auth.test"},
		{"app token", testBotToken, wrongApp, "invalid_auth"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFake(t)
			cfg := writeConfig(t, fake, filepath.Join(t.TempDir(), "coach.db"))
			env := func(k string) string {
				switch k {
				case "SLACK_BOT_TOKEN":
					return tt.bot
				case "SLACK_APP_TOKEN":
					return tt.app
				}
				return ""
			}
			logs := &logsink.Buffer{}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			err := run(ctx, []string{"run", "--config", cfg, "--log-format", "json", "--log-level", "debug"}, env, logs, logs)
			hung := ctx.Err() != nil
			if err == nil {
				t.Fatalf("run with a wrong %s: no error, want it to stop with one", tt.name)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
			for _, tok := range []string{wrongBot, wrongApp, testBotToken, testAppToken, "SECRET", "secret"} {
				if strings.Contains(err.Error(), tok) {
					t.Errorf("error shows token material %q: %v", tok, err)
				}
				if strings.Contains(logs.String(), tok) {
					t.Errorf("logs show token material %q", tok)
				}
			}
			if hung {
				t.Errorf("coach run with a wrong %s did not exit until its context ended (%v)", tt.name, err)
			}
		})
	}
}

// The database file is private: created 0600, and made 0600 when it was
// not.
func TestDatabaseFileIsPrivate(t *testing.T) {
	fake := newFake(t)
	dbPath := filepath.Join(t.TempDir(), "coach.db")
	if err := os.WriteFile(dbPath, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dbPath, 0o644); err != nil { // whatever the umask
		t.Fatal(err)
	}
	stop := startRun(t, writeConfig(t, fake, dbPath), &logsink.Buffer{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := fake.WaitConnections(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("database file mode %v, want 0600", fi.Mode().Perm())
	}
}

// /coach export builds the file in memory and uploads it: nothing is
// written to the temporary directory, the working directory or beside the
// database, and the file holds counts, never text.
func TestExportWritesNothingToDisk(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	before := dirNames(t, wd)
	fake := newFake(t)
	addTeamChannels(fake)
	dbDir := t.TempDir()
	dbPath := filepath.Join(dbDir, "coach.db")
	logs := &logsink.Buffer{}
	stop := startRun(t, writeConfig(t, fake, dbPath), logs)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := fake.WaitConnections(ctx, 1); err != nil {
		t.Fatal(err)
	}
	s := newEventStream(t, fake, 5, time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), 7*24*time.Hour, onHours)
	for range 200 {
		s.next()
	}
	if err := fake.WaitAcked(ctx, s.ids...); err != nil {
		t.Fatal(err)
	}
	id := fake.SendSlashCommand(slackfake.SlashCommand{Command: "/coach", Text: "export", UserID: "UR1", UserName: "ur1", ChannelID: "DUM1UR1"})
	if err := fake.WaitAcked(ctx, id); err != nil {
		t.Fatal(err)
	}
	var file slackfake.File
	for ctx.Err() == nil {
		if fs := fake.Files(); len(fs) > 0 && fs[0].Shared {
			file = fs[0]
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !file.Shared || !json.Valid(file.Bytes) || !strings.Contains(string(file.Bytes), "UR1") {
		t.Fatalf("export file = %+v, want UR1's data as JSON, shared in their DM", file)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	for _, w := range markers {
		if strings.Contains(string(file.Bytes), w) {
			t.Errorf("export contains message text %q", w)
		}
	}
	if names := dirNames(t, tmp); len(names) != 0 {
		t.Errorf("the temporary directory holds %v after an export, want nothing", names)
	}
	if names := dirNames(t, dbDir); len(names) != 1 || names[0] != "coach.db" {
		t.Errorf("beside the database: %v, want only coach.db", names)
	}
	if after := dirNames(t, wd); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("working directory changed during the export: %v, was %v", after, before)
	}
}

// A connected manager's user token (and, with token rotation, its refresh
// token) is in the database only sealed: the file holds no xoxp-/xoxe-
// string and no token in clear, and neither the file nor the logs hold the
// token, the key (as configured or decoded) or the client secret.
func TestConnectKeepsTokensSealed(t *testing.T) {
	r := startConnectRun(t)
	r.fake.SetOAuthApp(slackfake.OAuthApp{RedirectURLs: []string{r.public + connect.CallbackPath}, TokenRotation: true})
	tok := r.connect("UM1")
	r.waitDM("UM1", "You're connected")
	if text, _ := r.slash("UM1", "me"); !strings.Contains(text, "You connected them on") {
		t.Errorf("/coach me of a connected manager: %q", text)
	}
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	if ids := connectedIn(t, r.dbPath); len(ids) != 1 || ids[0] != "UM1" {
		t.Fatalf("connected in the database: %v, want [UM1]", ids)
	}
	data, err := os.ReadFile(r.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	rawKey, err := connect.ParseKey(r.key)
	if err != nil {
		t.Fatal(err)
	}
	secrets := map[string][]byte{
		"the access token":  []byte(tok),
		"its random part":   []byte(tok[strings.LastIndex(tok, "-")+1:]),
		"xoxp-":             []byte("xoxp-"),
		"xoxe-":             []byte("xoxe-"),
		"xoxe.":             []byte("xoxe."),
		"the key":           []byte(r.key),
		"the key's bytes":   rawKey,
		"the client secret": []byte(slackfake.DefaultClientSecret),
	}
	for what, b := range secrets {
		if bytes.Contains(data, b) {
			t.Errorf("the database file holds %s", what)
		}
		if strings.Contains(r.logs.String(), string(b)) {
			t.Errorf("the logs hold %s", what)
		}
	}
	if !strings.HasPrefix(tok, "xoxe.xoxp-") {
		t.Errorf("token %q is not a rotating user token: the test checks less than it says", tok[:4])
	}
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}
