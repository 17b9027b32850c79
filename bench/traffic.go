package bench

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"time"
)

// kind is one sort of envelope in the traffic mix.
type kind int

const (
	kindDM kind = iota
	kindGroupDM
	kindChannel
	kindMention
	kindThread
	kindReactionAdded
	kindReactionRemoved
	kindBot
	kindEdit
	kindDeleted
	kindJoin
	kindDuplicate
	nKinds
)

var kindNames = [nKinds]string{"dm", "group_dm", "channel", "channel_mention", "thread_reply", "reaction_added",
	"reaction_removed", "bot_message", "edit", "deletion", "channel_join", "duplicate"}

// mix is the share of each kind, in tenths of a percent.
var mix = [nKinds]int{
	kindDM: 270, kindGroupDM: 60, kindChannel: 190, kindMention: 80, kindThread: 120,
	kindReactionAdded: 120, kindReactionRemoved: 20, kindBot: 40, kindEdit: 50,
	kindDeleted: 10, kindJoin: 30, kindDuplicate: 10,
}

// traffic says what was generated.
type traffic struct {
	envelopes int
	bytes     int64
	kinds     [nKinds]int
	outsiders int // messages by people in no team
	days      int
	convs     []string // the DMs and group DMs written in, each once
}

// generator writes a chronological stream of Socket Mode frames. The
// recent messages are remembered so that replies, reactions, edits and
// deletions refer to real earlier messages, and duplicates re-send a
// recent payload under a new envelope id, as Slack's retries do.
type generator struct {
	w     *workspace
	rng   *rand.Rand
	start time.Time
	span  time.Duration
	n     int

	recent   [4096]posted
	nRecent  int
	payloads [256][]byte
	nPayload int

	seq      uint64
	event    []byte
	pay      []byte
	frame    []byte
	stats    traffic
	convSeen map[string]bool // the DMs and group DMs in stats.convs
}

type posted struct {
	m      message
	author int
}

// generate writes n frames covering days days from start to out, each as a
// 4-byte little-endian length and the frame.
func generate(out io.Writer, w *workspace, n, days int, start time.Time, seed uint64) (traffic, error) {
	g := &generator{w: w, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), start: start,
		span: time.Duration(days) * 24 * time.Hour, n: n}
	g.stats.days = days
	bw := bufio.NewWriterSize(out, 1<<20)
	total := 0
	for _, s := range mix {
		total += s
	}
	var hdr [4]byte
	for i := range n {
		k := pickKind(g.rng, total)
		if k == kindDuplicate && g.nPayload == 0 {
			k = kindChannel
		}
		at := g.start.Add(time.Duration(float64(g.span) * float64(i) / float64(n)))
		var payload []byte
		retry := 0
		if k == kindDuplicate {
			payload = g.payloads[g.rng.IntN(min(g.nPayload, len(g.payloads)))]
			retry = 1
		} else {
			k = g.event1(k, at)
			payload = g.payload(at)
		}
		g.stats.kinds[k]++
		g.frame = appendEnvelope(g.frame[:0], g.envelopeID(i), payload, retry)
		binary.LittleEndian.PutUint32(hdr[:], uint32(len(g.frame)))
		if _, err := bw.Write(hdr[:]); err != nil {
			return g.stats, err
		}
		if _, err := bw.Write(g.frame); err != nil {
			return g.stats, err
		}
		g.stats.envelopes++
		g.stats.bytes += int64(len(g.frame))
	}
	return g.stats, bw.Flush()
}

func pickKind(rng *rand.Rand, total int) kind {
	n := rng.IntN(total)
	for k, s := range mix {
		if n < s {
			return kind(k)
		}
		n -= s
	}
	return kindChannel
}

// payload wraps the event in g.event into an event_callback with a fresh
// event id, and remembers it for duplicates.
func (g *generator) payload(at time.Time) []byte {
	g.seq++
	g.pay = appendPayload(g.pay[:0], eventID(g.seq), at.Unix(), g.event)
	slot := &g.payloads[g.nPayload%len(g.payloads)]
	*slot = append((*slot)[:0], g.pay...)
	g.nPayload++
	return g.pay
}

// eventID is a unique, random-looking Slack event id for seq.
func eventID(seq uint64) string {
	x := seq * 0x9e3779b97f4a7c15
	x ^= x >> 29
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 32
	s := strconv.FormatUint(x, 36)
	for len(s) < 12 {
		s = "0" + s
	}
	return "Ev" + upper(s[:10])
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

// envelopeID is a fresh, uuid-shaped envelope id whose last group is the
// frame's index i, so that the bench's Slack knows which frame an ack is
// for without keeping every id (frameIndex).
func (g *generator) envelopeID(i int) string {
	a, b := g.rng.Uint64(), g.rng.Uint64()
	return fmt.Sprintf("%08x-%04x-4%03x-a%03x-%012x", a>>32, a>>16&0xffff, a&0xfff, b>>48&0xfff, uint64(i))
}

// frameIndex is the frame index in an id made by envelopeID.
func frameIndex(id string) (int, bool) {
	if len(id) != 36 || id[23] != '-' {
		return 0, false
	}
	n, err := strconv.ParseUint(id[24:], 16, 48)
	return int(n), err == nil
}

func (g *generator) uuid() string {
	a, b := g.rng.Uint64(), g.rng.Uint64()
	return fmt.Sprintf("%08x-%04x-4%03x-a%03x-%012x", a>>32, a>>16&0xffff, a&0xfff, b>>48&0xfff, b&0xffffffffffff)
}

// ts is a Slack timestamp at about at, unique within the run.
func (g *generator) ts(at time.Time) string {
	us := at.UnixMicro() + int64(g.rng.IntN(900_000))
	return fmt.Sprintf("%d.%06d", us/1e6, us%1e6)
}

// awake says whether u would plausibly post at t: mostly in working hours
// of their own zone, less in the evening, rarely at night or at weekends.
func (g *generator) awake(u int, t time.Time) bool {
	lt := t.In(g.w.locs[g.w.zone[u]])
	h := lt.Hour()
	p := 0.03
	switch {
	case lt.Weekday() == time.Saturday || lt.Weekday() == time.Sunday:
		p = 0.05
	case h >= 9 && h < 18:
		p = 1
	case h >= 7 && h < 9, h >= 18 && h < 21:
		p = 0.2
	}
	return g.rng.Float64() < p
}

func (g *generator) remember(m message, author int) {
	g.recent[g.nRecent%len(g.recent)] = posted{m: m, author: author}
	g.nRecent++
}

func (g *generator) recentMessage() (posted, bool) {
	if g.nRecent == 0 {
		return posted{}, false
	}
	return g.recent[g.rng.IntN(min(g.nRecent, len(g.recent)))], true
}
