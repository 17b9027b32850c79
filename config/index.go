package config

import (
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// An index maps the key paths of a parsed YAML file to lines and back, so that problems found
// after decoding can say where they are, and yaml.v3's "line N" errors can say which key.
type index struct {
	lines  map[string]int  // key path → line of its key (or of its sequence item)
	onLine map[int][]entry // line → keys and scalar sequence items starting on it, in order
}

type entry struct {
	path   string // teams[1].reports[0]
	parent string // teams[1]
	key    string // reports, or "" for a sequence item
}

func newIndex(root *yaml.Node) *index {
	ix := &index{lines: map[string]int{}, onLine: map[int][]entry{}}
	ix.walk(root, "")
	return ix
}

// walk records n's keys and items. It does not follow aliases: what they point at is
// recorded where the anchor is.
func (ix *index) walk(n *yaml.Node, path string) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			ix.walk(c, path)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := k.Value
			if path != "" {
				p = path + "." + k.Value
			}
			ix.add(entry{path: p, parent: path, key: k.Value}, k.Line)
			ix.walk(v, p)
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			p := path + "[" + strconv.Itoa(i) + "]"
			if item.Kind == yaml.MappingNode {
				// "- manager: U1": the line belongs to the key, not to the item.
				if _, ok := ix.lines[p]; !ok {
					ix.lines[p] = item.Line
				}
			} else {
				ix.add(entry{path: p, parent: path}, item.Line)
			}
			ix.walk(item, p)
		}
	}
}

func (ix *index) add(e entry, line int) {
	if _, ok := ix.lines[e.path]; !ok {
		ix.lines[e.path] = line
	}
	ix.onLine[line] = append(ix.onLine[line], e)
}

// lineOf returns the line of p.path or, when the file does not have it (a default), of
// p.also, else of the nearest ancestor of p.path that it does have; 0 if none.
func (ix *index) lineOf(p problem) int {
	if l, ok := ix.lines[p.path]; ok {
		return l
	}
	if l, ok := ix.lines[p.also]; ok {
		return l
	}
	for path := p.path; path != ""; {
		if l, ok := ix.lines[path]; ok {
			return l
		}
		path = parentPath(path)
	}
	return 0
}

// firstOn returns the path of the first key or item on line, or "".
func (ix *index) firstOn(line int) string {
	if es := ix.onLine[line]; len(es) > 0 {
		return es[0].path
	}
	return ""
}

// keyOn finds the key named key on line.
func (ix *index) keyOn(line int, key string) (entry, bool) {
	for _, e := range ix.onLine[line] {
		if e.key == key {
			return e, true
		}
	}
	return entry{}, false
}

// parentPath drops the last step of a key path: teams[1].reports → teams[1] → teams → "".
func parentPath(path string) string {
	i := strings.LastIndexAny(path, ".[")
	if i < 0 {
		return ""
	}
	return path[:i]
}
