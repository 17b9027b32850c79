package replay

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/mattn/go-isatty"
)

// isTerminal reports whether w is a terminal, where a progress bar helps.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// progress is a one-line bar on stderr, by bytes of day files read, redrawn
// at most ten times a second. A nil progress draws nothing.
type progress struct {
	w      io.Writer
	total  int64
	done   int64
	last   time.Time
	drawn  bool
	events int
}

const barWidth = 30

// update counts one more file read and redraws when it is time.
func (p *progress) update(size int64, messages int) {
	if p == nil {
		return
	}
	p.done += size
	p.events += messages
	now := time.Now()
	if now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last = now
	frac := 1.0
	if p.total > 0 {
		frac = min(1, float64(p.done)/float64(p.total))
	}
	n := int(frac * barWidth)
	fmt.Fprintf(p.w, "\r[%s%s] %3.0f%%  %d messages", strings.Repeat("#", n), strings.Repeat(".", barWidth-n), frac*100, p.events)
	p.drawn = true
}

// clear erases the bar, so other output starts on a clean line.
func (p *progress) clear() {
	if p == nil || !p.drawn {
		return
	}
	fmt.Fprint(p.w, "\r\x1b[K")
	p.drawn = false
}
