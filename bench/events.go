package bench

import (
	"fmt"
	"time"
)

// conv is a conversation picked for one message and who may write in it.
type conv struct {
	channel, channelType string
	members              []int
}

// event1 writes the inner event of kind k at time at into g.event and
// returns the kind it wrote (a reply or reaction needs earlier messages).
func (g *generator) event1(k kind, at time.Time) kind {
	switch k {
	case kindThread, kindReactionAdded, kindReactionRemoved, kindEdit, kindDeleted:
		if p, ok := g.recentMessage(); ok {
			return g.onRecent(k, p, at)
		}
		k = kindChannel
	}
	var c conv
	var author int
	for try := 0; ; try++ {
		c = g.pickConv(k)
		author = c.members[g.rng.IntN(len(c.members))]
		if try == 40 || g.awake(author, at) {
			break
		}
	}
	if g.w.teamOf(author) < 0 {
		g.stats.outsiders++
	}
	if c.channelType != "channel" && !g.convSeen[c.channel] {
		if g.convSeen == nil {
			g.convSeen = map[string]bool{}
		}
		g.convSeen[c.channel] = true
		g.stats.convs = append(g.stats.convs, c.channel)
	}
	m := message{user: g.w.ids[author], channel: c.channel, channelType: c.channelType, ts: g.ts(at), clientMsgID: g.uuid()}
	switch k {
	case kindBot:
		m.user, m.clientMsgID = "", ""
		m.botID = fmt.Sprintf("B%08X", 0x10000000+g.rng.IntN(40))
		m.parts = messageParts(g.rng, plainText, nil)
		g.event = appendMessage(g.event[:0], m)
		return k
	case kindJoin:
		m.subtype, m.clientMsgID = "channel_join", ""
		m.parts = []part{{mention: m.user}, {text: " has joined the channel"}}
		g.event = appendMessage(g.event[:0], m)
		return k
	}
	var mention []string
	if k == kindMention {
		mention = append(mention, g.w.ids[g.mentionFor(author)])
		if g.rng.IntN(5) == 0 {
			mention = append(mention, g.w.ids[g.mentionFor(author)])
		}
	}
	m.parts = messageParts(g.rng, pickTextKind(g.rng, author < g.w.managers), mention)
	g.event = appendMessage(g.event[:0], m)
	g.remember(m, author)
	return k
}

// pickConv picks a conversation for a new message of kind k.
func (g *generator) pickConv(k kind) conv {
	w := g.w
	rng := g.rng
	nReports := w.managers * w.reports
	outsiders := w.users - w.inTeams()
	switch k {
	case kindDM:
		switch n := rng.IntN(100); {
		case n < 45:
			r := w.managers + rng.IntN(nReports)
			return conv{convID(convManagerDM, r), "im", []int{w.teamOf(r), r}}
		case n < 75:
			r := w.managers + rng.IntN(nReports)
			next := w.report(w.teamOf(r), (r-w.managers+1)%w.reports)
			return conv{convID(convPeerDM, r), "im", []int{r, next}}
		case n < 88 || outsiders == 0:
			m := rng.IntN(w.managers)
			return conv{convID(convCrossDM, m), "im", []int{m, int(w.crossWith[m])}}
		default:
			o := rng.IntN(outsiders)
			return conv{convID(convOutsideDM, o), "im", []int{w.inTeams() + o, int(w.outsideWith[o])}}
		}
	case kindGroupDM:
		m := rng.IntN(w.managers)
		if rng.IntN(10) < 7 {
			return conv{convID(convTeamGroup, m), "mpim", []int{m, w.report(m, 0), w.report(m, 1), w.report(m, 2)}}
		}
		return conv{convID(convPeerGroup, m), "mpim", []int{w.report(m, 1), w.report(m, 2), w.report(m, 3)}}
	}
	if rng.IntN(10) < 8 {
		m := rng.IntN(w.managers)
		members := make([]int, 0, w.reports+2)
		members = append(members, m, m) // managers post a bit more in their channel
		for r := range w.reports {
			members = append(members, w.report(m, r))
		}
		return conv{convID(convTeamChannel, m), "channel", members}
	}
	return conv{convID(convGeneral, rng.IntN(nGeneral)), "channel", []int{rng.IntN(w.users)}}
}

// mentionFor picks whom author mentions: mostly their manager or
// teammates, sometimes anyone.
func (g *generator) mentionFor(author int) int {
	w := g.w
	m := w.teamOf(author)
	if m < 0 || g.rng.IntN(10) == 0 {
		return g.rng.IntN(w.users)
	}
	if author == m || g.rng.IntN(3) > 0 {
		return w.report(m, g.rng.IntN(w.reports))
	}
	return m
}

// reactorFor picks who reacts to or replies in a thread on author's message.
func (g *generator) reactorFor(author int) int {
	w := g.w
	m := w.teamOf(author)
	switch n := g.rng.IntN(100); {
	case m < 0 || n < 15:
		return g.rng.IntN(w.users)
	case n < 55 && author != m:
		return m
	}
	return w.report(m, g.rng.IntN(w.reports))
}

var (
	recognitionEmoji = []string{"+1", "tada", "clap", "raised_hands", "heart", "star", "100", "fire", "pray", "+1::skin-tone-3"}
	otherEmoji       = []string{"eyes", "joy", "white_check_mark", "thinking_face", "rocket", "sweat_smile", "ok_hand", "coffee"}
)

// onRecent writes an event about the earlier message p: a thread reply, a
// reaction, an edit or a deletion.
func (g *generator) onRecent(k kind, p posted, at time.Time) kind {
	ts := g.ts(at)
	switch k {
	case kindThread:
		author := g.reactorFor(p.author)
		if g.rng.IntN(10) == 0 {
			author = p.author
		}
		if g.w.teamOf(author) < 0 {
			g.stats.outsiders++
		}
		thread := p.m.ts
		if p.m.threadTS != "" {
			thread = p.m.threadTS
		}
		m := message{user: g.w.ids[author], channel: p.m.channel, channelType: p.m.channelType, ts: ts,
			threadTS: thread, parentUser: p.m.user, clientMsgID: g.uuid()}
		if p.m.threadTS != "" {
			m.parentUser = p.m.parentUser
		}
		var mention []string
		if g.rng.IntN(6) == 0 {
			mention = []string{g.w.ids[g.mentionFor(author)]}
		}
		m.parts = messageParts(g.rng, pickTextKind(g.rng, author < g.w.managers), mention)
		g.event = appendMessage(g.event[:0], m)
		g.remember(m, author)
	case kindReactionAdded, kindReactionRemoved:
		typ := "reaction_added"
		if k == kindReactionRemoved {
			typ = "reaction_removed"
		}
		emoji := otherEmoji[g.rng.IntN(len(otherEmoji))]
		if g.rng.IntN(100) < 55 {
			emoji = recognitionEmoji[g.rng.IntN(len(recognitionEmoji))]
		}
		g.event = appendReaction(g.event[:0], typ, g.w.ids[g.reactorFor(p.author)], emoji, p.m, ts)
	case kindEdit:
		g.event = appendChanged(g.event[:0], p.m, messageParts(g.rng, plainText, nil), ts)
	case kindDeleted:
		g.event = appendDeleted(g.event[:0], p.m, ts)
	}
	return k
}
