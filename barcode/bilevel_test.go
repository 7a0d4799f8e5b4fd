package barcode

import (
	"fmt"
	"image"
	"math/rand"
	"testing"

	"github.com/regfus/regfus/fustella"
)

// oneBit thresholds img at level t (of 255): a 1-bit scan of it. A level
// well over the paper's midpoint grows the bars (the narrow spaces close
// to specks), one under it thins them.
func oneBit(img *image.Gray, t uint8) *image.Gray {
	out := image.NewGray(img.Rect)
	for i, v := range img.Pix {
		out.Pix[i] = 255
		if v < t {
			out.Pix[i] = 0
		}
	}
	return out
}

// TestModelReadsOneBitScan draws Code 32 and targatura symbols at a 200-dpi
// scan's narrow bar (1.5 to 1.7 px), blurred and noisy as print and optics
// make them, and thresholds them high and low as a 1-bit scanner does. The
// crops are bilevel; the thresholded model reads more of their bands than
// the linear one (which reads them as grey), and neither reads a wrong
// value.
func TestModelReadsOneBitScan(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	type crop struct {
		img  *image.Gray
		m    *modelSymbol
		tgt  *target
		text string
	}
	var crops []crop
	for i := 0; i < 6; i++ {
		aic, _ := fustella.NewAIC(fmt.Sprintf("%08d", rng.Intn(100_000_000)))
		t9, _ := fustella.NewTargatura(fmt.Sprintf("%09d", rng.Intn(1_000_000_000)))
		code, tg := aic.Code32(), string(t9)
		for _, level := range []uint8{150, 105} {
			narrow := 1.5 + 0.2*rng.Float64()
			d := degrade{blur: 0.45 * narrow, noise: 18, paper: 215, ink: 10, seed: rng.Int63()}
			ratio := 2.2 + 0.5*rng.Float64()
			c32 := label(mustCode39(t, code, ratio), narrow, 36, 12, 3, 0, d)
			itf := label(mustITF(t, tg, ratio), narrow, 36, 12, 3, 0, d)
			crops = append(crops, crop{oneBit(c32, level), code32Model, &code32Target, code},
				crop{oneBit(itf, level), targaturaModel, &targaturaTarget, tg})
		}
	}
	var right, wrong [2]int // [linear, thresholded] band reads
	d := NewDecoder()
	for _, c := range crops {
		p := planeFromGray(c.img)
		y0, y1 := int(0.12*float64(p.h)), int(0.88*float64(p.h)+0.999)
		if !bilevel(p, y0, y1) {
			t.Fatalf("a 1-bit crop of %s is not taken for bilevel", c.text)
		}
		for b := 0; b < modelBands; b++ {
			prof := d.bandProfile(p, y0+(y1-y0)*b/modelBands, y0+(y1-y0)*(b+1)/modelBands)
			for k, on := range []bool{false, true} {
				d.bilevel = on
				r, ok := d.readBand(prof, c.m, c.tgt.accept)
				switch {
				case !ok:
				case r.text == c.text:
					right[k]++
				default:
					wrong[k]++
					t.Errorf("band %d (thresholded %v) read %q, truth %q", b, on, r.text, c.text)
				}
			}
		}
	}
	t.Logf("%d crops: right band reads linear %d, with the thresholded model %d", len(crops), right[0], right[1])
	if right[1] <= right[0] {
		t.Errorf("the thresholded model reads no more bands (%d) than the linear one (%d)", right[1], right[0])
	}
}
