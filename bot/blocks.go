package bot

import (
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"coach/nudges"
	"coach/signals"
)

// Block Kit limits, in characters.
const (
	maxTextLen   = 3000 // section and context text
	maxHeaderLen = 150
	maxButtonLen = 75
	maxValueLen  = 2000
)

// digestTitle heads every digest.
const digestTitle = "Your weekly coach digest"

// DigestBlocks renders a digest as Block Kit: a header; for each nudge a
// section with the bold title and observation, a context line with why it
// matters, a section with the conversation starter, and an actions block
// (block_id "nudge_<kind>") with Helpful, Not for me, Snooze 2 weeks and,
// for a nudge with a norm prompt, Share with my team; dividers between
// nudges; for a manager whose DMs coach did not see, what it sees, with a
// Connect button; and the privacy note to close.
//
// Once the manager has clicked a button on a nudge (d.Feedback), its
// actions block gives way to a context line acknowledging the choice, so
// a redraw shows the click took. The acknowledgement has a block_id of its
// own (ackBlockID): Slack asks for a new block_id whenever chat.update
// changes a block's content.
func DigestBlocks(d nudges.Digest) []slack.Block {
	blocks := []slack.Block{
		slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, truncate(digestTitle, maxHeaderLen), true, false)),
	}
	if len(d.Nudges) == 0 && (d.AllClear || d.Pulse == "") {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(escape(d.AllClearText())), nil, nil))
	}
	for i, n := range d.Nudges {
		if i > 0 {
			blocks = append(blocks, slack.NewDividerBlock())
		}
		blocks = append(blocks, nudgeBlocks(d, n)...)
	}
	if d.Pulse != "" {
		if len(d.Nudges) > 0 || d.AllClear {
			blocks = append(blocks, slack.NewDividerBlock())
		}
		blocks = append(blocks, pulseDigestBlock(d.Pulse))
	}
	blocks = append(blocks, slack.NewDividerBlock())
	if note := d.VisibilityNote(); note != "" {
		connect := button(nudges.ConnectAction, nudges.ConnectLabel, d.ID).WithStyle(slack.StylePrimary)
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(escape(note)), nil, slack.NewAccessory(connect), slack.SectionBlockOptionBlockID("digest_channels_only")))
	}
	return append(blocks, slack.NewContextBlock("", mrkdwn(escape(nudges.PrivacyNote))))
}

// nudgeBlocks is one nudge: what happened, why, what to try, and the
// buttons or the acknowledgement of the one clicked.
func nudgeBlocks(d nudges.Digest, n nudges.Nudge) []slack.Block {
	blockID := "nudge_" + string(n.Kind)
	out := []slack.Block{
		slack.NewSectionBlock(mrkdwn("*"+escape(n.Title)+"*\n"+escape(n.Observation)), nil, nil),
		slack.NewContextBlock("", mrkdwn(escape(n.Why))),
		slack.NewSectionBlock(mrkdwn("*Try this week:* "+escape(n.Try)), nil, nil),
	}
	if ack := d.Acknowledgement(n); ack != "" {
		return append(out, slack.NewContextBlock(ackBlockID(n.Kind, d.Feedback[n.Kind]), mrkdwn(escape(ack))))
	}
	value := truncate(nudges.ActionValue(d.ID, n.Kind), maxValueLen)
	buttons := []slack.BlockElement{
		button(nudges.Helpful, "Helpful", value).WithStyle(slack.StylePrimary),
		button(nudges.NotForMe, "Not for me", value),
		button(nudges.Snooze, d.Terms.SnoozeLabel(), value),
	}
	if n.Norm != "" {
		buttons = append(buttons, button(nudges.Share, "Share with my team", value))
	}
	return append(out, slack.NewActionBlock(blockID, buttons...))
}

// ackBlockID is the block_id of the acknowledgement that replaces a
// nudge's buttons once action was clicked: "nudge_after_hours_ack_helpful".
// It differs from the buttons' "nudge_<kind>", and from one choice to
// another.
func ackBlockID(k signals.Kind, action nudges.Action) string {
	return "nudge_" + string(k) + "_ack_" + strings.TrimPrefix(string(action), "nudge_")
}

func button(a nudges.Action, label, value string) *slack.ButtonBlockElement {
	text := slack.NewTextBlockObject(slack.PlainTextType, truncate(label, maxButtonLen), true, false)
	return slack.NewButtonBlockElement(string(a), value, text)
}

// DigestFallback is the digest's notification text, the message's text
// field: one line.
func DigestFallback(d nudges.Digest) string {
	return digestTitle + ": " + d.Summary()
}

// mrkdwn is a mrkdwn text object, cut to Slack's limit.
func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, truncate(s, maxTextLen), false, false)
}

// escape makes text safe for mrkdwn: Slack reads &, < and > as markup
// (links, mentions), so a report's name cannot inject any.
func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// truncate cuts s to at most n characters on a rune boundary, ending with
// "…" when it cuts, and never inside an escaped entity such as "&amp;".
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	runes := []rune(s)[:n-1]
	cut := string(runes)
	if amp := strings.LastIndexByte(cut, '&'); amp >= 0 && !strings.Contains(cut[amp:], ";") {
		cut = cut[:amp]
	}
	return strings.TrimRight(cut, " ") + "…"
}
