// Package codewords is the fuzz tests' check that an error message quotes
// nothing of its input: a message made only of words of coach's code (the
// names and literal words of a package's Go source), numbers and words of
// at most three letters says where and why, and can carry no text a person
// wrote. Nothing but tests imports it.
package codewords

import (
	goscanner "go/scanner"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var wordRE = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*`)

// Words is a vocabulary: the words an error message may be made of.
type Words map[string]bool

// Of is every name and literal word (comments do not count) of the Go
// files in dirs, tests left out, and the words more (Go's names of JSON
// kinds and of the types decoded into, which encoding/json's errors use).
func Of(tb testing.TB, dirs []string, more ...string) Words {
	tb.Helper()
	var files []string
	for _, dir := range dirs {
		src, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(src) == 0 {
			tb.Fatalf("reading the source of %s: %d files, %v", dir, len(src), err)
		}
		files = append(files, src...)
	}
	words := Words{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		var sc goscanner.Scanner
		fset := token.NewFileSet()
		sc.Init(fset.AddFile(f, fset.Base(), len(src)), src, nil, 0)
		for {
			_, tok, lit := sc.Scan()
			if tok == token.EOF {
				break
			}
			if tok == token.IDENT || tok == token.STRING || tok == token.CHAR {
				for _, w := range wordRE.FindAllString(lit, -1) {
					words[w] = true
				}
			}
		}
	}
	for _, w := range more {
		words[w] = true
	}
	return words
}

// QuotesNothing fails the test unless msg is plain ASCII made of the
// vocabulary's words, numbers and words of at most three letters: no text
// from the input.
func (words Words) QuotesNothing(tb testing.TB, what, msg string, input ...[]byte) {
	tb.Helper()
	for i := 0; i < len(msg); i++ {
		if c := msg[i]; c < 0x20 || c > 0x7e {
			tb.Fatalf("%s: %q has byte %#x, which can only come from the input %q", what, msg, c, input)
		}
	}
	for _, w := range wordRE.FindAllString(msg, -1) {
		if len(w) > 3 && !words[w] {
			tb.Fatalf("%s: %q contains %q, not a word of coach's code: it quotes the input %q", what, msg, w, input)
		}
	}
}
