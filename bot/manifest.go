package bot

import (
	"sort"
	"strconv"
	"strings"
)

// MethodScopes are the Web API methods coach calls and the bot scopes each
// needs. The manifest asks for exactly these scopes (and those of the
// events below), and a test checks this table against the calls in the
// code, so the two cannot drift.
var MethodScopes = map[string][]string{
	"auth.test":                    nil,
	"apps.connections.open":        nil, // the app-level token's connections:write
	"users.list":                   {"users:read", "users:read.email"},
	"team.profile.get":             {"users.profile:read"},
	"users.profile.get":            {"users.profile:read"},
	"users.info":                   {"users:read"},
	"conversations.members":        {"channels:read", "groups:read", "im:read", "mpim:read"},
	"conversations.open":           {"im:write", "mpim:write"},
	"conversations.history":        {"im:history"},                                         // finding a digest in a manager's DM after a restart
	"conversations.replies":        {"channels:history", "groups:history", "mpim:history"}, // finding a norm result in a prompt's thread
	"chat.postMessage":             {"chat:write"},
	"chat.postEphemeral":           {"chat:write"},
	"chat.update":                  {"chat:write"},
	"reactions.add":                {"reactions:write"},
	"views.publish":                nil,
	"views.open":                   nil,
	"files.getUploadURLExternal":   {"files:write"},
	"files.completeUploadExternal": {"files:write"},
}

// EventScopes are the bot events coach subscribes to and the scopes each
// needs. The Decoder handles exactly these.
var EventScopes = map[string][]string{
	"message.channels": {"channels:history"},
	"message.groups":   {"groups:history"},
	"message.im":       {"im:history"},
	"message.mpim":     {"mpim:history"},
	"reaction_added":   {"reactions:read"},
	"reaction_removed": {"reactions:read"},
	"user_change":      {"users:read"},
	"team_join":        {"users:read"},
	"app_home_opened":  nil,
	"tokens_revoked":   nil, // a manager's user token revoked in Slack: they are disconnected
}

// UserScopes are the user-token scopes a manager grants when they connect
// their DMs (package connect asks for exactly connect.UserScopes), and what
// each is for.
var UserScopes = map[string]string{
	"im:history":   "the manager's DMs with their reports (user events and the read back)",
	"mpim:history": "the manager's group DMs with their reports",
	"im:read":      "listing the manager's DMs and who is in each",
	"mpim:read":    "listing the manager's group DMs and who is in each",
}

// UserEvents are the user events coach subscribes to: a connected manager's
// DMs and group DMs, delivered over the same Socket Mode link.
var UserEvents = []string{"message.im", "message.mpim"}

// ScopeUses says what breaks without each scope, for `coach check`.
var ScopeUses = map[string]string{
	"users:read":       "the user directory and time zones (users.list, user_change, team_join)",
	"channels:read":    "knowing who is in a conversation",
	"groups:read":      "knowing who is in a private channel",
	"im:read":          "knowing who is in a DM",
	"mpim:read":        "knowing who is in a group DM",
	"im:write":         "DMing digests, notices and exports",
	"mpim:write":       "posting norm prompts to a team's group DM",
	"im:history":       "DM message events, and finding a digest after a restart (exactly-once delivery)",
	"channels:history": "public channel message events, and norm results in prompt threads",
	"groups:history":   "private channel message events",
	"mpim:history":     "group DM message events, and norm results in group DM threads",
	"chat:write":       "sending digests, hints, prompts and replies",
	"reactions:write":  "adding the options to a norm prompt",
	"reactions:read":   "reaction events: recognition and norm votes",
	"files:write":      "/coach export",
	"commands":         "the /coach command",

	// The org chart (package orgsync).
	"users:read.email":   "finding the people of an HR export in Slack by email (coach teams import, teams_from: csv)",
	"users.profile:read": "reading the manager profile field (teams_from: slack_profile)",
}

// Scopes is every bot scope coach needs, sorted.
func Scopes() []string {
	set := map[string]bool{"commands": true}
	for _, ss := range MethodScopes {
		for _, s := range ss {
			set[s] = true
		}
	}
	for _, ss := range EventScopes {
		for _, s := range ss {
			set[s] = true
		}
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// Events is every bot event coach subscribes to, sorted.
func Events() []string {
	out := make([]string, 0, len(EventScopes))
	for e := range EventScopes {
		out = append(out, e)
	}
	sort.Strings(out)
	return out
}

// sortedUserScopes is UserScopes' names, sorted.
func sortedUserScopes() []string {
	out := make([]string, 0, len(UserScopes))
	for s := range UserScopes {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// Manifest is the Slack app manifest (YAML) that creates coach in one
// paste: Socket Mode, the App Home tab with messages, the bot user, /coach,
// interactivity, and exactly the events and scopes coach uses, with the
// user scopes and events of Connect. redirectURL is Connect's callback
// (<connect.public_url>/connect/callback); "" leaves redirect_urls out, with
// a comment saying how to add it.
func Manifest(redirectURL string) string {
	var b strings.Builder
	b.WriteString(`display_information:
  name: coach
  description: Coaches managers towards the habits that build trust with their teams.
  long_description: coach counts who messages whom and when (never the text) and DMs each manager one or two conversation starters a week. Managers can ask their team to agree on norms, like when work messages are OK. Everyone can see, export or delete what coach holds about them, or opt out.
  background_color: "#2c5f2d"
features:
  app_home:
    home_tab_enabled: true
    messages_tab_enabled: true
    messages_tab_read_only_enabled: false
  bot_user:
    display_name: coach
    always_online: true
  slash_commands:
    - command: /coach
      description: Your coaching, your data, your team's norms
      usage_hint: help | me | connect | hours 08:30-17:30 mon-fri | pause 2w | share message_hours | export | forget
      should_escape: true
oauth_config:
`)
	if redirectURL != "" {
		b.WriteString("  redirect_urls:\n    - " + strconv.Quote(redirectURL) + "\n")
	} else {
		b.WriteString("  # redirect_urls: set connect.public_url in the config and run coach manifest again\n")
	}
	b.WriteString(`  scopes:
    bot:
`)
	for _, s := range Scopes() {
		b.WriteString("      - " + s + "\n")
	}
	b.WriteString("    user:\n")
	for _, s := range sortedUserScopes() {
		b.WriteString("      - " + s + "\n")
	}
	b.WriteString(`settings:
  event_subscriptions:
    bot_events:
`)
	for _, e := range Events() {
		b.WriteString("      - " + e + "\n")
	}
	b.WriteString("    user_events:\n")
	for _, e := range UserEvents {
		b.WriteString("      - " + e + "\n")
	}
	b.WriteString(`  interactivity:
    is_enabled: true
  org_deploy_enabled: false
  socket_mode_enabled: true
  token_rotation_enabled: false
`)
	return b.String()
}
