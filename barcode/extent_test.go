package barcode

import (
	"image"
	"math"
	"testing"

	"github.com/regfus/regfus/fustella"
)

// wideScene draws, blurred beyond the gozxing passes (narrow bars of 1.6
// px under a Gaussian of 1.2 px, a phone photo at 150 dpi), a symbol off
// the middle of a crop more than twice its width, as the page reader cuts
// around a piece of a symbol it found: a label's printed border 12 narrow
// widths to its left and another symbol past a quiet zone to its right.
// cut moves the symbol so that the crop's right edge cuts it. It returns
// the crop and the symbol's first and last bar edges, px.
func wideScene(t *testing.T, sym, other Symbol, cut bool) (*image.Gray, [2]float64) {
	t.Helper()
	const narrow, height = 1.6, 40.0
	width := sym.Modules() * narrow
	w := int(2.3 * width)
	left := 0.2 * float64(w) // the first bar: the middle is inside the symbol, its quiet zones in the middle half
	if cut {
		left = float64(w) - 0.6*width
	}
	border := Symbol{2} // one bar two narrow widths wide
	items := []placed{
		{sym: sym, narrow: narrow, height: height, cx: left + width/2, cy: 30},
		{sym: border, narrow: narrow, height: 60, cx: left - 12*narrow - narrow, cy: 30},
	}
	if !cut {
		ow := other.Modules() * narrow
		items = append(items, placed{sym: other, narrow: narrow, height: height, cx: left + width + 14*narrow + ow/2, cy: 30})
	}
	g := renderScene(w, 60, items, degrade{blur: 1.2, noise: 3, ink: 40, paper: 220, gradient: 25, seed: 7})
	return g, [2]float64{left, left + width}
}

// TestModelReadsSymbolInWideCrop checks that the model-based reader finds
// a blurred symbol's extent in a crop much wider than it, between a border
// line and another symbol, reads it, and says where it is (Result.Span);
// and that the same symbol cut by the crop's edge is not read.
func TestModelReadsSymbolInWideCrop(t *testing.T) {
	t.Parallel()
	d := NewDecoder()
	for _, aic := range []fustella.AIC{"012345676", "048164305", "030635294"} {
		sym := mustCode39(t, aic.Code32(), 2.6)
		other := mustITF(t, "2142710823", 2.6)
		img, span := wideScene(t, sym, other, false)
		got, r, err := d.Code32(img)
		if err != nil || got != aic {
			t.Errorf("Code32 %s in a wide crop: got %q, %v", aic, got, err)
			continue
		}
		for k := range span {
			if math.Abs(r.Span[k]-span[k]) > 1.5 {
				t.Errorf("Code32 %s: span %v, drawn at %v", aic, r.Span, span)
			}
		}
		img, _ = wideScene(t, sym, other, true)
		if got, _, err := d.Code32(img); err == nil {
			t.Errorf("Code32 %s cut by the crop's edge: read %q", aic, got)
		}
	}
	// An ITF the same way, its narrow bars lighter than its wide ones.
	tg := fustella.Targatura("6226903149")
	img, span := wideScene(t, mustITF(t, string(tg), 2.8), mustCode39(t, "0CSSBD", 2.6), false)
	got, r, err := d.Targatura(img)
	if err != nil || got != tg {
		t.Fatalf("Targatura %s in a wide crop: got %q, %v", tg, got, err)
	}
	if math.Abs(r.Span[0]-span[0]) > 1.5 || math.Abs(r.Span[1]-span[1]) > 1.5 {
		t.Errorf("Targatura %s: span %v, drawn at %v", tg, r.Span, span)
	}
}

// TestQuickModel checks that Decoder.QuickModel reads such a symbol in a
// wide crop with its model (value and span), where the quick passes alone
// read nothing, and reads nothing from a symbol cut by the crop's edge.
func TestQuickModel(t *testing.T) {
	t.Parallel()
	d := NewDecoder()
	aic := fustella.AIC("048164305")
	sym := mustCode39(t, aic.Code32(), 2.6)
	img, span := wideScene(t, sym, mustITF(t, "2142710823", 2.6), false)
	if got, _, err := d.Quick().Code32(img); err == nil {
		t.Fatalf("the quick passes read %q: the scene does not need the model", got)
	}
	got, r, err := d.QuickModel(Extent{}).Code32(img)
	if err != nil || got != aic || r.Attempt.Binarizer != Model {
		t.Errorf("QuickModel: %q by %v (%v), want %s by the model", got, r.Attempt, err, aic)
	} else if math.Abs(r.Span[0]-span[0]) > 1.5 || math.Abs(r.Span[1]-span[1]) > 1.5 {
		t.Errorf("QuickModel: span %v, drawn at %v", r.Span, span)
	}
	cut, _ := wideScene(t, sym, nil, true)
	if got, _, err := d.QuickModel(Extent{}).Code32(cut); err == nil {
		t.Errorf("QuickModel read %q from a symbol cut by the crop's edge", got)
	}
	tg := fustella.Targatura("6226903149")
	img, _ = wideScene(t, mustITF(t, string(tg), 2.8), mustCode39(t, "0CSSBD", 2.6), false)
	if got, _, err := d.QuickModel(Extent{}).Targatura(img); err != nil || got != tg {
		t.Errorf("QuickModel targatura: got %q, %v", got, err)
	}
}
