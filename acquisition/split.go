package acquisition

import (
	"math"

	"github.com/regfus/regfus/geom"
	"github.com/regfus/regfus/layout"
)

// mergeSplitBars joins bar regions that are pieces of one symbol: a
// blurred photo can break one barcode's block at a wide space. Two regions
// on one line (centres within 1.5 mm across it), of one height, at most 4
// mm apart, no wider together than the widest symbol, and each a piece
// (isPiece: not a symbol of its own, some labels print the Code 32 beside
// the ITF) become the region spanning both.
func mergeSplitBars(ls []labelRead, isPiece func(*labelRead) bool) []labelRead {
	for merged := true; merged; {
		merged = false
		for i := 0; i < len(ls) && !merged; i++ {
			for j := i + 1; j < len(ls) && !merged; j++ {
				a, b := ls[i], ls[j]
				rad := a.angle * math.Pi / 180
				ux, uy := math.Cos(rad), math.Sin(rad)
				d := b.center.Sub(a.center)
				along, across := d.X*ux+d.Y*uy, -d.X*uy+d.Y*ux
				gap := math.Abs(along) - a.w/2 - b.w/2
				lo := math.Min(-a.w/2, along-b.w/2)
				hi := math.Max(a.w/2, along+b.w/2)
				// Pieces of one symbol: same line, same height, and
				// together no wider than a Code 32 (a 2D symbol beside an
				// ITF is not a piece of it).
				if math.Abs(across) > 1.5 || gap > 4 || math.Abs(a.angle-b.angle) > 3 ||
					math.Abs(a.h-b.h) > 1.5 || hi-lo > maxSymbolW ||
					!isPiece(&a) || !isPiece(&b) {
					continue
				}
				mid := (lo + hi) / 2
				m := labelRead{
					center: geom.Point{X: a.center.X + ux*mid, Y: a.center.Y + uy*mid},
					angle:  a.angle, w: hi - lo, h: math.Max(a.h, b.h),
				}
				ls[i] = m
				ls = append(ls[:j], ls[j+1:]...)
				merged = true
			}
		}
	}
	return ls
}

// splitAtQuietZones splits a bar region holding two symbols side by side
// (labels that print the Code 32 beside the ITF, one quiet zone between
// them: 10 narrow bars, 1.9 mm at the thinnest) into one region each: a
// stretch of paper across the region's middle rows wider than minQuiet is
// no space of a symbol (the widest, 3 x 0.35 mm, blurs to about 1.2 mm).
// The bar detector's closing can join the two.
func (st *pageState) splitAtQuietZones(ls []labelRead) []labelRead {
	const minQuiet, minPart = 1.6, 8.0
	out := ls[:0:0]
	for _, lr := range ls {
		q := st.barPx()
		fr := layout.Rect{X: -lr.w / 2, Y: -lr.h / 4, W: lr.w, H: lr.h / 2}
		img, err := st.frameCrop(lr.center, lr.angle, false, fr, q)
		if err != nil || lr.w < 2*minPart+minQuiet {
			out = append(out, lr)
			continue
		}
		w, h := img.Rect.Dx(), img.Rect.Dy()
		var hist [256]int
		for _, v := range img.Pix[:h*img.Stride] {
			hist[v]++
		}
		lo, hi, n := 0, 255, 0
		for n = 0; lo < 255 && n < w*h/10; lo++ {
			n += hist[lo]
		}
		for n = 0; hi > 0 && n < w*h/10; hi-- {
			n += hist[hi]
		}
		// Paper is within a fifth of the contrast of the paper level: the
		// thin bars of a blurred symbol stay greyer than that.
		cut := uint8(hi - (hi-lo)/5)
		// The longest run of paper columns, away from the ends.
		best, bestAt, run := 0, 0, 0
		for x := int(minPart * q); x < w-int(minPart*q); x++ {
			dark := false
			for y := 0; y < h && !dark; y++ {
				dark = img.Pix[y*img.Stride+x] < cut
			}
			if dark {
				run = 0
				continue
			}
			if run++; run > best {
				best, bestAt = run, x-run/2
			}
		}
		if hi-lo < 40 || float64(best)/q < minQuiet {
			out = append(out, lr)
			continue
		}
		split := float64(bestAt)/q + fr.X // frame u of the gap's middle
		gap := float64(best) / q
		left, right := split-gap/2-fr.X, fr.Right()-(split+gap/2)
		a, b := lr, lr
		a.w, b.w = left, right
		a.quiet, b.quiet = gap-0.1, gap-0.1
		a.center = framePoint(lr.center, lr.angle, fr.X+left/2, 0)
		b.center = framePoint(lr.center, lr.angle, fr.Right()-right/2, 0)
		out = append(out, a, b)
	}
	return out
}

// pieceAt tells whether the region of lr can be a piece of a symbol:
// it looks like bars (see barLike) and does not read as a whole symbol by
// itself (the quick decoders, with the region's quiet zones): two whole
// symbols printed side by side, sharing one quiet zone, are never joined.
func (st *pageState) pieceAt(lr *labelRead) bool {
	fr := layout.Rect{X: -lr.w / 2, Y: -lr.h/2 - 0.3, W: lr.w, H: lr.h + 0.6}
	img, err := st.frameCrop(lr.center, lr.angle, false, fr, st.barPx())
	if err != nil || !barLike(img) {
		return false
	}
	const quiet = 2.0
	fr = layout.Rect{X: -lr.w/2 - quiet, Y: -lr.h/2 - 0.3, W: lr.w + 2*quiet, H: lr.h + 0.6}
	if img, err = st.frameCrop(lr.center, lr.angle, false, fr, st.barPx()); err != nil {
		return false
	}
	q := st.r.bars.Quick()
	if _, _, err := q.Code32(img); err == nil {
		return false
	}
	_, _, err = q.Targatura(img)
	return err != nil
}
