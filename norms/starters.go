package norms

import (
	_ "embed"
	"fmt"

	"go.yaml.in/yaml/v3"
)

//go:embed starters.yaml
var startersYAML []byte

// Starters are the weekly team conversation starters.
type Starters []string

// LoadStarters reads the embedded starters.yaml.
func LoadStarters() (Starters, error) {
	var s Starters
	if err := yaml.Unmarshal(startersYAML, &s); err != nil {
		return nil, fmt.Errorf("norms: starters.yaml: %w", err)
	}
	if len(s) < 2 {
		return nil, fmt.Errorf("norms: starters.yaml: need at least two starters to rotate")
	}
	return s, nil
}

// Next is the starter after index last, so the same one never comes twice
// in a row. It returns the new index too.
func (s Starters) Next(last int) (int, string) {
	i := (last + 1) % len(s)
	if i < 0 {
		i = 0
	}
	return i, s[i]
}
