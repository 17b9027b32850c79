package signals

import "time"

// Visibility is what coach sees of one manager's conversations with their
// reports. A bot sees only the channels it is in; a manager's DMs and group
// DMs reach coach only through the manager's own user token, once they
// connect, and from then on coach also holds them back to the start of the
// history it read when they connected.
//
// The signals never claim what coach could not see. Each kind is one of
// three sorts (Kind.NeedsDMs):
//
//   - Absence claims — contact_gap ("14 days since you and Kai last
//     talked"), recognition ("no thanks for Kai in 30 days") and
//     attention_balance ("Kai got 5 % of your messages"): a DM, a thanks or
//     a message coach did not see would make each of them false. They are
//     judged only when coach sees the manager's DMs, and only over what it
//     has seen of every kind of conversation: from the later of Since (the
//     channels) and DMsSince (the DMs). A DM read back before Since is not
//     enough on its own: a thanks in the team channel last week, before
//     coach was there, was never read.
//   - Signals that rest on DMs — response_time (the answer to a report's
//     question may be a DM, so a wait coach saw no answer to is not proof
//     of silence) and listening (a low share of questions; the questions a
//     manager asks in 1:1 DMs are the ones that count most). They are judged
//     only when coach sees the DMs, over the days since DMsSince, and a
//     wait opened before DMsSince is not counted as still open.
//   - Counts of what coach saw — after_hours, status_chasing and
//     team_after_hours: every message counted is one coach saw land off
//     hours or chase for status, so the count holds whatever coach did not
//     see; for a manager without DMs it counts only the channels coach is
//     in, and the words say so.
type Visibility struct {
	// DMsSince is since when coach sees the manager's DMs and group DMs
	// with their reports: the start of the history it read back when they
	// connected (set once that read completes, cleared when they
	// disconnect; see Stopped). Zero: coach sees only the channels it is
	// in.
	DMsSince time.Time `json:"dms_since,omitzero"`
	// Connected is when the manager connected coach to their DMs (T0):
	// from this moment on coach records the DM and group-DM events of
	// their conversations with reports as Slack delivers them, and what
	// came before is read back once, up to it (dms.go). Zero: not
	// connected, and no DM or group-DM event of theirs is recorded.
	Connected time.Time `json:"connected,omitzero"`
	// Stopped is when coach last stopped recording the manager's DMs (they
	// disconnected, or Slack revoked their token) and what it had seen of
	// them up to then, kept while what it counted stays in the store, so
	// that a re-connect reads back only what it missed (from Stopped.At)
	// and nothing is counted twice. Forgetting the manager, their opt-out
	// and their team's removal delete their team and this with it, and a
	// later connect reads back the whole retention window. It holds times
	// only. Zero: nothing kept.
	Stopped DMsStop `json:"stopped,omitzero"`
}

// DMsStop is the end of a manager's connection, kept for the next one
// (Visibility.Stopped).
type DMsStop struct {
	// At is when coach stopped recording their DMs: a re-connect's read
	// back starts here.
	At time.Time `json:"at"`
	// Since is from when coach had seen all of their DMs up to At: the
	// DMsSince it had, or the moment they connected when the read back of
	// the time before had not completed. Once the re-connect's read back
	// completes, coach sees their DMs since Since again. It equals At when
	// coach cannot vouch for the time before At: Slack revoked the token,
	// and coach cannot tell since when Slack had stopped delivering their
	// DMs.
	Since time.Time `json:"since"`
}

// IsZero reports whether nothing is kept.
func (s DMsStop) IsZero() bool { return s.At.IsZero() }

// Resumes reports whether a connection made at connected follows this
// stop: its read back then starts at At, not a whole window back.
func (s DMsStop) Resumes(connected time.Time) bool {
	return !s.At.IsZero() && !s.At.After(connected)
}

// DMs reports whether coach sees the manager's DMs with their reports.
func (v Visibility) DMs() bool { return !v.DMsSince.IsZero() }

// Visibility is what coach sees of manager m's conversations: the zero
// Visibility (channels only) for anyone who leads no team.
func (o *Org) Visibility(m string) Visibility {
	if t, ok := o.Teams[m]; ok {
		return t.Visibility
	}
	return Visibility{}
}

// NeedsDMs reports whether signals of kind k can be judged only when coach
// sees the manager's DMs: the absence claims and the signals that rest on
// DMs (see Visibility). Without the DMs, Compute returns them Unseen.
func (k Kind) NeedsDMs() bool {
	switch k {
	case ContactGap, Recognition, AttentionBalance, ResponseTime, Listening:
		return true
	}
	return false
}

// unseen is the signal of kind k for a manager whose DMs coach does not
// see: not fired, no numbers but the length of the period it would cover.
func (c *calc) unseen(k Kind) Signal {
	var days int
	switch k {
	case Recognition:
		days = c.lim.RecognitionDays
	case AttentionBalance:
		days = c.lim.AttentionDays
	case ContactGap:
		days = 0 // its Days is a gap, not a period
	default:
		days = c.lim.WindowDays
	}
	return Signal{Kind: k, Unseen: true, Facts: Facts{Days: days}}
}
