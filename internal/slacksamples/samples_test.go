package slacksamples

import (
	"encoding/json"
	"testing"
)

// The samples are all there, each JSON, with their licence and source note.
func TestSlackSamplesComplete(t *testing.T) {
	for dir, want := range Counts {
		got, err := Load(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != want {
			t.Errorf("%s: %d samples, want %d", dir, len(got), want)
		}
		for _, s := range got {
			if !json.Valid(s.JSON) {
				t.Errorf("%s/%s is not JSON", dir, s.Name)
			}
		}
	}
	license, readme, err := Notice()
	if err != nil || len(license) == 0 || len(readme) == 0 {
		t.Errorf("LICENSE of %d bytes, README.md of %d: %v", len(license), len(readme), err)
	}
	if _, err := Load("nowhere"); err == nil {
		t.Error("Load of a folder without samples: no error")
	}
}
