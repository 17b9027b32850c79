package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"coach/norms"
	"coach/nudges"
	"coach/signals"
)

// story is the norm prompt part of the demo: Mia shares her after_hours
// nudge with her team, the team votes with reactions, and the agreed hours
// change what coach counts from then on.
type story struct {
	shared    bool
	prompt    norms.Prompt
	announced bool
	before    signals.Facts // Mia's after_hours in the digest she shared
	after     signals.Facts // and at the latest week's end
}

// normStory advances the story at now.
func (w *world) normStory(ctx context.Context, now time.Time) error {
	s := &w.story
	if !s.shared {
		for _, d := range w.out.got["U0MIA"] {
			for _, n := range d.Nudges {
				if n.Kind == signals.AfterHours && d.Feedback[n.Kind] == "" {
					s.before = n.Facts
					return w.share(ctx, d)
				}
			}
		}
		return nil
	}
	if s.announced {
		return nil
	}
	p, err := w.db.Prompt(s.prompt.ID)
	if err != nil {
		return err
	}
	if p.State != norms.Closed || !p.Announced["thread"] || !p.Announced["dm"] {
		return nil
	}
	s.announced = true
	org := w.srv.Org()
	w.out.printf("\n▸ %s: everyone has voted, so the prompt closes. coach replies in its thread:\n", now.In(org.Loc("U0MIA")).Format("Mon 2 Jan 15:04"))
	for _, m := range w.fake.Messages(p.Channel) {
		if m.ThreadTS == p.TS {
			w.out.quote(m.Text)
		}
	}
	w.out.printf("  …and DMs Mia:\n")
	for _, m := range w.fake.Messages("U0MIA") {
		if strings.Contains(m.Text, "Your team answered") {
			w.out.quote(m.Text)
		}
	}
	return nil
}

// share clicks "Share with my team" on Mia's digest, through the fake's
// Socket Mode link like a real click, and schedules the team's votes.
func (w *world) share(ctx context.Context, d nudges.Digest) error {
	s := &w.story
	msgs := w.fake.Messages("U0MIA")
	var channel, ts string
	for _, m := range msgs {
		if strings.Contains(string(m.Metadata), d.ID) {
			channel, ts = m.Channel, m.TS
		}
	}
	w.fake.SendInteraction(map[string]any{
		"type": "block_actions", "user": map[string]any{"id": "U0MIA"},
		"container": map[string]any{"type": "message", "channel_id": channel, "message_ts": ts},
		"actions":   []map[string]any{{"type": "button", "action_id": string(nudges.Share), "block_id": "nudge_after_hours", "value": nudges.ActionValue(d.ID, signals.AfterHours)}},
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		ps, err := w.db.Prompts()
		if err != nil {
			return err
		}
		if len(ps) > 0 && ps[0].TS != "" {
			s.prompt = ps[0]
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("demo: the norm prompt was not posted")
		}
		time.Sleep(5 * time.Millisecond)
	}
	w.srv.Settle()
	s.shared = true
	p := s.prompt
	w.out.printf("\n▸ Mia clicks *Share with my team* on that nudge. coach posts to her team's group DM, in her name,\n  and adds the options as reactions so people only have to click:\n")
	for _, m := range w.fake.Messages(p.Channel) {
		if m.TS == p.TS {
			for _, line := range blockTexts(m.Blocks) {
				w.out.quote(line)
			}
		}
	}
	// The team answers during their day; Ben changes his mind.
	at := func(who person, hh, mm int) time.Time {
		day := p.Opened.In(w.out.w.loc(who))
		return time.Date(day.Year(), day.Month(), day.Day(), hh, mm, 0, 0, w.out.w.loc(who))
	}
	team := w.teams[0]
	ana, ben, chloe, dan := team.reports[0], team.reports[1], team.reports[2], team.reports[3]
	vote := func(who person, when time.Time, emoji string, removed bool) {
		typ := "reaction_added"
		if removed {
			typ = "reaction_removed"
		}
		w.extra = append(w.extra, timed{when, map[string]any{
			"type": typ, "user": who.id, "reaction": emoji, "item_user": "U0BOT",
			"item": map[string]any{"type": "message", "channel": p.Channel, "ts": p.TS}, "event_ts": fmt.Sprintf("%d.000900", when.Unix()),
		}})
	}
	vote(chloe, at(chloe, 17, 30), "sunny", false)
	vote(ben, at(ben, 9, 40), "sunrise", false)
	vote(ben, at(ben, 11, 5), "sunrise", true)
	vote(ben, at(ben, 11, 6), "city_sunset", false)
	vote(dan, at(dan, 10, 15), "city_sunset", false)
	vote(ana, at(ana, 10, 0), "crescent_moon", false)
	w.out.printf("\n  Chloé votes ☀️, Dan 🌆, Ben 🌅 and then changes his mind to 🌆, and Ana, in Los Angeles, 🌙 later that day.\n")
	return nil
}

// verdict prints, at a week's end, how Mia's after_hours moved since the
// team agreed its hours.
func (w *world) verdict(now time.Time) {
	s := &w.story
	if !s.announced {
		return
	}
	org := w.srv.Org()
	m := "U0MIA"
	sigs, err := nudges.Signals(w.db, org, m, now)
	if err != nil {
		return
	}
	for _, sig := range sigs {
		if sig.Kind == signals.AfterHours {
			s.after = sig.Facts
			w.out.printf("  Mia's messages outside the recipient's hours, last 7 days: %d of %d (before the team agreed: %d of %d).\n",
				sig.Facts.Count, sig.Facts.Total, s.before.Count, s.before.Total)
			w.out.printf("  Her 19:30 messages to Ben and Dan now fall inside the hours the team chose, so they no longer count.\n")
		}
	}
}

// blockTexts pulls the text of a message's blocks, in order.
func blockTexts(raw json.RawMessage) []string {
	type text struct {
		Text string `json:"text"`
	}
	var blocks []struct {
		Type     string          `json:"type"`
		Text     *text           `json:"text"`
		Fields   []text          `json:"fields"`
		Elements json.RawMessage `json:"elements"`
	}
	if json.Unmarshal(raw, &blocks) != nil {
		return nil
	}
	var out []string
	for _, b := range blocks {
		if b.Type == "divider" {
			out = append(out, "────")
		}
		if b.Text != nil {
			out = append(out, strings.Split(b.Text.Text, "\n")...)
		}
		for _, f := range b.Fields {
			out = append(out, f.Text)
		}
		var elems []struct {
			Type string          `json:"type"`
			Text json.RawMessage `json:"text"`
		}
		_ = json.Unmarshal(b.Elements, &elems)
		var buttons []string
		for _, e := range elems {
			var s string
			var t text
			switch {
			case json.Unmarshal(e.Text, &s) == nil:
			case json.Unmarshal(e.Text, &t) == nil:
				s = t.Text
			}
			if s == "" {
				continue
			}
			if e.Type == "button" {
				buttons = append(buttons, "["+s+"]")
			} else {
				out = append(out, s)
			}
		}
		if len(buttons) > 0 {
			out = append(out, strings.Join(buttons, " "))
		}
	}
	return out
}
