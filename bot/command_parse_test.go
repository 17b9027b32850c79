package bot

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseCommand(t *testing.T) {
	tests := []struct {
		text    string
		check   func(Command) bool
		wantErr string // a fragment of the error; "" for success
	}{
		{"", func(c Command) bool { return c.Name == "help" }, ""},
		{"  HELP ", func(c Command) bool { return c.Name == "help" }, ""},
		{"hours 08:30-17:30 mon-fri", func(c Command) bool {
			return c.Sub == "set" && c.Hours.Start == 510 && c.Hours.End == 1050 && c.Hours.String() == "08:30-17:30 mon-fri"
		}, ""},
		{"hours 9-18 mon,wed,fri", func(c Command) bool { return c.Hours.String() == "09:00-18:00 mon,wed,fri" }, ""},
		{"hours 7:00-15:00 sun-thu", func(c Command) bool { return c.Hours.String() == "07:00-15:00 mon,tue,wed,thu,sun" }, ""},
		{"hours", func(c Command) bool { return c.Sub == "show" }, ""},
		{"hours reset", func(c Command) bool { return c.Sub == "reset" }, ""},
		{"hours 25:00-9", nil, "`25:00` isn't a time of day."},
		{"hours 18:00-09:00", nil, "must be after the start"},
		{"hours 9-17 funday", nil, "`funday` isn't a day"},
		{"hours nine-five", nil, "`nine` isn't a time of day."},
		{"hours 9am-5pm", nil, "`9am` isn't a time of day."},
		{"hours 9-24", func(c Command) bool { return c.Hours.String() == "09:00-24:00 mon-fri" }, ""},
		{"hours 9-17 Mon-Fri", func(c Command) bool { return c.Hours.String() == "09:00-17:00 mon-fri" }, ""},
		{"hours 9-17 tues thurs", func(c Command) bool { return c.Hours.String() == "09:00-17:00 tue,thu" }, ""},
		{"hours 9-17 every day", func(c Command) bool { return c.Hours.String() == "09:00-17:00 every day" }, ""},
		{"hours 9-17 ,", nil, "Name at least one day."},
		{"pause 2w", func(c Command) bool { return c.For == 14*24*time.Hour }, ""},
		{"pause 10 days", func(c Command) bool { return c.For == 10*24*time.Hour }, ""},
		{"pause until 2026-12-24", func(c Command) bool { return c.Until.Equal(time.Date(2026, 12, 24, 0, 0, 0, 0, time.UTC)) }, ""},
		{"pause 3 fortnights", nil, "`3 fortnights` isn't a length of time I know"},
		{"pause until christmas", nil, "`christmas` isn't a date"},
		{"pause", nil, "For how long?"},
		{"share message_hours", func(c Command) bool { return c.Kind == "message_hours" }, ""},
		{"share vibes", nil, "Which norm?"},
		{"norms reset all", func(c Command) bool { return c.Sub == "reset" && c.Kind == "all" }, ""},
		{"team set <@UM1|mia> <@UA> <@UB>", func(c Command) bool { return c.Sub == "set" && len(c.Mentions) == 3 }, ""},
		{"team add @mia @ana", func(c Command) bool { return c.Sub == "add" && c.Mentions[1] == "@ana" }, ""},
		{"team remove <@UM1>", func(c Command) bool { return c.Sub == "remove" && len(c.Mentions) == 1 }, ""},
		{"team channel <@UM1> <#C0TEAM|team-mia>", func(c Command) bool { return c.Channel == "C0TEAM" }, ""},
		{"team channel <@UM1> team-mia", nil, "`team-mia` is not a #channel"},
		{"team set <@UM1>", nil, "at least one report"},
		{"team promote <@UM1>", nil, "`team promote` is not a team command"},
		{"nudge mia", nil, "with an @mention"},
		{`schedule "0 10 * * TUE"`, func(c Command) bool { return c.Cron == "0 10 * * TUE" }, ""},
		{"schedule every monday", nil, "is not a cron schedule"},
		{"schedule TZ=Europe/Berlin 0 9 * * MON", nil, "can't name one"},
		{"dance", nil, "I don't know the command `dance`."},
		{"me please", nil, "`me` takes no arguments."},
	}
	for _, tt := range tests {
		c, err := ParseCommand(tt.text)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("ParseCommand(%q): %v", tt.text, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("ParseCommand(%q) error = %v, want it to contain %q", tt.text, err, tt.wantErr)
		case tt.wantErr != "":
			var ue *UsageError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), "Usage: `/coach") && !strings.Contains(err.Error(), "/coach help") {
				t.Errorf("ParseCommand(%q) error %q does not show the usage", tt.text, err)
			}
		case !tt.check(c):
			t.Errorf("ParseCommand(%q) = %+v", tt.text, c)
		}
	}
}

func TestMentionID(t *testing.T) {
	for in, want := range map[string]string{"<@U123ABC>": "U123ABC", "<@W9|bob>": "W9", "@bob": "", "<@bad>": "", "<#C1>": ""} {
		if got := MentionID(in); got != want {
			t.Errorf("MentionID(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{"", "hours 08:30-17:30 mon-fri", "pause until 2026-12-24", "team set <@U1> <@U2>",
		"team channel <@U1> <#C1|x>", `schedule "0 9 * * MON"`, "hours 9-", "pause 99999999999999999999w", "schedule TZ=x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		c, err := ParseCommand(text)
		if err != nil {
			var ue *UsageError
			if !errors.As(err, &ue) {
				t.Fatalf("ParseCommand(%q) returned a %T, want a *UsageError", text, err)
			}
			return
		}
		if c.Name == "hours" && c.Sub == "set" {
			if err := c.Hours.Validate(); err != nil {
				t.Fatalf("ParseCommand(%q) accepted invalid hours %v: %v", text, c.Hours, err)
			}
		}
	})
}
