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

	conversations int // DMs and group DMs in the member cache at the end
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
// uses for every Socket Mode envelope: DecodeEnvelope, Decoder.Decode,
// Ingest.Submit, and Ingest.Run committing with store.Apply and acking
// after each commit. Reading a frame from the page cache stands in for
// reading it from the socket.
//
// With profile set, the ingest's CPU profile is written to it.
func runIngest(ctx context.Context, path string, envelopes int, db *store.DB, org *signals.Org, w *workspace, maxBatch int, profile io.Writer) (*ingestRun, error) {
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

	members := newMemberCache(w)
	dec := &bot.Decoder{Lexicon: org.Lexicon, BotUserID: botUserID, Members: members.Members}
	var hdr [4]byte
	var start time.Time
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
			res.malformed++
			ack() // the bot acks a malformed frame at once and skips it
			continue
		}
		d, err := dec.Decode(env.Payload)
		if err != nil {
			res.malformed++
		} else if d.Event == nil {
			res.skipped++
		}
		res.idBytes += len(d.EventID)
		if start.IsZero() {
			start = time.Now()
		}
		in.Submit(bot.Pending{EnvelopeID: env.ID, EventID: d.EventID, Event: d.Event, Ack: ack})
		res.envelopes++
	}
	in.Close()
	<-done
	res.elapsed = time.Since(start)
	res.conversations = len(members.known)
	if readErr != nil {
		return res, fmt.Errorf("read frames: %w", readErr)
	}
	return res, nil
}
