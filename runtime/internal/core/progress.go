package core

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// progress draws a bar of finished tasks on w, at most every 100 ms:
//
//	compute [=========>          ]  45/100  1.2s
//
// It uses nothing outside the standard library, so that programs that link
// the runtime need no other module.
type progress struct {
	w     io.Writer
	total int
	start time.Time
	done  atomic.Int64
	last  atomic.Int64 // when the bar was last drawn, in ns since start
	mu    sync.Mutex   // held while drawing
	ended bool         // finish has drawn the last bar; guarded by mu
}

const progressEvery = 100 * time.Millisecond

func newProgress(w io.Writer, total int) *progress {
	p := &progress{w: w, total: total, start: time.Now()}
	p.draw()
	return p
}

func (p *progress) add() {
	p.done.Add(1)
	now := int64(time.Since(p.start))
	last := p.last.Load()
	if now-last < int64(progressEvery) || !p.last.CompareAndSwap(last, now) {
		return
	}
	if p.mu.TryLock() {
		if !p.ended {
			p.drawLocked()
		}
		p.mu.Unlock()
	}
}

func (p *progress) draw() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.drawLocked()
}

func (p *progress) drawLocked() {
	const width = 20
	done := int(p.done.Load())
	filled := width
	if p.total > 0 {
		filled = min(width, done*width/p.total)
	}
	bar := strings.Repeat("=", filled)
	if filled < width {
		bar += ">" + strings.Repeat(" ", width-filled-1)
	}
	fmt.Fprintf(p.w, "\rcompute [%s] %*d/%d  %.1fs", bar, len(fmt.Sprint(p.total)), done, p.total, time.Since(p.start).Seconds())
}

// finish draws the bar a last time and ends its line; a failed compute
// says so.
func (p *progress) finish(ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if ok {
		p.done.Store(int64(p.total)) // the last tasks may count themselves after the end
	}
	p.ended = true
	p.drawLocked()
	if !ok {
		io.WriteString(p.w, "  failed")
	}
	io.WriteString(p.w, "\n")
}
