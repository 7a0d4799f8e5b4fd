package tesseract

import (
	"bytes"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"testing"

	"github.com/regfus/regfus/ocrtrain/lines"
)

// TestNoLeak reads lines with one client, as a long-running worker does,
// and fails if the C heap in use grows with the number of calls (the
// resident size is logged too: it moves by a few hundred KB either way
// with the Go heap, too much to hold a 100-byte-a-call limit on). gosseract's bridge lost about 1 KB of C heap per call (the
// result iterator and every symbol's text, never freed): 2,000 calls
// grew the process by ~2 MB. REGFUS_LEAK_CALLS runs more calls and logs
// the resident size every tenth of them (the long run in the commit that
// added engine.go used 40,000: a few hundred pages' worth).
func TestNoLeak(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 2,000 lines")
	}
	calls := 2000
	if n, err := strconv.Atoi(os.Getenv("REGFUS_LEAK_CALLS")); err == nil && n > 0 {
		calls = n
	}
	ls := samples(t, lines.Set{Gen: lines.FontGenerator{Profile: lines.EvalProfiles()[1]}, Seed: 930_001, N: 32})
	c := mustClient(t)
	fc, err := NewFieldClient()
	if err != nil {
		t.Fatal(err)
	}
	defer fc.Close()
	read := func(i int) {
		s := ls[i%len(ls)]
		// The three kinds of call a worker makes: the model, with its
		// whitelist changing between calls, and the field model.
		var err error
		switch i % 3 {
		case 0:
			_, err = c.ReadLine(s.Image, kindOf(s.Kind))
		case 1:
			_, err = c.ReadLine(s.Image, Digits)
		default:
			_, err = fc.ReadField(s.Image)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	// Warm up: Tesseract's caches and the allocator's arenas fill during
	// the first calls.
	for i := range 300 {
		read(i)
	}
	base, baseHeap := rss(t), cHeapInUse()
	step := max(1, calls/10)
	for i := 1; i <= calls; i++ {
		read(i)
		if i%step == 0 {
			r := rss(t)
			t.Logf("after %6d calls: RSS %.1f MB (%+.0f KB), C heap %+.0f KB", i, float64(r)/1e6, float64(r-base)/1e3, float64(cHeapInUse()-baseHeap)/1e3)
		}
	}
	grown := cHeapInUse() - baseHeap
	// 100 bytes a call is a tenth of the old leak (gosseract lost about
	// 830 bytes of C heap a call: 1.6 MB over 2,000 calls).
	if limit := int64(calls) * 100; grown > limit {
		t.Errorf("the C heap grew %d KB over %d calls (limit %d KB): a leak of about %d bytes a call", grown/1000, calls, limit/1000, grown/int64(calls))
	}
}

// rss is the process's resident set size in bytes, after a garbage
// collection that returns freed Go memory to the system, so that what is
// left is live memory, C's included.
func rss(t *testing.T) int64 {
	runtime.GC()
	debug.FreeOSMemory()
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		t.Skipf("no /proc/self/statm: %v", err)
	}
	f := bytes.Fields(b)
	if len(f) < 2 {
		t.Fatalf("statm: %q", b)
	}
	pages, err := strconv.ParseInt(string(f[1]), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return pages * int64(os.Getpagesize())
}
