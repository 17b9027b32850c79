package norms

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"coach/signals"
)

// Kind names a norm prompt.
type Kind string

// The norm prompt kinds.
const (
	MessageHours Kind = "message_hours"
	ResponseTime Kind = "response_time"
	CheckIns     Kind = "check_ins"
)

// Kinds lists every norm prompt kind; prompts.yaml defines each.
var Kinds = []Kind{MessageHours, ResponseTime, CheckIns}

// Option is one answer to a prompt: the emoji people vote with, what it
// means, and the norm it sets.
type Option struct {
	Emoji         string   `yaml:"emoji"`
	Label         string   `yaml:"label"`
	Start         string   `yaml:"start"`
	End           string   `yaml:"end"`
	Days          []string `yaml:"days"`
	ResponseHours int      `yaml:"response_hours"`
	CheckIns      int      `yaml:"check_ins"`

	hours *signals.Hours
}

// Definition is one prompt kind.
type Definition struct {
	Kind     Kind     `yaml:"kind"`
	Topic    string   `yaml:"topic"`    // "when work messages are OK": coach's words, no I, we or you
	Question string   `yaml:"question"` // the manager's own words, in the first person
	Recheck  string   `yaml:"recheck"`  // the question of a scheduled re-check, as Question
	Options  []Option `yaml:"options"`  // most considerate first
}

//go:embed prompts.yaml
var promptsYAML []byte

// Catalog holds the prompt definitions.
type Catalog struct {
	defs map[Kind]*Definition
	list []Kind
}

// LoadCatalog reads the embedded prompts.yaml.
func LoadCatalog() (*Catalog, error) { return parseCatalog(promptsYAML) }

func parseCatalog(raw []byte) (*Catalog, error) {
	var defs []Definition
	dec := yaml.NewDecoder(strings.NewReader(string(raw)))
	dec.KnownFields(true)
	if err := dec.Decode(&defs); err != nil {
		return nil, fmt.Errorf("norms: prompts.yaml: %w", err)
	}
	c := &Catalog{defs: map[Kind]*Definition{}}
	for i := range defs {
		d := &defs[i]
		if d.Question == "" || d.Recheck == "" || len(d.Options) < 2 {
			return nil, fmt.Errorf("norms: prompts.yaml: %s needs a question, a recheck and at least two options", d.Kind)
		}
		seen := map[string]bool{}
		for j := range d.Options {
			o := &d.Options[j]
			if o.Emoji == "" || o.Label == "" || seen[o.Emoji] {
				return nil, fmt.Errorf("norms: prompts.yaml: %s option %d: an emoji (unique) and a label are required", d.Kind, j)
			}
			seen[o.Emoji] = true
			if d.Kind == MessageHours {
				h, err := parseHours(o.Start, o.End, o.Days)
				if err != nil {
					return nil, fmt.Errorf("norms: prompts.yaml: %s %s: %w", d.Kind, o.Emoji, err)
				}
				o.hours = &h
			}
		}
		c.defs[d.Kind] = d
		c.list = append(c.list, d.Kind)
	}
	for _, k := range Kinds {
		if c.defs[k] == nil {
			return nil, fmt.Errorf("norms: prompts.yaml: no %s prompt", k)
		}
	}
	return c, nil
}

// Kinds lists the prompt kinds in file order.
func (c *Catalog) Kinds() []Kind { return c.list }

// Lookup returns the definition of a kind.
func (c *Catalog) Lookup(k Kind) (*Definition, bool) {
	d, ok := c.defs[k]
	return d, ok
}

// Option returns the option with that emoji.
func (d *Definition) Option(emoji string) (*Option, bool) {
	for i := range d.Options {
		if d.Options[i].Emoji == emoji {
			return &d.Options[i], true
		}
	}
	return nil, false
}

// rank is an option's place in the list: lower is more considerate.
func (d *Definition) rank(emoji string) int {
	for i := range d.Options {
		if d.Options[i].Emoji == emoji {
			return i
		}
	}
	return len(d.Options)
}

// Apply sets the norm an option stands for on n.
func (o *Option) Apply(k Kind, n *signals.Norms) {
	switch k {
	case MessageHours:
		h := *o.hours
		n.Hours = &h
	case ResponseTime:
		n.ResponseHours = o.ResponseHours
	case CheckIns:
		n.CheckIns = o.CheckIns
	}
}

// Reset clears the norm of kind k.
func Reset(k Kind, n *signals.Norms) {
	switch k {
	case MessageHours:
		n.Hours = nil
	case ResponseTime:
		n.ResponseHours = 0
	case CheckIns:
		n.CheckIns = 0
	}
}

// Describe says in words what a team agreed for kind k, or "" if nothing.
func (c *Catalog) Describe(k Kind, n signals.Norms) string {
	d, ok := c.defs[k]
	if !ok {
		return ""
	}
	for i := range d.Options {
		o := &d.Options[i]
		var probe signals.Norms
		o.Apply(k, &probe)
		switch {
		case k == MessageHours && n.Hours != nil && probe.Hours.Equal(*n.Hours),
			k == ResponseTime && n.ResponseHours != 0 && probe.ResponseHours == n.ResponseHours,
			k == CheckIns && n.CheckIns != 0 && probe.CheckIns == n.CheckIns:
			return ":" + o.Emoji + ": " + o.Label
		}
	}
	switch {
	case k == MessageHours && n.Hours != nil:
		return n.Hours.String()
	case k == ResponseTime && n.ResponseHours != 0:
		return "within " + strconv.Itoa(n.ResponseHours) + " working hours"
	case k == CheckIns && n.CheckIns != 0:
		return strconv.Itoa(n.CheckIns) + " check-ins a week"
	}
	return ""
}

// parseHours reads a prompt option's hours: HH:MM times and three-letter
// days, as the prompts file writes them.
func parseHours(start, end string, days []string) (signals.Hours, error) {
	s, err := clock(start)
	if err != nil {
		return signals.Hours{}, err
	}
	e, err := clock(end)
	if err != nil {
		return signals.Hours{}, err
	}
	var wd []time.Weekday
	for _, d := range days {
		w, ok := signals.ParseWeekday(d)
		if !ok || signals.DayName(w) != d {
			return signals.Hours{}, fmt.Errorf("day %q", d)
		}
		wd = append(wd, w)
	}
	h := signals.NewHours(s, e, wd...)
	return h, h.Validate()
}

func clock(s string) (int, error) {
	m, ok := signals.ParseClock(s)
	if !ok || !strings.Contains(s, ":") {
		return 0, fmt.Errorf("%q is not a time of day", s)
	}
	return m, nil
}
