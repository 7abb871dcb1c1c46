package cli

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/posbackup/posbackup/internal/job"
)

// progress draws one status line on a terminal and stays quiet otherwise.
type progress struct {
	w     io.Writer
	on    bool
	start time.Time
	last  time.Time
	mu    sync.Mutex
	drawn bool
}

func newProgress(w io.Writer, quiet bool) *progress {
	on := false
	if f, ok := w.(*os.File); ok && !quiet {
		on = term.IsTerminal(int(f.Fd()))
	}
	return &progress{w: w, on: on, start: time.Now()}
}

func (p *progress) event(e job.Event) {
	if !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if now.Sub(p.last) < 200*time.Millisecond && e.Phase != "done" {
		return
	}
	p.last = now
	rate := float64(e.Bytes) / now.Sub(p.start).Seconds()
	name := e.Name
	if len(name) > 40 {
		name = "..." + name[len(name)-37:]
	}
	fmt.Fprintf(p.w, "\r\033[K%-7s %d/%d files  %s of %s  %s/s  %s", e.Phase, e.Files, e.TotalFiles, humanBytes(e.Bytes), humanBytes(e.TotalBytes), humanBytes(int64(rate)), name)
	p.drawn = true
}

// clear removes the status line before the result is printed.
func (p *progress) clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
		p.drawn = false
	}
}
