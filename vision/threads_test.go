package vision

import (
	"os"
	"testing"
)

// TestOpenCVSingleThreaded checks that OpenCV runs its parallel loops in
// the calling thread (threads.go): an environment variable alone does not
// size Debian's TBB backend.
func TestOpenCVSingleThreaded(t *testing.T) {
	if v := os.Getenv("OPENCV_FOR_THREADS_NUM"); v != "1" {
		t.Skipf("OPENCV_FOR_THREADS_NUM=%q set by the user", v)
	}
	if n := openCVThreads(); n != 1 {
		t.Fatalf("OpenCV may use %d threads, want 1", n)
	}
}
