//go:build matprofile

package vision

import (
	"testing"

	"gocv.io/x/gocv"
)

// TestNetNoMatLeaks: loading, running and closing a Net leaves no Mat
// (go test -tags matprofile ./vision/).
func TestNetNoMatLeaks(t *testing.T) {
	start := gocv.MatProfile.Count()
	n := tinyNet(t)
	for range 3 {
		if _, err := n.Forward(make([]float32, 2*12), 2); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := n.Forward(make([]float32, 5), 1); err == nil {
		t.Fatal("bad input: no error")
	}
	n.Close()
	if c := gocv.MatProfile.Count(); c != start {
		t.Errorf("MatProfile.Count() = %d after Close, started at %d", c, start)
	}
}
