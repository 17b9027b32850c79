package bot

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"

	"coach/signals"
	"coach/store"
)

// The members of DMs and group DMs, learnt off the ingest loop.
//
// An event of a DM or group DM counts only when its members are known
// (signals/dms.go), and the loop that reads the socket never waits for
// them: the decoder asks MemberResolver.Known, which answers from memory,
// and an envelope whose conversation it does not know is parked (Hold),
// not acked. Workers learn each such conversation once — from the store
// (an earlier lookup, or a manager's read back, put them there), else from
// Slack (conversations.info / conversations.members, with the token of
// the manager under whose authorization the event came, else the bot's)
// — and keep its members, ids only, in memory, and in the store with the
// others learnt lately, in one commit every few seconds (a commit each
// would cost the ingest's commits the disk). Then the conversation's parked envelopes
// are decoded again and queued, in the order they came; envelopes of other
// conversations flow on meanwhile, and so do those of conversations
// already known.
//
// Memory is bounded: the parked envelopes (count and bytes; past that Hold
// waits for room a little, RoomWait, and when none is made in time refuses
// the envelopes that need holding, left unacked for Slack to deliver
// again, until half of the set is released: the loop reading the socket
// never waits longer, so slash commands, interactions and the link's own
// frames behind a burst are read in time), the members kept
// (two generations of MaxCached conversations) and the conversations whose
// members could not be learnt (kept for NegativeTTL, then the store is read
// again before Slack is asked).

// MemberConfig is what a MemberResolver needs. Zero fields take the
// defaults noted beside them.
type MemberConfig struct {
	// Store, when set, is read before Slack is asked, and keeps what Slack
	// said (the bot's store.DB).
	Store MemberStore
	// Lookup asks Slack for the members of a DM or group DM, with via's
	// user token when via is set. A *slack.RateLimitedError is waited out
	// and asked again; another error of Slack's (slack.SlackErrorResponse)
	// is final; anything else is tried again a few times.
	Lookup func(ctx context.Context, channel, via string, kind signals.ConvKind) ([]string, error)
	// Prepare, when set, runs before each envelope delivered under via's
	// authorization is released (the bot learns there whether via is
	// connected).
	Prepare func(ctx context.Context, via string)
	// Workers is how many conversations are learnt at once (8).
	Workers int
	// MaxParked and MaxParkedBytes bound the envelopes held (10,000; 32 MiB):
	// past them Hold waits up to RoomWait (500ms) for the workers to release
	// some, and once a wait ran out it refuses at once until at most half of
	// each bound is held.
	MaxParked      int
	MaxParkedBytes int
	RoomWait       time.Duration
	// MaxCached is the conversations kept in memory per generation (50,000).
	MaxCached int
	// NegativeTTL is how long a conversation whose members could not be
	// learnt is taken as unknown without asking again (10 minutes); at most
	// MaxCached of them are kept.
	NegativeTTL time.Duration
	// Retry is the first wait after a failed lookup (1s), doubled for each
	// of Attempts (4) tries.
	Retry    time.Duration
	Attempts int
	// KeepEvery is how often the members learnt from Slack are stored
	// (5s), and KeepAt how many make a commit at once (16,384).
	KeepEvery time.Duration
	KeepAt    int
	// Now is the clock (time.Now).
	Now func() time.Time
	Log zerolog.Logger
}

// MemberStore is where members learnt before are kept: store.DB.
type MemberStore interface {
	Members(channel string) (ids []string, found bool, err error)
	KeepMembers(convs []store.Conv) error
}

// Parked is an envelope held back until the members of its conversation
// are known.
type Parked struct {
	Channel string
	Kind    signals.ConvKind // as the event says (decode.Decoded.ConvKind)
	Via     string           // decode.Decoded.Via
	Size    int              // payload bytes, for the bound
	// Release decodes the envelope again and queues it for ingest. It is
	// called once, on a worker, in the order the conversation's envelopes
	// were held.
	Release func()
}

// HoldResult is what Hold did with an envelope.
type HoldResult int

// What Hold did.
const (
	NotHeld  HoldResult = iota // go on: decode result stands
	Held                       // parked; it is released later
	Stopping                   // the resolver has stopped: leave it unacked, for Slack to deliver again
	Refused                    // the parked set is full: leave it unacked, for Slack to deliver again
)

// MemberResolver knows the members of DMs and group DMs and learns the
// rest in the background. Its methods are safe for concurrent use.
type MemberResolver struct {
	cfg  MemberConfig
	work chan string
	keep chan struct{} // a full batch of learnt members is waiting

	mu       sync.Mutex
	room     chan struct{} // made by a Hold waiting for room; closed when envelopes leave the parked set, or on stopping
	waiting  int           // Holds waiting for room now
	refusing bool          // a wait for room ran out: refuse until the set is half empty
	stopped  bool          // Run has returned: Hold parks nothing more
	cur, old map[string]member
	negative map[string]time.Time // channel → until when it is taken as unknown
	pending  map[string]*heldConv
	parked   int
	bytes    int
	learnt   []store.Conv // learnt from Slack, not stored yet
}

// member is what is kept of a conversation: its members, or that it is a
// private channel (for reactions, whose events do not say). The members
// are kept as one string, the ids joined by commas (Slack's ids are
// letters and digits): a workspace has tens of thousands of DMs, and one
// string each costs a third of a slice of strings.
type member struct {
	ids     string
	known   bool // ids are its members (maybe none)
	channel bool
}

// membersOf packs ids into a member, known unless ids is nil or an id
// cannot be packed (empty, or with a comma: not one of Slack's).
func membersOf(ids []string) member {
	for _, id := range ids {
		if id == "" || strings.Contains(id, ",") {
			return member{}
		}
	}
	return member{ids: strings.Join(ids, ","), known: ids != nil}
}

// list is m's members, in a slice of the caller's own: empty, not nil,
// when m is known to have none.
func (m member) list() []string {
	if m.ids == "" {
		return []string{}
	}
	return strings.Split(m.ids, ",")
}

// has reports whether id is one of m's members.
func (m member) has(id string) bool {
	for rest := m.ids; rest != ""; {
		var one string
		one, rest, _ = strings.Cut(rest, ",")
		if one == id {
			return true
		}
	}
	return false
}

// heldConv is a conversation being learnt and its envelopes, in order.
type heldConv struct {
	kind signals.ConvKind
	via  string
	held []Parked
}

// NewMemberResolver returns a resolver; Run starts its workers.
func NewMemberResolver(cfg MemberConfig) *MemberResolver {
	if cfg.Workers <= 0 {
		cfg.Workers = 8
	}
	if cfg.MaxParked <= 0 {
		cfg.MaxParked = 10_000
	}
	if cfg.MaxParkedBytes <= 0 {
		cfg.MaxParkedBytes = 32 << 20
	}
	if cfg.RoomWait <= 0 {
		cfg.RoomWait = 500 * time.Millisecond
	}
	if cfg.MaxCached <= 0 {
		cfg.MaxCached = 50_000
	}
	if cfg.NegativeTTL <= 0 {
		cfg.NegativeTTL = 10 * time.Minute
	}
	if cfg.Retry <= 0 {
		cfg.Retry = time.Second
	}
	if cfg.Attempts <= 0 {
		cfg.Attempts = 4
	}
	if cfg.KeepEvery <= 0 {
		cfg.KeepEvery = 5 * time.Second
	}
	if cfg.KeepAt <= 0 {
		cfg.KeepAt = 16_384
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &MemberResolver{
		cfg:      cfg,
		work:     make(chan string, cfg.MaxParked),
		keep:     make(chan struct{}, 1),
		cur:      map[string]member{},
		old:      map[string]member{},
		negative: map[string]time.Time{},
		pending:  map[string]*heldConv{},
	}
}

// Known answers decode.Decoder.Lookup from memory: the members of channel, and
// whether they are known. A conversation whose members could not be
// learnt is known with none (its events do not count); one known to be a
// private channel is known with none to a reaction (kind Channel) only.
//
// A conversation not in memory is looked for in the store too — a read of
// the local file, never a call to Slack — so that after a restart, or once
// a read back stored them, known conversations are never parked and their
// envelopes keep the order Slack sent them in.
func (r *MemberResolver) Known(channel string, kind signals.ConvKind) ([]string, bool) {
	r.mu.Lock()
	ids, ok := r.knownLocked(channel, kind)
	_, learning := r.pending[channel]
	r.mu.Unlock()
	if ok || learning || r.cfg.Store == nil || kind == signals.Channel {
		return ids, ok
	}
	stored, found, err := r.cfg.Store.Members(channel)
	m := membersOf(stored)
	if err != nil || !found || !m.known {
		return nil, false
	}
	r.mu.Lock()
	r.putLocked(channel, m)
	r.mu.Unlock()
	return stored, true
}

func (r *MemberResolver) knownLocked(channel string, kind signals.ConvKind) ([]string, bool) {
	m, ok := r.cur[channel]
	if !ok {
		if m, ok = r.old[channel]; ok {
			r.putLocked(channel, m)
		}
	}
	switch {
	case ok && m.known:
		return m.list(), true
	case ok && m.channel && kind == signals.Channel:
		return nil, true
	}
	if until, neg := r.negative[channel]; neg {
		if r.cfg.Now().Before(until) {
			return nil, true
		}
		delete(r.negative, channel)
	}
	return nil, false
}

// putLocked keeps m, starting a new generation when the current one is
// full: the oldest generation is dropped (the store still has them).
func (r *MemberResolver) putLocked(channel string, m member) {
	if len(r.cur) >= r.cfg.MaxCached {
		r.old, r.cur = r.cur, make(map[string]member, r.cfg.MaxCached/4)
	}
	r.cur[strings.Clone(channel)] = m // not a part of a payload kept alive
}

// Hold parks p when its conversation is being learnt (so that it keeps its
// place behind the envelopes held before it), or when need says its decode
// was not final: the members were unknown, or the org must first learn
// whether p.Via is connected.
//
// While the parked set is full (MaxParked envelopes, or MaxParkedBytes)
// Hold waits up to RoomWait for the workers to release enough. When they
// do not in time, Hold refuses p (Refused: the caller leaves it unacked,
// for Slack to deliver again), and from then on refuses at once every
// envelope it would park until at most half of each bound is held: the
// caller, the loop that reads the socket, waits at most RoomWait a burst,
// so that the slash commands, interactions and link frames behind it are
// read in time. An envelope larger than MaxParkedBytes is parked alone.
// Stopping means the set was full and the resolver stopped (or had
// stopped): nothing was parked.
func (r *MemberResolver) Hold(p Parked, need bool) HoldResult {
	r.mu.Lock()
	defer r.mu.Unlock()
	var timer *time.Timer
	for {
		h := r.pending[p.Channel]
		if h == nil && !need {
			return NotHeld
		}
		if r.refusing && r.parked <= r.cfg.MaxParked/2 && r.bytes <= r.cfg.MaxParkedBytes/2 {
			r.refusing = false
			r.cfg.Log.Info().Int("held", r.parked).Msg("room among the events held for their conversation's members again; events are held, not refused")
		}
		if r.parked == 0 || !r.refusing && r.parked < r.cfg.MaxParked && r.bytes+p.Size <= r.cfg.MaxParkedBytes {
			r.parkLocked(h, p)
			return Held
		}
		switch {
		case r.stopped:
			return Stopping
		case r.refusing:
			return Refused
		}
		if timer == nil {
			timer = time.NewTimer(r.cfg.RoomWait)
			defer timer.Stop()
		}
		// The conversation may be released while Hold waits: look again.
		if !r.waitRoomLocked(timer.C) {
			r.refusing = true
			r.cfg.Log.Warn().Int("held", r.parked).Dur("waited", r.cfg.RoomWait).
				Msg("too many events held for their conversation's members; those that need holding are left unacked for Slack to deliver again until half are released")
		}
	}
}

// waitRoomLocked waits, with r.mu released, until envelopes leave the
// parked set or the resolver stops (true), or until timeout (false).
func (r *MemberResolver) waitRoomLocked(timeout <-chan time.Time) bool {
	if r.room == nil {
		r.room = make(chan struct{})
	}
	room := r.room
	r.waiting++
	r.mu.Unlock()
	woken := true
	select {
	case <-room:
	case <-timeout:
		woken = false
	}
	r.mu.Lock()
	r.waiting--
	return woken
}

// roomLocked wakes the Holds waiting for room.
func (r *MemberResolver) roomLocked() {
	if r.room != nil {
		close(r.room)
		r.room = nil
	}
}

// parkLocked adds p to its conversation's held envelopes (h, nil when
// none are held yet), queueing the conversation to be learnt.
func (r *MemberResolver) parkLocked(h *heldConv, p Parked) {
	if h == nil {
		h = &heldConv{kind: p.Kind}
		r.pending[p.Channel] = h
		r.work <- p.Channel // never blocks: one job per pending conversation, at most MaxParked
	}
	if h.via == "" {
		h.via = p.Via
	}
	if h.kind == signals.Channel && p.Kind != signals.Channel {
		h.kind = p.Kind // a message says what a reaction could not
	}
	h.held = append(h.held, p)
	r.parked++
	r.bytes += p.Size
}

// Remember keeps the members of a DM or group DM learnt elsewhere (a
// caller that knows them): they are known from then on, in memory only.
func (r *MemberResolver) Remember(channel string, members []string) {
	m := membersOf(members)
	if len(members) == 0 || !m.known {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.putLocked(channel, m)
}

// Forget drops what the resolver holds of person id, before the store
// forgets them: the conversations with them in it, in memory and among
// those learnt and not stored yet, so that none is written back after.
func (r *MemberResolver) Forget(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, gen := range []map[string]member{r.cur, r.old} {
		for ch, m := range gen {
			if m.has(id) {
				delete(gen, ch)
			}
		}
	}
	r.learnt = slices.DeleteFunc(r.learnt, func(c store.Conv) bool { return slices.Contains(c.Members, id) })
}

// Parked is how many envelopes are held now.
func (r *MemberResolver) Parked() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.parked
}

// Run learns held conversations until ctx ends, Workers at a time, and
// returns once every worker has stopped and what they learnt is stored;
// it may be run again after.
// Envelopes still held then are dropped unacked: Slack delivers them again.
func (r *MemberResolver) Run(ctx context.Context) {
	r.mu.Lock()
	r.stopped = false // running (again)
	r.mu.Unlock()
	keeperDone := make(chan struct{})
	go func() {
		defer close(keeperDone)
		t := time.NewTicker(r.cfg.KeepEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			case <-r.keep:
			}
			r.store()
		}
	}()
	var wg sync.WaitGroup
	for range r.cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-ctx.Done():
					return
				case ch := <-r.work:
					r.resolve(ctx, ch)
				}
			}
		}()
	}
	wg.Wait()
	<-keeperDone
	r.store()
	r.mu.Lock()
	left := r.parked
	r.stopped = true
	r.roomLocked() // a Hold waiting for room parks nothing now
	r.mu.Unlock()
	if left > 0 {
		r.cfg.Log.Info().Int("envelopes", left).Msg("stopping with envelopes held for their conversation's members; they are not acked and Slack delivers them again")
	}
}

// store writes the members learnt since the last time. A failed write is
// logged and dropped: they are learnt again when next needed.
func (r *MemberResolver) store() {
	r.mu.Lock()
	convs := r.learnt
	r.learnt = nil
	r.mu.Unlock()
	if len(convs) == 0 || r.cfg.Store == nil {
		return
	}
	if err := r.cfg.Store.KeepMembers(convs); err != nil {
		r.cfg.Log.Warn().Err(err).Int("conversations", len(convs)).Msg("members learnt not stored; they are asked again when needed")
	}
}

// resolve learns channel's members, unless they are known by now, and
// releases its envelopes.
func (r *MemberResolver) resolve(ctx context.Context, channel string) {
	r.mu.Lock()
	h := r.pending[channel]
	kind, via := h.kind, h.via
	_, known := r.knownLocked(channel, kind)
	r.mu.Unlock()

	if !known {
		m, fromSlack, ok := r.learn(ctx, channel, kind, via)
		if ctx.Err() != nil {
			return
		}
		full := false
		r.mu.Lock()
		switch {
		case ok:
			r.putLocked(channel, m)
			if fromSlack {
				r.learnt = append(r.learnt, store.Conv{Channel: channel, Members: m.list()})
				full = len(r.learnt) >= r.cfg.KeepAt
			}
		default:
			if len(r.negative) >= r.cfg.MaxCached {
				clear(r.negative) // bounded: they are asked again, store first
			}
			r.negative[channel] = r.cfg.Now().Add(r.cfg.NegativeTTL)
		}
		r.mu.Unlock()
		if full {
			select {
			case r.keep <- struct{}{}:
			default:
			}
		}
	}
	r.release(ctx, channel)
}

// learn finds a conversation's members: the store's, else Slack's. A
// reaction's conversation of unknown kind that the store does not know is
// taken as a private channel: coach asks Slack about conversations its
// messages name as DMs and group DMs only.
func (r *MemberResolver) learn(ctx context.Context, channel string, kind signals.ConvKind, via string) (m member, fromSlack, ok bool) {
	if r.cfg.Store != nil {
		ids, found, err := r.cfg.Store.Members(channel)
		if err != nil {
			r.cfg.Log.Warn().Err(err).Str("channel", channel).Msg("read members")
		}
		if m := membersOf(ids); found && m.known {
			return m, false, true
		}
	}
	if kind == signals.Channel {
		return member{channel: true}, false, true
	}
	if r.cfg.Lookup == nil {
		return member{}, false, false
	}
	wait := r.cfg.Retry
	for attempt := 1; ; attempt++ {
		ids, err := r.cfg.Lookup(ctx, channel, via, kind)
		if m := membersOf(ids); err == nil && len(ids) > 0 && m.known {
			return m, true, true
		}
		var limited *slack.RateLimitedError
		var final slack.SlackErrorResponse
		switch {
		case err == nil:
			err = errors.New("no members")
		case errors.As(err, &limited):
			wait = max(limited.RetryAfter, r.cfg.Retry)
		case errors.As(err, &final):
			attempt = r.cfg.Attempts
		}
		if attempt >= r.cfg.Attempts || ctx.Err() != nil {
			r.cfg.Log.Info().Err(err).Str("channel", channel).Str("via", via).Msg("members of a conversation not learnt; its events are not counted for now")
			return member{}, false, false
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return member{}, false, false
		case <-t.C:
		}
		wait *= 2
	}
}

// release decodes and queues channel's held envelopes in order, taking
// each one off the queue as it goes, so that an envelope held meanwhile
// queues behind them.
func (r *MemberResolver) release(ctx context.Context, channel string) {
	for ctx.Err() == nil {
		r.mu.Lock()
		h := r.pending[channel]
		if len(h.held) == 0 {
			delete(r.pending, channel)
			r.mu.Unlock()
			return
		}
		p := h.held[0]
		h.held[0] = Parked{}
		h.held = h.held[1:]
		r.parked--
		r.bytes -= p.Size
		r.roomLocked()
		r.mu.Unlock()
		if p.Via != "" && r.cfg.Prepare != nil {
			r.cfg.Prepare(ctx, p.Via)
		}
		p.Release()
	}
}
