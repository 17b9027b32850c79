package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/slack-go/slack"

	"coach/signals"
)

// Action ids of the forget confirmation.
const (
	ForgetConfirmAction = "forget_confirm"
	ForgetCancelAction  = "forget_cancel"
)

// noticeMetadataType marks the consent notice, so a restart can tell whether
// it was already sent.
const noticeMetadataType = "coach_notice"

// NoticeText is the one-time notice each team member gets: what is
// measured, what is not, who sees what, and how to leave.
func NoticeText(optIn bool) string {
	s := "*Hi! Your workspace uses coach*, a bot that helps managers build trust with their teams.\n" +
		"• *What it measures:* for messages between you and your manager or team, who wrote to whom and when, and whether a message asked a question, thanked someone or asked for a status update. Reactions, too.\n" +
		"• *What it never keeps:* the text of any message. It is read once to set those yes/no flags and dropped.\n" +
		"• *Who sees what:* a manager sees only their own coaching. Team figures appear only for teams of three or more, never for one person. Admins see workspace totals only.\n" +
		"• *Your choices:* `/coach me` shows what is held about you, `/coach export` sends it to you, `/coach forget` deletes it, and `/coach optout` stops all recording of and about you."
	if optIn {
		s += "\nNothing is recorded about you unless you opt in."
	}
	return s
}

// noticeMembers DMs the consent notice to every team member who has not had
// it yet, once.
func (s *Server) noticeMembers(ctx context.Context) {
	org := s.Org()
	optIn := org.Consent == signals.OptIn
	var members []string
	for m := range org.Teams {
		members = append(members, m)
		members = append(members, org.Teams[m].Reports...)
	}
	for _, id := range members {
		if p, ok := org.People[id]; !ok || p.IsBot || p.Deleted || p.OptedOut {
			continue
		}
		done, err := s.db.Notified(id)
		if err != nil || done {
			continue
		}
		ch, err := s.messenger.dm(ctx, id)
		if err != nil {
			s.log.Warn().Err(err).Str("user", id).Msg("consent notice")
			continue
		}
		btn := slack.NewButtonBlockElement(HomeOptOutAction, id, slack.NewTextBlockObject(slack.PlainTextType, "Opt out", false, false))
		if optIn {
			btn = slack.NewButtonBlockElement(HomeOptInAction, id, slack.NewTextBlockObject(slack.PlainTextType, "Opt in", false, false))
			btn.Style = slack.StylePrimary
		}
		// The notice carries the person's id in its metadata: after a crash
		// between the post and MarkNotified, coach finds it instead of
		// sending it again.
		found, err := s.messenger.findInThread(ctx, ch, "", noticeMetadataType, "user", id)
		if err != nil {
			s.log.Warn().Err(err).Str("user", id).Msg("consent notice")
			continue
		}
		if !found {
			text := NoticeText(optIn)
			blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(text), nil, nil), slack.NewActionBlock("consent", btn)}
			meta := &slack.SlackMetadata{EventType: noticeMetadataType, EventPayload: map[string]any{"user": id}}
			if _, err := s.messenger.post(ctx, ch, "Your workspace uses coach: what it measures and how to leave", blocks, meta, ""); err != nil {
				s.log.Warn().Err(err).Str("user", id).Msg("consent notice")
				continue
			}
		}
		if err := s.db.MarkNotified(id); err != nil {
			s.log.Warn().Err(err).Str("user", id).Msg("record consent notice")
		}
	}
}

func (s *Server) optOut(ctx context.Context, user string) Reply {
	if err := s.db.OptOut(user); err != nil {
		return s.failed(err)
	}
	if err := s.rebuildOrg(); err != nil {
		return s.failed(err)
	}
	s.changed(user)
	return say("Done: you're opted out. coach deleted everything it held about you and records nothing of or about you from now on; managers' nudges won't mention you. `/coach optin` undoes this.")
}

func (s *Server) optIn(ctx context.Context, user string) Reply {
	if err := s.db.OptIn(user); err != nil {
		return s.failed(err)
	}
	if u, err := s.api.GetUserInfoContext(ctx, user); err == nil {
		if err := s.db.PutPeople([]signals.Person{personOf(*u)}); err != nil {
			return s.failed(err)
		}
	}
	if err := s.db.UpdatePerson(user, func(p *signals.Person) { p.OptedIn, p.OptedOut = true, false }); err != nil {
		return s.failed(err)
	}
	if err := s.db.SyncTeams(s.cfg.Teams); err != nil {
		return s.failed(err)
	}
	if err := s.rebuildOrg(); err != nil {
		return s.failed(err)
	}
	s.changed(user)
	if !s.Org().Recorded(user) {
		return say("Done: you're opted in. You're not in a coach team right now, so nothing is recorded yet.")
	}
	return say("Done: you're opted in. coach counts your messages with your team again (never their text). `/coach optout` stops it any time.")
}

// exportCommand sends the caller a JSON file of everything held about them,
// by DM, through Slack's file upload flow.
func (s *Server) exportCommand(user string) Reply {
	return Reply{
		Text: "I'm putting together everything coach holds about you; it will arrive as a file in our DM in a moment.",
		After: func() {
			ctx := context.Background()
			if err := s.sendExport(ctx, user); err != nil {
				s.log.Error().Err(err).Str("user", user).Msg("export")
			}
		},
	}
}

func (s *Server) sendExport(ctx context.Context, user string) error {
	ex, err := s.db.Export(user)
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(ex, "", "  ")
	if err != nil {
		return err
	}
	ch, err := s.messenger.dm(ctx, user)
	if err != nil {
		return err
	}
	_, err = s.client.UploadFileContext(ctx, slack.UploadFileParameters{
		Reader:         bytes.NewReader(data),
		FileSize:       len(data),
		Filename:       "coach-export-" + user + ".json",
		Title:          "Everything coach holds about you",
		InitialComment: fmt.Sprintf("Here is everything coach holds about you, as of %s. It contains counts, never message text.", s.cfg.Now().UTC().Format(time.RFC3339)),
		Channel:        ch,
	})
	return err
}

// forgetConfirm asks before deleting anything.
func forgetConfirm(user string) Reply {
	text := "*Delete everything coach holds about you?* This removes your daily counters, your settings, and you from any manager's records. It can't be undone. (To also stop new recording, use `/coach optout`.)"
	yes := slack.NewButtonBlockElement(ForgetConfirmAction, user, slack.NewTextBlockObject(slack.PlainTextType, "Delete my data", false, false))
	yes.Style = slack.StyleDanger
	no := slack.NewButtonBlockElement(ForgetCancelAction, user, slack.NewTextBlockObject(slack.PlainTextType, "Cancel", false, false))
	return Reply{Text: "Delete everything coach holds about you?", Blocks: []slack.Block{
		slack.NewSectionBlock(mrkdwn(text), nil, nil),
		slack.NewActionBlock("forget", yes, no),
	}}
}

// forgetAction handles the confirmation buttons. Only the person who asked
// can confirm: a button value that is not the clicker's id does nothing.
func (s *Server) forgetAction(cb slack.InteractionCallback, a *slack.BlockAction) {
	user := cb.User.ID
	if a.Value != user {
		s.log.Warn().Str("user", user).Msg("forget button for someone else; ignored")
		return
	}
	text := "Cancelled: nothing was deleted."
	if a.ActionID == ForgetConfirmAction {
		st, err := s.db.ForgetPerson(user)
		if err != nil {
			s.log.Error().Err(err).Str("user", user).Msg("forget")
			text = "Sorry, something went wrong and nothing was deleted. Please try again."
		} else {
			s.log.Info().Str("user", user).Interface("deleted", st).Msg("forgot a person at their request")
			if err := s.rebuildOrg(); err != nil {
				s.log.Error().Err(err).Msg("rebuild directory")
			}
			text = "Done: everything coach held about you is deleted."
		}
	}
	s.respond(cb.ResponseURL, text)
	if cb.ResponseURL == "" && cb.Channel.ID != "" {
		if err := s.messenger.ephemeral(context.Background(), cb.Channel.ID, user, text); err != nil {
			s.log.Warn().Err(err).Msg("forget reply")
		}
	}
}

// respond replaces the ephemeral message that held the buttons.
func (s *Server) respond(url, text string) {
	if url == "" {
		return
	}
	body, _ := json.Marshal(map[string]any{"replace_original": true, "response_type": "ephemeral", "text": text})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.log.Warn().Err(err).Msg("response_url")
		return
	}
	resp.Body.Close()
}
