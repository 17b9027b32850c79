package demo

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// readmeSection is the README section that quotes `go run . demo`.
const readmeSection = "## Try it, test it"

// The README quotes the demo's transcript: every line of its excerpt, the
// before/after figures and every quoted phrase of the section's prose must
// be what `go run . demo` (default flags) prints.
//
// In the excerpt, a line that is just "..." stands for lines left out, and a
// line ending in " ..." for the rest of that line; nothing else may differ
// (trailing spaces aside). The excerpt's pieces appear in the transcript in
// the order the README shows them.
func TestReadmeQuotesTheDemo(t *testing.T) {
	excerpt, prose := readmeDemoText(t)
	if len(excerpt) == 0 {
		t.Fatalf("README section %q has no fenced excerpt of the demo", readmeSection)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out, stderr bytes.Buffer
	if err := Main(ctx, nil, &out, &stderr); err != nil {
		t.Fatalf("coach demo: %v\n%s", err, stderr.String())
	}
	transcript := strings.Split(out.String(), "\n")
	for i := range transcript {
		transcript[i] = strings.TrimRight(transcript[i], " ")
	}
	for _, msg := range matchExcerpt(excerpt, transcript) {
		t.Error(msg)
	}

	// "10 of 25 messages outside the recipient's hours before, 0 of 25 after"
	// is the demo's last weekly figure for Mia.
	said := regexp.MustCompile(`(\d+) of (\d+) messages outside the recipient's hours before, (\d+) of (\d+) after`).FindAllStringSubmatch(prose, -1)
	if len(said) != 1 {
		t.Fatalf("README prose states Mia's before/after figures %d times, want once", len(said))
	}
	printed := regexp.MustCompile(`Mia's messages outside the recipient's hours, last 7 days: (\d+) of (\d+) \(before the team agreed: (\d+) of (\d+)\)`).FindAllStringSubmatch(out.String(), -1)
	if len(printed) == 0 {
		t.Fatalf("the demo no longer prints Mia's before/after figures")
	}
	last := printed[len(printed)-1]
	if got, want := said[0][1:], []string{last[3], last[4], last[1], last[2]}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("README says %s of %s before, %s of %s after; the demo prints %s of %s before, %s of %s after",
			got[0], got[1], got[2], got[3], want[0], want[1], want[2], want[3])
	}

	// Every "quoted phrase" of the prose is in the transcript.
	for _, q := range regexp.MustCompile(`"([^"]+)"`).FindAllStringSubmatch(prose, -1) {
		if !strings.Contains(out.String(), q[1]) {
			t.Errorf("README quotes %q, which the demo does not print", q[1])
		}
	}
}

// readmeDemoText reads the README section that quotes the demo: the lines of
// its fenced blocks without a language (the excerpt), and its text outside
// any fence with its white space collapsed (the prose).
func readmeDemoText(t *testing.T) (excerpt []string, prose string) {
	t.Helper()
	raw, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(raw), "\n"+readmeSection+"\n")
	if !ok {
		t.Fatalf("README has no section %q", readmeSection)
	}
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}
	var b strings.Builder
	inFence, quoting := false, false
	for _, line := range strings.Split(section, "\n") {
		if fence, ok := strings.CutPrefix(line, "```"); ok {
			inFence = !inFence
			quoting = inFence && strings.TrimSpace(fence) == ""
			continue
		}
		switch {
		case quoting:
			excerpt = append(excerpt, strings.TrimRight(line, " "))
		case !inFence:
			b.WriteString(line + "\n")
		}
	}
	// Line breaks in the prose are only wrapping.
	return excerpt, strings.Join(strings.Fields(b.String()), " ")
}

// matchExcerpt finds the excerpt's pieces (runs of lines between "..."
// lines) in transcript, in order, each as consecutive lines, and says what
// it could not find.
func matchExcerpt(excerpt, transcript []string) []string {
	var pieces [][]string
	var piece []string
	for _, line := range append(excerpt, "...") {
		if line == "..." {
			if len(piece) > 0 {
				pieces = append(pieces, piece)
			}
			piece = nil
			continue
		}
		piece = append(piece, line)
	}
	same := func(quoted, printed string) bool {
		if head, ok := strings.CutSuffix(quoted, " ..."); ok {
			return strings.HasPrefix(printed, head)
		}
		return quoted == printed
	}
	var problems []string
	from := 0
	for _, p := range pieces {
		at := -1
		for i := from; i+len(p) <= len(transcript) && at < 0; i++ {
			at = i
			for j, line := range p {
				if !same(line, transcript[i+j]) {
					at = -1
					break
				}
			}
		}
		if at >= 0 {
			from = at + len(p)
			continue
		}
		missing := false
		for _, line := range p {
			found := false
			for _, printed := range transcript {
				if same(line, printed) {
					found = true
					break
				}
			}
			if !found {
				problems = append(problems, "README quotes a line the demo does not print:\n"+line)
				missing = true
			}
		}
		if !missing {
			problems = append(problems, "README quotes these lines together and in this place, but the demo prints them apart or in another order:\n"+strings.Join(p, "\n"))
		}
	}
	return problems
}

func TestMatchExcerpt(t *testing.T) {
	transcript := []string{"a", "b", "c", "d long line", "e"}
	tests := []struct {
		excerpt []string
		ok      bool
	}{
		{[]string{"a", "b"}, true},
		{[]string{"b", "...", "d long line"}, true},
		{[]string{"c", "d long ...", "e"}, true},
		{[]string{"...", "a", "...", "e", "..."}, true},
		{[]string{"a", "c"}, false},                  // "..." left out
		{[]string{"d long line", "...", "b"}, false}, // out of order
		{[]string{"b", "x"}, false},                  // not printed
		{[]string{"d long"}, false},                  // cut without " ..."
		{[]string{"d long line ..."}, true},
	}
	for _, tt := range tests {
		if got := matchExcerpt(tt.excerpt, transcript); (len(got) == 0) != tt.ok {
			t.Errorf("matchExcerpt(%q) = %q, want ok=%v", tt.excerpt, got, tt.ok)
		}
	}
}
