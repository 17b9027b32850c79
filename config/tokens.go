package config

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Token is a Slack token or another secret (the client secret, the token key). It prints (with any fmt verb) and marshals (JSON, YAML, text) as
// "[redacted]", or as "" when empty, so a Config can be logged whole. string(t) is the only
// way to read it.
type Token string

const redacted = "[redacted]"

// String returns "[redacted]", or "" for an empty token.
func (t Token) String() string {
	if t == "" {
		return ""
	}
	return redacted
}

// GoString keeps %#v from printing the token.
func (t Token) GoString() string { return fmt.Sprintf("config.Token(%q)", t.String()) }

// Format keeps every fmt verb, %d and %x included, from printing the token.
func (t Token) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		io.WriteString(f, t.GoString())
		return
	}
	fmt.Fprintf(f, fmt.FormatString(f, verb), t.String())
}

// MarshalText keeps encoding/json, yaml and loggers from writing the token.
func (t Token) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// The environment variables, and token file keys, that hold the tokens and Connect's secrets.
const (
	BotTokenEnv     = "SLACK_BOT_TOKEN"
	AppTokenEnv     = "SLACK_APP_TOKEN"
	ClientSecretEnv = "SLACK_CLIENT_SECRET"
	TokenKeyEnv     = "COACH_TOKEN_KEY"
)

// tokenKind describes one secret: where it comes from and what it looks like.
type tokenKind struct {
	name   string // what it is, as a missing one is named: "Slack bot token"
	env    string
	shape  string // its value as the fix shows it: "xoxb-…"
	where  string // where to get it
	prefix string // what it starts with, "" if nothing in particular
	key    bool   // COACH_TOKEN_KEY: 32 bytes in base64
}

var (
	botKind    = tokenKind{name: "Slack bot token", env: BotTokenEnv, shape: "xoxb-…", prefix: "xoxb-", where: "the Bot User OAuth Token, under OAuth & Permissions"}
	appKind    = tokenKind{name: "Slack app token", env: AppTokenEnv, shape: "xapp-…", prefix: "xapp-", where: "an app-level token with connections:write, under Basic Information"}
	secretKind = tokenKind{name: "Slack client secret", env: ClientSecretEnv, shape: "…", where: "the app's Client Secret, under Basic Information → App Credentials"}
	keyKind    = tokenKind{name: "token encryption key", env: TokenKeyEnv, shape: "…", key: true, where: "32 random bytes in base64 that seal managers' user tokens: make one with `coach connect-key`"}
)

// secret is one secret of a Config, with its kind.
type secret struct {
	kind tokenKind
	dst  *Token
}

// secrets are c's tokens and Connect's secrets, in the order they are reported.
func (c *Config) secrets() []secret {
	return []secret{{botKind, &c.BotToken}, {appKind, &c.AppToken}, {secretKind, &c.ClientSecret}, {keyKind, &c.TokenKey}}
}

// secretValues are the values of c's secrets, to keep out of every message.
func (c *Config) secretValues() []string {
	var out []string
	for _, s := range c.secrets() {
		out = append(out, string(*s.dst))
	}
	return out
}

// RequireTokens reports each missing token and how to provide it: both Slack tokens, and
// when Connect is on, SLACK_CLIENT_SECRET and COACH_TOKEN_KEY too; with pulse.enabled,
// COACH_TOKEN_KEY (the trust pulse keys its respondent hashes with it). Commands that talk
// to Slack call it after Load; Load itself does not require them.
func (c *Config) RequireTokens() error {
	var errs []error
	for _, s := range c.secrets() {
		connectOnly := s.kind == secretKind || s.kind == keyKind
		pulseNeeds := s.kind == keyKind && c.Pulse.Enabled
		if *s.dst != "" || (connectOnly && !c.Connect.Enabled() && !pulseNeeds) {
			continue
		}
		why := ""
		switch {
		case connectOnly && c.Connect.Enabled():
			why = " (Connect is on: connect.public_url or connect.client_id is set)"
		case pulseNeeds:
			why = " (pulse.enabled is true: the trust pulse keys who-has-answered hashes with it, outside the database)"
		}
		errs = append(errs, fmt.Errorf("config: no %s%s: set %s=%s (%s) in the environment, or put that line in the file named by slack.token_file and chmod 600 it",
			s.kind.name, why, s.kind.env, s.kind.shape, s.kind.where))
	}
	return errors.Join(errs...)
}

// check says what is wrong with a secret, without repeating it.
func (k tokenKind) check(t Token) string {
	v := string(t)
	switch {
	case v == "":
		return ""
	case k.prefix != "" && !strings.HasPrefix(v, k.prefix):
		return fmt.Sprintf("does not start with %q (want %s)", k.prefix, k.where)
	case k.key && !validKey(v):
		return "is not 32 bytes in base64 (make a key with `coach connect-key`)"
	case strings.ContainsAny(v, " \t\r\n"):
		return "contains white space (want the value alone)"
	}
	return ""
}

// keySize is the length of COACH_TOKEN_KEY once decoded.
const keySize = 32

// validKey reports whether s is keySize bytes in standard or URL base64, padded or not:
// what package connect's ParseKey accepts.
func validKey(s string) bool {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil {
			return len(k) == keySize
		}
	}
	return false
}

// resolveTokens fills c's secrets from getenv, else from the token file (relative paths are
// relative to dir), and returns what is wrong with them. Nothing it returns holds a secret.
func (c *Config) resolveTokens(getenv func(string) string, dir string) (envErrs []error, fileProblems []problem) {
	var file map[string]Token
	path := c.Slack.TokenFile
	if path != "" {
		if !filepath.IsAbs(path) && dir != "" {
			path = filepath.Join(dir, path)
		}
		var err error
		if file, err = readTokenFile(path); err != nil {
			fileProblems = append(fileProblems, problem{path: "slack.token_file", msg: err.Error()})
		}
	}
	for _, k := range c.secrets() {
		if v := strings.TrimSpace(getenv(k.kind.env)); v != "" {
			*k.dst = Token(v)
			if msg := k.kind.check(*k.dst); msg != "" {
				envErrs = append(envErrs, fmt.Errorf("config: %s from the environment %s", k.kind.env, msg))
			}
			continue
		}
		*k.dst = file[k.kind.env]
		if msg := k.kind.check(*k.dst); msg != "" {
			fileProblems = append(fileProblems, problem{path: "slack.token_file", msg: fmt.Sprintf("%s: %s %s", path, k.kind.env, msg)})
		}
	}
	return envErrs, fileProblems
}

// maxTokenFile bounds how much of a token file is read; it should hold a few short lines.
const maxTokenFile = 64 << 10

// readTokenFile reads a file of KEY=VALUE lines (blank lines, # comments, an "export " prefix
// and quotes around the value are allowed) that only its owner can read. Errors name the file
// and the line, never the contents.
func readTokenFile(path string) (map[string]Token, error) {
	// Stat before opening: opening a FIFO would block.
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("%s is open to group or others (mode %04o); run: chmod 600 %s", path, perm, path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxTokenFile+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(data) > maxTokenFile {
		return nil, fmt.Errorf("%s is larger than 64 KiB (want a few KEY=VALUE lines)", path)
	}
	tokens := map[string]Token{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, maxTokenFile+1)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, value, ok := strings.Cut(strings.TrimPrefix(line, "export "), "=")
		key = strings.TrimSpace(key)
		if !ok || key == "" {
			return nil, fmt.Errorf("%s:%d: not a KEY=VALUE line", path, n)
		}
		if key != BotTokenEnv && key != AppTokenEnv && key != ClientSecretEnv && key != TokenKeyEnv {
			return nil, fmt.Errorf("%s:%d: unknown key (want %s, %s, %s or %s)", path, n, BotTokenEnv, AppTokenEnv, ClientSecretEnv, TokenKeyEnv)
		}
		if _, dup := tokens[key]; dup {
			return nil, fmt.Errorf("%s:%d: %s is set twice", path, n, key)
		}
		tokens[key] = Token(unquote(strings.TrimSpace(value)))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return tokens, nil
}

// unquote removes one pair of matching quotes around v.
func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		return v[1 : len(v)-1]
	}
	return v
}
