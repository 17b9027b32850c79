package replay

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"
)

// maxAhead is how far before its own UTC date a day file may hold messages:
// an export dated in the workspace's zone can be at most 14 hours ahead of
// UTC (Pacific/Kiritimati).
const maxAhead = 14 * time.Hour

// readAll decodes the day files with workers goroutines and hands each
// file's result to got in the files' order (date, then folder), whatever
// order the workers finish in. At most 4 × workers files are in flight.
func readAll(ctx context.Context, files []dayFile, workers int, newReader func() *fileReader, got func(fileResult) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type job struct {
		index int
		out   chan fileResult
	}
	jobs := make(chan job)
	order := make(chan chan fileResult, 4*workers)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(order)
		defer close(jobs)
		for i := range files {
			out := make(chan fileResult, 1)
			select {
			case order <- out:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- job{i, out}:
			case <-ctx.Done():
				return
			}
		}
	}()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fr := newReader()
			for j := range jobs {
				j.out <- fr.read(j.index, &files[j.index])
			}
		}()
	}
	var err error
	for out := range order {
		var res fileResult
		select {
		case res = <-out:
		case <-ctx.Done():
		}
		if err == nil {
			err = ctx.Err()
		}
		if err == nil {
			err = got(res)
		}
		if err != nil {
			cancel()
		}
	}
	wg.Wait()
	if err == nil {
		err = ctx.Err() // cancelled before any file was read
	}
	return err
}

// sorter puts the events of the day files into time order. Files come in
// date order; once every file of dates before d has been read, no file still
// to come holds a message earlier than d's midnight less maxAhead, so the
// events before that are final and can be replayed.
type sorter struct {
	buf  []item
	date time.Time // date of the files being read
	emit func([]item) error
}

// add takes one file's events.
func (s *sorter) add(res fileResult) error {
	if d := res.file.Date; d.After(s.date) {
		if !s.date.IsZero() {
			if err := s.release(d.Add(-maxAhead).UnixNano()); err != nil {
				return err
			}
		}
		s.date = d
	}
	s.buf = append(s.buf, res.items...)
	return nil
}

// release replays the buffered events before watermark (unix ns).
func (s *sorter) release(watermark int64) error {
	slices.SortFunc(s.buf, func(a, b item) int {
		if c := cmp.Compare(a.at, b.at); c != 0 {
			return c
		}
		return cmp.Compare(a.seq, b.seq)
	})
	n, _ := slices.BinarySearchFunc(s.buf, watermark, func(it item, w int64) int { return cmp.Compare(it.at, w) })
	if n == 0 {
		return nil
	}
	if err := s.emit(s.buf[:n]); err != nil {
		return err
	}
	rest := copy(s.buf, s.buf[n:])
	clear(s.buf[rest:])
	s.buf = s.buf[:rest]
	return nil
}

// flush replays everything left.
func (s *sorter) flush() error {
	return s.release(1<<63 - 1)
}
