package config

import (
	"os"
	"strings"
	"testing"
)

// FuzzParse checks that no input makes Parse panic, that a Config it returns passes Validate,
// and that its errors never show the environment's tokens.
func FuzzParse(f *testing.F) {
	example, err := os.ReadFile(examplePath)
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{
		string(example),
		"",
		"slack:\n\tapi_url: x\n",
		"timezone: \"UTC\nlog: {level: info}\n",
		"teams:\n  - manager: U1\n    reports: [U2, U1]\n  - manager: U3\n    reports: [U2]\n",
		"working_hours: {start: \"25:00\", end: \"9:00\", days: [mon, mon, xyz]}\n",
		"nudges: {schedule: 'TZ=x'}\nnorms: {close_after: -5}\n",
		"signals: {after_hours_min_share: .nan, response_median_hours: .inf}\n",
		"a: &a [*a]\n",
		"x: &x {<<: *x}\n",
		"- [[[[[]]]]]\n",
		"? [a, b]\n: c\n",
		"retention_days: 1\n---\n---\n",
		"admins: [xoxb-1-SECRET]\nslack: {api_url: 'https://u:p@h/?q#f'}\n",
	} {
		f.Add([]byte(seed))
	}
	vars := map[string]string{BotTokenEnv: "xoxb-fuzz-SECRET", AppTokenEnv: "xapp-fuzz-SECRET"}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data, env(vars))
		if err != nil {
			if c != nil {
				t.Errorf("Parse returned a Config with error %v", err)
			}
			if msg := err.Error(); strings.Contains(msg, vars[BotTokenEnv]) || strings.Contains(msg, vars[AppTokenEnv]) {
				t.Errorf("Parse error shows a token: %s", msg)
			}
			return
		}
		if string(c.BotToken) != vars[BotTokenEnv] || string(c.AppToken) != vars[AppTokenEnv] {
			t.Errorf("Parse did not take the tokens from the environment")
		}
		if err := c.Validate(); err != nil {
			t.Errorf("Parse accepted a config that Validate rejects: %v\ninput: %q", err, data)
		}
	})
}
