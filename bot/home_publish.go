package bot

import (
	"context"
	"fmt"
	"time"

	"github.com/slack-go/slack"

	"coach/nudges"
	"coach/signals"
	"coach/store"
)

// publishHome draws user's App Home from what coach holds now.
func (s *Server) publishHome(ctx context.Context, user string) {
	d, err := s.homeData(user)
	if err != nil {
		s.log.Warn().Err(err).Str("user", user).Msg("app home data")
		return
	}
	if _, err := s.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: user, View: HomeView(d)}); err != nil {
		s.log.Warn().Err(err).Str("user", user).Msg("views.publish")
	}
}

// homeData gathers what the App Home shows one person.
func (s *Server) homeData(user string) (HomeData, error) {
	org := s.Org()
	now := s.cfg.Now()
	loc := org.Loc(user)
	d := HomeData{UserID: user, Now: now.In(loc), Consent: "opt_out"}
	if org.Consent == signals.OptIn {
		d.Consent = "opt_in"
	}
	out, err := s.db.IsOptedOut(user)
	if err != nil {
		return d, err
	}
	d.OptedOut = out
	if !out {
		// Of someone who opted out coach keeps no name, zone or hours, so
		// it shows none (rather than their id and the workspace's zone).
		d.Name, d.TimeZone = org.Name(user), loc.String()
		d.Hours, d.HoursSource = org.HoursOf(user).String(), s.hoursSource(user)
	}
	if p, ok := org.People[user]; ok {
		d.OptedIn = p.OptedIn
	}
	d.Role, d.NoTeam = homeRole(org, user, d.OptedOut)
	ex, err := s.db.Export(user)
	if err != nil {
		return d, err
	}
	d.Held = heldLines(org, user, ex)
	if since := s.connectedSince(s.work(), user); !since.IsZero() {
		d.ConnectedSince = since.In(loc)
	}
	if !org.IsManager(user) || !org.Recorded(user) {
		return d, nil
	}
	err = s.homeManagerData(&d, org, user, now)
	return d, err
}

// homeRole is the line of the App Home that says who user is to coach, and
// whether they are in no coach team.
func homeRole(org *signals.Org, user string, optedOut bool) (role string, noTeam bool) {
	switch {
	case optedOut:
		return "opted out: nothing is recorded of or about you", false
	case org.IsManager(user):
		return "manager of " + homePlural(len(org.Reports(user)), "person", "people"), false
	}
	if m, ok := org.ManagerOf(user); ok {
		return "reports to " + org.Name(m), false
	}
	return "not in a coach team", true
}

// homeManagerData fills in what the App Home shows a recorded manager:
// what coach sees, their last four weeks of signals, their team's norms,
// their recent nudges, a pause and the trust pulse.
func (s *Server) homeManagerData(d *HomeData, org *signals.Org, user string, now time.Time) error {
	loc := org.Loc(user)
	d.Manager = true
	d.ConnectOffered = s.cfg.Connect != nil && d.ConnectedSince.IsZero()
	if v := org.Visibility(user); v.DMs() {
		d.DMsSince = v.DMsSince.In(loc)
	} else if read, of, ok := s.readingBack(user); ok && !d.ConnectedSince.IsZero() {
		d.ReadBack = &HomeReadBack{Read: read, Days: of}
	}
	d.TeamSize = len(org.Reports(user))
	var at [4]time.Time
	for i := range at {
		at[i] = now.AddDate(0, 0, -7*(3-i))
		d.WeekStarts[i] = (signals.DayOf(at[i], loc) - 7).Start(loc)
	}
	weeks, err := nudges.SignalsEach(s.db, org, user, at[:]...)
	if err != nil {
		return err
	}
	copy(d.Weeks[:], weeks)
	if t := org.Teams[user]; t != nil {
		for _, k := range s.norms.Kinds() {
			if desc := s.norms.Describe(k, t.Norms); desc != "" {
				nd, _ := s.norms.Lookup(k)
				d.Norms = append(d.Norms, NormLine{Kind: nd.Topic, Description: desc, Agreed: t.Norms.Agreed[string(k)]})
			}
		}
	}
	recs, err := s.db.DigestsOf(user)
	if err != nil {
		return err
	}
	for _, rec := range recs {
		for _, n := range rec.Digest.Nudges {
			if len(d.Recent) < 6 {
				d.Recent = append(d.Recent, RecentNudge{Slot: rec.Digest.Slot.In(loc), Kind: n.Kind, Title: n.Title, Feedback: rec.Digest.Feedback[n.Kind], Terms: rec.Digest.Terms})
			}
		}
	}
	if h, err := s.db.Coaching(user); err == nil && now.Before(h.PausedUntil) {
		d.PausedUntil = h.PausedUntil.In(loc)
	}
	d.Pulse, err = s.homePulseData(user, now, loc)
	return err
}

// homeAction does what an App Home button (or a notice's consent button)
// asks, before the click is acked, and returns what follows the ack: App
// Home redrawn, and the reply where they clicked. Its Slack calls follow
// the ack (Opt in's users.info), or are bounded (Opt out's revocation of a
// token: leaveRevokeBudget). The hours button opens its form after the ack
// (homeHours).
func (s *Server) homeAction(cb slack.InteractionCallback, a *slack.BlockAction) (then func()) {
	ctx := s.work()
	user := cb.User.ID
	var r Reply
	switch a.ActionID {
	case HomePauseAction:
		r = s.pause(user, Command{Name: "pause", For: 14 * 24 * time.Hour})
	case HomeResumeAction:
		r = s.resume(user)
	case HomeOptOutAction:
		r = s.optOut(ctx, user)
	case HomeOptInAction:
		r = s.optIn(ctx, user)
	default:
		return nil
	}
	return func() {
		if r.After != nil {
			r.After() // Opt in's profile, read from Slack
		}
		s.publishHome(ctx, user)
		// Say what happened where they clicked: the DM for a notice's button.
		if cb.Container.Type == "message" && cb.Channel.ID != "" {
			if err := s.messenger.ephemeral(ctx, cb.Channel.ID, user, r.Text); err != nil {
				s.log.Warn().Err(err).Msg("home action reply")
			}
		}
	}
}

// homeHours opens the working-hours form (HoursModal); its answer is saved
// by hoursSubmission.
func (s *Server) homeHours(cb slack.InteractionCallback) {
	user := cb.User.ID
	if _, err := s.api.OpenViewContext(s.work(), cb.TriggerID, HoursModal(s.Org().HoursOf(user), s.hoursSource(user))); err != nil {
		s.log.Warn().Err(err).Str("user", user).Msg("views.open hours")
	}
}

// hoursSubmission saves the hours modal, or returns the field errors to
// show in it.
func (s *Server) hoursSubmission(cb slack.InteractionCallback) map[string]any {
	user := cb.User.ID
	h, reset, errs := ParseHoursSubmission(cb.View.State)
	if len(errs) > 0 {
		return map[string]any{"response_action": "errors", "errors": errs}
	}
	var err error
	if reset {
		err = s.setHours(user, nil)
	} else {
		err = s.setHours(user, &h)
	}
	if err != nil {
		s.log.Error().Err(err).Str("user", user).Msg("save hours")
		return map[string]any{"response_action": "errors", "errors": map[string]string{"hours_start": "Sorry, that didn't save. Please try again."}}
	}
	return nil
}

// heldLines says in plain words what coach holds about a person.
func heldLines(org *signals.Org, user string, ex store.Export) []string {
	if ex.OptedOut {
		return []string{"Only that you opted out, kept as a one-way code that can't be turned back into your name."}
	}
	var out []string
	if ex.Person != nil {
		out = append(out, "Your Slack display name and time zone"+map[bool]string{true: ", and the working hours you set.", false: "."}[ex.Person.Hours != nil])
	}
	if ex.Manager != nil && len(ex.Manager.Days) > 0 {
		out = append(out, plural(len(ex.Manager.Days), "day")+" of counters about your messages to your team: who, when, and whether they asked, thanked or chased — never the text.")
	}
	if ex.Manager != nil {
		sent := 0
		for _, rec := range ex.Manager.Digests {
			if rec.State == store.DigestSent {
				sent++
			}
		}
		switch {
		case sent == 1:
			out = append(out, "The weekly digest coach sent you, and your feedback on it.")
		case sent > 1:
			out = append(out, fmt.Sprintf("The %d weekly digests coach sent you, and your feedback on them.", sent))
		}
	}
	for _, r := range ex.AsReport {
		out = append(out, fmt.Sprintf("%s of counters about your messages with %s (who, when — never the text).", plural(len(r.Days), "day"), org.Name(r.Manager)))
	}
	if len(out) == 0 {
		out = append(out, "Nothing beyond your Slack directory entry.")
	}
	return out
}

// readingBack is how far the read back of user's DMs got while it runs:
// days read of days to read. ok is false when none runs.
func (s *Server) readingBack(user string) (read, of int, ok bool) {
	job, found, err := s.db.Backfill(user)
	if err != nil || !found || job.Done() {
		return 0, 0, false
	}
	days := func(d time.Duration) int { return int((d + 24*time.Hour - 1) / (24 * time.Hour)) }
	return days(job.Cursor.Sub(job.Since)), days(job.Until.Sub(job.Since)), true
}
