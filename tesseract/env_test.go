package tesseract

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// childEnv makes TestEnvChild report instead of returning at once.
const childEnv = "REGFUS_TEST_ENV_CHILD"

// TestEnvChild is run by TestEnvGuard in a child process; it prints what the
// child's OpenMP and environment say.
func TestEnvChild(t *testing.T) {
	if os.Getenv(childEnv) == "" {
		return // only meaningful as TestEnvGuard's child
	}
	before := os.Getenv(ThreadEnv)
	was := EnsureSingleThread()
	// Printed for the parent to parse.
	os.Stdout.WriteString("ENV limit=" + strconv.Itoa(ThreadLimit()) + " arena=" + os.Getenv(ArenaEnv) + " before=" + before +
		" was=" + strconv.FormatBool(was) + " after=" + os.Getenv(ThreadEnv) + "\n")
}

// TestEnvGuard runs this test binary as a child without OMP_THREAD_LIMIT
// and MALLOC_ARENA_MAX: with TestMain's ReexecIfNeeded the child
// re-executes itself, OpenMP's limit is 1 and glibc's arenas are capped;
// without it the limit stays OpenMP's default, and
// EnsureSingleThread, though it sets the variable, cannot change that: the
// reason for re-executing.
func TestEnvGuard(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		noReexec  bool
		wantLimit func(int) bool
		wantArena string
		wantLine  string
	}{
		{name: "reexec", wantLimit: func(n int) bool { return n == 1 }, wantArena: arenaMax, wantLine: "before=1 was=true after=1"},
		{name: "no reexec", noReexec: true, wantLimit: func(n int) bool { return n > 1 }, wantArena: "", wantLine: "before= was=false after=1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(os.Args[0], "-test.run=^TestEnvChild$", "-test.count=1")
			env := []string{childEnv + "=1"}
			for _, kv := range os.Environ() {
				if !hasKey(kv, ThreadEnv) && !hasKey(kv, reexecMarker) && !hasKey(kv, noReexecEnv) && !hasKey(kv, ArenaEnv) {
					env = append(env, kv)
				}
			}
			if tc.noReexec {
				env = append(env, noReexecEnv+"=1")
			}
			cmd.Env = env
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("child: %v\n%s", err, out)
			}
			var line string
			for _, l := range strings.Split(string(out), "\n") {
				if strings.HasPrefix(l, "ENV ") {
					line = l
				}
			}
			if line == "" {
				t.Fatalf("child printed no ENV line:\n%s", out)
			}
			f := strings.Fields(line)
			limit, err := strconv.Atoi(strings.TrimPrefix(f[1], "limit="))
			if err != nil || !tc.wantLimit(limit) {
				t.Errorf("child OpenMP limit: %q", line)
			}
			if f[2] != "arena="+tc.wantArena {
				t.Errorf("child: %q, want arena=%s", line, tc.wantArena)
			}
			if !strings.HasSuffix(line, tc.wantLine) {
				t.Errorf("child: %q, want suffix %q", line, tc.wantLine)
			}
		})
	}
}

// TestThisProcessIsSingleThreaded: TestMain re-executed the test binary, so
// OpenMP here is limited to one thread.
func TestThisProcessIsSingleThreaded(t *testing.T) {
	t.Parallel()
	if n := ThreadLimit(); n != 1 {
		t.Fatalf("OpenMP thread limit %d, want 1 (%s=%q)", n, ThreadEnv, os.Getenv(ThreadEnv))
	}
}

func TestEnsureSingleThread(t *testing.T) {
	// Not parallel: t.Setenv changes the process environment.
	t.Setenv(ThreadEnv, "1")
	if !EnsureSingleThread() {
		t.Error("EnsureSingleThread with the variable set to 1 reported it unset")
	}
	for _, v := range []string{"", "4"} {
		t.Setenv(ThreadEnv, v)
		if EnsureSingleThread() {
			t.Errorf("EnsureSingleThread with %s=%q reported it set", ThreadEnv, v)
		}
		if got := os.Getenv(ThreadEnv); got != "1" {
			t.Errorf("after EnsureSingleThread %s=%q, want 1", ThreadEnv, got)
		}
	}
}
