package jsonscan

import (
	"errors"
	"strings"
	"testing"
)

// read scans an object of string, bool and int fields (by key: "s", "b",
// "i"), skipping the others, and says what it read.
func read(doc string, opts Options) (got map[string]any, err, typeErr error) {
	s := New([]byte(doc), opts)
	got = map[string]any{}
	s.Object(func(key []byte) {
		switch string(key) {
		case "s":
			got["s"] = s.Str()
		case "b":
			got["b"] = s.Bool()
		case "i":
			got["i"] = s.Int()
		case "a":
			var n int
			s.Array(func() { n++; s.Skip() })
			got["a"] = n
		case "raw":
			got["raw"] = string(s.Raw())
		default:
			s.Skip()
		}
	})
	s.End()
	return got, s.Err(), s.TypeErr()
}

// The two contracts side by side: Plain gives up where a scan without it
// reads on (null as the zero value, a wrong type noted, a key unescaped).
func TestPlainAndLenient(t *testing.T) {
	tests := []struct {
		doc       string
		plain     string // "" read, "gives up", or the syntax error
		lenient   string // "" read, or the error (syntax or type)
		lenientS  any    // what the lenient scan read as "s"
		plainRead bool   // Plain read "s" as lenientS too
	}{
		{doc: `{"s":"a\u00e9\/b","b":true,"i":-3,"a":[1,{"x":[]},"y"],"raw":{"k": [1, 2]}}`, lenientS: "aé/b", plainRead: true},
		{doc: `{"s":null}`, plain: "gives up", lenientS: ""},
		{doc: `{"s":5}`, plain: "gives up", lenient: `field "s" is not a string`, lenientS: ""},
		{doc: `{"b":"yes"}`, plain: "gives up", lenient: `field "b" is not a boolean`},
		{doc: `{"i":1.5}`, plain: "gives up", lenient: `field "i" is not an integer`},
		{doc: `{"i":99999999999999999999}`, plain: "gives up", lenient: `field "i" is not an integer`},
		{doc: `{"a":{}}`, plain: "gives up", lenient: `field "a" is not an array`},
		{doc: `{"\u0073":"k"}`, plain: "gives up", lenientS: "k"},
		{doc: `{"S":"k"}`, plain: "gives up"},
		{doc: `{"é":"k"}`, plain: "gives up"},
		{doc: "{\"s\":\"bad \xff utf8\"}", lenientS: "bad \ufffd utf8", plainRead: true},
		{doc: `{"s":"a"} x`, plain: "malformed JSON at byte 10", lenient: "malformed JSON at byte 10", lenientS: "a"},
		{doc: `{"s":"\q"}`, plain: "malformed JSON at byte 7", lenient: "malformed JSON at byte 7"},
		{doc: `{"s":"a`, plain: "malformed JSON at byte 7", lenient: "malformed JSON at byte 7"},
		{doc: `{"x":[[[1]]]}`},
	}
	for _, tt := range tests {
		got, err, typeErr := read(tt.doc, Options{})
		if typeErr != nil && err == nil {
			err = typeErr
		}
		if msg := errText(err); msg != tt.lenient {
			t.Errorf("%s without Plain: error %q, want %q", tt.doc, msg, tt.lenient)
		}
		if tt.lenientS != nil && got["s"] != tt.lenientS {
			t.Errorf("%s without Plain: s = %q, want %q", tt.doc, got["s"], tt.lenientS)
		}
		got, err, typeErr = read(tt.doc, Options{Plain: true})
		if typeErr != nil {
			t.Errorf("%s with Plain: a type error %v; Plain gives up instead", tt.doc, typeErr)
		}
		want := tt.plain
		if errors.Is(err, ErrNotPlain) {
			err = errors.New("gives up")
		}
		if msg := errText(err); msg != want {
			t.Errorf("%s with Plain: error %q, want %q", tt.doc, msg, want)
		}
		if tt.plainRead && got["s"] != tt.lenientS {
			t.Errorf("%s with Plain: s = %q, want %q", tt.doc, got["s"], tt.lenientS)
		}
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestRawAndDepth(t *testing.T) {
	got, err, _ := read(`{"raw": {"k": [1, 2]} }`, Options{})
	if err != nil || got["raw"] != `{"k": [1, 2]}` {
		t.Errorf("raw = %q, %v", got["raw"], err)
	}
	deep := `{"x":` + strings.Repeat("[", 65) + strings.Repeat("]", 65) + `}`
	if _, err, _ := read(deep, Options{MaxDepth: 64}); err == nil {
		t.Error("66 levels with MaxDepth 64: no error")
	}
	if _, err, _ := read(deep, Options{}); err != nil {
		t.Errorf("66 levels with the default depth: %v", err)
	}
}

func TestInternReturnsTheListedString(t *testing.T) {
	words := []string{"events_api"}
	s := New([]byte(`"events_api"`), Options{Intern: words})
	if got := s.Str(); got != "events_api" || s.Err() != nil {
		t.Fatalf("Str = %q, %v", got, s.Err())
	}
	doc := []byte(`"events_api"`)
	if n := testing.AllocsPerRun(100, func() {
		s := New(doc, Options{Intern: words})
		_ = s.Str()
	}); n != 0 {
		t.Errorf("an interned value: %v allocations, want 0", n)
	}
}
