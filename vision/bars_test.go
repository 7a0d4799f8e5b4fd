package vision

import (
	"image"
	"math"
	"math/rand/v2"
	"testing"

	"gocv.io/x/gocv"

	"github.com/regfus/regfus/barcode"
)

// cropPx is the scale of the crops the page reader looks for bars in (its
// barPx: 8 to 12 px/mm).
const cropPx = 8.0

// symbolCrop draws sym (element widths in narrow units, bars first) with
// its bars hMM high, centred in a 40 x 20 mm crop of paper: drawn at
// native px/mm (each pixel the exact fraction of it under a bar), blurred
// by a Gaussian of sigma native px, noise of noise grey levels added, and
// resampled to cropPx px/mm as the page reader warps a slot. paper and
// ink are the grey levels of the two.
func symbolCrop(t *testing.T, sym barcode.Symbol, narrowMM, hMM, native, sigma, paper, ink, noise float64, seed uint64) *image.Gray {
	t.Helper()
	const wMM, htMM = 40.0, 20.0
	w, h := int(wMM*native), int(htMM*native)
	cov := make([]float64, w) // fraction of each column's pixel under a bar
	if sym != nil {
		x := (wMM - sym.Modules()*narrowMM) / 2 * native
		for i, e := range sym {
			ew := e * narrowMM * native
			if i%2 == 0 {
				for c := int(x); c <= int(x+ew) && c < w; c++ {
					cov[c] += math.Max(0, math.Min(float64(c+1), x+ew)-math.Max(float64(c), x))
				}
			}
			x += ew
		}
	}
	y0, y1 := int((htMM-hMM)/2*native), int((htMM+hMM)/2*native)
	pix := make([]byte, w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := paper
			if y >= y0 && y < y1 {
				v -= (paper - ink) * cov[x]
			}
			pix[y*w+x] = uint8(v)
		}
	}
	src, err := toMat(&image.Gray{Pix: pix, Stride: w, Rect: image.Rect(0, 0, w, h)})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	gocv.GaussianBlur(src, &src, image.Pt(0, 0), sigma, sigma, gocv.BorderReplicate)
	r := rand.New(rand.NewPCG(seed, 1))
	b := src.ToBytes()
	for i, v := range b {
		b[i] = uint8(math.Max(0, math.Min(255, float64(v)+r.NormFloat64()*noise)))
	}
	noisy, err := toMat(&image.Gray{Pix: b, Stride: w, Rect: image.Rect(0, 0, w, h)})
	if err != nil {
		t.Fatal(err)
	}
	defer noisy.Close()
	out := gocv.NewMat()
	defer out.Close()
	gocv.Resize(noisy, &out, image.Pt(int(wMM*cropPx), int(htMM*cropPx)), 0, 0, gocv.InterpolationLinear)
	g, err := toGray(out)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestFindBarRegionsBlurredPhoto: a targatura of 0.19 mm narrow bars
// photographed at about 143 dpi (5.6 px/mm: a narrow bar of 1.1 px) and
// blurred over 1.2 px, at a phone's contrast, leaves edges too weak for
// the level a scan's bars reach; FindBarRegions finds it (as a whole
// symbol, about as wide as drawn) by its second pass, at a level set by the
// crop's own strongest response. The same symbol scanned sharp is found
// too, and the paper alone, as blurred and as noisy, shows nothing.
func TestFindBarRegionsBlurredPhoto(t *testing.T) {
	sym, err := barcode.ITF("6184378966", 2.2)
	if err != nil {
		t.Fatal(err)
	}
	const narrow = 0.19
	wantW := sym.Modules() * narrow
	for _, c := range []struct {
		name              string
		native, sigma     float64
		paper, ink, noise float64
		empty             bool
		seeds             int
	}{
		{name: "phone", native: 5.6, sigma: 1.2, paper: 190, ink: 70, noise: 3, seeds: 4},
		{name: "scan", native: 7.9, sigma: 0.6, paper: 235, ink: 30, noise: 3, seeds: 2},
		{name: "phone paper", native: 5.6, sigma: 1.2, paper: 190, ink: 70, noise: 3, empty: true, seeds: 4},
	} {
		for seed := range uint64(c.seeds) {
			s := sym
			if c.empty {
				s = nil
			}
			g := symbolCrop(t, s, narrow, 4.5, c.native, c.sigma, c.paper, c.ink, c.noise, seed)
			regs, err := FindBarRegions(g, cropPx, 10, 2.5, 16)
			if err != nil {
				t.Fatal(err)
			}
			if c.empty {
				if len(regs) != 0 {
					t.Errorf("%s seed %d: %d regions on paper alone, want none", c.name, seed, len(regs))
				}
				continue
			}
			if len(regs) != 1 {
				t.Errorf("%s seed %d: %d regions, want 1", c.name, seed, len(regs))
				continue
			}
			r := regs[0]
			if wm := r.W / cropPx; math.Abs(wm-wantW) > 2 || math.Abs(r.Center.X/cropPx-20) > 1.5 {
				t.Errorf("%s seed %d: region %.1f mm wide at x %.1f mm, want %.1f mm at 20 mm", c.name, seed, wm, r.Center.X/cropPx, wantW)
			}
		}
	}
}

// TestFindBarRegionsGreyNarrowRuns: a Code 32 of 0.2 mm narrow bars
// photographed at 5.3 px/mm and blurred over 2 px keeps edges only at its
// wide bars: its runs of narrow bars and spaces become flat grey, up to
// about 2.5 mm without an edge, so the bars' blocks close in pieces
// narrower than a symbol (as on seed 4101's phone page 6, slots 11 and 12,
// every design). The second pass bridges such grey gaps (darker than the
// paper around them) and finds the symbol whole; without the bridge
// (darkGap no wider than barGap) it is not found at all. Paper alone, as
// blurred and as noisy, shows nothing.
func TestFindBarRegionsGreyNarrowRuns(t *testing.T) {
	sym, err := barcode.Code39("*0VZ4QP*"[1:7], 2.5)
	if err != nil {
		t.Fatal(err)
	}
	const narrow = 0.2
	wantW := sym.Modules() * narrow
	for _, c := range []struct {
		name              string
		paper, ink, noise float64
	}{
		{name: "contrasted", paper: 220, ink: 20, noise: 3},
		{name: "grey", paper: 190, ink: 40, noise: 4},
	} {
		for seed := range uint64(4) {
			g := symbolCrop(t, sym, narrow, 5, 5.3, 2, c.paper, c.ink, c.noise, seed)
			regs, err := FindBarRegions(g, cropPx, 10, 2.5, 16)
			if err != nil {
				t.Fatal(err)
			}
			if len(regs) != 1 {
				t.Errorf("%s seed %d: %d regions, want 1", c.name, seed, len(regs))
				continue
			}
			r := regs[0]
			if wm := r.W / cropPx; math.Abs(wm-wantW) > 2 || math.Abs(r.Center.X/cropPx-20) > 1.5 {
				t.Errorf("%s seed %d: region %.1f mm wide at x %.1f mm, want %.1f mm at 20 mm", c.name, seed, wm, r.Center.X/cropPx, wantW)
			}
			g = symbolCrop(t, nil, narrow, 5, 5.3, 2, c.paper, c.ink, c.noise, seed)
			if regs, _ := FindBarRegions(g, cropPx, 10, 2.5, 16); len(regs) != 0 {
				t.Errorf("%s seed %d: %d regions on paper alone, want none", c.name, seed, len(regs))
			}
		}
	}
}
