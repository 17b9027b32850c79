package config

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// A problem is one thing wrong with a config: where (line, key path) and why.
type problem struct {
	line int    // 1-based line in the file; 0 when unknown
	path string // key path such as teams[1].reports[0]; "" for the file as a whole
	msg  string
	// also is another key the problem is about, whose line is used when the file does not
	// have path (a window left at its default, but retention_days set too short).
	also string
	// needs lists other keys the rule read (the start that an end must follow), so that the
	// problem is left out when one of them did not decode.
	needs []string
}

// format renders p as "source:line: path: msg", leaving out what is unknown.
func (p problem) format(source string) string {
	var b strings.Builder
	b.WriteString(source)
	if p.line > 0 {
		fmt.Fprintf(&b, ":%d", p.line)
	}
	b.WriteString(": ")
	if p.path != "" {
		b.WriteString(p.path)
		b.WriteString(": ")
	}
	b.WriteString(p.msg)
	return b.String()
}

// report joins every problem, in file order, and any other errors into one error, one line
// each, with secrets and anything shaped like a Slack token removed. It returns nil when there
// is nothing to report.
func report(source string, ps []problem, other []error, secrets []string) error {
	slices.SortStableFunc(ps, func(a, b problem) int { return a.line - b.line })
	errs := make([]error, 0, len(ps)+len(other))
	for _, p := range ps {
		errs = append(errs, errors.New(scrub(p.format(source), secrets)))
	}
	for _, err := range other {
		errs = append(errs, errors.New(scrub(err.Error(), secrets)))
	}
	return errors.Join(errs...)
}

// tokenShaped matches Slack tokens: xoxb-, xoxp-, xoxe-…, and xapp-.
var tokenShaped = regexp.MustCompile(`(?:xox[a-z]|xapp)-[0-9A-Za-z-]+`)

// scrub removes each secret, and anything token-shaped, from an error message.
func scrub(msg string, secrets []string) string {
	for _, s := range secrets {
		// Shorter values are not real tokens, and replacing them would garble the message.
		if len(s) >= 8 {
			msg = strings.ReplaceAll(msg, s, redacted)
		}
	}
	return tokenShaped.ReplaceAllString(msg, redacted)
}

// quote quotes a value from the file for an error message, shortened so that one bad value
// cannot flood the terminal.
func quote(s string) string {
	const max = 60
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return strconv.Quote(s)
}

// yamlProblems turns an error from yaml.v3 into problems. Type errors (one per bad value,
// each "line N: why") get the key path of their line from ix; ix is nil for syntax errors,
// which yaml.v3 reports one at a time as "yaml: line N: why".
func yamlProblems(err error, ix *index, data []byte) []problem {
	var te *yaml.TypeError
	if errors.As(err, &te) && ix != nil {
		ps := make([]problem, 0, len(te.Errors))
		for _, e := range te.Errors {
			ps = append(ps, ix.typeProblem(e))
		}
		return ps
	}
	line, msg := splitLine(strings.TrimPrefix(err.Error(), "yaml: "))
	if line > 0 && tabIndented(data, line) {
		msg += " (indent with spaces, not tabs)"
	}
	return []problem{{line: line, msg: msg}}
}

// typeProblem turns one yaml.v3 type error into a problem with a key path. Unknown keys say
// which keys are allowed there.
func (ix *index) typeProblem(e string) problem {
	line, msg := splitLine(e)
	if name, ok := unknownField(msg); ok {
		p := problem{line: line, path: name, msg: "unknown key"}
		if en, ok := ix.keyOn(line, name); ok {
			p.path = en.path
			if keys := keysAt(en.parent); len(keys) > 0 {
				p.msg += " (want one of " + strings.Join(keys, ", ") + ")"
			}
		}
		return p
	}
	return problem{line: line, path: ix.firstOn(line), msg: msg}
}

// splitLine splits "line 3: why" into 3 and "why".
func splitLine(s string) (int, string) {
	rest, ok := strings.CutPrefix(s, "line ")
	if !ok {
		return 0, s
	}
	num, msg, ok := strings.Cut(rest, ": ")
	n, err := strconv.Atoi(num)
	if !ok || err != nil {
		return 0, s
	}
	return n, msg
}

// unknownField recognises yaml.v3's "field NAME not found in type T".
func unknownField(msg string) (string, bool) {
	rest, ok := strings.CutPrefix(msg, "field ")
	i := strings.LastIndex(rest, " not found in type ")
	if !ok || i < 0 {
		return "", false
	}
	return rest[:i], true
}

// tabIndented reports whether line n of data is indented with a tab.
func tabIndented(data []byte, n int) bool {
	lines := strings.Split(string(data), "\n")
	if n > len(lines) {
		return false
	}
	l := lines[n-1]
	return strings.Contains(l[:len(l)-len(strings.TrimLeft(l, " \t"))], "\t")
}

// keysAt lists the YAML keys allowed in the mapping at path (e.g. "slack", "teams[0]").
func keysAt(path string) []string {
	t := reflect.TypeFor[Config]()
	if path != "" {
		for _, seg := range strings.Split(path, ".") {
			name, _, _ := strings.Cut(seg, "[")
			f, ok := fieldByKey(t, name)
			if !ok {
				return nil
			}
			t = f.Type
			for t.Kind() == reflect.Slice {
				t = t.Elem()
			}
		}
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	var keys []string
	for f := range t.Fields() {
		if k := yamlKey(f); k != "" {
			keys = append(keys, k)
		}
	}
	return keys
}

func fieldByKey(t reflect.Type, key string) (reflect.StructField, bool) {
	if t.Kind() != reflect.Struct {
		return reflect.StructField{}, false
	}
	for f := range t.Fields() {
		if yamlKey(f) == key {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// yamlKey is the key a struct field has in YAML, or "" if it has none.
func yamlKey(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if name == "-" || !f.IsExported() {
		return ""
	}
	return name
}
