package decode

import (
	"encoding/json"
	"unicode/utf8"
)

// scanner is the one-pass JSON reader behind the fast path of
// Decoder.Decode (decode_fast.go): it reads the fields
// coach uses and validates everything else as it skips it. It gives up on
// anything that is not plain — a syntax error, a type it does not expect,
// a null, an escaped, non-ASCII or upper-case key (encoding/json matches
// keys case-insensitively), a repeated field, deep nesting — and the caller
// then decodes with encoding/json, whose results and errors stay the
// reference.

// maxScanDepth is how deep the scanner nests before it gives up.
const maxScanDepth = 64

// scanner reads one JSON document. ok turns false when it gives up.
type scanner struct {
	b     []byte
	i     int
	ok    bool
	depth int
}

func newScanner(b []byte) *scanner { return &scanner{b: b, ok: true} }

func (s *scanner) fail() { s.ok = false }

// peek skips white space and returns the next byte, 0 at the end.
func (s *scanner) peek() byte {
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

// end checks that nothing but white space follows the document.
func (s *scanner) end() {
	if s.peek() != 0 || s.i != len(s.b) {
		s.fail()
	}
}

// once fails when bit is already set in seen: a repeated field.
func (s *scanner) once(seen *uint32, bit uint32) {
	if *seen&bit != 0 {
		s.fail()
	}
	*seen |= bit
}

// object calls field for each key of an object, with the scanner at the
// value; field must read or skip the value.
func (s *scanner) object(field func(key []byte)) {
	if !s.ok || s.peek() != '{' {
		s.fail()
		return
	}
	if s.depth++; s.depth > maxScanDepth {
		s.fail()
		return
	}
	s.i++
	if s.peek() == '}' {
		s.i++
		s.depth--
		return
	}
	for s.ok {
		if s.peek() != '"' {
			s.fail()
			return
		}
		key, escaped, nonASCII := s.rawString()
		if !s.ok || escaped || nonASCII || s.peek() != ':' {
			s.fail()
			return
		}
		s.i++
		s.peek()
		field(key)
		if !s.ok {
			return
		}
		switch s.peek() {
		case ',':
			s.i++
		case '}':
			s.i++
			s.depth--
			return
		default:
			s.fail()
			return
		}
	}
}

// array calls elem for each element, with the scanner at it.
func (s *scanner) array(elem func()) {
	if !s.ok || s.peek() != '[' {
		s.fail()
		return
	}
	if s.depth++; s.depth > maxScanDepth {
		s.fail()
		return
	}
	s.i++
	if s.peek() == ']' {
		s.i++
		s.depth--
		return
	}
	for s.ok {
		s.peek()
		elem()
		if !s.ok {
			return
		}
		switch s.peek() {
		case ',':
			s.i++
		case ']':
			s.i++
			s.depth--
			return
		default:
			s.fail()
			return
		}
	}
}

// unknown skips the value of a key coach does not read. A key with an
// upper-case letter might match a field case-insensitively: give up.
func (s *scanner) unknown(key []byte) {
	for _, c := range key {
		if c >= 'A' && c <= 'Z' {
			s.fail()
			return
		}
	}
	s.skip()
}

// skip validates and skips any value.
func (s *scanner) skip() {
	switch s.peek() {
	case '{':
		s.object(func([]byte) { s.skip() })
	case '[':
		s.array(s.skip)
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

func (s *scanner) literal(word string) {
	if len(s.b)-s.i < len(word) || string(s.b[s.i:s.i+len(word)]) != word {
		s.fail()
		return
	}
	s.i += len(word)
}

// number validates a JSON number and returns it.
func (s *scanner) number() []byte {
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
	if s.i < len(s.b) && s.b[s.i] == '0' {
		s.i++
	} else if digits() == 0 {
		s.fail()
		return nil
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if digits() == 0 {
			s.fail()
			return nil
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if digits() == 0 {
			s.fail()
			return nil
		}
	}
	return s.b[start:s.i]
}

// rawString reads a string at '"' and returns its bytes between the quotes,
// whether it has escapes and whether it has non-ASCII bytes.
func (s *scanner) rawString() (raw []byte, escaped, nonASCII bool) {
	s.i++ // the opening quote
	start := s.i
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			return s.b[start : s.i-1], escaped, nonASCII
		case c == '\\':
			escaped = true
			if s.i+1 >= len(s.b) {
				s.fail()
				return nil, false, false
			}
			switch s.b[s.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.i += 2
			case 'u':
				if s.i+6 > len(s.b) {
					s.fail()
					return nil, false, false
				}
				for _, h := range s.b[s.i+2 : s.i+6] {
					if !(h >= '0' && h <= '9' || h >= 'a' && h <= 'f' || h >= 'A' && h <= 'F') {
						s.fail()
						return nil, false, false
					}
				}
				s.i += 6
			default:
				s.fail()
				return nil, false, false
			}
		case c < 0x20:
			s.fail()
			return nil, false, false
		default:
			if c >= utf8.RuneSelf {
				nonASCII = true
			}
			s.i++
		}
	}
	s.fail()
	return nil, false, false
}

// str reads a string value. Escapes and invalid UTF-8 are left to
// encoding/json, so they read exactly as it reads them.
func (s *scanner) str() string {
	if !s.ok || s.peek() != '"' {
		s.fail()
		return ""
	}
	start := s.i
	raw, escaped, nonASCII := s.rawString()
	if !s.ok {
		return ""
	}
	if !escaped && (!nonASCII || utf8.Valid(raw)) {
		return string(raw)
	}
	var v string
	if json.Unmarshal(s.b[start:s.i], &v) != nil {
		s.fail()
	}
	return v
}

// boolean reads true or false.
func (s *scanner) boolean() bool {
	switch s.peek() {
	case 't':
		s.literal("true")
		return true
	case 'f':
		s.literal("false")
		return false
	}
	s.fail()
	return false
}
