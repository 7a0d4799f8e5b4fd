package vision

import (
	"image"
	"math"
	"sort"

	"gocv.io/x/gocv"

	"github.com/regfus/regfus/geom"
)

// Region is a rotated rectangle in an image, in continuous pixels.
type Region struct {
	Center geom.Point
	// W is the side along the reading direction (across the bars), H the
	// side along the bars.
	W, H float64
	// Angle is the clockwise rotation of the reading direction from the
	// image's x axis, degrees in (-90, 90].
	Angle float64
}

// FindBarRegions returns the regions of g that look like 1D barcodes:
// dense vertical edges with few horizontal ones, closed into solid blocks.
// pxPerMM is the scale of g; regions are kept when their height (along the
// bars) is between minH and maxH mm and their width at least minW mm.
// Bars within about 30 degrees of vertical are found. Largest first.
func FindBarRegions(g *image.Gray, pxPerMM, minW, minH, maxH float64) ([]Region, error) {
	src, err := toMat(g)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	diff := barEdges(src, pxPerMM)
	defer diff.Close()
	out, tall, pieces := barBlocks(diff, nil, barLevel, pxPerMM, barGap, minW, minH, maxH)
	// A blurred photo's dense narrow bars (a narrow bar of about 1.2 px
	// under a blur of 1 to 2 px) keep little of their edges: their
	// response can stay under barLevel, where a sharp scan's saturates.
	// Where the strongest response in g is weak, blocks are sought once
	// more at a level that is a fraction of it: whole symbols that the
	// first pass did not find are added, and a block that holds one
	// region of the first pass and is wider (the first pass found only
	// the symbol's wider part) takes its place. A block meeting two
	// regions of the first pass joins two symbols: it is not taken.
	//
	// Under more blur a run of narrow bars and spaces turns flat grey: no
	// edge at all for up to about 2.5 mm between the wide bars, which the
	// close does not bridge, so the symbol's blocks stay pieces narrower
	// than minW and it is not found at any level, even where its wide
	// bars' edges are strong (seed 4101's phone page 6: the Code 32 of
	// slots 11 and 12, every design). The second pass also bridges gaps
	// up to darkGap where they are darker than the paper around them
	// (bars blurred to grey, not a quiet zone, paper or a label's tint),
	// and runs also where the first pass saw such pieces (blocks of a
	// bar's height at least minPieceW wide but under minW). A sharp
	// image (a scan, a 1-bit scan's full-contrast edges) with no pieces
	// keeps the first pass alone.
	if low := weakLevel(diff); low < barLevel || pieces > 0 {
		dark := inkMask(src, darkWindow*pxPerMM, darkRatio)
		defer dark.Close()
		more, _, _ := barBlocks(diff, &dark, min(low, barLevel), pxPerMM, barGap, math.Max(minW, minSymbolW), minH, maxH)
		first := len(out)
		grown := make([]bool, first)
		for _, m := range more {
			hit := overlapping(m, out[:first])
			switch {
			case len(hit) == 0:
				out = append(out, m)
			case len(hit) == 1:
				o := out[hit[0]]
				if m.W >= o.W+pieceGrowth*pxPerMM && math.Abs(m.Angle-o.Angle) < 5 && !grown[hit[0]] {
					out[hit[0]], grown[hit[0]] = m, true
				}
			}
		}
	}
	// A block taller than any bars is bars joined to something along
	// them: most often a tinted label's edge within the close of its
	// bars' quiet zone (1.6 mm on some labels). Inside it, blocks closed
	// over narrower gaps part the two. Only blocks as wide as a whole
	// symbol count there: the narrower close can also part a symbol at
	// its widest spaces, and such a piece, read by its digit line alone,
	// would be a second symbol of its kind on the label.
	for _, r := range tall {
		sub := diff.Region(r)
		more, _, _ := barBlocks(sub, nil, barLevel, pxPerMM, barGapTight, math.Max(minW, minSymbolW), minH, maxH)
		sub.Close()
		first := len(out)
		for _, m := range more {
			m.Center = m.Center.Add(geom.Point{X: float64(r.Min.X), Y: float64(r.Min.Y)})
			// The block's bounding box can take in bars the first pass
			// found whole beside it: those are not found twice.
			if !overlapsAny(m, out[:first]) {
				out = append(out, m)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].W*out[i].H > out[j].W*out[j].H })
	return out, nil
}

// The gaps (mm) between bars that closing bridges: a symbol's widest
// spaces are up to about 1 mm; barGapTight is the second pass's, inside a
// block too tall to be bars.
const (
	barGap      = 1.4
	barGapTight = 0.7
	// minSymbolW (mm) is about the narrowest whole symbol labels print:
	// a 10-digit ITF at a 0.19 mm narrow bar and 2:1 is about 15 mm.
	minSymbolW = 14.0
)

// darkGap (mm) is the widest gap between bar edges that the second pass
// bridges where the gap is darker than darkRatio of the paper level (the
// brightest grey within darkWindow mm, as InkFraction's): a blurred
// photo's runs of narrow bars and spaces, grey without edges (they were
// about 0.63 of the paper on seed 4101's page 6). minPieceW (mm) is the
// narrowest block of the first pass that counts as a piece of a symbol.
const (
	minPieceW  = 2.0
	darkGap    = 4.0
	darkWindow = 6.0
	darkRatio  = 0.8
)

// barLevel is the edge response (of barEdges) that bars reach: a sharp
// scan's bars saturate it (about 250), text and noise stay under it.
// weakFraction and minWeakLevel set the second pass's level on a weak
// image: a fraction of its strongest response, never under the noise of
// paper (empty slots of blurred photos reach 50 to 65 at most; their
// blocks stay under 15).
const (
	barLevel     = 40
	weakFraction = 0.25
	minWeakLevel = 20
)

// weakLevel is the level of FindBarRegions' second pass over diff:
// weakFraction of its strongest response, at least minWeakLevel.
// It is barLevel or more on every image whose strongest response is
// 160 or more (scans, sharp photos), which then have no second pass.
func weakLevel(diff gocv.Mat) float32 {
	_, mx, _, _ := gocv.MinMaxLoc(diff)
	return max(minWeakLevel, weakFraction*mx)
}

// overlapsAny reports whether r's bounding box meets any of rs'.
func overlapsAny(r Region, rs []Region) bool {
	return len(overlapping(r, rs)) > 0
}

// overlapping returns the indices of the regions of rs whose bounding box
// meets r's.
func overlapping(r Region, rs []Region) []int {
	b := r.bounds()
	var out []int
	for i, o := range rs {
		if b.Overlaps(o.bounds()) {
			out = append(out, i)
		}
	}
	return out
}

// pieceGrowth (mm) is how much wider than a region of the first pass a
// block of the weak pass must be to replace it: a piece of a symbol
// found whole, not the same bars' blur.
const pieceGrowth = 3.0

// bounds is the axis-aligned bounding box of r.
func (r Region) bounds() image.Rectangle {
	a := r.Angle * math.Pi / 180
	c, s := math.Abs(math.Cos(a)), math.Abs(math.Sin(a))
	hw, hh := (r.W*c+r.H*s)/2, (r.W*s+r.H*c)/2
	return image.Rect(int(r.Center.X-hw), int(r.Center.Y-hh), int(math.Ceil(r.Center.X+hw)), int(math.Ceil(r.Center.Y+hh)))
}

// barEdges is where g has vertical edges and few horizontal ones, blurred
// over about 0.6 mm.
func barEdges(src gocv.Mat, pxPerMM float64) gocv.Mat {
	gx, gy := gocv.NewMat(), gocv.NewMat()
	defer gx.Close()
	defer gy.Close()
	gocv.Sobel(src, &gx, gocv.MatTypeCV16S, 1, 0, 3, 1, 0, gocv.BorderDefault)
	gocv.Sobel(src, &gy, gocv.MatTypeCV16S, 0, 1, 3, 1, 0, gocv.BorderDefault)
	ax, ay := gocv.NewMat(), gocv.NewMat()
	defer ax.Close()
	defer ay.Close()
	gocv.ConvertScaleAbs(gx, &ax, 1, 0)
	gocv.ConvertScaleAbs(gy, &ay, 1, 0)
	diff := gocv.NewMat()
	gocv.Subtract(ax, ay, &diff) // saturates at 0
	k := max(3, int(pxPerMM*0.6)|1)
	gocv.Blur(diff, &diff, image.Pt(k, k))
	return diff
}

// barBlocks closes the edges of diff above level over gaps up to gap mm into solid
// blocks and returns those of a bar region's size, and the bounds (pixels
// of diff) of the blocks taller than maxH but otherwise such.
func barBlocks(diff gocv.Mat, dark *gocv.Mat, level float32, pxPerMM, gap, minW, minH, maxH float64) ([]Region, []image.Rectangle, int) {
	bin := gocv.NewMat()
	defer bin.Close()
	gocv.Threshold(diff, &bin, level, 255, gocv.ThresholdBinary)
	var wide gocv.Mat
	if dark != nil {
		wide = gocv.NewMat()
		defer wide.Close()
		k := gocv.GetStructuringElement(gocv.MorphRect, image.Pt(max(3, int(pxPerMM*darkGap)), max(1, int(pxPerMM*0.3))))
		gocv.MorphologyEx(bin, &wide, gocv.MorphClose, k)
		k.Close()
		gocv.BitwiseAnd(wide, *dark, &wide)
	}
	// Close the gaps between bars, then open to drop thin text strokes.
	closeK := gocv.GetStructuringElement(gocv.MorphRect, image.Pt(max(3, int(pxPerMM*gap)), max(1, int(pxPerMM*0.3))))
	defer closeK.Close()
	gocv.MorphologyEx(bin, &bin, gocv.MorphClose, closeK)
	if dark != nil {
		gocv.BitwiseOr(bin, wide, &bin)
	}
	openK := gocv.GetStructuringElement(gocv.MorphRect, image.Pt(max(3, int(pxPerMM*1.0)), max(3, int(pxPerMM*1.0))))
	defer openK.Close()
	gocv.MorphologyEx(bin, &bin, gocv.MorphOpen, openK)

	contours := gocv.FindContours(bin, gocv.RetrievalExternal, gocv.ChainApproxSimple)
	defer contours.Close()
	var out []Region
	var tall []image.Rectangle
	pieces := 0
	for i := 0; i < contours.Size(); i++ {
		pv := contours.At(i)
		rr := gocv.MinAreaRect(pv)
		w, h, ang := float64(rr.Width), float64(rr.Height), rr.Angle
		// Normalise so that W runs across the bars (the long side).
		if h > w {
			w, h = h, w
			ang += 90
		}
		for ang > 90 {
			ang -= 180
		}
		for ang <= -90 {
			ang += 180
		}
		if math.Abs(ang) > 30 {
			continue
		}
		wm, hm := w/pxPerMM, h/pxPerMM
		if wm >= minPieceW && wm < minW && hm >= minH && hm <= maxH {
			pieces++
		}
		if wm < minW || hm < minH {
			continue
		}
		if hm > maxH {
			tall = append(tall, gocv.BoundingRect(pv))
			continue
		}
		pts := pv.ToPoints()
		_, c := polygonAreaCentroid(pts)
		out = append(out, Region{Center: c, W: w, H: h, Angle: ang})
	}
	return out, tall, pieces
}

// InkFraction returns, for each rectangle, the fraction of its pixels
// darker than ratio times the local paper level (estimated as in
// FindSquares with a window of kernel pixels): how much is printed or
// written there, robust to tinted paper and shadows.
func InkFraction(g *image.Gray, kernel, ratio float64, rects []image.Rectangle) ([]float64, error) {
	src, err := toMat(g)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	mask := inkMask(src, kernel, ratio)
	defer mask.Close()
	out := make([]float64, len(rects))
	b := image.Rect(0, 0, g.Rect.Dx(), g.Rect.Dy())
	for i, r := range rects {
		r = r.Intersect(b)
		if r.Empty() {
			continue
		}
		sub := mask.Region(r)
		out[i] = float64(gocv.CountNonZero(sub)) / float64(r.Dx()*r.Dy())
		sub.Close()
	}
	return out, nil
}
