package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"

	"coach/signals"
)

// Day windows are the most read and written values, so they have a compact
// binary form instead of JSON: a format byte, then unsigned varints.
//
//	1 | day | directed off_hours late questions status_chase
//	  | n_reports { len(id) id | directed off_hours recognition status_chase from_report own own_off_hours
//	                n_latencies { minutes } }
//
// Reports are written in id order, so equal windows encode to equal bytes.
const windowFormat = 1

var errCorrupt = errors.New("corrupt window record")

func encodeWindow(w *signals.DayWindow) []byte {
	buf := make([]byte, 0, 32+len(w.Reports)*32)
	buf = append(buf, windowFormat)
	for _, v := range []int{int(w.Day), w.Directed, w.OffHours, w.Late, w.Questions, w.StatusChase} {
		buf = binary.AppendUvarint(buf, uint64(v))
	}
	ids := make([]string, 0, len(w.Reports))
	for id, rd := range w.Reports {
		if !rd.IsZero() {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	buf = binary.AppendUvarint(buf, uint64(len(ids)))
	for _, id := range ids {
		rd := w.Reports[id]
		buf = binary.AppendUvarint(buf, uint64(len(id)))
		buf = append(buf, id...)
		for _, v := range []int{rd.Directed, rd.OffHours, rd.Recognition, rd.StatusChase, rd.FromReport, rd.Own, rd.OwnOffHours} {
			buf = binary.AppendUvarint(buf, uint64(v))
		}
		buf = binary.AppendUvarint(buf, uint64(len(rd.Latencies)))
		for _, l := range rd.Latencies {
			buf = binary.AppendUvarint(buf, uint64(l))
		}
	}
	return buf
}

// windowReader reads the varints of one record, remembering the first error.
type windowReader struct {
	b   []byte
	err error
}

func (r *windowReader) uint(limit uint64) uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 || v > limit {
		r.err = errCorrupt
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *windowReader) int() int { return int(r.uint(1 << 31)) }

func decodeWindow(raw []byte, w *signals.DayWindow) error {
	if len(raw) == 0 || raw[0] != windowFormat {
		return fmt.Errorf("%w: unknown format", errCorrupt)
	}
	r := &windowReader{b: raw[1:]}
	*w = signals.DayWindow{Day: signals.Day(r.int()), Directed: r.int(), OffHours: r.int(), Late: r.int(), Questions: r.int(), StatusChase: r.int()}
	n := r.uint(uint64(len(r.b)))
	if n > 0 && r.err == nil {
		w.Reports = make(map[string]*signals.ReportDay, n)
	}
	for i := uint64(0); i < n && r.err == nil; i++ {
		l := r.uint(uint64(len(r.b)))
		if r.err == nil && l > uint64(len(r.b)) {
			r.err = errCorrupt
		}
		if r.err != nil {
			break
		}
		id := string(r.b[:l])
		r.b = r.b[l:]
		rd := &signals.ReportDay{Directed: r.int(), OffHours: r.int(), Recognition: r.int(), StatusChase: r.int(), FromReport: r.int(), Own: r.int(), OwnOffHours: r.int()}
		nl := r.uint(uint64(len(r.b)))
		if nl > 0 && r.err == nil {
			rd.Latencies = make([]int32, nl)
		}
		for j := uint64(0); j < nl && r.err == nil; j++ {
			rd.Latencies[j] = int32(r.uint(1 << 30))
		}
		w.Reports[id] = rd
	}
	if r.err == nil && len(r.b) != 0 {
		r.err = fmt.Errorf("%w: %d trailing bytes", errCorrupt, len(r.b))
	}
	return r.err
}
