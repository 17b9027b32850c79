package bot

import (
	"context"
	"strings"

	"coach/norms"
)

// who says who may run a command.
type who int

const (
	// anyone may run it, even someone coach doesn't know (yet): help and
	// the ways out of coach.
	anyone who = iota
	// people coach knows may run it: the people of the workspace.
	people
	// admins only: Slack workspace admins and owners, and coach admins
	// listed in config.
	admins
)

// commandDef is one /coach command, in the manner of shomali11/slacker's
// CommandDefinition: its name, who may run it, how it is written, how its
// arguments are read and what it does. Help and usage are made from these,
// so a new command is one more entry in commands.
type commandDef struct {
	Name  string
	Who   who
	Usage string // one line, shown after bad input: "/coach pause 2w, or …"
	// Help is the command's line in /coach help, or its part of the admins'
	// line. A command that shares another's line (resume, in pause's) has
	// none, and that line names it.
	Help string
	// Offered, if set, says whether help shows the line to user.
	Offered func(s *Server, user string) bool
	// Parse reads the words after the name; rest is the text after the
	// name as typed, for commands that read it whole (schedule). nil: the
	// command takes no arguments.
	Parse func(c Command, args []string, rest string) (Command, error)
	Run   func(s *Server, ctx context.Context, user string, c Command) Reply
}

// commands is every /coach command, in the order help lists them. It is
// filled in init because help, one of its commands, reads it.
var commands []commandDef

func init() {
	commands = []commandDef{
		{Name: "help", Who: anyone, Usage: "/coach help",
			Run: func(s *Server, ctx context.Context, user string, _ Command) Reply { return s.help(ctx, user) }},
		{Name: "me", Who: people, Usage: "/coach me",
			Help: "`/coach me` — what coach holds about you, and your insights",
			Run:  func(s *Server, ctx context.Context, user string, _ Command) Reply { return s.me(ctx, user) }},
		{Name: "connect", Who: people, Usage: "/coach connect",
			Help:    "`/coach connect`, `/coach disconnect` — let coach count your DMs and group DMs with your reports (never the text), or stop it",
			Offered: func(s *Server, user string) bool { return s.cfg.Connect != nil && s.Org().IsManager(user) },
			Run:     func(s *Server, ctx context.Context, user string, _ Command) Reply { return s.connectReply(ctx, user) }},
		{Name: "disconnect", Who: anyone, Usage: "/coach disconnect",
			Run: func(s *Server, ctx context.Context, user string, _ Command) Reply {
				return s.disconnectCommand(ctx, user)
			}},
		{Name: "hours", Who: people, Usage: "/coach hours 08:30-17:30 mon-fri (or /coach hours reset)",
			Help:  "`/coach hours 08:30-17:30 mon-fri` — your working hours (`/coach hours reset` for the default)",
			Parse: func(c Command, args []string, _ string) (Command, error) { return parseHoursCommand(c, args) },
			Run:   func(s *Server, _ context.Context, user string, c Command) Reply { return s.hoursCommand(user, c) }},
		{Name: "pause", Who: people, Usage: "/coach pause 2w, or /coach pause until 2026-12-24",
			Help:  "`/coach pause 2w` or `/coach pause until 2026-12-24`, `/coach resume` — pause your digests",
			Parse: func(c Command, args []string, _ string) (Command, error) { return parsePause(c, args) },
			Run:   func(s *Server, _ context.Context, user string, c Command) Reply { return s.pause(user, c) }},
		{Name: "resume", Who: people, Usage: "/coach resume",
			Run: func(s *Server, _ context.Context, user string, _ Command) Reply { return s.resume(user) }},
		{Name: "share", Who: people, Usage: "/coach share message_hours|response_time|check_ins",
			Help:  "`/coach share message_hours|response_time|check_ins` — ask your team to agree a norm",
			Parse: parseShare,
			Run: func(s *Server, ctx context.Context, user string, c Command) Reply {
				return s.share(ctx, user, norms.Kind(c.Kind))
			}},
		{Name: "norms", Who: people, Usage: "/coach norms, or /coach norms reset message_hours|response_time|check_ins|all",
			Help:  "`/coach norms` — your team's agreed norms (`/coach norms reset …`)",
			Parse: parseNorms,
			Run:   func(s *Server, _ context.Context, user string, c Command) Reply { return s.normsCommand(user, c) }},
		{Name: "export", Who: people, Usage: "/coach export",
			Help: "`/coach export` — a file of everything coach holds about you",
			Run:  func(s *Server, ctx context.Context, user string, _ Command) Reply { return s.exportCommand(ctx, user) }},
		{Name: "forget", Who: anyone, Usage: "/coach forget",
			Help: "`/coach forget` — delete everything coach holds about you",
			Run:  func(_ *Server, _ context.Context, user string, _ Command) Reply { return forgetConfirm(user) }},
		{Name: "optout", Who: anyone, Usage: "/coach optout",
			Help: "`/coach optout`, `/coach optin` — stop or restart being measured",
			Run:  func(s *Server, ctx context.Context, user string, _ Command) Reply { return s.optOut(ctx, user) }},
		{Name: "optin", Who: anyone, Usage: "/coach optin",
			Run: func(s *Server, ctx context.Context, user string, _ Command) Reply { return s.optIn(ctx, user) }},
		{Name: "team", Who: admins, Usage: "/coach team set @manager @report…, /coach team add|remove @manager @report, /coach team remove @manager, /coach team channel @manager #channel",
			Help:  "`/coach team set @manager @report…`, `/coach team add|remove @manager @report`, `/coach team channel @manager #channel`",
			Parse: func(c Command, args []string, _ string) (Command, error) { return parseTeam(c, args) },
			Run:   func(s *Server, ctx context.Context, _ string, c Command) Reply { return s.teamCommand(ctx, c) }},
		{Name: "teams", Who: admins, Usage: "/coach teams, or /coach teams @manager",
			Help:  "`/coach teams`, `/coach teams @manager`",
			Parse: parseTeams,
			Run:   func(s *Server, _ context.Context, _ string, c Command) Reply { return s.teamsCommand(c) }},
		{Name: "stats", Who: admins, Usage: "/coach stats",
			Help: "`/coach stats`",
			Run:  func(s *Server, _ context.Context, _ string, _ Command) Reply { return s.stats() }},
		{Name: "nudge", Who: admins, Usage: "/coach nudge @manager",
			Help:  "`/coach nudge @manager`",
			Parse: parseNudge,
			Run:   func(s *Server, ctx context.Context, _ string, c Command) Reply { return s.nudgeCommand(ctx, c) }},
		{Name: "schedule", Who: admins, Usage: "/coach schedule \"0 9 * * MON\"",
			Help:  "`/coach schedule \"0 9 * * MON\"`",
			Parse: parseSchedule,
			Run:   func(s *Server, _ context.Context, _ string, c Command) Reply { return s.scheduleCommand(c) }},
		{Name: "pulse", Who: admins, Usage: "/coach pulse on|off",
			Help:  "`/coach pulse on|off`",
			Parse: parsePulse,
			Run:   func(s *Server, _ context.Context, _ string, c Command) Reply { return s.pulseCommand(c) }},
	}
}

// commandNamed is the definition of the command called name.
func commandNamed(name string) (*commandDef, bool) {
	for i := range commands {
		if commands[i].Name == name {
			return &commands[i], true
		}
	}
	return nil, false
}

// usage is the one-line usage of the command called name, "" for none.
func usage(name string) string {
	if d, ok := commandNamed(name); ok {
		return d.Usage
	}
	return ""
}

// help is /coach help: a line for each command user may run and is
// offered, in the table's order; admins get theirs on one more line.
func (s *Server) help(ctx context.Context, user string) Reply {
	lines := []string{"*coach* helps managers build trust with their teams, from counts of who messages whom and when — never the text."}
	var admin []string
	for _, d := range commands {
		if d.Help == "" || d.Offered != nil && !d.Offered(s, user) {
			continue
		}
		if d.Who == admins {
			admin = append(admin, d.Help)
			continue
		}
		lines = append(lines, "• "+d.Help)
	}
	text := strings.Join(lines, "\n")
	if len(admin) > 0 && s.isAdmin(ctx, user) {
		text += "\n*Admin:* " + strings.Join(admin, ", ")
	}
	return Reply{Text: text}
}

// run checks that user may run the command d defines, then runs c.
func (s *Server) run(ctx context.Context, user string, d *commandDef, c Command) Reply {
	if d.Who != anyone {
		if _, known := s.Org().People[user]; !known {
			if out, err := s.db.IsOptedOut(user); err == nil && out {
				return say("You're opted out, so coach holds nothing about you and records nothing. `/coach optin` brings you back.")
			}
			return say("Sorry, I don't know you yet: coach works with the people of this workspace. Try again in a minute.")
		}
	}
	if d.Who == admins && !s.isAdmin(ctx, user) {
		return say("Sorry, `/coach %s` is for workspace admins (or people listed as coach admins). `/coach help` shows what you can do.", d.Name)
	}
	return d.Run(s, ctx, user, c)
}
