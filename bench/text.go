package bench

import (
	"math/rand/v2"
	"strings"
)

// A message's text is built from parts so that its rich_text block, which
// Slack sends beside the text, can be built from the same parts.
type part struct {
	text    string // plain text
	mention string // a user id: <@U…> in the text, a user element in the block
	emoji   string // a :shortcode: in the text, an emoji element in the block
}

var (
	openers = []string{"hey", "hi", "morning", "quick one:", "fyi", "heads up,", "ok so", "hello", "team,", "btw"}
	bodies  = []string{
		"I pushed the new build to staging", "the customer call moved to 3pm", "can we sync on the roadmap later",
		"I left comments on the design doc", "the dashboard numbers look off for last week",
		"let's keep the retro to thirty minutes", "I'm out tomorrow afternoon", "the migration finished without errors",
		"we still need a reviewer for the API change", "the invoice run failed again overnight",
		"I moved the standup to 10:15", "the flaky test is back in CI", "here is the draft for the quarterly update",
		"support is seeing more tickets about login", "I'll pair with Sam on the parser", "the vendor sent a new quote",
		"the release notes are in the doc", "we hit the rate limit on the export job", "Priya finished the onboarding guide",
		"I think we should cut scope for this sprint", "the offsite agenda is up", "latency is back to normal",
		"café meeting moved to Thursday", "the résumé pile for the backend role is ready", "naïve question about the cache",
	}
	questions = []string{
		"could you take a look when you have a moment?", "what do you think?", "does that work for you?",
		"how did the interview go?", "should we push the deadline?", "any blockers I can help with?",
		"which option do you prefer?", "is anyone free to review?", "thoughts on the new layout?", "why did the job stop?",
	}
	thanks = []string{
		"thanks for jumping on that so fast", "great job on the launch", "thank you for covering the on-call shift",
		"kudos on the demo today", "really appreciate the careful review", "nice work on the migration", "thx!",
		"well done everyone", "shoutout to the support team for this week",
	}
	chases = []string{
		"any update on the report?", "where are we on the API change?", "eta?", "following up on the invoice fix",
		"status? we need it for the board deck", "is it done yet?", "any update?",
	}
	tails = []string{
		"see https://docs.example.com/wiki/plan-2026 for details", "details in the \"weekly\" thread",
		"more later", "no rush", "ping me if you need anything", "I'll update the ticket",
		"notes: https://example.com/notes/4711", "let me know", "will circle back after lunch",
	}
	shortcodes = []string{"tada", "+1", "pray", "raised_hands", "eyes", "rocket", "white_check_mark", "sweat_smile", "fire", "coffee"}
	unicode    = []string{"🎉", "🙏", "👍", "🚀", "😅", "✅", "☕", "❤️"}
)

// textKind is what a message is meant to say, so the flags are exercised.
type textKind int

const (
	plainText textKind = iota
	questionText
	thanksText
	chaseText
)

func pickTextKind(rng *rand.Rand, manager bool) textKind {
	n := rng.IntN(100)
	chase := 3
	if manager {
		chase = 8
	}
	switch {
	case n < chase:
		return chaseText
	case n < chase+10:
		return thanksText
	case n < chase+10+25:
		return questionText
	}
	return plainText
}

// messageParts builds a message of 20–300 characters of the given kind,
// mentioning the given people (if any).
func messageParts(rng *rand.Rand, kind textKind, mention []string) []part {
	target := 20 + rng.IntN(60)
	switch n := rng.IntN(10); {
	case n >= 9:
		target = 180 + rng.IntN(120)
	case n >= 6:
		target = 80 + rng.IntN(100)
	}
	var parts []part
	length := 0
	add := func(p part) {
		parts = append(parts, p)
		length += p.len()
	}
	for _, id := range mention {
		add(part{mention: id})
		add(part{text: " "})
	}
	if len(mention) == 0 && rng.IntN(4) == 0 {
		add(part{text: openers[rng.IntN(len(openers))] + " "})
	}
	switch kind {
	case chaseText:
		add(part{text: chases[rng.IntN(len(chases))]})
	case thanksText:
		add(part{text: thanks[rng.IntN(len(thanks))]})
	case questionText:
		add(part{text: questions[rng.IntN(len(questions))]})
	default:
		add(part{text: bodies[rng.IntN(len(bodies))]})
	}
	for length < target {
		sep := ". "
		if rng.IntN(8) == 0 {
			sep = "\n"
		}
		add(part{text: sep})
		if rng.IntN(3) == 0 {
			add(part{text: tails[rng.IntN(len(tails))]})
		} else {
			add(part{text: bodies[rng.IntN(len(bodies))]})
		}
	}
	switch rng.IntN(10) {
	case 0, 1:
		add(part{text: " "})
		add(part{emoji: shortcodes[rng.IntN(len(shortcodes))]})
	case 2:
		add(part{text: " " + unicode[rng.IntN(len(unicode))]})
	}
	// Cut at 300 characters at most, on a part boundary.
	for length > 300 && len(parts) > 1 {
		p := parts[len(parts)-1]
		parts = parts[:len(parts)-1]
		length -= p.len()
	}
	return parts
}

// len is the length of p in the text.
func (p part) len() int {
	switch {
	case p.mention != "":
		return len(p.mention) + 3 // <@…>
	case p.emoji != "":
		return len(p.emoji) + 2 // :…:
	}
	return len(p.text)
}

// textOf is the mrkdwn text Slack sends for parts.
func textOf(parts []part) string {
	var b strings.Builder
	for _, p := range parts {
		switch {
		case p.mention != "":
			b.WriteString("<@" + p.mention + ">")
		case p.emoji != "":
			b.WriteString(":" + p.emoji + ":")
		default:
			b.WriteString(p.text)
		}
	}
	return b.String()
}
