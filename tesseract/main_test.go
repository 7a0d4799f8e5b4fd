package tesseract

import (
	"fmt"
	"os"
	"testing"
)

// noReexecEnv, set by TestEnvGuard for its child, keeps TestMain from
// re-executing, to show what happens without the guard.
const noReexecEnv = "REGFUS_TEST_NO_REEXEC"

// TestMain runs the tests the way a regfus command runs: re-executed with
// OMP_THREAD_LIMIT=1 unless it is already set, so that the benchmarks
// measure single-threaded Tesseract.
func TestMain(m *testing.M) {
	if os.Getenv(noReexecEnv) == "" {
		if err := ReexecIfNeeded(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	os.Exit(m.Run())
}
