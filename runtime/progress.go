package runtime

import (
	"io"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progress draws a bar of finished tasks.
type progress struct {
	w   io.Writer
	bar *progressbar.ProgressBar
}

func newProgress(w io.Writer, total int) *progress {
	return &progress{w: w, bar: progressbar.NewOptions(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("compute"),
		progressbar.OptionShowCount(),
		progressbar.OptionShowElapsedTimeOnFinish(),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionOnCompletion(func() { io.WriteString(w, "\n") }),
	)}
}

func (p *progress) add() { p.bar.Add(1) }

func (p *progress) finish(ok bool) {
	if ok {
		p.bar.Finish()
		return
	}
	p.bar.Exit()
	io.WriteString(p.w, "\n")
}
