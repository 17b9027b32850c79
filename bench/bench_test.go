package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"strings"
	"testing"
)

// TestMain lets the test binary be coach's server for the run over the
// WebSocket, as `coach bench` is for itself.
func TestMain(m *testing.M) {
	if served, err := Serve(); served {
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// The whole benchmark at a tiny size: it runs, every envelope is acked
// exactly once, and its last line is the JSON summary with every field
// positive.
func TestRunTiny(t *testing.T) {
	var out bytes.Buffer
	res, err := Run(context.Background(), Options{Events: 20_000, Users: 2_000, Managers: 200, Reports: 8, Days: 7, MaxBatch: 1024, Seed: 1, Dir: t.TempDir()}, &out)
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, out.String())
	}
	if res.Envelopes != 20_000 || res.Submitted != res.Envelopes || res.BadAcks != 0 || res.Malformed != 0 {
		t.Errorf("generated %d envelopes, submitted %d, %d malformed, %d not acked exactly once; want 20000, 20000, 0, 0",
			res.Envelopes, res.Submitted, res.Malformed, res.BadAcks)
	}
	if res.WireUnacked != 0 || !res.WireSameEvents {
		t.Errorf("over the WebSocket: %d envelopes never acked, the same event ids as the direct run %v; want 0, true", res.WireUnacked, res.WireSameEvents)
	}
	if res.Applied < res.Envelopes/2 {
		t.Errorf("%d of %d events counted; the traffic is not reaching the teams", res.Applied, res.Envelopes)
	}
	// Cold, every DM and group DM is learnt on the way, and the same
	// events count as warm (give or take one whose effect depends on the
	// order of two conversations, which holding one back can change).
	if d := res.ColdApplied - res.Applied; res.ColdHeld == 0 || res.ColdBadAcks != 0 || d < -2 || d > 2 {
		t.Errorf("cold: %d held, %d not acked exactly once, %d applied; want some held, 0, and %d applied as warm",
			res.ColdHeld, res.ColdBadAcks, res.ColdApplied, res.Applied)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	last := lines[len(lines)-1]
	var got map[string]float64
	if err := json.Unmarshal([]byte(last), &got); err != nil {
		t.Fatalf("last line %q is not a JSON object of numbers: %v", last, err)
	}
	want := []string{"events_per_sec", "decoder_events_per_sec", "cold_events_per_sec", "cold_ratio", "raw_bbolt_updates_per_sec", "updates_per_event", "ratio", "decoder_ratio",
		"db_bytes_per_manager_day", "digest_seconds_10k_managers", "peak_rss_mb"}
	if len(got) != len(want) {
		t.Errorf("summary has %d fields, want %d: %s", len(got), len(want), last)
	}
	for _, k := range want {
		if v, ok := got[k]; !ok || v <= 0 {
			t.Errorf("summary %s = %v (present %v), want a positive number", k, v, ok)
		}
	}
	if !strings.HasPrefix(last, `{"events_per_sec":`) {
		t.Errorf("summary does not start with events_per_sec: %s", last)
	}
}

func TestMainHelpAndBadFlags(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := Main(context.Background(), []string{"--help"}, &stdout, &stderr); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("--help: err = %v, want flag.ErrHelp", err)
	}
	if !strings.Contains(stderr.String(), "Usage: coach bench") || !strings.Contains(stderr.String(), "-events") {
		t.Errorf("--help printed %q", stderr.String())
	}
	if err := Main(context.Background(), []string{"--events", "0"}, &stdout, &stderr); err == nil {
		t.Error("--events 0 succeeded, want an error")
	}
	if err := Main(context.Background(), []string{"extra"}, &stdout, &stderr); err == nil {
		t.Error("an extra argument was accepted")
	}
}

// Members answers for every conversation the traffic uses, with its members.
func TestMembers(t *testing.T) {
	w, err := newWorkspace(1_000, 50, 8, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	g := &generator{w: w, rng: rand.New(rand.NewPCG(3, 4))}
	for _, k := range []kind{kindDM, kindGroupDM, kindChannel} {
		for range 500 {
			c := g.pickConv(k)
			got := w.Members(c.channel)
			if c.channelType == "channel" {
				if got != nil {
					t.Errorf("channel %s has members %v, want none known", c.channel, got)
				}
				continue
			}
			var want []string
			for _, u := range c.members {
				want = append(want, w.ids[u])
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("Members(%s) = %v, want %v", c.channel, got, want)
			}
		}
	}
}

// Message texts are 20 to 300 characters long, of every kind.
func TestMessageLengths(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range 20_000 {
		var mention []string
		if i%3 == 0 {
			mention = []string{"U10000001"}
		}
		text := textOf(messageParts(rng, textKind(i%4), mention))
		if n := len(text); n < 20 || n > 300 {
			t.Fatalf("text of %d bytes: %q", n, text)
		}
	}
}
