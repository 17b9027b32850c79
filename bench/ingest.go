package bench

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"coach/bot"
	"coach/decode"
	"coach/ingest"
	"coach/signals"
	"coach/slacklink"
	"coach/store"
)

// ingestRun is what pushing the frames through the bot's ingest did.
type ingestRun struct {
	envelopes int
	elapsed   time.Duration // its segments' time, each from its first frame to its last ack
	cpu       time.Duration // CPU time the process used meanwhile
	acks      []uint8       // acks per envelope, in frame order
	malformed int           // frames or payloads that did not decode (acked, skipped)
	skipped   int           // envelopes decoded to no event (bots, edits, joins…)

	commits    int
	batchSizes []int // envelopes per commit
	keyPuts    []int // per commit: window and state keys written (Result.Keys)
	seenPuts   []int // per commit: event ids recorded in seen/ (Result.Applied)
	applied    int
	duplicates int
	hints      int
	idBytes    int // length of the event ids decoded, summed

	held    int // envelopes held until their conversation's members were learnt
	lookups int // conversations whose members the lookup was asked for
}

// cpuPerEnvelope is the CPU time per envelope, in microseconds.
func (r *ingestRun) cpuPerEnvelope() float64 {
	return r.cpu.Seconds() * 1e6 / float64(max(r.envelopes, 1))
}

// seenKeySize is the mean size of a seen/ key: a 4-byte ts and the event id.
func (r *ingestRun) seenKeySize() int { return 4 + r.idBytes/max(r.envelopes, 1) }

// updates is every key the ingest wrote: window and state keys plus seen ids.
func (r *ingestRun) updates() int {
	n := 0
	for i := range r.keyPuts {
		n += r.keyPuts[i] + r.seenPuts[i]
	}
	return n
}

// ackedOnce reports whether every envelope was acked exactly once.
func (r *ingestRun) ackedOnce() (bad int) {
	for _, n := range r.acks {
		if n != 1 {
			bad++
		}
	}
	return bad
}

// pipeline drives the frames of the frames file, a segment at a time,
// through the path the bot uses for every Socket Mode envelope:
// slacklink.Parse, Decoder.Decode (members from members.Known),
// MemberResolver.Hold for a DM or group DM whose members are not known yet
// (released from its workers once they are), Ingest.Submit, and Ingest.Run
// committing with store.Apply and acking after each commit. Reading a frame
// from the page cache stands in for reading it from the socket; while the
// parked set is full, Hold waits, and the reading with it, as in the bot.
type pipeline struct {
	f        *os.File
	r        *bufio.Reader
	dbPath   string     // opened for each segment
	store    *turnStore // the resolver's, given the segment's database
	org      *signals.Org
	members  *bot.MemberResolver
	maxBatch int
	next     int // index of the next frame
	res      *ingestRun
}

func newPipeline(path string, envelopes int, dbPath string, st *turnStore, org *signals.Org, members *bot.MemberResolver, maxBatch int) (*pipeline, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	return &pipeline{f: f, r: bufio.NewReaderSize(f, 1<<20), dbPath: dbPath, store: st, org: org, members: members, maxBatch: maxBatch,
		res: &ingestRun{acks: make([]uint8, envelopes)}}, nil
}

func (p *pipeline) close() error { return p.f.Close() }

// segment drives the next n frames (fewer at the end of the file), with
// the pipeline's database open, and returns once every one of them is
// acked; its time and CPU are added to the run's. It reports false at the
// end of the file.
func (p *pipeline) segment(ctx context.Context, n int) (more bool, err error) {
	db, err := store.Open(p.dbPath, store.Options{})
	if err != nil {
		return false, err
	}
	p.store.db.Store(db)
	defer func() {
		p.store.db.Store(nil)
		if cerr := db.Close(); err == nil {
			err = cerr
		}
	}()
	res, members := p.res, p.members
	in := ingest.New(db, func() *signals.Org { return p.org }, zerolog.Nop(), p.maxBatch)
	in.Committed = func(sr store.Result, batch []ingest.Pending) {
		res.commits++
		res.batchSizes = append(res.batchSizes, len(batch))
		res.keyPuts = append(res.keyPuts, sr.Keys)
		res.seenPuts = append(res.seenPuts, sr.Applied)
		res.applied += sr.Applied
		res.duplicates += sr.Duplicates
		res.hints += len(sr.Hints)
	}
	done := make(chan struct{})
	go func() { defer close(done); in.Run(ctx) }()
	resCtx, stopResolver := context.WithCancel(ctx)
	resolverDone := make(chan struct{})
	go func() { defer close(resolverDone); members.Run(resCtx) }()

	// What envelopes released from the resolver's workers add up.
	var mu sync.Mutex
	var inFlight sync.WaitGroup
	dec := &decode.Decoder{Lexicon: p.org.Lexicon, BotUserID: botUserID, Lookup: members.Known}
	submit := func(envID string, payload []byte, ack func()) {
		d, err := dec.Decode(payload)
		mu.Lock()
		if err != nil {
			res.malformed++
		} else if d.Event == nil {
			res.skipped++
		}
		res.idBytes += len(d.EventID)
		mu.Unlock()
		in.Submit(ingest.Pending{EnvelopeID: envID, EventID: d.EventID, Event: d.Event, Ack: ack})
	}
	var hdr [4]byte
	start, cpu0 := time.Now(), cpuTime()
	more = true
	for k := 0; k < n; k++ {
		i := p.next
		if k%1024 == 0 && ctx.Err() != nil {
			err = ctx.Err()
			break
		}
		if _, rerr := io.ReadFull(p.r, hdr[:]); rerr != nil {
			if !errors.Is(rerr, io.EOF) {
				err = rerr
			}
			more = false
			break
		}
		frame := make([]byte, binary.LittleEndian.Uint32(hdr[:]))
		if _, rerr := io.ReadFull(p.r, frame); rerr != nil {
			err = rerr
			break
		}
		if i >= len(res.acks) {
			err = fmt.Errorf("more than the %d frames generated", len(res.acks))
			break
		}
		p.next++
		ack := func() { res.acks[i]++ }
		env := slacklink.Parse(frame)
		if env.Bad != nil || env.Type != "events_api" {
			mu.Lock()
			res.malformed++
			mu.Unlock()
			ack() // the bot acks a malformed frame at once and skips it
			continue
		}
		res.envelopes++
		d, derr := dec.Decode(env.Payload)
		if derr == nil && d.Conv != "" {
			payload := env.Payload
			held := bot.Parked{Channel: d.Conv, Kind: d.ConvKind, Via: d.Via, Size: len(payload), Release: func() {
				submit(env.ID, payload, ack)
				inFlight.Done()
			}}
			inFlight.Add(1)
			if members.Hold(held, d.Unresolved) == bot.Held { // waits while the parked set is full
				res.held++
				continue
			}
			inFlight.Done()
		}
		submit(env.ID, env.Payload, ack)
	}
	inFlight.Wait()
	stopResolver()
	<-resolverDone
	in.Close()
	<-done
	res.elapsed += time.Since(start)
	res.cpu += cpuTime() - cpu0
	if err != nil {
		return false, fmt.Errorf("read frames: %w", err)
	}
	return more && p.next < len(res.acks), nil
}
