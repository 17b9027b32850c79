package demo

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"coach/bot"
	"coach/pulse"
	"coach/signals"
	"coach/slackfake"
)

// pulseStory is the trust pulse part of the demo: Zoe, the workspace's
// coach admin, turns the pulse on in week 1; every report answers three
// statements twice, two weeks apart; Mia's team agrees its hours in
// between, and her digest puts the two side by side.
type pulseStory struct {
	on       bool
	answered map[string]bool // "<report> <ts>": that pulse DM is answered
	shown    bool            // Ben's first pulse DM was printed
}

// The demo's trust pulse: every 2 weeks so that a month holds two, and
// scores from 3 answers so that teams of 3 take part (the default is 5).
const (
	demoPulseEvery = 14 * 24 * time.Hour
	demoPulseMin   = 3
	demoAdmin      = "U0ZOE"
)

// demoPulseKey is the pulse key coach run derives from COACH_TOKEN_KEY;
// the demo makes a fresh operator key each run, as `coach connect-key`
// would.
func demoPulseKey() ([]byte, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	return pulse.Key(key), nil
}

// pulseOnAt is when Zoe turns the pulse on: Tuesday of week 1.
var pulseOnAt = time.Date(2026, 11, 3, 8, 0, 0, 0, time.UTC)

// miaAnswers are what Mia's reports answer in her team's first and second
// pulse, by statement; s skips. Everyone else answers from their name.
var miaAnswers = map[string][2]map[string]byte{
	"U0ANA":   {{"switch_off": '4', "speak_up": '4', "try_new": 's'}, {"switch_off": '4', "speak_up": '4', "try_new": '3'}},
	"U0BEN":   {{"switch_off": '2', "speak_up": '3', "try_new": '3'}, {"switch_off": '4', "speak_up": '4', "try_new": '4'}},
	"U0CHLOE": {{"switch_off": '4', "speak_up": '4', "try_new": '4'}, {"switch_off": '4', "speak_up": '4', "try_new": '4'}},
	"U0DAN":   {{"switch_off": '2', "speak_up": '4', "try_new": '3'}, {"switch_off": '3', "speak_up": '4', "try_new": '3'}},
}

// answerOf is what report r answers to statement id in their k-th pulse.
func answerOf(r person, k int, id string) byte {
	if a, ok := miaAnswers[r.id]; ok && k < 2 {
		return a[k][id]
	}
	return byte('3' + (len(r.name)+len(id))%3)
}

// pulseStory advances the story at now: the admin's command, then each
// report answering the pulse DMs they got.
func (w *world) pulseStory(ctx context.Context, now time.Time) error {
	s := &w.pulse
	if !s.on {
		if now.Before(pulseOnAt) {
			return nil
		}
		s.on, s.answered = true, map[string]bool{}
		got, err := w.slash(ctx, demoAdmin, "pulse on")
		if err != nil {
			return err
		}
		w.out.printf("\n▸ Zoe, who is also the workspace's coach admin, types `/coach pulse on`; only Zoe sees the answer:\n")
		w.out.quote(got)
		return nil
	}
	for _, tm := range w.teams {
		for _, r := range tm.reports {
			dms := w.pulseDMs(r.id)
			for k, m := range dms {
				key := r.id + " " + m.TS
				if s.answered[key] {
					continue
				}
				s.answered[key] = true
				if r.id == "U0BEN" && !s.shown {
					s.shown = true
					at, _ := signals.ParseTS(m.TS)
					w.out.printf("\n▸ Ben, %s %s: a DM from coach, the team's first trust pulse\n", at.In(w.loc(r)).Format("Mon 2 Jan 15:04"), r.tz)
					for _, line := range blockTexts(m.Blocks) {
						w.out.quote(line)
					}
				}
				if err := w.answerPulse(ctx, r, k, m); err != nil {
					return err
				}
				if r.id == "U0BEN" && k == 0 {
					last := w.pulseDMs(r.id)[k]
					lines := blockTexts(last.Blocks)
					w.out.printf("\n  Ben answers 3, 3 and 2; the DM shows which he chose, and then:\n")
					w.out.quote(lines[len(lines)-1])
				}
			}
		}
	}
	return nil
}

// pulseDMs are the pulse DMs user got, oldest first.
func (w *world) pulseDMs(user string) []slackfake.Message {
	var out []slackfake.Message
	for _, m := range w.fake.Messages(user) {
		if strings.Contains(string(m.Metadata), `"coach_pulse"`) {
			out = append(out, m)
		}
	}
	return out
}

type demoBlock struct {
	BlockID  string                 `json:"block_id"`
	Text     *struct{ Text string } `json:"text"`
	Elements []struct {
		ActionID string `json:"action_id"`
		Value    string `json:"value"`
	} `json:"elements"`
}

// answerPulse clicks report r's answers on their k-th pulse DM, one
// statement at a time, through the fake's Socket Mode link, waiting for
// each redraw.
func (w *world) answerPulse(ctx context.Context, r person, k int, m slackfake.Message) error {
	var blocks []demoBlock
	if err := json.Unmarshal(m.Blocks, &blocks); err != nil {
		return err
	}
	var ids []string
	for _, b := range blocks {
		if strings.HasPrefix(b.BlockID, "pulse_s") && b.Text != nil {
			ids = append(ids, w.statementID(b.Text.Text))
		}
	}
	for i, id := range ids {
		action := fmt.Sprintf("%s:%d:%c", bot.PulseAnswerAction, i, answerOf(r, k, id))
		cur := w.pulseDMs(r.id)[k]
		if err := json.Unmarshal(cur.Blocks, &blocks); err != nil {
			return err
		}
		var blockID, value string
		for _, b := range blocks {
			for _, e := range b.Elements {
				if e.ActionID == action {
					blockID, value = b.BlockID, e.Value
				}
			}
		}
		if value == "" {
			return fmt.Errorf("demo: %s's pulse DM has no button %s", r.name, action)
		}
		before := string(cur.Blocks)
		w.fake.SendInteraction(map[string]any{
			"type": "block_actions", "user": map[string]any{"id": r.id},
			"container": map[string]any{"type": "message", "channel_id": cur.Channel, "message_ts": cur.TS},
			"actions":   []map[string]any{{"type": "button", "action_id": action, "block_id": blockID, "value": value}},
		})
		deadline := time.Now().Add(10 * time.Second)
		for string(w.pulseDMs(r.id)[k].Blocks) == before {
			if time.Now().After(deadline) {
				return fmt.Errorf("demo: %s's answer was not taken", r.name)
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			time.Sleep(2 * time.Millisecond)
		}
		w.srv.Settle()
	}
	return nil
}

// statementID is the id of the statement a pulse DM's section shows.
func (w *world) statementID(section string) string {
	for _, st := range w.statements.All() {
		if strings.HasSuffix(section, st.Text) {
			return st.ID
		}
	}
	return ""
}

// pulseFaces shows the pulse's faces at the end of the month: the admin's
// workspace figures, and Mia sharing her team's result with them.
func (w *world) pulseFaces(ctx context.Context) error {
	got, err := w.slash(ctx, demoAdmin, "stats")
	if err != nil {
		return err
	}
	w.out.printf("\n▸ Zoe, as admin, types `/coach stats`: workspace figures only, the pulse over at least 5 teams:\n")
	w.out.quote(got)

	var view struct {
		Blocks []demoBlock `json:"blocks"`
	}
	if err := json.Unmarshal(w.fake.HomeView("U0MIA"), &view); err != nil {
		return err
	}
	value := ""
	for _, b := range view.Blocks {
		for _, e := range b.Elements {
			if e.ActionID == bot.PulseShareAction {
				value = e.Value
			}
		}
	}
	if value == "" {
		return fmt.Errorf("demo: Mia's App Home has no Share with my team for the pulse")
	}
	posts := len(w.fake.Calls("chat.postMessage"))
	w.fake.SendInteraction(map[string]any{
		"type": "block_actions", "user": map[string]any{"id": "U0MIA"}, "container": map[string]any{"type": "view", "view_id": "VHOME"},
		"actions": []map[string]any{{"type": "button", "block_id": "home_pulse_actions", "action_id": bot.PulseShareAction, "value": value}},
	})
	deadline := time.Now().Add(10 * time.Second)
	for len(w.fake.Calls("chat.postMessage")) == posts {
		if time.Now().After(deadline) {
			return fmt.Errorf("demo: Mia's pulse result was not shared")
		}
		time.Sleep(2 * time.Millisecond)
	}
	w.srv.Settle()
	calls := w.fake.Calls("chat.postMessage")
	msgs := w.fake.Messages(calls[len(calls)-1].Args["channel"])
	if len(msgs) == 0 {
		return fmt.Errorf("demo: Mia's shared pulse result is nowhere")
	}
	w.out.printf("\n▸ Mia clicks *Share with my team* under the pulse; coach posts to the team's group DM:\n")
	w.out.quote(msgs[len(msgs)-1].Text)
	return nil
}
