package barcode

import (
	"math"
)

// spansBars tells whether the reads hs of one FindAll cluster (the same
// text, the same place) span the whole symbol in the image, not only on
// their own lines.
//
// wholeRead already holds each line's read to the bars and quiet zones of
// its own line, but a line that crosses a symbol obliquely enters or
// leaves it through the top or bottom of its bars, where the paper beyond
// looks like a quiet zone: a 10-digit ITF crossed at 30 degrees can read
// as its last 6 digits with white on both sides. So the symbol's own axis
// is measured from its bars (the dominant gradient orientation around the
// reads, the structure tensor: bar edges are all perpendicular to the
// axis), a band along that axis through the reads is thresholded, and the
// bars there are followed out from the reads' centre until a quiet zone
// (quietNarrow narrow widths) or the image's edge. The reads are whole
// when their outer bar edges, projected on the axis (every point of a bar
// edge projects to the same place), reach both ends of those bars within
// three narrow widths; a partial read falls short by at least a
// character.
func (d *Decoder) spansBars(p plane, hs []hit) bool {
	if len(hs) == 0 {
		return false
	}
	var cx, cy, length, narrow float64
	inv := 0
	for _, h := range hs {
		if h.inverted {
			inv++
		}
		cx += h.cx
		cy += h.cy
		length += h.length
		narrow += h.narrow
	}
	n := float64(len(hs))
	cx, cy, length, narrow = cx/n, cy/n, length/n, narrow/n

	// The axis: structure tensor of the gradient in a window on the reads.
	hw := int(math.Max(3, math.Min(length/6, 40)))
	ix, iy := int(math.Round(cx)), int(math.Round(cy))
	var jxx, jyy, jxy float64
	for y := max(1, iy-hw); y <= min(p.h-2, iy+hw); y++ {
		row := p.pix[y*p.stride:]
		up, down := p.pix[(y-1)*p.stride:], p.pix[(y+1)*p.stride:]
		for x := max(1, ix-hw); x <= min(p.w-2, ix+hw); x++ {
			gx := float64(int(row[x+1]) - int(row[x-1]))
			gy := float64(int(down[x]) - int(up[x]))
			jxx += gx * gx
			jyy += gy * gy
			jxy += gx * gy
		}
	}
	if jxx+jyy == 0 {
		return false
	}
	th := 0.5 * math.Atan2(2*jxy, jxx-jyy)
	ux, uy := math.Cos(th), math.Sin(th)
	// Along the reads, and how far their lines are from the axis.
	dx, dy := hs[0].x1-hs[0].x0, hs[0].y1-hs[0].y0
	dl := math.Hypot(dx, dy)
	if dl == 0 {
		return false
	}
	cosA := (ux*dx + uy*dy) / dl
	if cosA < 0 {
		ux, uy, cosA = -ux, -uy, -cosA
	}
	xa := narrow * cosA // narrow width along the axis
	if xa <= 0 {
		return false
	}

	// The reads' outer edges on the axis, relative to the centre.
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, h := range hs {
		for _, q := range [][2]float64{{h.x0, h.y0}, {h.x1, h.y1}} {
			t := (q[0]-cx)*ux + (q[1]-cy)*uy
			lo, hi = math.Min(lo, t), math.Max(hi, t)
		}
	}

	// The bars along the axis through the centre. Following them on the
	// rows above and below too would catch a symbol whose bars are cut
	// obliquely (a corner covered by another label's paper) but lost whole
	// reads of ZXing's ITF photos (dark objects beside the bars' top): not
	// done, so such a symbol can still read as a shorter ITF.
	tol := 3*xa + 1
	a, b, nb, ok := d.axisBars(p, cx, cy, ux, uy, xa, lo, hi, 2*inv > len(hs))
	return ok && nb > 0 && a >= lo-tol && b <= hi+tol
}

// axisBars thresholds the line through (cx, cy) along (ux, uy) and
// follows the bars at (cx, cy) out to a quiet zone (quietNarrow narrow
// widths xa) or the line's end. It returns their ends relative to (cx, cy)
// in px along the line and how many bars lie between lo and hi.
func (d *Decoder) axisBars(p plane, cx, cy, ux, uy, xa, lo, hi float64, invert bool) (float64, float64, int, bool) {
	t0, t1, ok := clipLine(cx, cy, ux, uy, float64(p.w-1), float64(p.h-1))
	// No farther than the reads' length beyond their ends: bars that go on
	// to there are too many already.
	t0, t1 = math.Max(t0, 2*lo-hi), math.Min(t1, 2*hi-lo)
	if !ok || t1-t0 < 2 {
		return 0, 0, 0, false
	}
	// Upsampled and thresholded as FindAll's axis lines are, but gated by
	// contrast only (as in a crop): the line lies on the symbol.
	const scale = 2
	l := scanLine{ox: cx + t0*ux, oy: cy + t0*uy, dx: ux, dy: uy, step: 1.0 / scale, n: int((t1-t0)*scale) + 1, band: 3}
	d.lum = p.sample(l, d.lum, &d.acc)
	d.lum, d.tmp = sharpenLine(d.lum, scale, d.tmp), d.lum
	if invert { // light bars on a dark ground
		for i, v := range d.lum {
			d.lum[i] = 255 - v
		}
	}
	bits := bitsOf(&d.bits, len(d.lum))
	r := max(16*scale, min(len(d.lum)/24, 64*scale))
	if !midpointRow(d.lum, r, 0, bits, nil, &d.lo, &d.hi, &d.mm) {
		return 0, 0, 0, false
	}
	d.wrl = runs(bits, d.wrl)
	rl := d.wrl
	c := int(-t0 * scale) // the centre's sample
	k, pos := 0, 0
	for k < len(rl)-1 && pos+rl[k] <= c {
		pos += rl[k]
		k++
	}
	quiet := int(math.Ceil(quietNarrow * xa * scale))
	// Follow the bars out to a quiet zone or the line's end.
	a, ka := pos, k
	for ka > 0 && !(ka%2 == 1 && rl[ka-1] >= quiet) {
		ka--
		a -= rl[ka]
	}
	if ka%2 == 0 { // a white run: the bars start after it
		a += rl[ka]
	}
	b, kb := pos+rl[k], k
	for kb < len(rl)-1 && !(kb%2 == 1 && rl[kb+1] >= quiet) {
		kb++
		b += rl[kb]
	}
	if kb%2 == 0 {
		b -= rl[kb]
	}
	if b <= a {
		return 0, 0, 0, false // no bar here
	}
	// Bars between lo and hi.
	n, x := 0, 0
	l0, l1 := c+int(lo*scale), c+int(hi*scale)
	for i, v := range rl {
		if i%2 == 1 && x+v > l0 && x < l1 {
			n++
		}
		x += v
	}
	return float64(a-c) / scale, float64(b-c) / scale, n, true
}
