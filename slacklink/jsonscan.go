package slacklink

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// maxNesting is how deep a frame may nest, as encoding/json allows.
const maxNesting = 10000

// scanner validates and reads one JSON document. A syntax error stops it (err); a
// field of the wrong type is noted (typeErr) and the scan goes on, so an envelope_id
// after it is still read.
type scanner struct {
	b       []byte
	i       int
	depth   int
	err     error
	typeErr error
}

func (s *scanner) syntax() {
	if s.err == nil {
		s.err = fmt.Errorf("malformed JSON at byte %d", s.i)
	}
}

func (s *scanner) wrongType(field, want string) {
	if s.typeErr == nil {
		s.typeErr = fmt.Errorf("field %q is not %s", field, want)
	}
}

// next skips white space and returns the next byte, 0 at the end.
func (s *scanner) next() byte {
	for s.i < len(s.b) {
		switch c := s.b[s.i]; c {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return c
		}
	}
	return 0
}

// object reads the object at s.i, calling field with each key (unescaped) and the
// scanner at its value, which field must read or skip.
func (s *scanner) object(field func(key []byte)) {
	if s.err != nil || s.next() != '{' {
		s.syntax()
		return
	}
	if s.depth++; s.depth > maxNesting {
		s.syntax()
		return
	}
	s.i++
	if s.next() == '}' {
		s.i++
		s.depth--
		return
	}
	for s.err == nil {
		if s.next() != '"' {
			s.syntax()
			return
		}
		start := s.i
		raw, plain := s.rawString()
		if s.err != nil {
			return
		}
		key := raw
		if !plain {
			var k string
			if json.Unmarshal(s.b[start:s.i], &k) != nil {
				s.syntax()
				return
			}
			key = []byte(k)
		}
		if s.next() != ':' {
			s.syntax()
			return
		}
		s.i++
		if s.next() == 0 {
			s.syntax()
			return
		}
		field(key)
		if s.err != nil {
			return
		}
		switch s.next() {
		case ',':
			s.i++
		case '}':
			s.i++
			s.depth--
			return
		default:
			s.syntax()
			return
		}
	}
}

// skip validates and passes over any value.
func (s *scanner) skip() {
	if s.err != nil {
		return
	}
	switch s.next() {
	case '{':
		s.skipObject()
	case '[':
		s.skipArray()
	case '"':
		s.rawString()
	case 't':
		s.literal("true")
	case 'f':
		s.literal("false")
	case 'n':
		s.literal("null")
	default:
		s.number()
	}
}

// skipObject is object without a callback, for the bulk of a payload.
func (s *scanner) skipObject() {
	if s.depth++; s.depth > maxNesting {
		s.syntax()
		return
	}
	s.i++
	if s.next() == '}' {
		s.i++
		s.depth--
		return
	}
	for {
		if s.next() != '"' {
			s.syntax()
			return
		}
		s.rawString()
		if s.err != nil {
			return
		}
		if s.next() != ':' {
			s.syntax()
			return
		}
		s.i++
		s.skip()
		if s.err != nil {
			return
		}
		switch s.next() {
		case ',':
			s.i++
		case '}':
			s.i++
			s.depth--
			return
		default:
			s.syntax()
			return
		}
	}
}

func (s *scanner) skipArray() {
	if s.depth++; s.depth > maxNesting {
		s.syntax()
		return
	}
	s.i++
	if s.next() == ']' {
		s.i++
		s.depth--
		return
	}
	for {
		s.skip()
		if s.err != nil {
			return
		}
		switch s.next() {
		case ',':
			s.i++
		case ']':
			s.i++
			s.depth--
			return
		default:
			s.syntax()
			return
		}
	}
}

func (s *scanner) literal(word string) {
	if !bytes.HasPrefix(s.b[s.i:], []byte(word)) {
		s.syntax()
		return
	}
	s.i += len(word)
}

// number validates a JSON number at s.i and returns it, and whether it is an
// integer (no fraction, no exponent).
func (s *scanner) number() (num []byte, integer bool) {
	start := s.i
	digits := func() int {
		n := 0
		for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
			s.i++
			n++
		}
		return n
	}
	if s.i < len(s.b) && s.b[s.i] == '-' {
		s.i++
	}
	switch {
	case s.i < len(s.b) && s.b[s.i] == '0':
		s.i++
	case digits() == 0:
		s.syntax()
		return nil, false
	}
	integer = true
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		integer = false
		if digits() == 0 {
			s.syntax()
			return nil, false
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		integer = false
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if digits() == 0 {
			s.syntax()
			return nil, false
		}
	}
	return s.b[start:s.i], integer
}

// rawString passes over the string at s.i and returns the bytes between its quotes;
// plain is false when they need decoding (escapes, or bytes that are not UTF-8).
func (s *scanner) rawString() (raw []byte, plain bool) {
	s.i++ // the opening quote
	start := s.i
	plain = true
	ascii := true
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			raw = s.b[start:s.i]
			s.i++
			if !ascii && !utf8.Valid(raw) {
				plain = false
			}
			return raw, plain
		case c == '\\':
			plain = false
			if s.i+1 >= len(s.b) {
				s.syntax()
				return nil, false
			}
			switch s.b[s.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.i += 2
			case 'u':
				if s.i+6 > len(s.b) {
					s.syntax()
					return nil, false
				}
				for _, h := range s.b[s.i+2 : s.i+6] {
					if !(h >= '0' && h <= '9' || h >= 'a' && h <= 'f' || h >= 'A' && h <= 'F') {
						s.syntax()
						return nil, false
					}
				}
				s.i += 6
			default:
				s.i++
				s.syntax()
				return nil, false
			}
		case c < 0x20:
			s.syntax()
			return nil, false
		default:
			if c >= utf8.RuneSelf {
				ascii = false
			}
			s.i++
		}
	}
	s.syntax()
	return nil, false
}

// str reads a string field; null reads as "".
func (s *scanner) str(field string) string {
	switch s.next() {
	case '"':
	case 'n':
		s.literal("null")
		return ""
	default:
		s.wrongType(field, "a string")
		s.skip()
		return ""
	}
	start := s.i
	raw, plain := s.rawString()
	if s.err != nil {
		return ""
	}
	if plain {
		return intern(raw)
	}
	var v string
	if json.Unmarshal(s.b[start:s.i], &v) != nil {
		s.syntax()
	}
	return v
}

// intern returns the envelope types and retry reasons Slack sends without
// allocating; anything else is copied.
func intern(raw []byte) string {
	switch string(raw) {
	case "":
		return ""
	case "events_api":
		return "events_api"
	case "slash_commands":
		return "slash_commands"
	case "interactive":
		return "interactive"
	case "hello":
		return "hello"
	case "disconnect":
		return "disconnect"
	case "timeout":
		return "timeout"
	}
	return string(raw)
}

// integer reads an int field as encoding/json does (no fraction or exponent);
// null reads as 0.
func (s *scanner) integer(field string) int {
	switch c := s.next(); {
	case c == 'n':
		s.literal("null")
		return 0
	case c == '-' || c >= '0' && c <= '9':
	default:
		s.wrongType(field, "an integer")
		s.skip()
		return 0
	}
	num, integer := s.number()
	if s.err != nil {
		return 0
	}
	v, err := strconv.ParseInt(string(num), 10, strconv.IntSize)
	if !integer || err != nil {
		s.wrongType(field, "an integer")
		return 0
	}
	return int(v)
}

// boolean reads a bool field; null reads as false.
func (s *scanner) boolean(field string) bool {
	switch s.next() {
	case 't':
		s.literal("true")
		return true
	case 'f':
		s.literal("false")
		return false
	case 'n':
		s.literal("null")
		return false
	}
	s.wrongType(field, "a boolean")
	s.skip()
	return false
}

// loose reads an informational number (hello's counts); any other value is skipped
// and reads as 0.
func (s *scanner) loose() int {
	if c := s.next(); c != '-' && (c < '0' || c > '9') {
		s.skip()
		return 0
	}
	num, integer := s.number()
	if s.err != nil || !integer {
		return 0
	}
	v, _ := strconv.Atoi(string(num))
	return v
}
