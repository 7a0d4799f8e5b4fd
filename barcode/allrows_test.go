package barcode

import (
	"fmt"
	"image"
	"math/rand"
	"testing"

	"github.com/regfus/regfus/fustella"
)

// dottedOneBit draws Code 32 and targatura symbols at a 200-dpi scan's
// narrow bar (1.5 to 1.6 px), noisy enough that a 1-bit scanner's low
// threshold keeps the narrow bars as dotted lines, present in some rows
// only; texts are the symbols' texts (a Code 32's in base 32), in order.
func dottedOneBit(t *testing.T, rng *rand.Rand, n int, noise float64) (imgs []*image.Gray, texts []string, code32 []bool) {
	for i := 0; i < n; i++ {
		aic, _ := fustella.NewAIC(fmt.Sprintf("%08d", rng.Intn(100_000_000)))
		t9, _ := fustella.NewTargatura(fmt.Sprintf("%09d", rng.Intn(1_000_000_000)))
		narrow := 1.5 + 0.1*rng.Float64()
		ratio := 2.2 + 0.5*rng.Float64()
		d := degrade{blur: 0.5 * narrow, noise: noise, paper: 215, ink: 10, seed: rng.Int63()}
		imgs = append(imgs,
			oneBit(label(mustCode39(t, aic.Code32(), ratio), narrow, 56, 12, 4, 0, d), 100),
			oneBit(label(mustITF(t, string(t9), ratio), narrow, 56, 12, 4, 0, d), 100))
		texts = append(texts, aic.Code32(), string(t9))
		code32 = append(code32, true, false)
	}
	return imgs, texts, code32
}

// TestAllRowsReadsDottedBars checks that a 1-bit scan's symbols whose
// narrow bars are dotted, which two bands of a third of the rows seldom
// read with their margin, are read by the model from all the rows
// (allRowsRead), and that the model reads nothing wrong.
func TestAllRowsReadsDottedBars(t *testing.T) {
	imgs, texts, code32 := dottedOneBit(t, rand.New(rand.NewSource(5)), 8, 60)
	d := NewDecoder()
	bandsAlone, read := 0, 0
	for i, img := range imgs {
		p := planeFromGray(img)
		y0, y1 := int(0.12*float64(p.h)), int(0.88*float64(p.h)+0.999)
		m, tgt := targaturaModel, &targaturaTarget
		if code32[i] {
			m, tgt = code32Model, &code32Target
		}
		d.bilevel = true
		agree := 0
		for b := 0; b < modelBands; b++ {
			if r, ok := d.readBand(d.bandProfile(p, y0+(y1-y0)*b/modelBands, y0+(y1-y0)*(b+1)/modelBands), m, tgt.accept); ok && r.text == texts[i] {
				agree++
			}
		}
		if agree >= 2 {
			bandsAlone++
		}
		d.cover = Extent{}
		r, _, ok := d.decodeModel(p, m, tgt.accept)
		switch {
		case !ok:
		case r.text == texts[i]:
			read++
		default:
			t.Errorf("crop %d read %q, truth %q", i, r.text, texts[i])
		}
	}
	t.Logf("%d dotted 1-bit crops: two bands agree on %d, read %d", len(imgs), bandsAlone, read)
	if read <= bandsAlone {
		t.Errorf("the model reads no more crops (%d) than two bands alone (%d)", read, bandsAlone)
	}
}

// TestHalfAgreesTellsAnotherSymbol checks the halves' test of a read over
// all rows (halfAgrees): the half of a crop of the symbol read agrees with
// the read, the same half of a crop of another targatura drawn at the same
// place, size and ratio does not.
func TestHalfAgreesTellsAnotherSymbol(t *testing.T) {
	const narrow, ratio = 1.55, 2.5
	d := NewDecoder()
	draw := func(tg string) plane {
		dg := degrade{blur: 0.5 * narrow, noise: 30, paper: 215, ink: 10, seed: 3}
		return planeFromGray(oneBit(label(mustITF(t, tg, ratio), narrow, 56, 12, 4, 0, dg), 100))
	}
	own, other := draw("2142710823"), draw("0613372228")
	y0, y1 := int(0.12*float64(own.h)), int(0.88*float64(own.h)+0.999)
	d.bilevel = true
	r, ok := d.readBand(d.bandProfile(own, y0, y1), targaturaModel, targaturaTarget.accept)
	if !ok || r.text != "2142710823" {
		t.Fatalf("all rows of 2142710823 read %q, %v", r.text, ok)
	}
	mid := (y0 + y1) / 2
	if !d.halfAgrees(d.bandProfile(own, mid, y1), targaturaModel, r) {
		t.Errorf("the lower half of 2142710823 does not agree with its read")
	}
	if d.halfAgrees(d.bandProfile(other, mid, y1), targaturaModel, r) {
		t.Errorf("the lower half of 0613372228 agrees with a read of 2142710823")
	}
}

// TestModelReadsBarsMergedByBlur checks that a symbol blurred until no
// space between its bars comes back near the paper (narrow bars of 1.6 px
// under a Gaussian of 2 px: a phone photo's whole symbol one dark run)
// is read by the model, the extent taken from that run (clusterExtents),
// and that the same symbol cut by the crop's edge is not read.
func TestModelReadsBarsMergedByBlur(t *testing.T) {
	const narrow = 1.6
	d := NewDecoder()
	for i, tg := range []string{"1305127188", "0859637396", "9494707365"} {
		sym := mustITF(t, tg, 2.5)
		img := label(sym, narrow, 40, 10, 6, 0, degrade{blur: 2.0, noise: 3, ink: 70, paper: 200, seed: int64(i)})
		p := planeFromGray(img)
		prof := d.bandProfile(p, p.h/3, 2*p.h/3)
		if _, _, _, ok := darkness(prof, targaturaModel, &d.mdark); ok {
			t.Errorf("%s: darkness found the blurred symbol's runs: not blurred enough for this test", tg)
		}
		got, _, err := d.Targatura(img)
		if err != nil || string(got) != tg {
			t.Errorf("%s blurred: got %q, %v", tg, got, err)
		}
		cut := img.SubImage(image.Rect(0, 0, img.Rect.Dx()*3/4, img.Rect.Dy())).(*image.Gray)
		if got, _, err := d.Targatura(cut); err == nil {
			t.Errorf("%s blurred and cut by the crop: read %q", tg, got)
		}
	}
}
