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
	// StaleNote answers a click on an out-of-date copy of the DM: one
	// that coach has since redrawn.
	StaleNote = "That click came from an out-of-date view of this message, so it didn't count. Click in the message as it is now to change an answer."
	// UnconfirmedNote answers a click whose redraw Slack did not confirm:
	// coach counts a click only once the DM shows it.
	UnconfirmedNote = "Slack did not confirm that click, so it wasn't counted. Please click your answer again."
	// ForgottenNote answers a click by someone whose data coach deleted
	// while the pulse was open.
	ForgottenNote = "coach deleted what it held about you, so this pulse can't take more answers from you. Answers you gave before stay counted, anonymously."
)

// Anonymity is the DM's one line on who sees what: true to the letter,
// and claiming no more secrecy than Slack gives. The DM itself shows the
// choices clicked (the highlighted buttons, and the buttons' values), as
// any Slack message would; coach's database keeps only counts.
func Anonymity(min int) string {
	return fmt.Sprintf("Anonymous to your manager and to coach's database, which keeps only how many people gave each answer, never who gave which. This DM shows the choices you click, like any Slack message: you see them, and so may whoever can read DMs under your workspace's export settings. Your manager sees a team score only where at least %d people answered; below that nobody sees anything, not even how many answered.", max(min, MinResponsesFloor))
}

// Closes says until when the pulse takes answers, on the reader's clock.
func Closes(at time.Time) string {
	return "Open until " + at.Format("Mon 2 Jan 15:04") + "."
}

// ClosedNote replaces the buttons once the pulse has closed.
func ClosedNote(min int) string {
	return fmt.Sprintf("This pulse has closed. Thank you for taking part: your manager sees only team scores, and only where at least %d people answered.", max(min, MinResponsesFloor))
}
