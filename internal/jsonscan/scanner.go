package jsonscan

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// MaxDepth is how deep objects and arrays may nest by default, as
// encoding/json allows.
const MaxDepth = 10000

// ErrNotPlain is the error of a Plain scan that gave up: the input may be
// valid JSON, but it is for encoding/json to decide.
var ErrNotPlain = errors.New("jsonscan: not plain JSON")

// Options say how a Scanner treats what is not plain JSON of the expected
// types.
type Options struct {
	// MaxDepth is how deep objects and arrays may nest; deeper is a syntax
	// error. 0 is MaxDepth.
	MaxDepth int
	// Plain is for a caller that decodes with encoding/json whenever the
	// scan gives up (ErrNotPlain): it gives up on a null, or a value of
	// another type, where a string, bool, integer, object or array is read,
	// and on a key that is escaped, not ASCII or has an upper-case letter
	// (encoding/json matches keys to fields case-insensitively).
	//
	// Without Plain, a null reads as the zero value and a value of another
	// type is noted (TypeErr) and skipped, and the scan goes on; keys are
	// unescaped and match exactly.
	Plain bool
	// Intern lists values that Str returns without allocating.
	Intern []string
}

// Scanner reads one JSON document in a single pass: the caller reads the
// values it wants (Object, Array, Str, Bool, Int) and skips the rest
// (Skip, Raw), which is validated as it is passed over. A syntax error
// stops the scan (Err); its message gives the byte offset, never the input.
type Scanner struct {
	b        []byte
	i        int
	depth    int
	maxDepth int
	plain    bool
	intern   []string
	keyAt    int // where the key whose value is read starts, for a type error
	err      error
	typeErr  error
}

// New returns a Scanner at the start of b.
func New(b []byte, opts Options) Scanner {
	s := Scanner{b: b, maxDepth: opts.MaxDepth, plain: opts.Plain, intern: opts.Intern}
	if s.maxDepth <= 0 {
		s.maxDepth = MaxDepth
	}
	return s
}

// Err is the error that stopped the scan: a syntax error, or ErrNotPlain.
func (s *Scanner) Err() error { return s.err }

// TypeErr is the first value of the wrong type a scan without Plain read:
// `field "retry_attempt" is not an integer`.
func (s *Scanner) TypeErr() error { return s.typeErr }

// GiveUp stops the scan with ErrNotPlain.
func (s *Scanner) GiveUp() {
	if s.err == nil {
		s.err = ErrNotPlain
	}
}

func (s *Scanner) syntax() {
	if s.err == nil {
		s.err = fmt.Errorf("malformed JSON at byte %d", s.i)
	}
}

// wrongType gives up (Plain) or notes a type error and skips the value.
func (s *Scanner) wrongType(want string) {
	if s.plain {
		s.GiveUp()
		return
	}
	if s.typeErr == nil {
		s.typeErr = fmt.Errorf("field %q is not %s", s.keyName(), want)
	}
	s.Skip()
}

// null reads a null where another type is expected: the zero value without
// Plain, which gives up instead.
func (s *Scanner) null() {
	if s.plain {
		s.GiveUp()
		return
	}
	s.literal("null")
}

// Peek skips white space and returns the next byte, 0 at the end.
func (s *Scanner) Peek() byte {
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

// End checks that nothing but white space follows the document.
func (s *Scanner) End() {
	if s.err == nil && (s.Peek() != 0 || s.i != len(s.b)) {
		s.syntax()
	}
}

// Object reads an object, calling field with each key and the scanner at
// its value, which field must read or skip.
//
// Object, Array, skipObject and skipArray each write out their walk over
// the members (one level deeper, an empty container, then ',' or the end
// after each member) on purpose: these are the hot path of every frame and
// payload, and the walk shared as two steps (enter, next), which the
// compiler does not inline, made BenchmarkDecode 7 to 9% slower.
func (s *Scanner) Object(field func(key []byte)) {
	if !s.opens('{', "an object") {
		return
	}
	if s.depth++; s.depth > s.maxDepth {
		s.syntax()
		return
	}
	s.i++
	if s.Peek() == '}' {
		s.i++
		s.depth--
		return
	}
	for s.err == nil {
		key := s.objectKey()
		if s.err != nil {
			return
		}
		field(key)
		if s.err != nil {
			return
		}
		switch s.Peek() {
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

// opens reports whether the container that begins with open stands at s.i;
// a null is none (Plain gives up on it), a value of another type is a type
// error.
func (s *Scanner) opens(open byte, want string) bool {
	switch s.Peek() {
	case open:
		return s.err == nil
	case 'n':
		s.null()
		return false
	}
	s.wrongType(want)
	return false
}

// objectKey reads a key and its colon, leaving the scanner at the value.
func (s *Scanner) objectKey() []byte {
	if s.Peek() != '"' {
		s.syntax()
		return nil
	}
	start := s.i
	s.keyAt = start
	key, escaped, ascii := s.rawString()
	switch {
	case s.err != nil:
		return nil
	case s.plain && (escaped || !ascii || hasUpper(key)):
		s.GiveUp()
		return nil
	case escaped || !ascii && !utf8.Valid(key):
		var k string
		if json.Unmarshal(s.b[start:s.i], &k) != nil {
			s.syntax()
			return nil
		}
		key = []byte(k)
	}
	if s.Peek() != ':' {
		s.syntax()
		return nil
	}
	s.i++
	if s.Peek() == 0 {
		s.syntax()
		return nil
	}
	return key
}

// keyName is the last key read, unescaped: the key of the value being read
// ("" before any; a key follows a '{', so keyAt is never 0 for one).
func (s *Scanner) keyName() string {
	if s.keyAt == 0 {
		return ""
	}
	k := New(s.b[s.keyAt:], Options{})
	return k.Str()
}

func hasUpper(key []byte) bool {
	for _, c := range key {
		if c >= 'A' && c <= 'Z' {
			return true
		}
	}
	return false
}

// Array reads an array, calling elem with the scanner at each element,
// which elem must read or skip.
func (s *Scanner) Array(elem func()) {
	if !s.opens('[', "an array") {
		return
	}
	if s.depth++; s.depth > s.maxDepth {
		s.syntax()
		return
	}
	s.i++
	if s.Peek() == ']' {
		s.i++
		s.depth--
		return
	}
	for s.err == nil {
		s.Peek()
		elem()
		if s.err != nil {
			return
		}
		switch s.Peek() {
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

// Skip validates and passes over any value.
func (s *Scanner) Skip() {
	if s.err != nil {
		return
	}
	switch s.Peek() {
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
		s.Number()
	}
}

// Raw skips a value and returns it as it stands in the input (its capacity
// clipped, so that appending to it copies); nil when it is not valid.
func (s *Scanner) Raw() []byte {
	s.Peek()
	start := s.i
	s.Skip()
	if s.err != nil {
		return nil
	}
	return s.b[start:s.i:s.i]
}

// skipObject is Object without a callback, for the bulk of a document.
func (s *Scanner) skipObject() {
	if s.depth++; s.depth > s.maxDepth {
		s.syntax()
		return
	}
	s.i++
	if s.Peek() == '}' {
		s.i++
		s.depth--
		return
	}
	for {
		if s.Peek() != '"' {
			s.syntax()
			return
		}
		s.rawString()
		if s.err != nil {
			return
		}
		if s.Peek() != ':' {
			s.syntax()
			return
		}
		s.i++
		s.Skip()
		if s.err != nil {
			return
		}
		switch s.Peek() {
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

func (s *Scanner) skipArray() {
	if s.depth++; s.depth > s.maxDepth {
		s.syntax()
		return
	}
	s.i++
	if s.Peek() == ']' {
		s.i++
		s.depth--
		return
	}
	for {
		s.Skip()
		if s.err != nil {
			return
		}
		switch s.Peek() {
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

func (s *Scanner) literal(word string) {
	if len(s.b)-s.i < len(word) || string(s.b[s.i:s.i+len(word)]) != word {
		s.syntax()
		return
	}
	s.i += len(word)
}

// Number validates a number and returns it, and whether it is an integer
// (no fraction, no exponent).
func (s *Scanner) Number() (num []byte, integer bool) {
	start := s.i
	if s.i < len(s.b) && s.b[s.i] == '-' {
		s.i++
	}
	switch {
	case s.i < len(s.b) && s.b[s.i] == '0':
		s.i++
	case s.digits() == 0:
		s.syntax()
		return nil, false
	}
	integer = true
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		integer = false
		if s.digits() == 0 {
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
		if s.digits() == 0 {
			s.syntax()
			return nil, false
		}
	}
	return s.b[start:s.i], integer
}

func (s *Scanner) digits() int {
	n := 0
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		s.i++
		n++
	}
	return n
}

// rawString passes over the string at s.i and returns the bytes between its
// quotes, whether they hold escapes and whether they are all ASCII.
func (s *Scanner) rawString() (raw []byte, escaped, ascii bool) {
	s.i++ // the opening quote
	start := s.i
	ascii = true
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			raw = s.b[start:s.i]
			s.i++
			return raw, escaped, ascii
		case c == '\\':
			escaped = true
			if !s.escape() {
				return nil, false, false
			}
		case c < 0x20:
			s.syntax()
			return nil, false, false
		default:
			if c >= utf8.RuneSelf {
				ascii = false
			}
			s.i++
		}
	}
	s.syntax()
	return nil, false, false
}

// escape passes over the escape at s.i, reporting whether it is one.
func (s *Scanner) escape() bool {
	if s.i+1 >= len(s.b) {
		s.syntax()
		return false
	}
	switch s.b[s.i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		s.i += 2
		return true
	case 'u':
		if s.i+6 > len(s.b) {
			s.syntax()
			return false
		}
		for _, h := range s.b[s.i+2 : s.i+6] {
			if !(h >= '0' && h <= '9' || h >= 'a' && h <= 'f' || h >= 'A' && h <= 'F') {
				s.syntax()
				return false
			}
		}
		s.i += 6
		return true
	}
	s.i++
	s.syntax()
	return false
}

// Str reads a string. Escapes and invalid UTF-8 read as encoding/json reads
// them (it decodes those).
func (s *Scanner) Str() string {
	switch s.Peek() {
	case '"':
	case 'n':
		s.null()
		return ""
	default:
		s.wrongType("a string")
		return ""
	}
	start := s.i
	raw, escaped, ascii := s.rawString()
	if s.err != nil {
		return ""
	}
	if !escaped && (ascii || utf8.Valid(raw)) {
		for _, w := range s.intern {
			if string(raw) == w {
				return w
			}
		}
		return string(raw)
	}
	var v string
	if json.Unmarshal(s.b[start:s.i], &v) != nil {
		s.syntax()
	}
	return v
}

// Bool reads true or false.
func (s *Scanner) Bool() bool {
	switch s.Peek() {
	case 't':
		s.literal("true")
		return true
	case 'f':
		s.literal("false")
		return false
	case 'n':
		s.null()
		return false
	}
	s.wrongType("a boolean")
	return false
}

// Int reads an int as encoding/json does: no fraction or exponent, within
// the range of int.
func (s *Scanner) Int() int {
	switch c := s.Peek(); {
	case c == 'n':
		s.null()
		return 0
	case c == '-' || c >= '0' && c <= '9':
	default:
		s.wrongType("an integer")
		return 0
	}
	num, integer := s.Number()
	if s.err != nil {
		return 0
	}
	v, err := strconv.ParseInt(string(num), 10, strconv.IntSize)
	if !integer || err != nil {
		if s.plain {
			s.GiveUp()
		} else if s.typeErr == nil {
			s.typeErr = fmt.Errorf("field %q is not an integer", s.keyName())
		}
		return 0
	}
	return int(v)
}
