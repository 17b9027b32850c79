package config

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

const (
	envBot  = "xoxb-111-envbot-SECRET"
	envApp  = "xapp-1-envapp-SECRET"
	fileBot = "xoxb-222-filebot-SECRET"
	fileApp = "xapp-2-fileapp-SECRET"
)

// env returns a getenv over vars.
func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// writeTokenFile writes a token file with the given mode and returns its path.
func writeTokenFile(t *testing.T, content string, mode os.FileMode) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tokens")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
	return path
}

func withTokenFile(path string) []byte {
	return []byte(fmt.Sprintf("slack:\n  token_file: %q\n", path))
}

func TestTokensEnvironmentWins(t *testing.T) {
	bothInFile := "SLACK_BOT_TOKEN=" + fileBot + "\nSLACK_APP_TOKEN=" + fileApp + "\n"
	for _, tt := range []struct {
		name             string
		env              map[string]string
		file             string // "" for no token file
		wantBot, wantApp Token
	}{
		{"none", nil, "", "", ""},
		{"environment only", map[string]string{BotTokenEnv: envBot, AppTokenEnv: envApp}, "", envBot, envApp},
		{"file only", nil, bothInFile, fileBot, fileApp},
		{"both: environment wins", map[string]string{BotTokenEnv: envBot, AppTokenEnv: envApp}, bothInFile, envBot, envApp},
		{"bot from environment, app from file", map[string]string{BotTokenEnv: envBot}, bothInFile, envBot, fileApp},
		{"empty environment value falls through to the file", map[string]string{BotTokenEnv: " "}, bothInFile, fileBot, fileApp},
		{"environment value is trimmed", map[string]string{BotTokenEnv: envBot + "\n"}, "", envBot, ""},
		{"file with comments, export and quotes", nil,
			"# coach tokens\n\nexport SLACK_BOT_TOKEN=\"" + fileBot + "\"\n  SLACK_APP_TOKEN = '" + fileApp + "'\n", fileBot, fileApp},
		{"file with one token", nil, "SLACK_APP_TOKEN=" + fileApp + "\n", "", fileApp},
	} {
		t.Run(tt.name, func(t *testing.T) {
			data := []byte{}
			if tt.file != "" {
				data = withTokenFile(writeTokenFile(t, tt.file, 0o600))
			}
			c, err := Parse(data, env(tt.env))
			if err != nil {
				t.Fatalf("Parse error = %v", err)
			}
			if c.BotToken != tt.wantBot || c.AppToken != tt.wantApp {
				t.Errorf("tokens = %q, %q; want %q, %q", string(c.BotToken), string(c.AppToken), string(tt.wantBot), string(tt.wantApp))
			}
		})
	}
}

// Load reads a relative token_file next to the config file, whatever the working directory.
func TestLoadTokenFileRelativeToConfig(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "tokens"), []byte("SLACK_BOT_TOKEN="+fileBot+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte("slack:\n  token_file: tokens\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.BotToken != fileBot {
		t.Errorf("BotToken = %q, want %q", string(c.BotToken), fileBot)
	}
}

func TestTokenFileOpenToOthersIsRejected(t *testing.T) {
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o660, 0o606, 0o700 | 0o001} {
		t.Run(mode.String(), func(t *testing.T) {
			path := writeTokenFile(t, "SLACK_BOT_TOKEN="+fileBot+"\n", mode)
			_, err := Parse(withTokenFile(path), nil)
			want := fmt.Sprintf("config:2: slack.token_file: %s is open to group or others (mode %04o); run: chmod 600 %s", path, mode.Perm(), path)
			if err == nil || err.Error() != want {
				t.Errorf("Parse error\ngot  %v\nwant %s", err, want)
			}
		})
	}
	for _, mode := range []os.FileMode{0o600, 0o400} {
		path := writeTokenFile(t, "SLACK_BOT_TOKEN="+fileBot+"\n", mode)
		if _, err := Parse(withTokenFile(path), nil); err != nil {
			t.Errorf("mode %v: Parse error = %v, want nil", mode, err)
		}
	}
}

func TestTokenProblems(t *testing.T) {
	for _, tt := range []struct {
		name string
		env  map[string]string
		file string // token file content; "-" for no file at the path, "/" for a directory
		want string // with PATH standing for the token file's path
	}{
		{"file missing", nil, "-",
			`config:2: slack.token_file: stat PATH: no such file or directory`},
		{"file is a directory", nil, "/",
			`config:2: slack.token_file: PATH is not a regular file`},
		{"line without =", nil, "SLACK_BOT_TOKEN=" + fileBot + "\n" + fileApp + "\n",
			`config:2: slack.token_file: PATH:2: not a KEY=VALUE line`},
		{"unknown key", nil, "SLACK_TOKEN=" + fileBot + "\n",
			`config:2: slack.token_file: PATH:1: unknown key (want SLACK_BOT_TOKEN, SLACK_APP_TOKEN, SLACK_CLIENT_SECRET or COACH_TOKEN_KEY)`},
		{"key twice", nil, "SLACK_BOT_TOKEN=" + fileBot + "\nSLACK_BOT_TOKEN=" + fileBot + "\n",
			`config:2: slack.token_file: PATH:2: SLACK_BOT_TOKEN is set twice`},
		{"tokens swapped in the file", nil, "SLACK_BOT_TOKEN=" + fileApp + "\nSLACK_APP_TOKEN=" + fileBot + "\n",
			"config:2: slack.token_file: PATH: SLACK_BOT_TOKEN does not start with \"xoxb-\" (want the Bot User OAuth Token, under OAuth & Permissions)\n" +
				"config:2: slack.token_file: PATH: SLACK_APP_TOKEN does not start with \"xapp-\" (want an app-level token with connections:write, under Basic Information)"},
		{"tokens swapped in the environment", map[string]string{BotTokenEnv: envApp, AppTokenEnv: envBot}, "",
			"config: SLACK_BOT_TOKEN from the environment does not start with \"xoxb-\" (want the Bot User OAuth Token, under OAuth & Permissions)\n" +
				"config: SLACK_APP_TOKEN from the environment does not start with \"xapp-\" (want an app-level token with connections:write, under Basic Information)"},
		{"user token in the environment", map[string]string{BotTokenEnv: "xoxp-333-user-SECRET"}, "",
			`config: SLACK_BOT_TOKEN from the environment does not start with "xoxb-" (want the Bot User OAuth Token, under OAuth & Permissions)`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var data []byte
			path := filepath.Join(t.TempDir(), "tokens")
			switch tt.file {
			case "":
			case "-":
				data = withTokenFile(path)
			case "/":
				path = t.TempDir()
				data = withTokenFile(path)
			default:
				path = writeTokenFile(t, tt.file, 0o600)
				data = withTokenFile(path)
			}
			_, err := Parse(data, env(tt.env))
			want := strings.ReplaceAll(tt.want, "PATH", path)
			if err == nil || err.Error() != want {
				t.Errorf("Parse error\ngot  %v\nwant %s", err, want)
			}
			if err != nil && strings.Contains(err.Error(), "-SECRET") {
				t.Errorf("Parse error shows a token: %v", err)
			}
		})
	}
}

func TestRequireTokens(t *testing.T) {
	const (
		noBot = `config: no Slack bot token: set SLACK_BOT_TOKEN=xoxb-… (the Bot User OAuth Token, under OAuth & Permissions) in the environment, or put that line in the file named by slack.token_file and chmod 600 it`
		noApp = `config: no Slack app token: set SLACK_APP_TOKEN=xapp-… (an app-level token with connections:write, under Basic Information) in the environment, or put that line in the file named by slack.token_file and chmod 600 it`
	)
	for _, tt := range []struct {
		name     string
		bot, app Token
		want     string
	}{
		{"both", envBot, envApp, ""},
		{"no bot token", "", envApp, noBot},
		{"no app token", envBot, "", noApp},
		{"neither", "", "", noBot + "\n" + noApp},
	} {
		c := Default()
		c.BotToken, c.AppToken = tt.bot, tt.app
		got := ""
		if err := c.RequireTokens(); err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("%s: RequireTokens()\ngot  %s\nwant %s", tt.name, got, tt.want)
		}
	}
}

// A token, put where it does not belong, is never repeated in an error.
func TestTokensNeverInErrors(t *testing.T) {
	// Not token-shaped, so only its being the environment's token keeps it out.
	const oddBot = "plain-bot-SECRET-value"
	vars := map[string]string{BotTokenEnv: oddBot, AppTokenEnv: envApp}
	for _, data := range []string{
		"admins: [" + fileBot + "]\n",
		"teams:\n  - manager: " + fileBot + "\n    reports: [" + fileApp + "]\n    channel: " + fileApp + "\n",
		fileBot + ": 1\n",
		"slack:\n  " + fileBot + ": 1\n",
		"retention_days: " + fileBot + "\n",
		"slack:\n  api_url: " + fileBot + "\n",
		"slack:\n  api_url: https://u:" + fileBot + "@example.com/\n",
		"timezone: " + fileBot + "\n",
		"timezone: " + oddBot + "\n",
		"consent: " + oddBot + "\n",
		"nudges:\n  schedule: " + fileBot + "\n",
		"nudges:\n  schedule: 0 9 * * " + fileApp + "\n",
		"working_hours:\n  start: " + fileBot + "\n  days: [" + fileApp + "]\n",
		"norms:\n  close_after: " + fileBot + "\n",
		"log: {level: " + fileBot + "}\nlog: {level: " + fileApp + "}\n",
		"metrics:\n  addr: " + fileBot + "\n",
		"lexicon:\n  question_words: " + fileBot + "\n",
		"bot_token: " + fileBot + "\n",
		"admins: [\"" + fileBot + "\n",
		"a: " + fileBot + "\n---\nb: " + fileApp + "\n",
		fileBot + "\n",
	} {
		_, err := Parse([]byte(data), env(vars))
		if err == nil {
			t.Errorf("Parse(%q) error = nil, want one", data)
			continue
		}
		if strings.Contains(err.Error(), "-SECRET") {
			t.Errorf("Parse(%q) error shows a token:\n%v", data, err)
		}
	}

	// A token file holding the raw token, or tokens under the wrong names.
	for _, content := range []string{fileBot + "\n", fileBot + "=" + fileApp + "\n", "SLACK_BOT_TOKEN=" + fileApp + "\n", "SLACK_APP_TOKEN=" + oddBot + "\n"} {
		path := writeTokenFile(t, content, 0o600)
		_, err := Parse(withTokenFile(path), nil)
		if err == nil {
			t.Errorf("token file %q: Parse error = nil, want one", content)
			continue
		}
		if strings.Contains(err.Error(), "-SECRET") {
			t.Errorf("token file %q: Parse error shows a token:\n%v", content, err)
		}
	}
}

// Printing or marshalling a Config never shows its tokens.
func TestTokensNeverPrinted(t *testing.T) {
	path := writeTokenFile(t, "SLACK_APP_TOKEN="+fileApp+"\n", 0o600)
	c, err := Parse(withTokenFile(path), env(map[string]string{BotTokenEnv: envBot}))
	if err != nil {
		t.Fatal(err)
	}
	if string(c.BotToken) != envBot || string(c.AppToken) != fileApp {
		t.Fatalf("tokens = %q, %q; want %q, %q", string(c.BotToken), string(c.AppToken), envBot, fileApp)
	}
	outputs := map[string]string{}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "% x", "%d", "%c", "%U", "%10.3s", "%T"} {
		outputs[verb+" *Config"] = fmt.Sprintf(verb, c)
		outputs[verb+" Config"] = fmt.Sprintf(verb, *c)
		outputs[verb+" Token"] = fmt.Sprintf(verb, c.BotToken)
	}
	outputs["Sprint"] = fmt.Sprint(c, c.BotToken, c.AppToken)
	for name, v := range map[string]any{"Config": c, "Token": c.AppToken} {
		j, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		outputs["json "+name] = string(j)
		y, err := yaml.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		outputs["yaml "+name] = string(y)
	}
	for name, out := range outputs {
		if strings.Contains(out, "SECRET") || strings.Contains(out, "5345435245") || strings.Contains(out, "53 45 43 52 45") {
			t.Errorf("%s shows a token: %s", name, out)
		}
	}
	for _, tt := range []struct{ got, want string }{
		{c.BotToken.String(), "[redacted]"},
		{fmt.Sprint(c.AppToken), "[redacted]"},
		{fmt.Sprintf("%#v", c.BotToken), `config.Token("[redacted]")`},
		{outputs["json Token"], `"[redacted]"`},
		{Token("").String(), ""},
	} {
		if tt.got != tt.want {
			t.Errorf("got %s, want %s", tt.got, tt.want)
		}
	}
}
