package config

import (
	"fmt"
	"strings"
	"testing"
)

const (
	testClientID = "1234567890.1234567890"
	// A COACH_TOKEN_KEY of 32 bytes, and one of 16.
	testKey      = "WlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlo="
	testShortKey = "WlpaWlpaWlpaWlpaWlpaWg=="
	envSecret    = "client-SECRET-0123456789abcdef"
)

func connectYAML(publicURL, clientID string) string {
	return "connect:\n  public_url: " + publicURL + "\n  client_id: " + quoteYAML(clientID) + "\n"
}

func quoteYAML(s string) string { return `"` + s + `"` }

// Connect is off by default, on with a public URL and client id, and its public URL must be
// https unless it is plain http on a loopback address.
func TestParseConnect(t *testing.T) {
	c, err := Parse(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Connect.Enabled() || c.Connect.Listen != "127.0.0.1:9092" {
		t.Errorf("default Connect = %+v (enabled %t), want off, listening on 127.0.0.1:9092", c.Connect, c.Connect.Enabled())
	}
	for _, tt := range []struct{ url, want string }{
		{"https://coach.example.com", "https://coach.example.com"},
		{"https://coach.example.com/", "https://coach.example.com"},
		{"https://example.com/coach/", "https://example.com/coach"},
		{"http://127.0.0.1:9092", "http://127.0.0.1:9092"},
		{"http://localhost:8080", "http://localhost:8080"},
		{"http://[::1]:8080", "http://[::1]:8080"},
	} {
		c, err := Parse([]byte(connectYAML(tt.url, testClientID)), nil)
		if err != nil {
			t.Errorf("public_url %s: %v", tt.url, err)
			continue
		}
		if !c.Connect.Enabled() || c.Connect.PublicURL != tt.want || c.Connect.ClientID != testClientID {
			t.Errorf("public_url %s: Connect = %+v, want on with public_url %s", tt.url, c.Connect, tt.want)
		}
	}
}

func TestParseRejectsConnect(t *testing.T) {
	for _, tt := range []struct{ name, yaml, want string }{
		{"plain http", connectYAML("http://coach.example.com", testClientID),
			`config:2: connect.public_url: "http://coach.example.com" is plain http (Slack requires an HTTPS redirect URL; http is allowed only on a loopback address, for tests and the demo)`},
		{"plain http on a private address", connectYAML("http://10.0.0.5:9092", testClientID),
			`config:2: connect.public_url: "http://10.0.0.5:9092" is plain http (Slack requires an HTTPS redirect URL; http is allowed only on a loopback address, for tests and the demo)`},
		{"relative", connectYAML("coach.example.com", testClientID),
			`config:2: connect.public_url: "coach.example.com" is not an absolute https URL (want the https:// address people's browsers reach coach at, through your proxy, e.g. https://coach.example.com)`},
		{"query", connectYAML("https://coach.example.com/?a=1", testClientID),
			`config:2: connect.public_url: "https://coach.example.com/?a=1" has a query or fragment (want the https:// address people's browsers reach coach at, through your proxy, e.g. https://coach.example.com)`},
		{"password", connectYAML("https://me:pw@coach.example.com", testClientID),
			`config:2: connect.public_url: "https://me:xxxxx@coach.example.com" holds a user or password (keep credentials out of the URL)`},
		{"client id without public url", "connect:\n  client_id: \"" + testClientID + "\"\n",
			`config:1: connect.public_url: is empty (want the https:// address people's browsers reach coach at, through your proxy, e.g. https://coach.example.com)`},
		{"public url without client id", "connect:\n  public_url: https://coach.example.com\n",
			`config:1: connect.client_id: is empty (want the app's Client ID, under Basic Information → App Credentials)`},
		{"client id of another shape", connectYAML("https://coach.example.com", "abc"),
			`config:3: connect.client_id: "abc" is not a Slack client id (want digits.digits, e.g. 1234567890.1234567890, under Basic Information → App Credentials)`},
		{"no listen", connectYAML("https://coach.example.com", testClientID) + "  listen: \"\"\n",
			`config:4: connect.listen: is empty (want the local host:port your HTTPS proxy forwards connect.public_url to, e.g. 127.0.0.1:9092)`},
		{"listen not host:port", "connect:\n  listen: coach\n",
			`config:2: connect.listen: "coach" is not host:port (want e.g. 127.0.0.1:9092)`},
		{"listen on the metrics address", "metrics:\n  addr: 127.0.0.1:9091\nconnect:\n  listen: 127.0.0.1:9091\n",
			`config:4: connect.listen: "127.0.0.1:9091" is also metrics.addr (the endpoint serves nothing but Connect, so it needs its own address)`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml), nil)
			if err == nil || err.Error() != tt.want {
				t.Errorf("Parse(%q) error\ngot  %v\nwant %s", tt.yaml, err, tt.want)
			}
		})
	}
}

// Connect's secrets come from the environment or the token file, like the tokens, and a key
// that is not 32 bytes of base64 is reported with every other problem, in one run.
func TestConnectSecrets(t *testing.T) {
	on := []byte(connectYAML("https://coach.example.com", testClientID))
	c, err := Parse(on, env(map[string]string{ClientSecretEnv: envSecret, TokenKeyEnv: testKey}))
	if err != nil {
		t.Fatal(err)
	}
	if string(c.ClientSecret) != envSecret || string(c.TokenKey) != testKey {
		t.Errorf("secrets from the environment = %q, %q", string(c.ClientSecret), string(c.TokenKey))
	}
	path := writeTokenFile(t, "SLACK_CLIENT_SECRET="+envSecret+"\nexport COACH_TOKEN_KEY='"+testKey+"'\n", 0o600)
	c, err = Parse(append(withTokenFile(path), on...), nil)
	if err != nil {
		t.Fatal(err)
	}
	if string(c.ClientSecret) != envSecret || string(c.TokenKey) != testKey {
		t.Errorf("secrets from the token file = %q, %q", string(c.ClientSecret), string(c.TokenKey))
	}

	// A short key and a bad public URL: both reported, and neither secret shown.
	bad := []byte(connectYAML("http://coach.example.com", testClientID))
	_, err = Parse(bad, env(map[string]string{ClientSecretEnv: envSecret, TokenKeyEnv: testShortKey}))
	want := "config:2: connect.public_url: \"http://coach.example.com\" is plain http (Slack requires an HTTPS redirect URL; http is allowed only on a loopback address, for tests and the demo)\n" +
		"config: COACH_TOKEN_KEY from the environment is not 32 bytes in base64 (make a key with `coach connect-key`)"
	if err == nil || err.Error() != want {
		t.Errorf("Parse error\ngot  %v\nwant %s", err, want)
	}
	for _, k := range []string{"not base64!", testShortKey, testKey + "AAAA"} {
		path := writeTokenFile(t, "COACH_TOKEN_KEY="+k+"\n", 0o600)
		_, err := Parse(withTokenFile(path), nil)
		want := "config:2: slack.token_file: " + path + ": COACH_TOKEN_KEY is not 32 bytes in base64 (make a key with `coach connect-key`)"
		if err == nil || err.Error() != want {
			t.Errorf("key %q in the token file: error\ngot  %v\nwant %s", k, err, want)
		}
	}
	for _, k := range []string{testKey, strings.TrimRight(testKey, "="), "WlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlo"} {
		if _, err := Parse(nil, env(map[string]string{TokenKeyEnv: k})); err != nil {
			t.Errorf("key %q: %v, want it accepted", k, err)
		}
	}
}

// With Connect on, RequireTokens asks for the client secret and the key too, saying why;
// with it off, it does not.
func TestRequireConnectSecrets(t *testing.T) {
	const (
		noSecret = "config: no Slack client secret (Connect is on: connect.public_url or connect.client_id is set): set SLACK_CLIENT_SECRET=… (the app's Client Secret, under Basic Information → App Credentials) in the environment, or put that line in the file named by slack.token_file and chmod 600 it"
		noKey    = "config: no token encryption key (Connect is on: connect.public_url or connect.client_id is set): set COACH_TOKEN_KEY=… (32 random bytes in base64 that seal managers' user tokens: make one with `coach connect-key`) in the environment, or put that line in the file named by slack.token_file and chmod 600 it"
	)
	for _, tt := range []struct {
		name        string
		on          bool
		secret, key Token
		want        string
	}{
		{"off", false, "", "", ""},
		{"on, both set", true, envSecret, testKey, ""},
		{"on, no secret", true, "", testKey, noSecret},
		{"on, no key", true, envSecret, "", noKey},
		{"on, neither", true, "", "", noSecret + "\n" + noKey},
	} {
		c := Default()
		c.BotToken, c.AppToken = envBot, envApp
		if tt.on {
			c.Connect.PublicURL, c.Connect.ClientID = "https://coach.example.com", testClientID
		}
		c.ClientSecret, c.TokenKey = tt.secret, tt.key
		got := ""
		if err := c.RequireTokens(); err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("%s: RequireTokens()\ngot  %s\nwant %s", tt.name, got, tt.want)
		}
	}
}

// Connect's secrets never appear in an error or a printed Config.
func TestConnectSecretsNeverShown(t *testing.T) {
	vars := map[string]string{ClientSecretEnv: envSecret, TokenKeyEnv: testKey}
	for _, data := range []string{
		"admins: [" + envSecret + "]\n",
		"connect:\n  public_url: " + envSecret + "\n",
		"connect:\n  client_id: \"" + testKey + "\"\n",
		"connect:\n  listen: " + testKey + "\n",
		"timezone: " + envSecret + "\n",
	} {
		_, err := Parse([]byte(data), env(vars))
		if err == nil {
			t.Errorf("Parse(%q) error = nil, want one", data)
			continue
		}
		if strings.Contains(err.Error(), envSecret) || strings.Contains(err.Error(), testKey) {
			t.Errorf("Parse(%q) error shows a secret:\n%v", data, err)
		}
	}
	c, err := Parse(nil, env(vars))
	if err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{strings.Join([]string{c.ClientSecret.String(), c.TokenKey.String()}, " "), fmt.Sprintf("%v %+v %#v", c, *c, c)} {
		if strings.Contains(out, envSecret) || strings.Contains(out, testKey) {
			t.Errorf("a printed Config shows a secret: %s", out)
		}
	}
	c.TokenKey = testShortKey
	if err := c.Validate(); err == nil || strings.Contains(err.Error(), testShortKey) {
		t.Errorf("Validate with a short key = %v, want an error that does not show it", err)
	}
}
