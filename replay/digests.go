package replay

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"time"

	"coach/nudges"
	"coach/signals"
)

// recorder is the scheduler's Messenger in a replay: it talks to no one. A
// digest "sent" is kept for printing, and nothing is ever found already in
// Slack, as on a first run.
type recorder struct {
	sent map[string]nudges.Digest // by digest id, until printed
	n    int
}

func (r *recorder) SendDigest(_ context.Context, d nudges.Digest) (string, string, error) {
	r.sent[d.ID] = d
	r.n++
	return "D" + d.Manager, strconv.FormatInt(d.Slot.Unix(), 10) + "." + fmt.Sprintf("%06d", r.n%1000000), nil
}

func (r *recorder) FindDigest(context.Context, string, string) (string, string, bool, error) {
	return "", "", false, nil
}

// outbox wraps the real digest store (the replay's store.DB) and notes each digest as it is planned, so the replay can print
// the ones with nothing to say too (those are never sent). It also answers
// PendingPlans from memory: the database is this replay's own, every digest in it
// was planned through here, and the recorder never fails, so the pending
// ones are exactly those planned and not yet sent. This spares RunDue a scan
// of the whole outbox at every tick.
type outbox struct {
	nudges.Store
	planned []nudges.Planned          // this tick's new digests, in planning order
	seen    map[string]bool           // every digest id planned
	pending map[string]nudges.Planned // planned, not yet sent
}

func (ob *outbox) PlanSlot(m string, slot time.Time, plan func(nudges.History) (nudges.Digest, nudges.History, error)) (nudges.Planned, error) {
	p, err := ob.Store.PlanSlot(m, slot, plan)
	if err != nil {
		return p, err
	}
	if !ob.seen[p.Digest.ID] {
		ob.seen[p.Digest.ID] = true
		ob.planned = append(ob.planned, p)
		if p.State == "pending" {
			ob.pending[p.Digest.ID] = p
		}
	}
	return p, nil
}

func (ob *outbox) NoteSent(id, channel, ts string, at time.Time) error {
	if err := ob.Store.NoteSent(id, channel, ts, at); err != nil {
		return err
	}
	delete(ob.pending, id)
	return nil
}

func (ob *outbox) PendingPlans() ([]nudges.Planned, error) {
	out := make([]nudges.Planned, 0, len(ob.pending))
	for _, p := range ob.pending {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Digest.ID < out[j].Digest.ID })
	return out, nil
}

// printer writes the digests: text for people, or one JSON object per line.
type printer struct {
	w    *bufio.Writer
	json bool
	org  func() *signals.Org

	digests int             // lines printed
	nudged  int             // of those, with nudges
	weeks   map[string]bool // ISO weeks printed
	gap     bool            // a blank line is due before the next full digest
}

// digestLine is one line of --json output.
type digestLine struct {
	Week    string      `json:"week"`
	Manager string      `json:"manager"`
	Slot    string      `json:"slot"`
	Nudges  []nudgeLine `json:"nudges"`
}

// nudgeLine is one nudge of a digestLine.
type nudgeLine struct {
	Kind     signals.Kind  `json:"kind"`
	Severity float64       `json:"severity"`
	Facts    signals.Facts `json:"facts"`
}

// isoWeek is "2026-W05" for t.
func isoWeek(t time.Time) string {
	y, w := t.ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

// print writes one manager's digest for one slot; d has no nudges when there
// was nothing to say.
func (p *printer) print(d nudges.Digest) error {
	o := p.org()
	loc := o.Loc(d.Manager)
	slot := d.Slot.In(loc)
	week := isoWeek(slot)
	p.digests++
	p.weeks[week] = true
	if len(d.Nudges) > 0 {
		p.nudged++
	}
	if p.json {
		line := digestLine{Week: week, Manager: d.Manager, Slot: slot.Format(time.RFC3339), Nudges: make([]nudgeLine, 0, len(d.Nudges))}
		for _, n := range d.Nudges {
			line.Nudges = append(line.Nudges, nudgeLine{Kind: n.Kind, Severity: n.Severity, Facts: n.Facts})
		}
		b, err := json.Marshal(line)
		if err != nil {
			return fmt.Errorf("replay: encode digest %s: %w", d.ID, err)
		}
		p.w.Write(b)
		return p.w.WriteByte('\n')
	}
	header := fmt.Sprintf("== %s · %s (%s) · %s %s ==", week, o.Name(d.Manager), d.Manager, slot.Format("Mon 2 Jan 15:04"), loc)
	if len(d.Nudges) == 0 {
		_, err := fmt.Fprintf(p.w, "%s nothing to say\n", header)
		p.gap = true
		return err
	}
	if p.gap {
		p.w.WriteByte('\n')
	}
	// A digest is set off by a blank line on each side.
	_, err := fmt.Fprintf(p.w, "%s\n%s\n", header, d.Text())
	p.gap = false
	return err
}
