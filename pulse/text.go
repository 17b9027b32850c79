package pulse

import (
	"fmt"
	"time"
)

// The words of the pulse DM a team member gets.
const (
	// Fallback is the DM's notification text.
	Fallback = "A short, anonymous pulse about your team: 3 statements, about a minute"
	// Intro opens the DM.
	Intro = "*A short, anonymous pulse about your team*\nThree statements, about a minute. For each, pick 1 (strongly disagree) to 5 (strongly agree), or Skip."
	// DoneNote replaces nothing: it joins the DM once every statement is
	// answered or skipped.
	DoneNote = "✓ Done, thank you. You can change an answer until the pulse closes; you count once."
	// SkipLabel is the Skip button's label.
	SkipLabel = "Skip"
	// StaleNote answers a click on an out-of-date copy of the DM.
	StaleNote = "That click came from an older copy of this pulse, so it didn't count. Your answers are as the message shows them now."
	// ForgottenNote answers a click by someone whose data coach deleted
	// while the pulse was open.
	ForgottenNote = "coach deleted what it held about you, so this pulse can't take more answers from you. Answers you gave before stay counted, anonymously."
)

// Anonymity is the DM's one line on who sees what: true to the letter.
func Anonymity(min int) string {
	return fmt.Sprintf("Anonymous: coach keeps only how many people gave each answer, never who gave which. Your manager sees a team score only where at least %d people answered; below that nobody sees anything, not even how many answered.", max(min, MinResponsesFloor))
}

// Closes says until when the pulse takes answers, on the reader's clock.
func Closes(at time.Time) string {
	return "Open until " + at.Format("Mon 2 Jan 15:04") + "."
}

// ClosedNote replaces the buttons once the pulse has closed.
func ClosedNote(min int) string {
	return fmt.Sprintf("This pulse has closed. Thank you for taking part: your manager sees only team scores, and only where at least %d people answered.", max(min, MinResponsesFloor))
}
