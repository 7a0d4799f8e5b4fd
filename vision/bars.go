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
	defer diff.Close()
	gocv.Subtract(ax, ay, &diff) // saturates at 0
	k := max(3, int(pxPerMM*0.6)|1)
	gocv.Blur(diff, &diff, image.Pt(k, k))
	bin := gocv.NewMat()
	defer bin.Close()
	gocv.Threshold(diff, &bin, 40, 255, gocv.ThresholdBinary)
	// Close the gaps between bars (wide spaces are up to ~1 mm), then
	// open to drop thin text strokes.
	closeK := gocv.GetStructuringElement(gocv.MorphRect, image.Pt(max(3, int(pxPerMM*1.4)), max(1, int(pxPerMM*0.3))))
	defer closeK.Close()
	gocv.MorphologyEx(bin, &bin, gocv.MorphClose, closeK)
	openK := gocv.GetStructuringElement(gocv.MorphRect, image.Pt(max(3, int(pxPerMM*1.0)), max(3, int(pxPerMM*1.0))))
	defer openK.Close()
	gocv.MorphologyEx(bin, &bin, gocv.MorphOpen, openK)

	contours := gocv.FindContours(bin, gocv.RetrievalExternal, gocv.ChainApproxSimple)
	defer contours.Close()
	var out []Region
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
		if wm < minW || hm < minH || hm > maxH {
			continue
		}
		pts := pv.ToPoints()
		_, c := polygonAreaCentroid(pts)
		out = append(out, Region{Center: c, W: w, H: h, Angle: ang})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].W*out[i].H > out[j].W*out[j].H })
	return out, nil
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
