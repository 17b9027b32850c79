package bot

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"coach/pulse"
	"coach/store"
)

// Action ids of the trust pulse's buttons: an answer is
// "pulse_answer:<statement index>:<1…5 or s>", and a manager's Share with
// my team on the App Home's pulse section is "pulse_share".
const (
	PulseAnswerAction = "pulse_answer"
	PulseShareAction  = "pulse_share"
)

// PulseView is what one person's pulse DM shows: the statements, the copy
// of the DM it is (their answers so far, the copy it was drawn from, and
// the tag, store.PulseCopy, carried in every button), the minimum a team
// score rests on, until when it is open, and whether it closed.
type PulseView struct {
	ID         string
	Statements []pulse.Statement
	Copy       store.PulseCopy
	Min        int
	Closes     time.Time // on the reader's clock
	Closed     bool
}

// pulseValue is the value every button of a pulse DM carries:
// "<pulse id>|<copy id>|<answers>|<drawn from>|<its answers>|<tag>".
func pulseValue(v PulseView) string {
	c := v.Copy
	return strings.Join([]string{v.ID, c.ID, string(c.Answers), c.From, string(c.FromAnswers), c.Tag}, "|")
}

// parsePulseValue splits a button value; ok is false for anything
// pulseValue could not have made. The store checks the tag.
func parsePulseValue(s string) (id string, c store.PulseCopy, ok bool) {
	parts := strings.Split(s, "|")
	if len(s) > 200 || len(parts) != 6 || parts[0] == "" || len(parts[5]) != 32 {
		return "", store.PulseCopy{}, false
	}
	return parts[0], store.PulseCopy{ID: parts[1], Answers: pulse.Answers(parts[2]), From: parts[3], FromAnswers: pulse.Answers(parts[4]), Tag: parts[5]}, true
}

// parsePulseAction reads "pulse_answer:<i>:<answer>".
func parsePulseAction(actionID string) (i int, answer byte, ok bool) {
	parts := strings.Split(actionID, ":")
	if len(parts) != 3 || parts[0] != PulseAnswerAction || len(parts[2]) != 1 || !pulse.ValidAnswer(parts[2][0]) {
		return 0, 0, false
	}
	i, err := strconv.Atoi(parts[1])
	if err != nil || i < 0 || i >= pulse.PerPulse {
		return 0, 0, false
	}
	return i, parts[2][0], true
}

// PulseBlocks renders a pulse DM: what it is, the line on anonymity and
// until when it is open, then each statement with buttons 1–5 and Skip,
// the person's choice marked. Once every statement is answered or skipped
// a Done line follows; once closed, the buttons give way to a closing
// note. Every click changes every button's value, so the actions blocks
// carry the copy's id in their block_id: chat.update gets a new block_id
// for each block whose content changed.
func PulseBlocks(v PulseView) []slack.Block {
	blocks := []slack.Block{
		slack.NewSectionBlock(mrkdwn(pulse.Intro), nil, nil, slack.SectionBlockOptionBlockID("pulse_intro")),
	}
	if v.Closed {
		blocks = append(blocks, slack.NewContextBlock("pulse_closed", mrkdwn(escape(pulse.ClosedNote(v.Min)))))
		return blocks
	}
	blocks = append(blocks, slack.NewContextBlock("pulse_anonymity", mrkdwn(escape(pulse.Anonymity(v.Min)+" "+pulse.Closes(v.Closes)))))
	value := truncate(pulseValue(v), maxValueLen)
	for i, st := range v.Statements {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(fmt.Sprintf("*%d.* %s", i+1, escape(st.Text))), nil, nil,
			slack.SectionBlockOptionBlockID(fmt.Sprintf("pulse_s%d", i))))
		var chosen byte = pulse.Unanswered
		if i < len(v.Copy.Answers) {
			chosen = v.Copy.Answers[i]
		}
		var buttons []slack.BlockElement
		for _, b := range []byte("12345s") {
			label := string(b)
			if b == pulse.Skipped {
				label = pulse.SkipLabel
			}
			text := slack.NewTextBlockObject(slack.PlainTextType, label, false, false)
			btn := slack.NewButtonBlockElement(fmt.Sprintf("%s:%d:%c", PulseAnswerAction, i, b), value, text)
			if b == chosen {
				btn = btn.WithStyle(slack.StylePrimary)
			}
			buttons = append(buttons, btn)
		}
		copyID := v.Copy.ID
		if copyID == "" {
			copyID = "first"
		}
		blocks = append(blocks, slack.NewActionBlock(fmt.Sprintf("pulse_a%d_%s", i, copyID), buttons...))
	}
	if v.Copy.Answers.Done() {
		blocks = append(blocks, slack.NewContextBlock("pulse_done", mrkdwn(escape(pulse.DoneNote))))
	}
	return blocks
}

// pulseDigestBlock is the digest's line about the team's trust pulse.
func pulseDigestBlock(line string) slack.Block {
	return slack.NewSectionBlock(mrkdwn("*Trust pulse*\n"+escape(line)), nil, nil, slack.SectionBlockOptionBlockID("digest_pulse"))
}
