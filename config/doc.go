// Package config owns coach's configuration: the YAML file an operator writes, its defaults,
// the rules every value must meet, and the two Slack tokens.
//
// Load (or Parse) returns a Config that has been decoded, normalised and checked as a whole:
// a caller never sees a half-valid Config. Every problem is reported at once, one line each,
// naming the file, the line where yaml.v3 knows it, and the key path:
//
//	/etc/coach/config.yaml:14: working_hours.start: "25:00" is not a time of day (want HH:MM)
//	/etc/coach/config.yaml:31: teams[1].reports[0]: "bob" is not a Slack user id (want U… or W…)
//
// Tokens come from the environment (SLACK_BOT_TOKEN, SLACK_APP_TOKEN) or from a KEY=VALUE file
// named by slack.token_file that only its owner can read; the environment wins. A Token prints
// and marshals as "[redacted]", and no error from this package ever contains a token.
//
// The package reads the config file, the token file and the time zone database, nothing else:
// it holds plain values, and never starts, logs or connects anything. Of coach it imports only
// the domain's types (signals, nudges), to say the file's settings in them (domain.go:
// OrgSettings, Thresholds, SignalsTeams, DigestPolicy) — the one home of that conversion, used
// by coach run (main's wire.go), replay, the demo and the bench. main converts a Config into each
// package's own options.
package config
