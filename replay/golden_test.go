package replay

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestGolden pins what the fixture's managers read, word for word: the text
// digests and the --json lines. After a deliberate change to signals,
// policy or wording, regenerate with
//
//	go test ./replay -run TestGolden -update
func TestGolden(t *testing.T) {
	_, dir, teams := fixture(t)
	for _, tt := range []struct {
		file string
		args []string
	}{
		{"fixture.golden.txt", nil},
		{"fixture.golden.jsonl", []string{"--json"}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			stdout, stderr, err := replay(t, append([]string{dir, "--teams", teams}, tt.args...)...)
			if err != nil {
				t.Fatalf("replay: %v\n%s", err, stderr)
			}
			noText(t, stdout)
			path := filepath.Join("testdata", tt.file)
			if *update {
				if err := os.WriteFile(path, []byte(stdout), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if stdout != string(want) {
				t.Errorf("output differs from %s (run with -update if the change is meant):\ngot:\n%s", path, stdout)
			}
		})
	}
}
