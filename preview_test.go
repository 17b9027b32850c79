package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"coach/slackfake"
)

// previewWorkspace is a fake Slack with two teams: one with a report Slack
// does not know and one with a bot in it.
func previewWorkspace(t *testing.T) *slackfake.Server {
	t.Helper()
	fake := slackfake.New(slackfake.Options{BotToken: testBotToken, AppToken: testAppToken})
	t.Cleanup(fake.Close)
	for _, u := range []slackfake.User{
		{ID: "UMIA", Name: "Mia", RealName: "Mia Novak", TZ: "Europe/Berlin"},
		{ID: "UANA", Name: "Ana", RealName: "Ana Alves", TZ: "America/Los_Angeles"},
		{ID: "UBEN", Name: "Ben", RealName: "Ben Berg", TZ: "Europe/Berlin"},
		{ID: "URAJ", Name: "Raj", RealName: "Raj Rao", TZ: "America/New_York"},
		{ID: "UDEE", Name: "Dee", RealName: "Dee Diaz", TZ: "America/New_York"},
		{ID: "UHELPER", Name: "Helper", RealName: "Helper", IsBot: true},
	} {
		fake.AddUser(u)
	}
	return fake
}

func previewConfig(t *testing.T, fake *slackfake.Server, dbPath, extra string) string {
	t.Helper()
	cfg := fmt.Sprintf(`slack:
  api_url: %q
store:
  path: %q
teams:
  - manager: UMIA
    reports: [UANA, UBEN, UGONE]
  - manager: URAJ
    reports: [UDEE, UHELPER]
%s`, fake.APIURL(), dbPath, extra)
	p := filepath.Join(t.TempDir(), "coach.yaml")
	if err := os.WriteFile(p, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// runPreview runs `coach preview` through run and checks that it sent
// nothing: no call but users.list and users.info, no database file.
func runPreview(t *testing.T, fake *slackfake.Server, extra string) string {
	t.Helper()
	dbPath := filepath.Join(t.TempDir(), "coach.db")
	var out, errOut bytes.Buffer
	args := []string{"preview", "--config", previewConfig(t, fake, dbPath, extra), "--now", "2026-03-03T10:00:00Z"}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := run(ctx, args, testEnv, &out, &errOut); err != nil {
		t.Fatalf("coach preview: %v\n%s", err, errOut.String())
	}
	for _, c := range fake.AllCalls() {
		if c.Method != "users.list" && c.Method != "users.info" {
			t.Errorf("coach preview called %s; it may only read the directory", c.Method)
		}
	}
	for _, u := range []string{"UMIA", "UANA", "UBEN", "URAJ", "UDEE"} {
		if n := len(fake.Messages(u)); n != 0 {
			t.Errorf("%s has %d messages after a preview, want none", u, n)
		}
	}
	if _, err := os.Stat(dbPath); !os.IsNotExist(err) {
		t.Errorf("coach preview touched the database %s (stat: %v)", dbPath, err)
	}
	return out.String()
}

const previewWant = `coach preview: what starting coach on Tue 3 Mar 2026 10:00 UTC would send. Nothing is sent.

== The consent notice: a DM to each of the 5 team members, once ==
To: Ana (UANA), Ben (UBEN), Dee (UDEE), Mia (UMIA), Raj (URAJ)
Not sent to: Helper (UHELPER): a bot; UGONE: not in Slack's directory
Sending: all 5 at once.

  │ *Hi! Your workspace uses coach*, a bot that helps managers build trust with their teams.
  │ • *What it measures:* for messages between you and your manager or team, who wrote to whom and when, and whether a message asked a question, thanked someone or asked for a status update. Reactions, too.
  │ • *What it never keeps:* the text of any message. It is read once to set those yes/no flags and dropped.
  │ • *Who sees what:* a manager sees only their own coaching. Team figures appear only for teams of three or more, never for one person. Admins see workspace totals only.
  │ • *Your choices:* ` + "`/coach me` shows what is held about you, `/coach export` sends it to you, `/coach forget` deletes it, and `/coach optout`" + ` stops all recording of and about you.
  │
  │ [Opt out]
  │   Clicking it first asks "Opt out of coach?": coach will stop recording anything of or about you and delete what it holds about you now. You can opt back in at any time. [Opt out] [Cancel]

== Each manager's first digest, as it would be sent today (schedule "0 9 * * MON", in their own zone) ==

▸ Mia (UMIA), first digest Mon 9 Mar 09:00 Europe/Berlin
  No DM: nothing stands out, as coach has recorded nothing yet. A digest comes only when something does.

▸ Raj (URAJ), first digest Mon 9 Mar 09:00 America/New_York
  No DM: nothing stands out, as coach has recorded nothing yet. A digest comes only when something does.
`

// coach preview prints the consent notice as a member reads it, who gets it
// and who does not, and each manager's first digest, and sends nothing.
func TestPreviewFirstStart(t *testing.T) {
	got := runPreview(t, previewWorkspace(t), "")
	if got != previewWant {
		t.Errorf("coach preview printed:\n%s\nwant:\n%s", got, previewWant)
	}
}

// In opt_in mode the notice offers Opt in, and no manager gets a digest
// until they opt in; with all_clear on, the first digest is the all-clear
// DM, quoted in full.
func TestPreviewOptInAndAllClear(t *testing.T) {
	got := runPreview(t, previewWorkspace(t), "consent: opt_in\n")
	for _, want := range []string{"  │ [Opt in]\n", "Nothing is recorded about you unless you opt in.", "▸ Mia (UMIA): no digest until they opt in (consent: opt_in).\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("opt_in preview lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Clicking it first asks") {
		t.Errorf("the Opt in button asks to confirm:\n%s", got)
	}
	got = runPreview(t, previewWorkspace(t), "nudges:\n  all_clear: true\n")
	_, mia, _ := strings.Cut(got, "▸ Mia (UMIA), first digest Mon 9 Mar 09:00 Europe/Berlin\n")
	if strings.HasPrefix(mia, "  No DM") || !strings.HasPrefix(mia, "  │ ") {
		t.Errorf("with all_clear, Mia's first digest is not quoted:\n%s", got)
	}
}
