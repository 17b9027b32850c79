package bot

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/robfig/cron/v3"

	"coach/decode"
	"coach/norms"
	"coach/signals"
)

// Command is a parsed /coach command. Mentions are kept as written
// (<@U…>, <@U…|name> or @name) and resolved against the directory later.
type Command struct {
	Name     string        // a name in commands: help, me, hours, team…
	Sub      string        // team: set|add|remove|channel; norms: reset; hours: reset|show; pulse: on|off
	Mentions []string      // people, in order
	Channel  string        // team channel: a C… or G… id
	Hours    signals.Hours // hours
	For      time.Duration // pause 2w
	Until    time.Time     // pause until 2026-12-24 (a date, UTC midnight)
	Kind     string        // share, norms reset
	Cron     string        // schedule
}

// UsageError is bad input: what was wrong, and how to say it.
type UsageError struct {
	Problem string
	Command string
}

func (e *UsageError) Error() string {
	u := usage(e.Command)
	if u == "" {
		return e.Problem + " Try `/coach help`."
	}
	return e.Problem + " Usage: `" + u + "`"
}

func bad(cmd, format string, args ...any) error {
	return &UsageError{Problem: fmt.Sprintf(format, args...), Command: cmd}
}

// ParseCommand reads the text after /coach. It never panics; anything it
// cannot read is a UsageError that says why and shows the usage.
func ParseCommand(text string) (Command, error) {
	words := fields(text)
	if len(words) == 0 {
		return Command{Name: "help"}, nil
	}
	c := Command{Name: strings.ToLower(words[0])}
	d, ok := commandNamed(c.Name)
	if !ok {
		return c, &UsageError{Problem: fmt.Sprintf("I don't know the command `%s`.", clip(c.Name)), Command: "help"}
	}
	args := words[1:]
	if d.Parse == nil {
		if len(args) > 0 {
			return c, bad(c.Name, "`%s` takes no arguments.", c.Name)
		}
		return c, nil
	}
	rest := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(text), words[0]))
	return d.Parse(c, args, rest)
}

func parseShare(c Command, args []string, _ string) (Command, error) {
	if len(args) != 1 || !normKind(args[0]) {
		return c, bad("share", "Which norm? There are three.")
	}
	c.Kind = strings.ToLower(args[0])
	return c, nil
}

func parseNorms(c Command, args []string, _ string) (Command, error) {
	switch {
	case len(args) == 0:
	case len(args) == 2 && strings.EqualFold(args[0], "reset") && (normKind(args[1]) || strings.EqualFold(args[1], "all")):
		c.Sub, c.Kind = "reset", strings.ToLower(args[1])
	default:
		return c, bad("norms", "I didn't understand that.")
	}
	return c, nil
}

func parseTeams(c Command, args []string, _ string) (Command, error) {
	if len(args) > 1 || len(args) == 1 && !isMention(args[0]) {
		return c, bad("teams", "Say one manager, with an @mention, or nothing for every team.")
	}
	c.Mentions = args
	return c, nil
}

func parseNudge(c Command, args []string, _ string) (Command, error) {
	if len(args) != 1 || !isMention(args[0]) {
		return c, bad("nudge", "Say which manager, with an @mention.")
	}
	c.Mentions = args
	return c, nil
}

func parsePulse(c Command, args []string, _ string) (Command, error) {
	if len(args) != 1 || (!strings.EqualFold(args[0], "on") && !strings.EqualFold(args[0], "off")) {
		return c, bad("pulse", "Say on or off.")
	}
	c.Sub = strings.ToLower(args[0])
	return c, nil
}

// parseSchedule reads the cron spec from the text as typed, quotes
// (straight or curly) around it dropped.
func parseSchedule(c Command, _ []string, rest string) (Command, error) {
	spec := strings.Trim(rest, "\"'“”")
	if spec == "" {
		return c, bad("schedule", "Give a cron schedule.")
	}
	if strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "CRON_TZ=") {
		return c, bad("schedule", "The schedule runs in each manager's own time zone, so it can't name one.")
	}
	if _, err := cron.ParseStandard(spec); err != nil {
		return c, bad("schedule", "`%s` is not a cron schedule (five fields: minute hour day-of-month month day-of-week).", clip(spec))
	}
	c.Cron = spec
	return c, nil
}

func normKind(s string) bool {
	switch norms.Kind(strings.ToLower(s)) {
	case norms.MessageHours, norms.ResponseTime, norms.CheckIns:
		return true
	}
	return false
}

// fields splits on spaces, keeping a quoted cron string in one piece is not
// needed: schedule reads the raw text.
func fields(s string) []string {
	return strings.FieldsFunc(s, unicode.IsSpace)
}

// clip keeps user text short in replies.
func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

func isMention(s string) bool {
	return (strings.HasPrefix(s, "<@") && strings.HasSuffix(s, ">")) || (strings.HasPrefix(s, "@") && len(s) > 1)
}

// MentionID returns the id of an escaped mention (<@U123> or <@U123|name>),
// or "" for a plain @name that needs looking up.
func MentionID(s string) string {
	if !strings.HasPrefix(s, "<@") || !strings.HasSuffix(s, ">") {
		return ""
	}
	id, _, _ := strings.Cut(s[2:len(s)-1], "|")
	if !decode.ValidUserID(id) {
		return ""
	}
	return id
}

// channelID reads <#C123|name> or <#C123>.
func channelID(s string) (string, bool) {
	if !strings.HasPrefix(s, "<#") || !strings.HasSuffix(s, ">") {
		return "", false
	}
	id, _, _ := strings.Cut(s[2:len(s)-1], "|")
	if len(id) < 2 || (id[0] != 'C' && id[0] != 'G') {
		return "", false
	}
	for _, c := range id[1:] {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return "", false
		}
	}
	return id, true
}

func parseTeam(c Command, args []string) (Command, error) {
	if len(args) == 0 {
		return c, bad("team", "What should I do with the team?")
	}
	c.Sub = strings.ToLower(args[0])
	rest := args[1:]
	for i, a := range rest {
		if c.Sub == "channel" && i == 1 {
			continue
		}
		if !isMention(a) {
			return c, bad("team", "`%s` is not an @mention.", clip(a))
		}
	}
	switch c.Sub {
	case "set":
		if len(rest) < 2 {
			return c, bad("team", "Name the manager and at least one report.")
		}
	case "add":
		if len(rest) != 2 {
			return c, bad("team", "Name the manager and the report to add.")
		}
	case "remove":
		if len(rest) != 1 && len(rest) != 2 {
			return c, bad("team", "Name the manager, and the report to remove (or no report to remove the whole team).")
		}
	case "channel":
		if len(rest) != 2 {
			return c, bad("team", "Name the manager and the channel.")
		}
		id, ok := channelID(rest[1])
		if !ok {
			return c, bad("team", "`%s` is not a #channel.", clip(rest[1]))
		}
		c.Channel = id
		rest = rest[:1]
	default:
		return c, bad("team", "`team %s` is not a team command.", clip(c.Sub))
	}
	c.Mentions = rest
	return c, nil
}

func parseHoursCommand(c Command, args []string) (Command, error) {
	switch {
	case len(args) == 0:
		c.Sub = "show"
		return c, nil
	case len(args) == 1 && strings.EqualFold(args[0], "reset"):
		c.Sub = "reset"
		return c, nil
	}
	span := args[0]
	dayArgs := args[1:]
	start, end, ok := strings.Cut(span, "-")
	if !ok {
		return c, bad("hours", "Give a time range like 08:30-17:30.")
	}
	s, ok := signals.ParseClock(start)
	if !ok {
		return c, bad("hours", "`%s` isn't a time of day.", clip(start))
	}
	e, ok := signals.ParseClock(end)
	if !ok {
		return c, bad("hours", "`%s` isn't a time of day.", clip(end))
	}
	if e <= s {
		return c, bad("hours", "The end (%s) must be after the start (%s).", clip(end), clip(start))
	}
	days := [7]bool{false, true, true, true, true, true, false}
	if len(dayArgs) > 0 {
		d, err := signals.ParseDays(strings.Join(dayArgs, ","))
		var de *signals.DaysError
		switch {
		case errors.As(err, &de) && de.Word != "":
			return c, bad("hours", "`%s` isn't a day (mon, tue, … sun).", clip(de.Word))
		case err != nil:
			return c, bad("hours", "Name at least one day.")
		}
		days = d
	}
	c.Sub = "set"
	c.Hours = signals.Hours{Start: s, End: e, Days: days}
	return c, nil
}

func parsePause(c Command, args []string) (Command, error) {
	if len(args) == 0 {
		return c, bad("pause", "For how long?")
	}
	if strings.EqualFold(args[0], "until") {
		if len(args) != 2 {
			return c, bad("pause", "Give a date like 2026-12-24.")
		}
		d, err := time.Parse("2006-01-02", args[1])
		if err != nil {
			return c, bad("pause", "`%s` isn't a date like 2026-12-24.", clip(args[1]))
		}
		c.Until = d
		return c, nil
	}
	spec := strings.ToLower(strings.Join(args, ""))
	unit := strings.TrimLeft(spec, "0123456789")
	n, err := strconv.Atoi(strings.TrimSuffix(spec, unit))
	if err != nil || n <= 0 {
		return c, bad("pause", "`%s` isn't a length of time.", clip(strings.Join(args, " ")))
	}
	switch unit {
	case "d", "day", "days":
		c.For = time.Duration(n) * 24 * time.Hour
	case "w", "wk", "week", "weeks":
		c.For = time.Duration(n) * 7 * 24 * time.Hour
	default:
		return c, bad("pause", "`%s` isn't a length of time I know (days or weeks).", clip(strings.Join(args, " ")))
	}
	if c.For > 52*7*24*time.Hour {
		return c, bad("pause", "That's more than a year; /coach optout may be what you want.")
	}
	return c, nil
}
