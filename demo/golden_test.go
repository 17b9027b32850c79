package demo

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/transcript-seed1.golden from this run")

// `coach demo` with its defaults (seed 1, four weeks) prints the transcript
// kept in testdata byte for byte: a change of what the demo shows is made on
// purpose, with -update, and reviewed in the golden's diff.
func TestDemoTranscriptGolden(t *testing.T) {
	_, out := runDemo(t, 1)
	path := filepath.Join("testdata", "transcript-seed1.golden")
	if *update {
		if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if out != string(want) {
		t.Errorf("the seed-1 transcript differs from %s (run with -update if the change is meant):\n%s", path, firstDiff(string(want), out))
	}
}

// firstDiff shows the first line where got leaves want.
func firstDiff(want, got string) string {
	line, i := 1, 0
	for i < len(want) && i < len(got) && want[i] == got[i] {
		if want[i] == '\n' {
			line++
		}
		i++
	}
	end := func(s string) string {
		j := i
		for j < len(s) && s[j] != '\n' {
			j++
		}
		k := i
		for k > 0 && s[k-1] != '\n' {
			k--
		}
		return s[k:j]
	}
	return fmt.Sprintf("line %d:\n  want: %s\n  got:  %s", line, end(want), end(got))
}
