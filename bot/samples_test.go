package bot

import (
	"testing"

	"coach/internal/slacksamples"
)

// slackSampleFiles returns Slack's published payload skeletons of one
// folder (package slacksamples), failing the test when there are none.
func slackSampleFiles(tb testing.TB, dir string) []slacksamples.Sample {
	tb.Helper()
	samples, err := slacksamples.Load(dir)
	if err != nil {
		tb.Fatal(err)
	}
	return samples
}
