package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"coach/slackfake"
)

// slash runs a /coach command as user through the fake's Socket Mode link
// and returns the ephemeral answer only they see.
func (w *world) slash(ctx context.Context, user, text string) (string, error) {
	id := w.fake.SendSlashCommand(slackfake.SlashCommand{Command: "/coach", Text: text, UserID: user, ChannelID: "D" + user[2:]})
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := w.fake.WaitAcked(wctx, id); err != nil {
		return "", fmt.Errorf("demo: /coach %s: %w", text, err)
	}
	for _, a := range w.fake.Acks() {
		if a.EnvelopeID == id {
			var p struct {
				Text string `json:"text"`
			}
			if err := json.Unmarshal(a.Payload, &p); err != nil {
				return "", err
			}
			return p.Text, nil
		}
	}
	return "", fmt.Errorf("demo: /coach %s: no answer", text)
}

// home opens user's App Home (an app_home_opened event, as Slack sends when
// they click the app) and returns the view's text, block by block.
func (w *world) home(ctx context.Context, user string) ([]string, error) {
	id := w.fake.SendEvent(map[string]any{"type": "app_home_opened", "user": user, "channel": "D" + user[2:], "tab": "home", "event_ts": fmt.Sprintf("%d.000001", w.clock.Now().Unix())})
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := w.fake.WaitAcked(wctx, id); err != nil {
		return nil, err
	}
	w.srv.Settle()
	var view struct {
		Blocks json.RawMessage `json:"blocks"`
	}
	if err := json.Unmarshal(w.fake.HomeView(user), &view); err != nil {
		return nil, fmt.Errorf("demo: App Home of %s: %w", user, err)
	}
	return blockTexts(view.Blocks), nil
}

// faces shows the other faces of coach at the end of the month: two slash
// commands and a manager's App Home.
func (w *world) faces(ctx context.Context) error {
	w.out.printf("\n── The other faces of coach %s\n", strings.Repeat("─", 46))
	for _, c := range []struct{ user, text, who string }{
		{"U0MIA", "norms", "Mia"},
		{"U0BEN", "me", "Ben"},
		{"U0SAM", "me", "Sam"},
		{"U0ZOE", "hours 08:00-16:30 mon-thu", "Zoe"},
	} {
		got, err := w.slash(ctx, c.user, c.text)
		if err != nil {
			return err
		}
		w.out.printf("\n▸ %s types `/coach %s`; only %s sees the answer:\n", c.who, c.text, c.who)
		w.out.quote(got)
	}
	lines, err := w.home(ctx, "U0MIA")
	if err != nil {
		return err
	}
	w.out.printf("\n▸ Mia opens coach's App Home tab:\n")
	w.out.quote(strings.Join(lines, "\n"))
	return w.pulseFaces(ctx)
}
