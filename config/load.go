package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Load reads the YAML file at path, applies defaults, validates it, and resolves the tokens
// through getenv (nil means an empty environment). A relative slack.token_file is relative to
// the file's directory. Problems are reported all at once, one line each, as
// "path:line: key: why". Load does not require the tokens; see RequireTokens.
func Load(path string, getenv func(string) string) (*Config, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("config: %w; pass --config with the path of your config file (config.example.yaml documents every key)", err)
	}
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return parse(path, filepath.Dir(path), data, getenv)
}

// Parse is Load for a file already in memory. Its problems are reported as "config:line: key:
// why", and a relative slack.token_file is relative to the working directory. An empty file
// gives the defaults.
func Parse(data []byte, getenv func(string) string) (*Config, error) {
	return parse("config", "", data, getenv)
}

func parse(source, dir string, data []byte, getenv func(string) string) (*Config, error) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	var secrets []string
	for _, env := range []string{BotTokenEnv, AppTokenEnv, ClientSecretEnv, TokenKeyEnv} {
		secrets = append(secrets, strings.TrimSpace(getenv(env)))
	}

	// The node tree gives syntax errors, and the lines that problems found later point at.
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, report(source, yamlProblems(err, nil, data), nil, secrets)
	}
	if doc := root.Content; len(doc) == 1 && doc[0].Kind != yaml.MappingNode && doc[0].ShortTag() != "!!null" {
		p := problem{line: doc[0].Line, msg: "want a mapping of keys such as slack: and teams: (see config.example.yaml)"}
		return nil, report(source, []problem{p}, nil, secrets)
	}
	ix := newIndex(&root)

	// Values that do not decode are reported together with every rule that the rest of the
	// file breaks, so the file is fixed in one pass. Rules about what did not decode say
	// nothing: they would check a default, not what the file says.
	c := Default()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var ps []problem
	err := dec.Decode(c)
	var te *yaml.TypeError
	switch {
	case err == nil, errors.Is(err, io.EOF):
	case errors.As(err, &te):
		ps = yamlProblems(err, ix, data)
	default:
		return nil, report(source, yamlProblems(err, ix, data), nil, secrets)
	}
	bad := undecodedPaths{}
	if te != nil {
		c, bad = decodeWithout(&root)
	}
	var second yaml.Node
	if err := dec.Decode(&second); !errors.Is(err, io.EOF) {
		ps = append(ps, problem{line: second.Line, msg: "more than one YAML document (a config file holds one)"})
	}

	c.normalise()
	c.resolveTeamsFrom(dir)
	rules := c.validate()
	envErrs, tokenProblems := c.resolveTokens(getenv, dir)
	for _, p := range append(rules, tokenProblems...) {
		if bad.misleads(p) {
			continue
		}
		p.line = ix.lineOf(p)
		ps = append(ps, p)
	}
	secrets = append(secrets, c.secretValues()...)
	if err := report(source, ps, envErrs, secrets); err != nil {
		return nil, err
	}
	return c, nil
}

// normalise puts values into the one form the rest of coach expects: the API URL ends in
// "/", connect.public_url does not, lexicon entries are trimmed and lowercase, emoji names
// without colons, and "no teams" or "no admins" is nil however it was written.
func (c *Config) normalise() {
	if len(c.Teams) == 0 {
		c.Teams = nil
	}
	if len(c.Admins) == 0 {
		c.Admins = nil
	}
	if u := c.Slack.APIURL; u != "" && !strings.HasSuffix(u, "/") {
		c.Slack.APIURL = u + "/"
	}
	c.Connect.PublicURL = strings.TrimRight(c.Connect.PublicURL, "/")
	lx := &c.Lexicon
	for _, list := range []*[]string{&lx.QuestionWords, &lx.RecognitionPhrases, &lx.RecognitionEmoji, &lx.StatusChasePatterns} {
		for i, s := range *list {
			(*list)[i] = strings.ToLower(strings.TrimSpace(s))
		}
	}
	for i, e := range lx.RecognitionEmoji {
		lx.RecognitionEmoji[i] = strings.Trim(e, ":")
	}
}
