// Package slacksamples holds Slack's published payload skeletons (see
// README.md here for where they come from, LICENSE for their licence), for
// the tests of the packages that read what Slack sends: decode, bot. It
// embeds the files, so a test reads them without reaching into another
// package's folder; nothing but tests imports it.
package slacksamples

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"testing"
)

//go:embed LICENSE README.md events app-backend
var files embed.FS

// Counts is how many samples each folder holds.
var Counts = map[string]int{
	"events":                             96,
	"app-backend/slash-commands":         1,
	"app-backend/interactive-components": 3,
	"app-backend/views":                  2,
	"app-backend/dialogs":                3,
}

// Sample is one payload: its file name (MessagePayload.json) and JSON.
type Sample struct {
	Name string
	JSON []byte
}

// Load returns the samples of one folder ("events",
// "app-backend/views", ...), in file name order; an error when there are
// none.
func Load(dir string) ([]Sample, error) {
	names, err := fs.Glob(files, path.Join(dir, "*.json"))
	if err != nil {
		return nil, fmt.Errorf("slacksamples: %s: %w", dir, err)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("slacksamples: no Slack payload samples in %s", dir)
	}
	out := make([]Sample, 0, len(names))
	for _, n := range names {
		b, err := files.ReadFile(n)
		if err != nil {
			return nil, fmt.Errorf("slacksamples: %w", err)
		}
		out = append(out, Sample{Name: path.Base(n), JSON: b})
	}
	return out, nil
}

// Files is Load for a test: the samples of one folder, the test failed
// when there are none.
func Files(tb testing.TB, dir string) []Sample {
	tb.Helper()
	samples, err := Load(dir)
	if err != nil {
		tb.Fatal(err)
	}
	return samples
}

// Notice returns the LICENSE and README.md that go with the samples.
func Notice() (license, readme []byte, err error) {
	if license, err = files.ReadFile("LICENSE"); err != nil {
		return nil, nil, fmt.Errorf("slacksamples: %w", err)
	}
	if readme, err = files.ReadFile("README.md"); err != nil {
		return nil, nil, fmt.Errorf("slacksamples: %w", err)
	}
	return license, readme, nil
}
