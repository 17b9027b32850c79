package config

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Token is a Slack token. It prints (with any fmt verb) and marshals (JSON, YAML, text) as
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

// The environment variables, and token file keys, that hold the tokens.
const (
	BotTokenEnv = "SLACK_BOT_TOKEN"
	AppTokenEnv = "SLACK_APP_TOKEN"
)

// tokenKind describes one of the two tokens: where it comes from and what it looks like.
type tokenKind struct {
	name, env, prefix, where string
}

var (
	botKind = tokenKind{"bot", BotTokenEnv, "xoxb-", "the Bot User OAuth Token, under OAuth & Permissions"}
	appKind = tokenKind{"app", AppTokenEnv, "xapp-", "an app-level token with connections:write, under Basic Information"}
)

// RequireTokens reports each missing token and how to provide it. Commands that talk to
// Slack call it after Load; Load itself does not require tokens.
func (c *Config) RequireTokens() error {
	var errs []error
	for _, k := range []struct {
		kind  tokenKind
		token Token
	}{{botKind, c.BotToken}, {appKind, c.AppToken}} {
		if k.token == "" {
			errs = append(errs, fmt.Errorf("config: no Slack %s token: set %s=%s… (%s) in the environment, or put that line in the file named by slack.token_file and chmod 600 it",
				k.kind.name, k.kind.env, k.kind.prefix, k.kind.where))
		}
	}
	return errors.Join(errs...)
}

// check says what is wrong with a token, without repeating it.
func (k tokenKind) check(t Token) string {
	if t == "" || strings.HasPrefix(string(t), k.prefix) {
		return ""
	}
	return fmt.Sprintf("does not start with %q (want %s)", k.prefix, k.where)
}

// resolveTokens fills c's tokens from getenv, else from the token file (relative paths are
// relative to dir), and returns what is wrong with them. Nothing it returns holds a token.
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
	for _, k := range []struct {
		kind tokenKind
		dst  *Token
	}{{botKind, &c.BotToken}, {appKind, &c.AppToken}} {
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

// maxTokenFile bounds how much of a token file is read; it should hold two short lines.
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
		return nil, fmt.Errorf("%s is larger than 64 KiB (want two KEY=VALUE lines)", path)
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
		if key != BotTokenEnv && key != AppTokenEnv {
			return nil, fmt.Errorf("%s:%d: unknown key (want %s or %s)", path, n, BotTokenEnv, AppTokenEnv)
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
