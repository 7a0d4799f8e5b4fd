// Package cputime measures the CPU time (user and system) this process
// has used: the cost the benchmarks report beside wall time, fairer than
// wall time on a machine shared with other work. It includes the garbage
// collector's work.
package cputime

import (
	"syscall"
	"time"
)

// Self is this process's CPU time so far (0 if the system does not say).
func Self() time.Duration { return usage(syscall.RUSAGE_SELF) }

// WithChildren is Self plus the CPU time of the children that have ended
// and been waited for (pdftoppm, pdfinfo, convert...).
func WithChildren() time.Duration {
	return usage(syscall.RUSAGE_SELF) + usage(syscall.RUSAGE_CHILDREN)
}

func usage(who int) time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(who, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
