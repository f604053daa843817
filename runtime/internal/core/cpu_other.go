//go:build !unix

package core

import "time"

// cpuTime returns -1: the monitor then grows the workers more slowly, since it
// cannot tell blocked tasks from busy ones.
func cpuTime() time.Duration { return -1 }
