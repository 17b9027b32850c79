package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Each rule, broken in a small file, gives exactly this error: file, line, key path, why.
func TestParseRejects(t *testing.T) {
	for _, tt := range []struct {
		name, yaml, want string
	}{
		// slack
		{"api_url empty", `slack: {api_url: ""}`,
			`config:1: slack.api_url: is empty (want an absolute http(s) URL such as https://slack.com/api/)`},
		{"api_url relative", "slack:\n  api_url: slack.com/api\n",
			`config:2: slack.api_url: "slack.com/api/" is not an absolute http(s) URL (want e.g. https://slack.com/api/)`},
		{"api_url not http", "slack:\n  api_url: ftp://slack.com/api/\n",
			`config:2: slack.api_url: "ftp://slack.com/api/" is not an absolute http(s) URL (want e.g. https://slack.com/api/)`},
		{"api_url with password", "slack:\n  api_url: https://me:hunter2@slack.example/api/\n",
			`config:2: slack.api_url: "https://me:xxxxx@slack.example/api/" holds a user or password (keep credentials out of the URL)`},
		{"api_url with query", "slack:\n  api_url: https://slack.example/api/?x=1\n",
			`config:2: slack.api_url: "https://slack.example/api/?x=1/" has a query or fragment (want a base URL that method names are appended to)`},
		{"store path empty", "store:\n  path: ''\n",
			`config:2: store.path: is empty (want the database file, e.g. /var/lib/coach/coach.db)`},

		// top level
		{"retention zero", "retention_days: 0\n", `config:1: retention_days: 0 is out of range (want 1..3650)`},
		{"retention too long", "retention_days: 3651\n", `config:1: retention_days: 3651 is out of range (want 1..3650)`},
		{"consent", "consent: always\n", `config:1: consent: "always" is not a consent mode (want opt_out or opt_in)`},
		{"timezone unknown", "timezone: Mars/Olympus\n",
			`config:1: timezone: "Mars/Olympus" is not a time zone this system knows (want an IANA zone such as Europe/Berlin, or UTC)`},
		{"timezone empty", "timezone: ''\n",
			`config:1: timezone: is empty (want an IANA zone such as Europe/Berlin, or UTC)`},
		{"timezone Local", "timezone: Local\n",
			`config:1: timezone: "Local" depends on the server (want an IANA zone such as Europe/Berlin, or UTC)`},

		// working_hours
		{"start not a time", "working_hours:\n  start: \"25:00\"\n",
			`config:2: working_hours.start: "25:00" is not a time of day (want HH:MM)`},
		{"start a number", "working_hours:\n  start: 9\n",
			`config:2: working_hours.start: "9" is not a time of day (want HH:MM)`},
		{"start a list", "working_hours:\n  start: [9]\n",
			`config:2: working_hours.start: want a time of day like 09:00`},
		{"end not after start", "working_hours:\n  start: \"09:00\"\n  end: \"09:00\"\n",
			`config:3: working_hours.end: "09:00" is not after start "09:00"`},
		{"end before default start", "working_hours:\n  end: \"08:00\"\n",
			`config:2: working_hours.end: "08:00" is not after start "09:00"`},
		{"start after default end, end from parent", "working_hours:\n  start: \"19:00\"\n",
			`config:1: working_hours.end: "18:00" is not after start "19:00"`},
		{"day unknown", "working_hours:\n  days: [mon, funday]\n",
			`config:2: working_hours.days: "funday" is not a day (want mon, tue, wed, thu, fri, sat or sun)`},
		{"day unknown, block list", "working_hours:\n  days:\n    - mon\n    - funday\n",
			`config:4: working_hours.days[1]: "funday" is not a day (want mon, tue, wed, thu, fri, sat or sun)`},
		{"days not a list", "working_hours:\n  days: mon\n",
			`config:2: working_hours.days: want a list of days like [mon, tue, wed, thu, fri]`},
		{"days empty", "working_hours:\n  days: []\n",
			`config:2: working_hours.days: is empty (want at least one day, e.g. [mon, tue, wed, thu, fri])`},
		{"days null", "working_hours:\n  days:\n",
			`config:2: working_hours.days: is empty (want at least one day, e.g. [mon, tue, wed, thu, fri])`},
		{"day twice", "working_hours:\n  days:\n    - mon\n    - Monday\n",
			`config:4: working_hours.days[1]: "mon" is listed twice`},

		// teams
		{"manager not a user id", "teams:\n  - manager: alice\n    reports: [U0AAA]\n",
			`config:2: teams[0].manager: "alice" is not a Slack user id (want U… or W…)`},
		{"manager missing", "teams:\n  - reports: [U0AAA]\n",
			`config:2: teams[0].manager: is missing (want the manager's Slack user id, e.g. U0123ABCD)`},
		{"report not a user id", "teams:\n  - manager: U0MGR\n    reports: [U0AAA]\n  - manager: U0MGS\n    reports:\n      - bob\n",
			`config:6: teams[1].reports[0]: "bob" is not a Slack user id (want U… or W…)`},
		{"reports missing", "teams:\n  - manager: U0MGR\n",
			`config:2: teams[0].reports: is empty (want the Slack user ids of the people who report to "U0MGR")`},
		{"manager reports to self", "teams:\n  - manager: U0MGR\n    reports: [U0AAA, U0MGR]\n",
			`config:3: teams[0].reports[1]: U0MGR is the team's own manager (a manager cannot report to themselves)`},
		{"report under two managers", "teams:\n  - manager: U0MGR\n    reports: [U0AAA]\n  - manager: W0MGS\n    reports:\n      - U0BBB\n      - U0AAA\n",
			`config:7: teams[1].reports[1]: U0AAA reports to both U0MGR and W0MGS (a report has one manager)`},
		{"report twice in a team", "teams:\n  - manager: U0MGR\n    reports: [U0AAA, U0AAA]\n",
			`config:3: teams[0].reports[1]: U0AAA is listed twice under manager U0MGR`},
		{"manager twice", "teams:\n  - manager: U0MGR\n    reports: [U0AAA]\n  - manager: U0MGR\n    reports: [U0BBB]\n",
			`config:4: teams[1].manager: U0MGR already has a team at teams[0] (list each manager once)`},
		{"channel not an id", "teams:\n  - manager: U0MGR\n    reports: [U0AAA]\n    channel: '#general'\n",
			`config:4: teams[0].channel: "#general" is not a Slack channel id (want C… or G…)`},
		{"admin not a user id", "admins: [U0ADMIN, root]\n",
			`config:1: admins[1]: "root" is not a Slack user id (want U… or W…)`},

		// log, metrics
		{"log level", "log:\n  level: loud\n", `config:2: log.level: "loud" is not a log level (want debug, info, warn or error)`},
		{"log format", "log:\n  format: xml\n", `config:2: log.format: "xml" is not a log format (want auto, json or console)`},
		{"metrics no port", "metrics:\n  addr: localhost\n",
			`config:2: metrics.addr: "localhost" is not host:port (want e.g. 127.0.0.1:9091, or "" to turn metrics off)`},
		{"metrics bad port", "metrics:\n  addr: ':99999'\n",
			`config:2: metrics.addr: ":99999" is not host:port (want e.g. 127.0.0.1:9091, or "" to turn metrics off)`},

		// signals
		{"count zero", "signals:\n  after_hours_min_count: 0\n",
			`config:2: signals.after_hours_min_count: 0 is out of range (want at least 1)`},
		{"share above 1", "signals:\n  after_hours_min_share: 10\n",
			`config:2: signals.after_hours_min_share: 10 is out of range (want a fraction 0..1, e.g. 0.10 for 10%)`},
		{"share negative", "signals:\n  listening_min_share: -0.1\n",
			`config:2: signals.listening_min_share: -0.1 is out of range (want a fraction 0..1, e.g. 0.10 for 10%)`},
		{"share NaN", "signals:\n  team_after_hours_min_share: .nan\n",
			`config:2: signals.team_after_hours_min_share: NaN is out of range (want a fraction 0..1, e.g. 0.10 for 10%)`},
		{"fraction above 1", "signals:\n  attention_min_fraction: 1.5\n",
			`config:2: signals.attention_min_fraction: 1.5 is out of range (want a fraction 0..1, e.g. 0.10 for 10%)`},
		{"late hour", "signals:\n  late_hour: 24\n", `config:2: signals.late_hour: 24 is out of range (want 0..23)`},
		{"median hours zero", "signals:\n  response_median_hours: 0\n",
			`config:2: signals.response_median_hours: 0 is out of range (want more than 0 and at most 1000 working hours)`},
		{"median hours infinite", "signals:\n  response_median_hours: .inf\n",
			`config:2: signals.response_median_hours: +Inf is out of range (want more than 0 and at most 1000 working hours)`},
		{"open waits zero", "signals:\n  response_open_waits: 0\n",
			`config:2: signals.response_open_waits: 0 is out of range (want at least 1)`},
		{"open days zero", "signals:\n  response_open_days: 0\n",
			`config:2: signals.response_open_days: 0 is out of range (want 1..3650)`},
		{"contact gap zero", "signals:\n  contact_gap_days: 0\n",
			`config:2: signals.contact_gap_days: 0 is out of range (want at least 1)`},
		{"messages zero", "signals:\n  listening_min_messages: 0\n",
			`config:2: signals.listening_min_messages: 0 is out of range (want at least 1)`},
		{"chase zero", "signals:\n  status_chase_per_report: 0\n  status_chase_total: -1\n",
			"config:2: signals.status_chase_per_report: 0 is out of range (want at least 1)\n" +
				"config:3: signals.status_chase_total: -1 is out of range (want at least 1)"},
		{"window longer than retention", "signals:\n  recognition_days: 40\n",
			`config:2: signals.recognition_days: 40 is longer than retention_days (35), so the data would be deleted before the window closes`},
		{"retention shorter than default windows", "retention_days: 20\n",
			"config:1: signals.attention_days: 28 is longer than retention_days (20), so the data would be deleted before the window closes\n" +
				"config:1: signals.recognition_days: 30 is longer than retention_days (20), so the data would be deleted before the window closes"},

		// lexicon
		{"lexicon list empty", "lexicon:\n  question_words: []\n",
			`config:2: lexicon.question_words: is empty (want at least one entry)`},
		{"lexicon entry empty", "lexicon:\n  recognition_phrases: [thanks, '  ']\n",
			`config:2: lexicon.recognition_phrases[1]: is empty`},

		// nudges
		{"schedule not cron", "nudges:\n  schedule: every monday\n",
			`config:2: nudges.schedule: "every monday" is not a cron schedule: expected exactly 5 fields, found 2: [every monday] (want 5 fields: minute hour day-of-month month day-of-week, e.g. "0 9 * * MON")`},
		{"schedule with seconds", "nudges:\n  schedule: 0 0 9 * * MON\n",
			`config:2: nudges.schedule: "0 0 9 * * MON" is not a cron schedule: expected exactly 5 fields, found 6: [0 0 9 * * MON] (want 5 fields: minute hour day-of-month month day-of-week, e.g. "0 9 * * MON")`},
		{"schedule with time zone", "nudges:\n  schedule: TZ=Europe/Berlin 0 9 * * MON\n",
			`config:2: nudges.schedule: "TZ=Europe/Berlin 0 9 * * MON" names a time zone, but the schedule runs in each manager's own (remove the TZ= part)`},
		{"schedule time zone without space", "nudges:\n  schedule: CRON_TZ=UTC\n",
			`config:2: nudges.schedule: "CRON_TZ=UTC" names a time zone, but the schedule runs in each manager's own (remove the TZ= part)`},
		{"schedule @every", "nudges:\n  schedule: '@every 1h'\n",
			`config:2: nudges.schedule: "@every 1h" is an interval, not a time of the week (want 5 fields: minute hour day-of-month month day-of-week, e.g. "0 9 * * MON")`},
		{"schedule never fires", "nudges:\n  schedule: 0 9 30 2 *\n",
			`config:2: nudges.schedule: "0 9 30 2 *" never fires`},
		{"max per digest", "nudges:\n  max_per_digest: 0\n", `config:2: nudges.max_per_digest: 0 is out of range (want 1..10)`},
		{"not for me weeks", "nudges:\n  not_for_me_weeks: 0\n", `config:2: nudges.not_for_me_weeks: 0 is out of range (want 1..520)`},
		{"snooze weeks", "nudges:\n  snooze_weeks: 521\n", `config:2: nudges.snooze_weeks: 521 is out of range (want 1..520)`},

		// norms
		{"close_after no unit", "norms:\n  close_after: 48\n",
			`config:2: norms.close_after: "48" is not a duration (want a number with a unit, like 48h or 90m)`},
		{"close_after too short", "norms:\n  close_after: 30s\n", `config:2: norms.close_after: 30s is out of range (want 1m..720h)`},
		{"close_after negative", "norms:\n  close_after: -1h\n", `config:2: norms.close_after: -1h is out of range (want 1m..720h)`},
		{"close_after a map", "norms:\n  close_after: {h: 1}\n", `config:2: norms.close_after: want a duration like 48h`},
		{"min votes", "norms:\n  min_votes: 0\n", `config:2: norms.min_votes: 0 is out of range (want at least 1)`},
		{"recheck weeks", "norms:\n  recheck_weeks: 0\n", `config:2: norms.recheck_weeks: 0 is out of range (want 1..520)`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.yaml), nil)
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, nil; want error\n%s", tt.yaml, c, tt.want)
			}
			if c != nil {
				t.Errorf("Parse(%q) returned a Config with its error", tt.yaml)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("Parse(%q) error\ngot  %s\nwant %s", tt.yaml, got, tt.want)
			}
		})
	}
}

// Errors from the YAML itself: syntax, types, unknown keys, the shape of the file.
func TestParseRejectsYAML(t *testing.T) {
	for _, tt := range []struct {
		name, yaml, want string
	}{
		{"unknown top-level key", "retention_days: 30\nretention: 30\n",
			`config:2: retention: unknown key (want one of slack, store, retention_days, consent, timezone, working_hours, teams, teams_from, admins, log, metrics, connect, signals, lexicon, nudges, norms, pulse, memory_limit_mb)`},
		{"unknown nested key", "slack:\n  api_url: https://slack.com/api/\n  tokens: x\n",
			`config:3: slack.tokens: unknown key (want one of api_url, token_file)`},
		{"unknown key in a team", "teams:\n  - manager: U0MGR\n    reports: [U0AAA]\n    channnel: C0X\n",
			`config:4: teams[0].channnel: unknown key (want one of manager, reports, channel, scheduled_prompts)`},
		{"tokens are not keys", "bot_token: abc\n",
			`config:1: bot_token: unknown key (want one of slack, store, retention_days, consent, timezone, working_hours, teams, teams_from, admins, log, metrics, connect, signals, lexicon, nudges, norms, pulse, memory_limit_mb)`},
		{"wrong type", "retention_days: thirty\n",
			"config:1: retention_days: cannot unmarshal !!str `thirty` into int"},
		{"wrong type in a list", "teams:\n  - manager: U0MGR\n    reports: U0AAA\n",
			"config:3: teams[0].reports: cannot unmarshal !!str `U0AAA` into []string"},
		{"several wrong types, all reported", "retention_days: x\nnudges:\n  hints: maybe\n",
			"config:1: retention_days: cannot unmarshal !!str `x` into int\n" +
				"config:3: nudges.hints: cannot unmarshal !!str `maybe` into bool"},
		{"duplicate key", "log:\n  level: info\n  level: debug\n",
			`config:3: log.level: mapping key "level" already defined at line 2`},
		{"tab indent", "slack:\n\tapi_url: https://slack.com/api/\n",
			`config:2: found character that cannot start any token (indent with spaces, not tabs)`},
		{"unclosed quote", "timezone: \"UTC\nlog:\n  level: info\n",
			`config:4: found unexpected end of stream`},
		{"unclosed flow list", "admins: [U0ADMIN\n",
			`config:1: did not find expected ',' or ']'`},
		{"not a mapping", "- slack\n- teams\n",
			`config:1: want a mapping of keys such as slack: and teams: (see config.example.yaml)`},
		{"a scalar", "hello\n",
			`config:1: want a mapping of keys such as slack: and teams: (see config.example.yaml)`},
		{"two documents", "retention_days: 30\n---\nretention_days: 31\n",
			`config:2: more than one YAML document (a config file holds one)`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml), nil)
			if err == nil {
				t.Fatalf("Parse(%q) error = nil, want\n%s", tt.yaml, tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("Parse(%q) error\ngot  %s\nwant %s", tt.yaml, got, tt.want)
			}
		})
	}
}

// All problems come back at once, in file order, so the file is fixed in one pass.
func TestParseReportsEveryProblem(t *testing.T) {
	_, err := Parse([]byte(`
log:
  level: loud
retention_days: 0
teams:
  - manager: bob
    reports: [U0AAA]
working_hours:
  start: "10:00"
  end: "09:00"
`), nil)
	want := strings.Join([]string{
		`config:3: log.level: "loud" is not a log level (want debug, info, warn or error)`,
		`config:4: retention_days: 0 is out of range (want 1..3650)`,
		`config:6: teams[0].manager: "bob" is not a Slack user id (want U… or W…)`,
		`config:10: working_hours.end: "09:00" is not after start "10:00"`,
	}, "\n")
	if err == nil || err.Error() != want {
		t.Errorf("Parse error\ngot\n%v\nwant\n%s", err, want)
	}
}

// Values that do not decode (unknown keys, wrong types, bad days) and the rules that the rest
// of the file breaks come back in one run, in file order. A list item that did not decode
// keeps its place, so the items after it are named by their own index and line.
func TestLoadReportsDecodeAndRuleProblemsTogether(t *testing.T) {
	path := filepath.Join(t.TempDir(), "coach.yaml")
	file := `retention_days: thirty
consent: always
timezone: Mars/Olympus
working_hours:
  start: "09:00"
  end: "08:00"
  days: [mon, funday]
teams:
  - just a name
  - manager: U0MGR
    reports: [U0AAA, bob]
    channnel: C0X
  - manager: [U0MGS]
    reports: [U0BBB]
admins: [U0ADMIN, root]
log:
  level: loud
  levle: debug
nudges:
  hints: maybe
  max_per_digest: 0
`
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path, nil)
	want := strings.Join([]string{
		path + `:1: retention_days: cannot unmarshal !!str ` + "`thirty`" + ` into int`,
		path + `:2: consent: "always" is not a consent mode (want opt_out or opt_in)`,
		path + `:3: timezone: "Mars/Olympus" is not a time zone this system knows (want an IANA zone such as Europe/Berlin, or UTC)`,
		path + `:6: working_hours.end: "08:00" is not after start "09:00"`,
		path + `:7: working_hours.days: "funday" is not a day (want mon, tue, wed, thu, fri, sat or sun)`,
		path + `:9: teams[0]: cannot unmarshal !!str ` + "`just a ...`" + ` into config.Team`,
		path + `:11: teams[1].reports[1]: "bob" is not a Slack user id (want U… or W…)`,
		path + `:12: teams[1].channnel: unknown key (want one of manager, reports, channel, scheduled_prompts)`,
		path + `:13: teams[2].manager: cannot unmarshal !!seq into string`,
		path + `:15: admins[1]: "root" is not a Slack user id (want U… or W…)`,
		path + `:17: log.level: "loud" is not a log level (want debug, info, warn or error)`,
		path + `:18: log.levle: unknown key (want one of level, format)`,
		path + `:20: nudges.hints: cannot unmarshal !!str ` + "`maybe`" + ` into bool`,
		path + `:21: nudges.max_per_digest: 0 is out of range (want 1..10)`,
	}, "\n")
	if err == nil || err.Error() != want {
		t.Errorf("Load error\ngot\n%v\nwant\n%s", err, want)
	}
}

// A rule that would check a value that did not decode, or work from one, says nothing: it
// would see the default or an empty item, not what the file says.
func TestParseSaysNothingAboutWhatDidNotDecode(t *testing.T) {
	for _, tt := range []struct {
		name, yaml, want string
	}{
		{"window against a retention that did not decode", "retention_days: sixty\nsignals:\n  recognition_days: 40\n",
			"config:1: retention_days: cannot unmarshal !!str `sixty` into int"},
		{"end against a start that did not decode", "working_hours:\n  start: [9]\n  end: \"08:00\"\n",
			"config:2: working_hours.start: want a time of day like 09:00"},
		{"an end that did not decode", "working_hours:\n  start: \"19:00\"\n  end: 7pm\n",
			`config:3: working_hours.end: "7pm" is not a time of day (want HH:MM)`},
		{"a team that did not decode", "teams:\n  - U0MGR\n",
			"config:2: teams[0]: cannot unmarshal !!str `U0MGR` into config.Team"},
		{"a manager that did not decode", "teams:\n  - manager: {id: U0MGR}\n    reports: [U0AAA]\n  - manager: U0MGS\n    reports: [U0AAA]\n",
			"config:2: teams[0].manager: cannot unmarshal !!map into string"},
		{"a day that did not decode, block list", "working_hours:\n  days:\n    - mon\n    - funday\n",
			`config:4: working_hours.days[1]: "funday" is not a day (want mon, tue, wed, thu, fri, sat or sun)`},
		{"a duplicate key", "log:\n  level: info\n  level: loud\n",
			`config:3: log.level: mapping key "level" already defined at line 2`},
		{"an admin that did not decode", "admins:\n  - {id: U0ADMIN}\n  - root\n",
			"config:2: admins[0].id: cannot unmarshal !!map into string\n" +
				`config:3: admins[1]: "root" is not a Slack user id (want U… or W…)`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml), nil)
			if err == nil || err.Error() != tt.want {
				t.Errorf("Parse(%q) error\ngot  %v\nwant %s", tt.yaml, err, tt.want)
			}
		})
	}
}

// Validate checks a Config built in code: the same rules, with key paths and no lines.
func TestValidate(t *testing.T) {
	for _, tt := range []struct {
		name   string
		change func(c *Config)
		want   string
	}{
		{"valid", func(c *Config) {}, ""},
		{"clock out of range", func(c *Config) { c.WorkingHours.End = 24*60 + 1 },
			`config: working_hours.end: 1441 minutes past midnight is not a time of day`},
		{"start at the end of the day", func(c *Config) { c.WorkingHours.Start = 24 * 60 },
			`config: working_hours.start: 1440 minutes past midnight is not a time of day`},
		{"day out of range", func(c *Config) { c.WorkingHours.Days = Weekdays{time.Monday, 7} },
			`config: working_hours.days[1]: 7 is not a day of the week`},
		{"bot token prefix", func(c *Config) { c.BotToken = "xoxp-user-token" },
			`config: SLACK_BOT_TOKEN does not start with "xoxb-" (want the Bot User OAuth Token, under OAuth & Permissions)`},
		{"app token prefix", func(c *Config) { c.AppToken = "not-an-app-token" },
			`config: SLACK_APP_TOKEN does not start with "xapp-" (want an app-level token with connections:write, under Basic Information)`},
		{"teams", func(c *Config) {
			c.Teams = []Team{{Manager: "U1", Reports: []string{"U2"}}, {Manager: "U3", Reports: []string{"U2"}}}
		}, `config: teams[1].reports[0]: U2 reports to both U1 and U3 (a report has one manager)`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			tt.change(c)
			err := c.Validate()
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("Validate() error\ngot  %s\nwant %s", got, tt.want)
			}
		})
	}
}
