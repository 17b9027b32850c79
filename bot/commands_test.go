package bot

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"coach/slackfake"
)

// command runs /coach text as user through the real Socket Mode path and
// returns the ephemeral text coach answered with in the ack.
func (h *harness) command(user, text string) string {
	h.t.Helper()
	id := h.fake.SendSlashCommand(slackfake.SlashCommand{Command: "/coach", Text: text, UserID: user, ChannelID: "D" + user})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.fake.WaitAcked(ctx, id); err != nil {
		h.t.Fatalf("/coach %s: not acked: %v", text, err)
	}
	for _, a := range h.fake.Acks() {
		if a.EnvelopeID == id {
			var p struct {
				ResponseType string `json:"response_type"`
				Text         string `json:"text"`
			}
			if err := json.Unmarshal(a.Payload, &p); err != nil {
				h.t.Fatalf("/coach %s: ack payload %s: %v", text, a.Payload, err)
			}
			if p.ResponseType != "ephemeral" {
				h.t.Errorf("/coach %s: response_type %q, want ephemeral", text, p.ResponseType)
			}
			return p.Text
		}
	}
	h.t.Fatalf("/coach %s: no ack", text)
	return ""
}

var updateCommands = flag.Bool("update-commands", false, "rewrite the /coach golden files")

func commandGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "commands", name+".golden.txt")
	if *updateCommands {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./bot -run Commands -update-commands)", err)
	}
	if got != string(want) {
		t.Errorf("%s:\n got %q\nwant %q", name, got, want)
	}
}

// namePromptConversation replaces, in a reply, the mention of the group DM
// the norm prompt was posted to with <#PROMPT_GROUP_DM>. The fake numbers
// every id it hands out from one sequence, background App Home redraws
// included, so the group DM's id depends on timing; which conversation the
// reply names does not.
func (h *harness) namePromptConversation(t *testing.T, reply string) string {
	t.Helper()
	var groups []string
	for _, c := range h.fake.Calls("chat.postMessage") {
		if ch := c.Args["channel"]; strings.HasPrefix(ch, "G") && !slices.Contains(groups, ch) {
			groups = append(groups, ch)
		}
	}
	if len(groups) != 1 {
		t.Errorf("the prompt went to group DMs %v, want one", groups)
		return reply
	}
	mention := "<#" + groups[0] + ">"
	if !strings.Contains(reply, mention) {
		t.Errorf("the reply %q does not name the group DM %s the prompt went to", reply, mention)
	}
	return strings.ReplaceAll(reply, mention, "<#PROMPT_GROUP_DM>")
}

func commandHarness(t *testing.T) *harness {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	h := startHarness(t, time.Date(2026, 3, 4, 10, 0, 0, 0, berlin), func(c *Config) { c.Admins = []string{"UX"} })
	return h
}

// Every subcommand, with good and bad arguments, through Socket Mode; the
// exact text each person sees.
func TestCommands(t *testing.T) {
	h := commandHarness(t)
	tests := []struct {
		user, text string
		want       string // exact; "golden:NAME" compares with testdata/commands/NAME.golden.txt
	}{
		{"UA", "help", "golden:help_member"},
		{"UX", "", "golden:help_admin"},
		{"UA", "dance", "I don't know the command `dance`. Usage: `/coach help`"},
		{"UA", "me", "golden:me_report"},
		{"UM1", "me", "golden:me_manager"},
		{"UA", "hours", "Your working hours: 09:00-18:00 mon-fri (the workspace default), in America/Los_Angeles."},
		{"UA", "hours 08:30-17:30 mon-fri", "Done: your working hours are 08:30-17:30 mon-fri, in America/Los_Angeles. Messages to you outside them count as off-hours."},
		{"UA", "hours", "Your working hours: 08:30-17:30 mon-fri (your own setting), in America/Los_Angeles."},
		{"UA", "hours reset", "Done: your working hours are 09:00-18:00 mon-fri again (the workspace default)."},
		{"UA", "hours 25:00-9", "`25:00` isn't a time of day. Usage: `/coach hours 08:30-17:30 mon-fri (or /coach hours reset)`"},
		{"UA", "hours 9-17 caturday", "`caturday` isn't a day (mon, tue, … sun). Usage: `/coach hours 08:30-17:30 mon-fri (or /coach hours reset)`"},
		{"UB", "optout", "Done: you're opted out. coach deleted everything it held about you and records nothing of or about you from now on; managers' nudges won't mention you. `/coach optin` undoes this."},
		{"UB", "me", "You're opted out, so coach holds nothing about you and records nothing. `/coach optin` brings you back."},
		{"UB", "optin", "Done: you're opted in. coach counts your messages with your team again (never their text). `/coach optout` stops it any time."},
		{"UB", "hours", "Your working hours: 09:00-18:00 mon-fri (the workspace default), in Europe/Berlin."},
		{"UM1", "pause 2w", "Paused: no digests until Wed 18 Mar 2026. `/coach resume` restarts them sooner."},
		{"UM1", "pause until 2026-12-24", "Paused: no digests up to and including Thu 24 Dec 2026. `/coach resume` restarts them sooner."},
		{"UM1", "pause until 2020-01-01", "2020-01-01 is in the past. Usage: `/coach pause 2w, or /coach pause until 2026-12-24`"},
		{"UM1", "pause 3 fortnights", "`3 fortnights` isn't a length of time I know (days or weeks). Usage: `/coach pause 2w, or /coach pause until 2026-12-24`"},
		{"UA", "pause 2w", "You don't get digests, so there's nothing to pause."},
		{"UM1", "resume", "Resumed: your next digest comes at the usual time."},
		{"UM1", "norms", "No team norms agreed yet. A manager can ask the team with `/coach share message_hours` (or response_time, check_ins)."},
		{"UA", "norms reset all", "Only your manager can reset the team's norms; you can ask for a new vote."},
		{"UA", "share message_hours", "Only a team's manager can share a norm prompt with it."},
		{"UM1", "share vibes", "Which norm? There are three. Usage: `/coach share message_hours|response_time|check_ins`"},
		{"UM1", "share check_ins", "golden:share"},
		{"UM1", "share check_ins", "Your team is already answering a prompt about this; the result comes when everyone has voted or after 48 hours."},
		{"UA", "teams", "Sorry, `/coach teams` is for workspace admins (or people listed as coach admins). `/coach help` shows what you can do."},
		{"UA", "team set <@UA> <@UB>", "Sorry, `/coach team` is for workspace admins (or people listed as coach admins). `/coach help` shows what you can do."},
		{"UX", "teams", "*Teams in coach* (1)\n• Mia: Ana, Ben, Chloé (config)"},
		{"UX", "teams <@UZZZ>", "I can't find <@UZZZ> in this workspace. Usage: `/coach teams, or /coach teams @manager`"},
		{"UX", "teams @nobody", "I can't find @nobody in this workspace. Usage: `/coach teams, or /coach teams @manager`"},
		{"UX", "nudge <@UZZZ>", "I can't find <@UZZZ> in this workspace. Usage: `/coach nudge @manager`"},
		{"UX", "team set <@UM1> <@UM1>", "Mia can't report to themself. Usage: `/coach team set @manager @report…, /coach team add|remove @manager @report, /coach team remove @manager, /coach team channel @manager #channel`"},
		{"UX", "team set <@UZZZ> <@UA>", "I can't find <@UZZZ> in this workspace. Usage: `/coach team set @manager @report…, /coach team add|remove @manager @report, /coach team remove @manager, /coach team channel @manager #channel`"},
		{"UX", "team set @xavier <@UA>", "Ana already reports to Mia; remove them there first with `/coach team remove @Mia @Ana`."},
		{"UX", "team remove <@UM1> <@UC>", "Done: Mia leads Ana, Ben."},
		{"UX", "team set @xavier <@UC>", "Done: Xavier leads Chloé."},
		{"UX", "team add <@UM1> <@UC>", "Chloé already reports to Xavier; remove them there first with `/coach team remove @Xavier @Chloé`."},
		{"UX", "team channel <@UM1> <#C0TEAM|team-mia>", "Done: Mia leads Ana, Ben (team channel <#C0TEAM>)."},
		{"UX", "team channel <@UM1> team-mia", "`team-mia` is not a #channel. Usage: `/coach team set @manager @report…, /coach team add|remove @manager @report, /coach team remove @manager, /coach team channel @manager #channel`"},
		{"UX", "team remove <@UX>", "Done: Xavier's team is removed from coach."},
		{"UX", "stats", "golden:stats"},
		{"UX", "nudge <@UA>", "Ana doesn't lead a team in coach. Usage: `/coach nudge @manager`"},
		{"UX", "nudge <@UM1>", "Done: if coach has something for Mia this week, it's in their DMs now. What it says is for them alone."},
		{"UX", "nudge <@UM1>", "coach has already dealt with Mia's digest for Mon 2 Mar, and a manager gets one per digest day, so nothing more goes out now. What it said, if anything, is for them alone."},
		{"UX", `schedule "0 10 * * TUE"`, "Done: digests now go out at `0 10 * * TUE` in each manager's own time zone (moved into their working hours when needed)."},
		{"UX", "schedule every monday", "`every monday` is not a cron schedule (five fields: minute hour day-of-month month day-of-week). Usage: `/coach schedule \"0 9 * * MON\"`"},
		{"UX", "team set <@UM1> <@UA> <@UA>", "Ana is named twice. Usage: `/coach team set @manager @report…, /coach team add|remove @manager @report, /coach team remove @manager, /coach team channel @manager #channel`"},
		{"UA", "export", "I'm putting together everything coach holds about you; it will arrive as a file in our DM in a moment."},
		{"UA", "forget", "Delete everything coach holds about you?"},
	}
	for _, tt := range tests {
		got := h.command(tt.user, tt.text)
		if tt.text == "optin" {
			h.srv.Settle() // the profile (time zone) is read after the ack
		}
		if tt.want == "golden:share" {
			got = h.namePromptConversation(t, got)
		}
		if name, ok := strings.CutPrefix(tt.want, "golden:"); ok {
			commandGolden(t, name, got)
			continue
		}
		if got != tt.want {
			t.Errorf("%s: /coach %s\n got %q\nwant %q", tt.user, tt.text, got, tt.want)
		}
	}
	h.srv.Settle()
	if sched, _ := h.db.Meta("schedule"); sched != "0 10 * * TUE" {
		t.Errorf("schedule kept = %q", sched)
	}
	files := h.fake.Files()
	if len(files) != 1 || !strings.Contains(string(files[0].Bytes), `"UA"`) || files[0].Channel != h.fake.DMChannel("UA") {
		t.Errorf("export files = %+v, want one JSON file in Ana's DM", files)
	}
}
