package bot

import (
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"coach/nudges"
	"coach/signals"
)

// A digest for a manager whose DMs coach did not see says what it sees,
// with a Connect button, just above the privacy note that closes it.
func TestChannelsOnlyDigest(t *testing.T) {
	d := testDigest(t, "after_hours")
	d.Visibility = signals.Visibility{}
	golden(t, "digest_channels_only.golden.json", blocksJSON(t, d))
	golden(t, "digest_channels_only.golden.txt", []byte(d.Text()))

	blocks := DigestBlocks(d)
	n := len(blocks)
	note, ok := blocks[n-2].(*slack.SectionBlock)
	if !ok || note.Text.Text != nudges.ChannelsOnlyNote {
		t.Fatalf("the block before the privacy note = %#v, want the channels-only note", blocks[n-2])
	}
	if b := note.Accessory; b == nil || b.ButtonElement == nil || b.ButtonElement.ActionID != nudges.ConnectAction || b.ButtonElement.Text.Text != nudges.ConnectLabel {
		t.Errorf("the note's accessory = %#v, want the %q button %q", note.Accessory, nudges.ConnectLabel, nudges.ConnectAction)
	}
	if last, ok := blocks[n-1].(*slack.ContextBlock); !ok || last.ContextElements.Elements[0].(*slack.TextBlockObject).Text != nudges.PrivacyNote {
		t.Errorf("last block = %#v, want the privacy note", blocks[n-1])
	}

	d.Visibility = signals.Visibility{DMsSince: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	if js := string(blocksJSON(t, d)); strings.Contains(js, nudges.ChannelsOnlyNote) || strings.Contains(js, `"action_id": "`+nudges.ConnectAction+`"`) {
		t.Errorf("a connected manager's digest speaks of connecting:\n%s", js)
	}
}
