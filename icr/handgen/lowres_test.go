package handgen

import (
	"bytes"
	"image"
	"path/filepath"
	"testing"

	"github.com/regfus/regfus/icr"
)

// LowRes brings a big crop down to 16-48 px high, keeps a bitonal crop
// bitonal and its ink, and leaves a crop already that small as it is.
func TestLowRes(t *testing.T) {
	for i := range 40 {
		s := Glyph(Rand(11, uint64(i)), icr.Class(i%10))
		big := s.Crop
		if big.Rect.Dy() <= 48 {
			continue
		}
		lr := LowRes(Rand(12, uint64(i)), big)
		if h := lr.Rect.Dy(); h < 16 || h > 48 {
			t.Errorf("glyph %d: %d px high after LowRes (was %d)", i, h, big.Rect.Dy())
		}
		if isBitonal(big) && !isBitonal(lr) {
			t.Errorf("glyph %d: bitonal crop came back grey", i)
		}
		if _, ok := icr.Normalize(lr); !ok {
			t.Errorf("glyph %d: no ink left after LowRes", i)
		}
	}
	small := image.NewGray(image.Rect(0, 0, 12, 16))
	if got := LowRes(Rand(13, 1), small); got != small {
		t.Error("a crop under 16 px was changed")
	}
}

// ReadIDX reads what WriteIDX wrote.
func TestIDXRoundTrip(t *testing.T) {
	dir := t.TempDir()
	imgs := [][]byte{make([]byte, 9), bytes.Repeat([]byte{7}, 9)}
	labs := [][]byte{{1}, {11}}
	for _, f := range []struct {
		name  string
		items [][]byte
		n     int
	}{{"i.idx", imgs, 3}, {"l.idx", labs, 0}} {
		p := filepath.Join(dir, f.name)
		if err := WriteIDX(p, f.items, f.n); err != nil {
			t.Fatal(err)
		}
		got, n, err := ReadIDX(p)
		if err != nil {
			t.Fatal(err)
		}
		if n != f.n || len(got) != len(f.items) || !bytes.Equal(bytes.Join(got, nil), bytes.Join(f.items, nil)) {
			t.Errorf("%s: read %d items of side %d, want %d of %d", f.name, len(got), n, len(f.items), f.n)
		}
	}
	if _, _, err := ReadIDX(filepath.Join(dir, "none")); err == nil {
		t.Error("missing file: no error")
	}
}
