package tesseract

// #cgo LDFLAGS: -lgomp
// #include <omp.h>
import "C"

import (
	"fmt"
	"os"
	"syscall"
)

// Tesseract (Debian's build) runs parts of its LSTM with OpenMP. With one
// Tesseract per worker, OpenMP's own threads only oversubscribe the cores,
// so every process that uses this package must run with OMP_THREAD_LIMIT=1.
// OpenMP (libgomp, loaded with libtesseract before main runs) reads the
// variable once, at process start: setting it with os.Setenv later changes
// nothing. Hence:
//
//   - a command calls ReexecIfNeeded first thing in main: if the variable is
//     not 1 it re-executes itself with it set;
//   - a library user that cannot re-exec calls EnsureSingleThread, which sets
//     it for child processes and reports whether this process already had it;
//   - ThreadLimit reports what OpenMP actually uses.
//
// The same re-execution caps glibc's malloc arenas (ArenaEnv), which glibc
// also reads once, at start-up. A thread that finds the C heap busy gets an
// arena of its own (up to eight per core), and memory freed in an arena is
// reused only by allocations that land in it. Tesseract and OpenCV
// allocate and free megabytes per page from whichever OS thread the Go
// scheduler runs a cgo call on, so a scan's C heap spread over many
// arenas, each keeping its freed memory resident: `regfus scan` of regfus
// bench's 200 office pages (2 workers) peaked at 335-377 MB, 136 MB of it
// in 7 arenas. With MALLOC_ARENA_MAX=2 the same scan peaked at 300 MB,
// with 1 at 283 MB, for no more CPU (two workers seldom allocate at the
// same instant). Set by mallopt after start-up the cap comes too late
// (measured: the libraries' constructors have made arenas already). A
// value already in the environment is kept.

// ThreadEnv is the variable OpenMP reads.
const ThreadEnv = "OMP_THREAD_LIMIT"

// ArenaEnv is the variable glibc's malloc reads for its arena cap, and
// arenaMax the cap ReexecIfNeeded sets when the environment has none.
const (
	ArenaEnv = "MALLOC_ARENA_MAX"
	arenaMax = "1"
)

// reexecMarker stops a re-exec loop if the variable does not survive exec.
const reexecMarker = "REGFUS_OMP_REEXEC"

// ThreadLimit returns OpenMP's thread limit in this process (as read at
// start-up): 1 when the process is set up right.
func ThreadLimit() int { return int(C.omp_get_thread_limit()) }

// EnsureSingleThread reports whether OMP_THREAD_LIMIT was already 1 in the
// environment. If not, it sets it, which helps child processes only: this
// process's OpenMP has read the old value (see ThreadLimit).
func EnsureSingleThread() (wasSet bool) {
	if os.Getenv(ThreadEnv) == "1" {
		return true
	}
	os.Setenv(ThreadEnv, "1")
	return false
}

// ReexecIfNeeded makes sure this process runs with OMP_THREAD_LIMIT=1 and
// a malloc arena cap (MALLOC_ARENA_MAX, see above): if the first is 1 and
// the second set it returns nil at once; otherwise it replaces the process
// (syscall.Exec of os.Executable with the same os.Args and the environment
// plus OMP_THREAD_LIMIT=1 and, unless set, MALLOC_ARENA_MAX) and does not
// return. Call it first thing in main, before any goroutine or file is
// opened. It returns an error if the executable cannot be found or exec
// fails, or if a variable is still missing after a re-exec (a loop guard).
func ReexecIfNeeded() error {
	_, arenas := os.LookupEnv(ArenaEnv)
	if os.Getenv(ThreadEnv) == "1" && arenas {
		return nil
	}
	if os.Getenv(reexecMarker) != "" {
		return fmt.Errorf("tesseract: %s is %q and %s %q after re-executing", ThreadEnv, os.Getenv(ThreadEnv), ArenaEnv, os.Getenv(ArenaEnv))
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("tesseract: re-exec with %s=1: %w", ThreadEnv, err)
	}
	env := []string{ThreadEnv + "=1", reexecMarker + "=1"}
	if !arenas {
		env = append(env, ArenaEnv+"="+arenaMax)
	}
	for _, kv := range os.Environ() {
		if !hasKey(kv, ThreadEnv) && !hasKey(kv, reexecMarker) {
			env = append(env, kv)
		}
	}
	if err := syscall.Exec(exe, os.Args, env); err != nil {
		return fmt.Errorf("tesseract: re-exec %s with %s=1: %w", exe, ThreadEnv, err)
	}
	return nil // not reached
}

func hasKey(kv, key string) bool {
	return len(kv) > len(key) && kv[:len(key)] == key && kv[len(key)] == '='
}
