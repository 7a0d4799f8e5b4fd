//go:build matprofile

package vision

import (
	"testing"

	"gocv.io/x/gocv"

	"github.com/regfus/regfus/geom"
	"github.com/regfus/regfus/render/rendertest"
)

// TestNoMatLeaks runs every entry point of the package and checks that no
// Mat outlives it (run with: go test -tags matprofile ./vision/).
func TestNoMatLeaks(t *testing.T) {
	start := gocv.MatProfile.Count()
	g := rendertest.EmptySheet(t, 150)
	im, err := NewImage(g)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := im.FindSquares(20, 90); err != nil {
		t.Fatal(err)
	}
	if _, err := im.Warp(geom.Identity, g.Rect.Size()); err != nil {
		t.Fatal(err)
	}
	if _, err := Sharpness(g); err != nil {
		t.Fatal(err)
	}
	if n := gocv.MatProfile.Count(); n != start+1 {
		t.Errorf("with one Image open: %d Mats, want %d", n, start+1)
	}
	im.Close()
	if n := gocv.MatProfile.Count(); n != start {
		t.Errorf("MatProfile.Count() = %d after Close, started at %d", n, start)
	}
}
