package pulse

import (
	_ "embed"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Statement is one thing a pulse asks a team member to agree or disagree
// with, from 1 to 5.
type Statement struct {
	ID      string   `yaml:"id"`
	Text    string   `yaml:"text"`
	Shown   string   `yaml:"shown"`
	Reverse bool     `yaml:"reverse"`
	Norms   []string `yaml:"norms"`
	Starter string   `yaml:"starter"`
}

// Name is how results name the statement: worded so that a higher score is
// better.
func (s Statement) Name() string {
	if s.Shown != "" {
		return s.Shown
	}
	return s.Text
}

// Score is the value an answer counts for: the answer itself, or 6 minus it
// for a reverse-worded statement, so that higher is always better.
func (s Statement) Score(answer int) int {
	if s.Reverse {
		return 6 - answer
	}
	return answer
}

// PerPulse is how many statements each pulse asks.
const PerPulse = 3

// RotateEvery is how often the statements asked move on to the next three.
// The rotation follows the calendar, not each team's own pulses: teams asked
// in the same weeks answer the same statements, so the workspace's figures
// compare like with like.
const RotateEvery = 28 * 24 * time.Hour

// rotationEpoch is the Monday the rotation counts from.
var rotationEpoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

//go:embed statements.yaml
var statementsYAML []byte

// Catalog is the statements, in rotation order.
type Catalog struct {
	list []Statement
	byID map[string]int
}

// LoadCatalog reads the embedded statements.yaml.
func LoadCatalog() (*Catalog, error) { return parseCatalog(statementsYAML) }

var statementID = regexp.MustCompile(`^[a-z][a-z_]{1,30}$`)

// maxStatementLen keeps a statement short enough to read at a glance, and
// within a Block Kit section with its number.
const maxStatementLen = 120

func parseCatalog(raw []byte) (*Catalog, error) {
	var list []Statement
	dec := yaml.NewDecoder(strings.NewReader(string(raw)))
	dec.KnownFields(true)
	if err := dec.Decode(&list); err != nil {
		return nil, fmt.Errorf("pulse: statements.yaml: %w", err)
	}
	if len(list) < PerPulse {
		return nil, fmt.Errorf("pulse: statements.yaml: %d statements, want at least %d", len(list), PerPulse)
	}
	c := &Catalog{list: list, byID: map[string]int{}}
	for i, s := range list {
		where := fmt.Sprintf("pulse: statements.yaml: statement %d (%s)", i+1, s.ID)
		switch {
		case !statementID.MatchString(s.ID):
			return nil, fmt.Errorf("%s: id must be 2–31 lowercase letters or _", where)
		case s.Text == "" || s.Starter == "":
			return nil, fmt.Errorf("%s: text and starter are required", where)
		case s.Reverse && s.Shown == "":
			return nil, fmt.Errorf("%s: a reverse-worded statement needs shown, its higher-is-better name", where)
		case utf8.RuneCountInString(s.Text) > maxStatementLen || utf8.RuneCountInString(s.Name()) > maxStatementLen:
			return nil, fmt.Errorf("%s: longer than %d characters", where, maxStatementLen)
		}
		if _, dup := c.byID[s.ID]; dup {
			return nil, fmt.Errorf("%s: id listed twice", where)
		}
		c.byID[s.ID] = i
	}
	return c, nil
}

// All lists the statements in rotation order.
func (c *Catalog) All() []Statement { return c.list }

// Lookup returns the statement with that id.
func (c *Catalog) Lookup(id string) (Statement, bool) {
	i, ok := c.byID[id]
	if !ok {
		return Statement{}, false
	}
	return c.list[i], true
}

// Asked is the ids of the statements a pulse opening at opens asks: the
// next PerPulse of the list, moving on every RotateEvery by the calendar
// and wrapping around. With the default pulse.every of four weeks each
// pulse asks the three after the previous pulse's, so with 8 statements
// every one comes back within 3 pulses: 12 weeks, inside a quarter.
func (c *Catalog) Asked(opens time.Time) []string {
	block := floorDiv(opens.Sub(rotationEpoch), RotateEvery)
	n := int64(len(c.list))
	out := make([]string, 0, PerPulse)
	for j := int64(0); j < PerPulse; j++ {
		i := ((block*PerPulse+j)%n + n) % n
		out = append(out, c.list[i].ID)
	}
	return out
}

// floorDiv is a/b rounded down, also for a negative a.
func floorDiv(a, b time.Duration) int64 {
	q := int64(a / b)
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}
