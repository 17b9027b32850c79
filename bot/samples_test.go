package bot

import (
	"os"
	"path/filepath"
	"testing"
)

// slackSamplesDir holds Slack's published payload skeletons (see its
// README.md for where they come from).
const slackSamplesDir = "testdata/slack-samples"

// slackSampleCounts is how many samples each folder of slackSamplesDir holds.
var slackSampleCounts = map[string]int{
	"events":                             96,
	"app-backend/slash-commands":         1,
	"app-backend/interactive-components": 3,
	"app-backend/views":                  2,
	"app-backend/dialogs":                3,
}

// slackSampleFiles returns the JSON samples in one folder of slackSamplesDir,
// failing the test when there are none.
func slackSampleFiles(tb testing.TB, dir string) []string {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join(slackSamplesDir, dir, "*.json"))
	if err != nil {
		tb.Fatal(err)
	}
	if len(files) == 0 {
		tb.Fatalf("no Slack payload samples in %s", filepath.Join(slackSamplesDir, dir))
	}
	return files
}

// The samples are all there, with their licence and source note.
func TestSlackSamplesComplete(t *testing.T) {
	for dir, want := range slackSampleCounts {
		if got := len(slackSampleFiles(t, dir)); got != want {
			t.Errorf("%s: %d samples, want %d", dir, got, want)
		}
	}
	for _, f := range []string{"LICENSE", "README.md"} {
		if _, err := os.Stat(filepath.Join(slackSamplesDir, f)); err != nil {
			t.Error(err)
		}
	}
}
