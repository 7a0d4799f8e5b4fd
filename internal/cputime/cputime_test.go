package cputime

import (
	"crypto/sha256"
	"os/exec"
	"testing"
	"time"
)

// TestCounts: work done here moves Self, and a child's work moves
// WithChildren once the child is waited for, not Self. The work is a
// fixed amount, so that a busy machine only makes it take longer.
func TestCounts(t *testing.T) {
	s0, c0 := Self(), WithChildren()
	if s0 <= 0 || c0 < s0 {
		t.Fatalf("Self %v, WithChildren %v", s0, c0)
	}
	sum := sha256.Sum256(make([]byte, 64<<20)) // ~100-200 ms
	if d := Self() - s0; d < 20*time.Millisecond {
		t.Errorf("hashing 64 MiB (%x...) counted %v", sum[:4], d)
	}
	s1, c1 := Self(), WithChildren()
	if err := exec.Command("sh", "-c", `i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done`).Run(); err != nil {
		t.Fatal(err)
	}
	if d := (WithChildren() - c1) - (Self() - s1); d < 20*time.Millisecond {
		t.Errorf("a child counting to 300,000 counted %v", d)
	}
}
