package config

import (
	"reflect"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// undecodedPaths holds the key paths of values that did not decode. The path "" stands for
// the whole file: something did not decode, and it is not known which values that touched.
type undecodedPaths map[string]bool

// covers reports whether path is, or lies under, a value that did not decode.
func (bad undecodedPaths) covers(path string) bool {
	for {
		if bad[path] {
			return true
		}
		if path == "" {
			return false
		}
		path = parentPath(path)
	}
}

// misleads reports whether a rule's problem is about, or was worked out from, a value that did
// not decode: the rule saw a default or an empty item, not what the file says.
func (bad undecodedPaths) misleads(p problem) bool {
	if bad.covers(p.path) || (p.also != "" && bad.covers(p.also)) {
		return true
	}
	for _, n := range p.needs {
		if bad.covers(n) {
			return true
		}
	}
	return false
}

// decodeWithout takes out of root each value that does not decode, decodes what is left over
// the defaults, and returns it with the paths it took out. A key taken out keeps its default;
// a list item taken out becomes an empty item, where yaml.v3 would drop it and so move each
// later item to the path of the one before. A file with aliases or merge keys is not taken
// apart: one value can stand at several paths there, so bad is the whole file.
func decodeWithout(root *yaml.Node) (*Config, undecodedPaths) {
	bad := undecodedPaths{}
	strip(root, reflect.TypeFor[Config](), "", bad)
	c := Default()
	if err := root.Decode(c); err != nil || len(bad) == 0 {
		bad[""] = true
	}
	return c, bad
}

// strip walks n as the value of type t at path, takes out what does not decode below it, and
// reports whether n itself decodes.
func strip(n *yaml.Node, t reflect.Type, path string, bad undecodedPaths) bool {
	if n.Kind == yaml.AliasNode {
		bad[""] = true
		return true
	}
	if n.ShortTag() == "!!null" {
		return true
	}
	if reflect.PointerTo(t).Implements(reflect.TypeFor[yaml.Unmarshaler]()) {
		return decodes(n, t)
	}
	switch {
	case n.Kind == yaml.DocumentNode:
		for _, c := range n.Content {
			strip(c, t, path, bad)
		}
		return true
	case t.Kind() == reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return false
		}
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.ShortTag() == "!!merge" {
				bad[""] = true
			}
			p := keyPath(path, k.Value)
			f, known := fieldByKey(t, k.Value)
			if !known || k.Value == "" || seen[k.Value] || !strip(v, f.Type, p, bad) {
				bad[p] = true
			}
			seen[k.Value] = true
		}
		// A key given twice goes from both places: which value the rules should see is not known.
		kept := n.Content[:0]
		for i := 0; i+1 < len(n.Content); i += 2 {
			if !bad[keyPath(path, n.Content[i].Value)] {
				kept = append(kept, n.Content[i], n.Content[i+1])
			}
		}
		n.Content = kept
		return true
	case t.Kind() == reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return false
		}
		for i, item := range n.Content {
			p := path + "[" + strconv.Itoa(i) + "]"
			if !strip(item, t.Elem(), p, bad) {
				bad[p] = true
				n.Content[i] = zeroNode(t.Elem(), item)
			}
		}
		return true
	default:
		return decodes(n, t)
	}
}

// keyPath is the path of key in the mapping at path, as the index writes it.
func keyPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// decodes reports whether n decodes as a value of type t.
func decodes(n *yaml.Node, t reflect.Type) bool {
	return n.Decode(reflect.New(t).Interface()) == nil
}

// zeroNode is the YAML of t's zero value, in place of the node at.
func zeroNode(t reflect.Type, at *yaml.Node) *yaml.Node {
	var z yaml.Node
	if err := z.Encode(reflect.Zero(t).Interface()); err != nil {
		z = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null"}
	}
	z.Line, z.Column = at.Line, at.Column
	return &z
}
