package vision

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"

	"gocv.io/x/gocv"

	"github.com/regfus/regfus/geom"
)

// MaxCropPixels bounds one warp (a full A4 page at 600 dpi is 35 Mpx).
const MaxCropPixels = 40_000_000

// Warp returns a size.X x size.Y image whose pixel centre (u+0.5, v+0.5)
// takes its gray level, by bilinear interpolation, from the point
// toSource.Apply(u+0.5, v+0.5) of im. Points outside im read as white paper.
//
// An affine toSource (every page acquisition places with three markers, or
// four that agree) is warped by OpenCV's warpAffine, a homography by
// warpPerspective. The first costs half the CPU (0.86 against 1.70 ms for
// a label-outline crop, BenchmarkWarp): it steps source positions by
// additions, in 1/1024 pixel, where the second divides per pixel. Both
// then interpolate in 1/32 pixel, so they give the same pixels but for
// the odd one where rounding falls the other way (0.08% of the pixels of
// crops of a rendered sheet differ, by a few gray levels;
// TestWarpAffineMatchesPerspective).
func (im *Image) Warp(toSource geom.Homography, size image.Point) (*image.Gray, error) {
	if err := im.check(); err != nil {
		return nil, err
	}
	if size.X <= 0 || size.Y <= 0 || size.X*size.Y > MaxCropPixels {
		return nil, fmt.Errorf("vision: warp size %dx%d out of range", size.X, size.Y)
	}
	for _, v := range toSource {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, errors.New("vision: warp: transform is not finite")
		}
	}
	// OpenCV works in pixel-index coordinates (centre of pixel i at i):
	// index = continuous - 0.5 on both sides.
	shift := func(d float64) geom.Homography { return geom.Translate(d, d) }
	m := shift(-0.5).Mul(toSource).Mul(shift(0.5))
	// OpenCV writes the crop straight into Go memory: a Mat header over
	// the result's pixels, of the size and type warpAffine asks for, so it
	// allocates nothing (a crop of C memory, as before, cost a malloc, the
	// page faults of a fresh mapping for any crop over 128 KB, and a copy
	// back to Go). Every pixel is written (a constant border), so the
	// buffer may be a recycled one (see Recycle).
	out := newGray(size.X, size.Y)
	dst, err := gocv.NewMatFromBytes(size.Y, size.X, gocv.MatTypeCV8UC1, out.Pix)
	if err != nil {
		return nil, fmt.Errorf("vision: warp: %w", err)
	}
	defer dst.Close()
	flags, white := gocv.InterpolationLinear|gocv.WarpInverseMap, color.RGBA{255, 255, 255, 255}
	if m[6] == 0 && m[7] == 0 && m[8] == 1 {
		hm := gocv.NewMatWithSize(2, 3, gocv.MatTypeCV64F)
		defer hm.Close()
		for i, v := range m[:6] {
			hm.SetDoubleAt(i/3, i%3, v)
		}
		gocv.WarpAffineWithParams(im.mat, &dst, hm, size, flags, gocv.BorderConstant, white)
	} else {
		hm := gocv.NewMatWithSize(3, 3, gocv.MatTypeCV64F)
		defer hm.Close()
		for i, v := range m {
			hm.SetDoubleAt(i/3, i%3, v)
		}
		gocv.WarpPerspectiveWithParams(im.mat, &dst, hm, size, flags, gocv.BorderConstant, white)
	}
	// OpenCV reallocates a destination it cannot write into; then the
	// pixels are not in out and are copied from C as before.
	if p, err := dst.DataPtrUint8(); err != nil || len(p) == 0 || &p[0] != &out.Pix[0] {
		return toGray(dst)
	}
	return out, nil
}

// Sharpness returns the variance of the Laplacian of g, a standard focus
// measure: lower is blurrier. Compare it only between images of the same
// content at the same scale (regfus measures it on the head barcode warped
// to a fixed resolution).
func Sharpness(g *image.Gray) (float64, error) {
	m, err := toMat(g)
	if err != nil {
		return 0, err
	}
	defer m.Close()
	lap := gocv.NewMat()
	defer lap.Close()
	gocv.Laplacian(m, &lap, gocv.MatTypeCV64F, 1, 1, 0, gocv.BorderDefault)
	mean, std := gocv.NewMat(), gocv.NewMat()
	defer mean.Close()
	defer std.Close()
	gocv.MeanStdDev(lap, &mean, &std)
	s := std.GetDoubleAt(0, 0)
	return s * s, nil
}
