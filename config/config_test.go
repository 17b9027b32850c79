package config

import (
	"errors"
	"io/fs"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

const examplePath = "../config.example.yaml"

func TestDefaultIsValid(t *testing.T) {
	if err := Default().Validate(); err != nil {
		t.Fatalf("Default().Validate() = %v, want nil", err)
	}
}

func TestDefaultValues(t *testing.T) {
	c := Default()
	for _, tt := range []struct {
		name      string
		got, want any
	}{
		{"slack.api_url", c.Slack.APIURL, "https://slack.com/api/"},
		{"slack.token_file", c.Slack.TokenFile, ""},
		{"store.path", c.Store.Path, "/var/lib/coach/coach.db"},
		{"retention_days", c.RetentionDays, 35},
		{"memory_limit_mb", c.MemoryLimitMB, 96},
		{"consent", c.Consent, ConsentOptOut},
		{"timezone", c.Timezone, "UTC"},
		{"working_hours.start", c.WorkingHours.Start.String(), "09:00"},
		{"working_hours.end", c.WorkingHours.End.String(), "18:00"},
		{"working_hours.days", c.WorkingHours.Days, Weekdays{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}},
		{"teams", len(c.Teams), 0},
		{"admins", len(c.Admins), 0},
		{"log.level", c.Log.Level, "info"},
		{"log.format", c.Log.Format, "auto"},
		{"metrics.addr", c.Metrics.Addr, "127.0.0.1:9091"},
		{"signals.after_hours_min_count", c.Signals.AfterHoursMinCount, 3},
		{"signals.after_hours_min_share", c.Signals.AfterHoursMinShare, 0.10},
		{"signals.late_hour", c.Signals.LateHour, 21},
		{"signals.response_median_hours", c.Signals.ResponseMedianHours, 4.0},
		{"signals.attention_min_fraction", c.Signals.AttentionMinFraction, 1.0 / 3},
		{"signals.team_after_hours_min_share", c.Signals.TeamAfterHoursMinShare, 0.15},
		{"lexicon.recognition_emoji[0]", c.Lexicon.RecognitionEmoji[0], "+1"},
		{"nudges.schedule", c.Nudges.Schedule, "0 9 * * MON"},
		{"nudges.max_per_digest", c.Nudges.MaxPerDigest, 2},
		{"nudges.hints", c.Nudges.Hints, true},
		{"nudges.all_clear", c.Nudges.AllClear, false},
		{"norms.close_after", time.Duration(c.Norms.CloseAfter), 48 * time.Hour},
		{"norms.recheck_weeks", c.Norms.RecheckWeeks, 12},
		{"bot token", c.BotToken, Token("")},
	} {
		if !reflect.DeepEqual(tt.got, tt.want) {
			t.Errorf("Default() %s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}

// An empty file, or one with nothing but comments or an empty document, runs on defaults.
func TestParseEmptyGivesDefaults(t *testing.T) {
	for _, data := range []string{"", "\n\n", "# just a comment\n", "---\n", "~\n", "null\n"} {
		got, err := Parse([]byte(data), nil)
		if err != nil {
			t.Errorf("Parse(%q) error = %v, want nil", data, err)
			continue
		}
		if want := Default(); !reflect.DeepEqual(got, want) {
			t.Errorf("Parse(%q) = %+v, want Default() %+v", data, got, want)
		}
	}
}

// Default, written out as YAML and read back, is Default: every field has a key that
// round-trips.
func TestDefaultRoundTrips(t *testing.T) {
	data, err := yaml.Marshal(Default())
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse(data, nil)
	if err != nil {
		t.Fatalf("Parse(Marshal(Default())) error = %v\n%s", err, data)
	}
	if want := Default(); !reflect.DeepEqual(got, want) {
		t.Errorf("Parse(Marshal(Default())) = %+v, want %+v", got, want)
	}
}

func TestExampleLoads(t *testing.T) {
	c, err := Load(examplePath, nil)
	if err != nil {
		t.Fatalf("Load(%s) error = %v", examplePath, err)
	}
	for _, tt := range []struct {
		name      string
		got, want any
	}{
		{"teams", len(c.Teams), 2},
		{"teams[0].manager", c.Teams[0].Manager, "U0123ABCD"},
		{"teams[0].reports", c.Teams[0].Reports, []string{"U0AAAAAAA", "U0BBBBBBB", "U0CCCCCCC"}},
		{"teams[0].channel", c.Teams[0].Channel, "C0TEAM000"},
		{"teams[0].scheduled_prompts", c.Teams[0].ScheduledPrompts, true},
		{"teams[1].manager", c.Teams[1].Manager, "W0456EFGH"},
		{"admins", c.Admins, []string{"U0ADMIN00"}},
		{"working_hours.start", c.WorkingHours.Start, Clock(9 * 60)},
		{"nudges.schedule", c.Nudges.Schedule, "0 9 * * MON"},
		{"norms.close_after", c.Norms.CloseAfter, Duration(48 * time.Hour)},
	} {
		if !reflect.DeepEqual(tt.got, tt.want) {
			t.Errorf("example %s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}

// The example uses the defaults: apart from its teams and admins, it loads as Default().
func TestExampleShowsDefaults(t *testing.T) {
	c, err := Load(examplePath, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.Teams, c.Admins = nil, nil
	if want := Default(); !reflect.DeepEqual(c, want) {
		t.Errorf("example without teams and admins = %+v\nwant Default() %+v", c, want)
	}
}

// Every key of the Config tree appears in config.example.yaml with a comment, so a new key
// cannot ship undocumented.
func TestExampleDocumentsEveryKey(t *testing.T) {
	c := Default()
	// Fill the lists of mappings so that their keys are walked too.
	c.Teams = []Team{{Manager: "U1", Reports: []string{"U2"}}}
	var want yaml.Node
	if err := want.Encode(c); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	var example yaml.Node
	if err := yaml.Unmarshal(data, &example); err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{} // key path → has a comment, at its first appearance
	walkKeys(&example, "", func(path string, key, mapping *yaml.Node, first bool) {
		if _, seen := documented[path]; !seen {
			documented[path] = key.HeadComment != "" || key.LineComment != "" || (first && mapping.HeadComment != "")
		}
	})
	var keys []string
	walkKeys(&want, "", func(path string, _, _ *yaml.Node, _ bool) { keys = append(keys, path) })
	if len(keys) < 50 || !slices.Contains(keys, "teams[].scheduled_prompts") {
		t.Fatalf("walked %d keys of Default(), want them all: %v", len(keys), keys)
	}
	for _, k := range keys {
		commented, ok := documented[k]
		switch {
		case !ok:
			t.Errorf("%s: key missing from %s", k, examplePath)
		case !commented:
			t.Errorf("%s: key has no comment in %s", k, examplePath)
		}
	}
}

// walkKeys calls f for each mapping key under n, with its path (sequence items as "[]"),
// its mapping, and whether it is the mapping's first key.
func walkKeys(n *yaml.Node, path string, f func(path string, key, mapping *yaml.Node, first bool)) {
	switch n.Kind {
	case yaml.DocumentNode, yaml.SequenceNode:
		p := path
		if n.Kind == yaml.SequenceNode {
			p += "[]"
		}
		for _, c := range n.Content {
			walkKeys(c, p, f)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			p := n.Content[i].Value
			if path != "" {
				p = path + "." + p
			}
			f(p, n.Content[i], n, i == 0)
			walkKeys(n.Content[i+1], p, f)
		}
	}
}

func TestTeamAndManagerOf(t *testing.T) {
	c := Default()
	c.Teams = []Team{
		{Manager: "UMGR1", Reports: []string{"UA", "UB"}, Channel: "CTEAM"},
		{Manager: "UMGR2", Reports: []string{"UC", "UMGR1"}},
	}
	for _, tt := range []struct {
		report, wantManager string
		wantOK              bool
	}{
		{"UA", "UMGR1", true},
		{"UB", "UMGR1", true},
		{"UC", "UMGR2", true},
		{"UMGR1", "UMGR2", true},
		{"UMGR2", "", false},
		{"UNOBODY", "", false},
	} {
		if got, ok := c.ManagerOf(tt.report); got != tt.wantManager || ok != tt.wantOK {
			t.Errorf("ManagerOf(%s) = %q, %v, want %q, %v", tt.report, got, ok, tt.wantManager, tt.wantOK)
		}
	}

	team, ok := c.Team("UMGR1")
	if !ok || team.Channel != "CTEAM" || !slices.Equal(team.Reports, []string{"UA", "UB"}) {
		t.Errorf("Team(UMGR1) = %+v, %v, want the first team", team, ok)
	}
	team.Reports[0] = "UCHANGED"
	if c.Teams[0].Reports[0] != "UA" {
		t.Errorf("changing Team(UMGR1).Reports changed the Config: %v", c.Teams[0].Reports)
	}
	if _, ok := c.Team("UA"); ok {
		t.Errorf("Team(UA) found a team, want none: UA manages no one")
	}
}

func TestLocation(t *testing.T) {
	c := Default()
	c.Timezone = "Europe/Berlin"
	loc, err := c.Location()
	if err != nil || loc.String() != "Europe/Berlin" {
		t.Errorf("Location() = %v, %v, want Europe/Berlin, nil", loc, err)
	}
}

// Parse lowercases and trims the lexicon, strips emoji colons, and adds the API URL's "/".
func TestParseNormalises(t *testing.T) {
	c, err := Parse([]byte(`
slack:
  api_url: http://127.0.0.1:8080/api
lexicon:
  question_words: [" Qué ", CÓMO]
  recognition_emoji: [":tada:", "+1"]
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name      string
		got, want any
	}{
		{"slack.api_url", c.Slack.APIURL, "http://127.0.0.1:8080/api/"},
		{"lexicon.question_words", c.Lexicon.QuestionWords, []string{"qué", "cómo"}},
		{"lexicon.recognition_emoji", c.Lexicon.RecognitionEmoji, []string{"tada", "+1"}},
		{"lexicon.status_chase_patterns (default)", c.Lexicon.StatusChasePatterns, Default().Lexicon.StatusChasePatterns},
	} {
		if !reflect.DeepEqual(tt.got, tt.want) {
			t.Errorf("%s = %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

// Keys left out keep their defaults; lists given replace the default list whole.
func TestParseOverridesOnlyWhatIsGiven(t *testing.T) {
	c, err := Parse([]byte(`
retention_days: 60
working_hours:
  start: "8:30"
  days: [Monday, TUE]
signals:
  recognition_days: 45
norms:
  close_after: 1h30m
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := Default()
	want.RetentionDays = 60
	want.WorkingHours.Start = 8*60 + 30
	want.WorkingHours.Days = Weekdays{time.Monday, time.Tuesday}
	want.Signals.RecognitionDays = 45
	want.Norms.CloseAfter = Duration(90 * time.Minute)
	if !reflect.DeepEqual(c, want) {
		t.Errorf("Parse = %+v\nwant %+v", c, want)
	}
}

func TestLoadMissingFile(t *testing.T) {
	path := t.TempDir() + "/nope.yaml"
	_, err := Load(path, nil)
	if err == nil {
		t.Fatalf("Load(%s) error = nil, want one", path)
	}
	for _, want := range []string{path, "--config", "no such file"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Load(missing) error = %q, want it to mention %q", err, want)
		}
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load(missing) error does not wrap fs.ErrNotExist: %v", err)
	}
}

// Load names the file in each problem, like a compiler.
func TestLoadNamesTheFile(t *testing.T) {
	path := t.TempDir() + "/config.yaml"
	if err := os.WriteFile(path, []byte("retention_days: 0\nlog:\n  level: loud\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path, nil)
	want := path + `:1: retention_days: 0 is out of range (want 1..3650)` + "\n" +
		path + `:3: log.level: "loud" is not a log level (want debug, info, warn or error)`
	if err == nil || err.Error() != want {
		t.Errorf("Load error =\n%v\nwant\n%s", err, want)
	}
}
