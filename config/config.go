package config

import (
	"slices"
	"time"

	"coach/nudges"
	"coach/signals"
)

// DefaultPath is where coach reads its config file when --config is not given.
const DefaultPath = "/etc/coach/config.yaml"

// Config is coach's whole configuration. Its tree mirrors the YAML file key for key;
// config.example.yaml documents every key.
type Config struct {
	Slack         Slack        `yaml:"slack"`
	Store         Store        `yaml:"store"`
	RetentionDays int          `yaml:"retention_days"`
	Consent       Consent      `yaml:"consent"`
	Timezone      string       `yaml:"timezone"`
	WorkingHours  WorkingHours `yaml:"working_hours"`
	Teams         []Team       `yaml:"teams"`
	TeamsFrom     TeamsFrom    `yaml:"teams_from"`
	Admins        []string     `yaml:"admins"`
	Log           Log          `yaml:"log"`
	Metrics       Metrics      `yaml:"metrics"`
	Connect       Connect      `yaml:"connect"`
	Signals       Signals      `yaml:"signals"`
	Lexicon       Lexicon      `yaml:"lexicon"`
	Nudges        Nudges       `yaml:"nudges"`
	Norms         Norms        `yaml:"norms"`
	Pulse         Pulse        `yaml:"pulse"`
	// MemoryLimitMB is coach run's soft memory limit for the Go runtime, in MiB
	// (runtime/debug.SetMemoryLimit); 0 means none. GOMEMLIMIT, when set, wins.
	MemoryLimitMB int `yaml:"memory_limit_mb"`

	// BotToken (xoxb-…) and AppToken (xapp-…) are never read from YAML: they come from
	// SLACK_BOT_TOKEN and SLACK_APP_TOKEN, else from Slack.TokenFile. Either may be empty;
	// RequireTokens says which one is missing.
	BotToken Token `yaml:"-"`
	AppToken Token `yaml:"-"`
	// ClientSecret (SLACK_CLIENT_SECRET, the app's Client Secret) and TokenKey
	// (COACH_TOKEN_KEY, 32 random bytes in base64 that seal managers' user tokens) are
	// Connect's secrets. Like the tokens they come from the environment or Slack.TokenFile,
	// never from YAML; RequireTokens asks for them when Connect is on.
	ClientSecret Token `yaml:"-"`
	TokenKey     Token `yaml:"-"`
}

// Slack says where the Slack Web API is and where the tokens are kept.
type Slack struct {
	// APIURL is the Web API base URL, always ending in "/"; any Slack-compatible server works.
	APIURL string `yaml:"api_url"`
	// TokenFile is an optional file of KEY=VALUE lines holding SLACK_BOT_TOKEN and
	// SLACK_APP_TOKEN, readable by its owner only.
	TokenFile string `yaml:"token_file"`
}

// Store says where the database file lives.
type Store struct {
	Path string `yaml:"path"`
}

// Consent is whether team members are measured until they opt out, or only after they opt in.
type Consent string

// The two consent modes.
const (
	ConsentOptOut Consent = "opt_out"
	ConsentOptIn  Consent = "opt_in"
)

// WorkingHours is the workspace's default working week, used for anyone who has set no hours
// of their own and whose team has agreed no norm.
type WorkingHours struct {
	Start Clock    `yaml:"start"`
	End   Clock    `yaml:"end"`
	Days  Weekdays `yaml:"days"`
}

// Team is one manager and the people who report to them.
type Team struct {
	Manager string   `yaml:"manager"`
	Reports []string `yaml:"reports"`
	// Channel is the optional team channel (C… or G…) for norm prompts; without one, prompts
	// go to a group DM of the manager and the reports.
	Channel string `yaml:"channel"`
	// ScheduledPrompts turns on weekly team conversation starters and norm re-checks.
	ScheduledPrompts bool `yaml:"scheduled_prompts"`
}

// Log says how coach logs.
type Log struct {
	Level  string `yaml:"level"`  // debug | info | warn | error
	Format string `yaml:"format"` // auto | json | console
}

// Metrics says where the Prometheus endpoint listens; an empty Addr disables it.
type Metrics struct {
	Addr string `yaml:"addr"`
}

// Connect is the endpoint through which a manager lets coach read their DMs and group DMs
// with their reports (Slack OAuth with a user token). It is on when PublicURL or ClientID is
// set; then both are required, and so are the secrets SLACK_CLIENT_SECRET and
// COACH_TOKEN_KEY.
type Connect struct {
	// Listen is the local host:port the endpoint serves plain HTTP on, behind the
	// operator's HTTPS reverse proxy.
	Listen string `yaml:"listen"`
	// PublicURL is the address people's browsers reach the endpoint at, through that proxy:
	// https, or http on a loopback address (tests and the demo). No trailing "/".
	PublicURL string `yaml:"public_url"`
	// ClientID is the Slack app's Client ID (Basic Information → App Credentials).
	ClientID string `yaml:"client_id"`
}

// Enabled reports whether Connect is configured (PublicURL or ClientID set).
func (c Connect) Enabled() bool { return c.PublicURL != "" || c.ClientID != "" }

// Signals holds the thresholds at which a signal becomes worth a nudge. The defaults are
// PRODUCT.md's "nudges when" column.
type Signals struct {
	AfterHoursMinCount     int     `yaml:"after_hours_min_count"`
	AfterHoursMinShare     float64 `yaml:"after_hours_min_share"`
	LateHour               int     `yaml:"late_hour"`
	ResponseMedianHours    float64 `yaml:"response_median_hours"`
	ResponseOpenWaits      int     `yaml:"response_open_waits"`
	ResponseOpenDays       int     `yaml:"response_open_days"`
	ContactGapDays         int     `yaml:"contact_gap_days"`
	AttentionMinFraction   float64 `yaml:"attention_min_fraction"`
	AttentionDays          int     `yaml:"attention_days"`
	RecognitionDays        int     `yaml:"recognition_days"`
	ListeningMinShare      float64 `yaml:"listening_min_share"`
	ListeningMinMessages   int     `yaml:"listening_min_messages"`
	StatusChasePerReport   int     `yaml:"status_chase_per_report"`
	StatusChaseTotal       int     `yaml:"status_chase_total"`
	TeamAfterHoursMinShare float64 `yaml:"team_after_hours_min_share"`
}

// Lexicon holds the words, phrases and reaction names that classify a message before its text
// is dropped. Parse lowercases and trims every entry and strips the colons around emoji names.
type Lexicon struct {
	QuestionWords       []string `yaml:"question_words"`
	RecognitionPhrases  []string `yaml:"recognition_phrases"`
	RecognitionEmoji    []string `yaml:"recognition_emoji"`
	StatusChasePatterns []string `yaml:"status_chase_patterns"`
}

// Nudges says when digests go out and how they behave.
type Nudges struct {
	// Schedule is a 5-field cron expression, run in each manager's own time zone.
	Schedule      string `yaml:"schedule"`
	MaxPerDigest  int    `yaml:"max_per_digest"`
	NotForMeWeeks int    `yaml:"not_for_me_weeks"`
	SnoozeWeeks   int    `yaml:"snooze_weeks"`
	Hints         bool   `yaml:"hints"`
	AllClear      bool   `yaml:"all_clear"`
}

// Norms says how norm prompts are run.
type Norms struct {
	CloseAfter   Duration `yaml:"close_after"`
	MinVotes     int      `yaml:"min_votes"`
	Anonymous    bool     `yaml:"anonymous"`
	RecheckWeeks int      `yaml:"recheck_weeks"`
}

// Default returns a Config with every default filled in, no teams, no admins and no tokens.
func Default() *Config {
	return &Config{
		Slack:         Slack{APIURL: "https://slack.com/api/"},
		Store:         Store{Path: "/var/lib/coach/coach.db"},
		RetentionDays: 35,
		MemoryLimitMB: 96,
		Consent:       ConsentOptOut,
		Timezone:      "UTC",
		WorkingHours: WorkingHours{
			Start: 9 * 60,
			End:   18 * 60,
			Days:  Weekdays{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday},
		},
		Log:     Log{Level: "info", Format: "auto"},
		Metrics: Metrics{Addr: "127.0.0.1:9091"},
		Connect: Connect{Listen: "127.0.0.1:9092"},
		Signals: signalsOf(signals.DefaultThresholds()),
		Lexicon: Lexicon{
			QuestionWords: []string{"what", "how", "why", "when", "where", "who", "which", "could",
				"would", "can", "do", "does", "did", "is", "are", "should", "thoughts"},
			RecognitionPhrases: []string{"thank you", "thanks", "thx", "kudos", "great job",
				"well done", "nice work", "great work", "good job", "shoutout", "shout-out",
				"appreciate", "awesome work"},
			RecognitionEmoji: []string{"+1", "thumbsup", "tada", "clap", "raised_hands", "heart",
				"star", "100", "fire", "pray"},
			StatusChasePatterns: []string{"any update(s)", "status?", "where are we on", "eta(s)?",
				"eta on", "following up on", "is it done"},
		},
		Nudges: Nudges{
			Schedule:      nudges.DefaultSchedule,
			MaxPerDigest:  2,
			NotForMeWeeks: 8,
			SnoozeWeeks:   2,
			Hints:         true,
			AllClear:      false,
		},
		Norms: Norms{
			CloseAfter:   Duration(48 * time.Hour),
			MinVotes:     2,
			Anonymous:    false,
			RecheckWeeks: 12,
		},
		Pulse:     Pulse{Enabled: false, Every: Period(4 * week), MinResponses: 5},
		TeamsFrom: TeamsFrom{MaxRemovedPercent: 20},
	}
}

// signalsOf is the file's view of thresholds t: the defaults are signals',
// written once (Thresholds converts back).
func signalsOf(t signals.Thresholds) Signals {
	return Signals{
		AfterHoursMinCount:     t.AfterHoursMinCount,
		AfterHoursMinShare:     t.AfterHoursMinShare,
		LateHour:               t.LateHour,
		ResponseMedianHours:    t.ResponseMedianHours,
		ResponseOpenWaits:      t.ResponseOpenWaits,
		ResponseOpenDays:       int(t.ResponseOpenDays),
		ContactGapDays:         t.ContactGapDays,
		AttentionMinFraction:   t.AttentionMinFraction,
		AttentionDays:          t.AttentionDays,
		RecognitionDays:        t.RecognitionDays,
		ListeningMinShare:      t.ListeningMinShare,
		ListeningMinMessages:   t.ListeningMinMessages,
		StatusChasePerReport:   t.StatusChasePerReport,
		StatusChaseTotal:       t.StatusChaseTotal,
		TeamAfterHoursMinShare: t.TeamAfterHoursMinShare,
	}
}

// Team returns the team that manager manages. Its Reports are a copy.
func (c *Config) Team(manager string) (Team, bool) {
	for _, t := range c.Teams {
		if t.Manager == manager {
			t.Reports = slices.Clone(t.Reports)
			return t, true
		}
	}
	return Team{}, false
}

// ManagerOf returns the manager that report reports to. Validation guarantees there is at
// most one.
func (c *Config) ManagerOf(report string) (string, bool) {
	for _, t := range c.Teams {
		if slices.Contains(t.Reports, report) {
			return t.Manager, true
		}
	}
	return "", false
}

// Location loads Timezone, the zone for people whose Slack time zone is unknown. Parse has
// already checked that it loads.
func (c *Config) Location() (*time.Location, error) {
	return time.LoadLocation(c.Timezone)
}
