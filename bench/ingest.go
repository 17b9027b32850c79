package bench

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"coach/bot"
	"coach/signals"
	"coach/store"
)

// ingestRun is what pushing the frames through the bot's ingest did.
type ingestRun struct {
	envelopes int
	elapsed   time.Duration // first Submit to last ack
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

	held        int // envelopes held until their conversation's members were learnt
	redelivered int // of those, refused at first by a full parked set and offered again
	lookups     int // conversations whose members the lookup was asked for
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

// runIngest reads the frames file and drives them through the path the bot
// uses for every Socket Mode envelope: DecodeEnvelope, Decoder.Decode
// (members from members.Known), MemberResolver.Hold for a DM or group DM
// whose members are not known yet (released from its workers once they
// are), Ingest.Submit, and Ingest.Run committing with store.Apply and
// acking after each commit. Reading a frame from the page cache stands in
// for reading it from the socket. An envelope the full parked set refuses
// (the bot leaves it unacked for Slack to deliver again) is offered again
// a millisecond later.
//
// With profile set, the ingest's CPU profile is written to it.
func runIngest(ctx context.Context, path string, envelopes int, db *store.DB, org *signals.Org, members *bot.MemberResolver, maxBatch int, profile io.Writer) (*ingestRun, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)

	res := &ingestRun{acks: make([]uint8, envelopes)}
	in := bot.NewIngest(db, func() *signals.Org { return org }, zerolog.Nop(), maxBatch)
	in.Committed = func(sr store.Result, batch []bot.Pending) {
		res.commits++
		res.batchSizes = append(res.batchSizes, len(batch))
		res.keyPuts = append(res.keyPuts, sr.Keys)
		res.seenPuts = append(res.seenPuts, sr.Applied)
		res.applied += sr.Applied
		res.duplicates += sr.Duplicates
		res.hints += len(sr.Hints)
	}
	if profile != nil {
		if err := pprof.StartCPUProfile(profile); err != nil {
			return nil, err
		}
		defer pprof.StopCPUProfile()
	}
	done := make(chan struct{})
	go func() { defer close(done); in.Run(ctx) }()
	resCtx, stopResolver := context.WithCancel(ctx)
	resolverDone := make(chan struct{})
	go func() { defer close(resolverDone); members.Run(resCtx) }()

	// What envelopes released from the resolver's workers add up.
	var mu sync.Mutex
	var inFlight sync.WaitGroup
	dec := &bot.Decoder{Lexicon: org.Lexicon, BotUserID: botUserID, Lookup: members.Known}
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
		in.Submit(bot.Pending{EnvelopeID: envID, EventID: d.EventID, Event: d.Event, Ack: ack})
	}
	var hdr [4]byte
	var start time.Time
	var cpu0 time.Duration
	var readErr error
	for i := 0; ; i++ {
		if i%1024 == 0 && ctx.Err() != nil {
			readErr = ctx.Err()
			break
		}
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			if !errors.Is(err, io.EOF) {
				readErr = err
			}
			break
		}
		frame := make([]byte, binary.LittleEndian.Uint32(hdr[:]))
		if _, err := io.ReadFull(r, frame); err != nil {
			readErr = err
			break
		}
		if i >= envelopes {
			readErr = fmt.Errorf("more than the %d frames generated", envelopes)
			break
		}
		ack := func() { res.acks[i]++ }
		env, err := bot.DecodeEnvelope(frame)
		if err != nil || env.Type != "events_api" {
			mu.Lock()
			res.malformed++
			mu.Unlock()
			ack() // the bot acks a malformed frame at once and skips it
			continue
		}
		if start.IsZero() {
			start, cpu0 = time.Now(), cpuTime()
		}
		res.envelopes++
		d, err := dec.Decode(env.Payload)
		if err == nil && d.Conv != "" {
			payload := env.Payload
			p := bot.Parked{Channel: d.Conv, Kind: d.ConvKind, Via: d.Via, Size: len(payload), Release: func() {
				submit(env.ID, payload, ack)
				inFlight.Done()
			}}
			inFlight.Add(1)
			held := members.Hold(p, d.Unresolved)
			for ; held == bot.Full && ctx.Err() == nil; held = members.Hold(p, d.Unresolved) {
				res.redelivered++
				time.Sleep(time.Millisecond)
			}
			if held == bot.Held {
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
	res.elapsed, res.cpu = time.Since(start), cpuTime()-cpu0
	if readErr != nil {
		return res, fmt.Errorf("read frames: %w", readErr)
	}
	return res, nil
}
