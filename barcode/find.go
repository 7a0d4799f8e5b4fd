package barcode

import (
	"image"
	"math"
	"sort"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned"

	"github.com/regfus/regfus/fustella"
)

// Detection is one symbol FindAll found in an image.
type Detection struct {
	Format Format
	// Text is the value as printed by regfus barcode: the CODE 39 text, the
	// ITF digits, or for CODE32 the AIC as "A" + 9 digits.
	Text string
	// Bars is what the bars say (for CODE32 the 6 base-32 characters).
	Bars string
	// X, Y is the symbol's centre in image pixels (relative to the image's
	// bounds), approximate: the mean of the scan lines that read it.
	X, Y float64
	// Angle is the reading direction in degrees, clockwise on screen from
	// left-to-right: 0 upright, 90 reads top to bottom, 180 upside down,
	// 270 reads bottom to top; quantised to the scan directions.
	Angle float64
	// Lines is how many scan lines read it (at least findMinLines).
	Lines int
	// Inverted: light bars on a dark ground (a negative).
	Inverted bool
}

const (
	// findMinLines is how many scan lines must agree before FindAll reports
	// a symbol: one line can be a partial or lucky read, two (different
	// rows or directions) agreeing on the text at the same place is a
	// symbol. A read whose check digit passes (Code 32, targatura) needs one.
	findMinLines = 2
	// findAngleStep is the spacing of scan directions. A CODE 39 or ITF
	// symbol whose height is at least a sixth of its length (fustella
	// codes, most labels) is crossed end to end by lines up to 9 degrees
	// off its axis, so 15-degree steps leave no gap.
	findAngleStep = 15
	// findNoiseK: a FindAll line is black only where the local range of grey
	// is at least this many times its noise level (see midpointRow).
	findNoiseK = 6
	// findNearAxisScale is the upsampling of the near-axis tilted lines.
	findNearAxisScale = 2
)

// findNearAxis are extra directions either side of 0 and 90 degrees. The
// sheet barcode is 100 x 11 mm: lines more than 6 degrees off its axis
// cut through its ends, so near the axes (where sheets and labels mostly
// sit, give or take a skewed scan or a hand-held photo) directions are
// 4 degrees apart. They also read bitonal scans: on a page skewed by half a
// degree, every row crosses a bar's staircase edge at the same step, so
// all rows see the same (possibly unreadable) widths, while a tilted line
// samples the edges at varying phases.
var findNearAxis = []float64{4, 8}

// findDirs is the order FindAll scans in: the right angles first, then
// near them, then every 15 degrees. Each line is read both ways, so the
// half-turn covers every orientation.
var findDirs = func() []float64 {
	dirs := []float64{0, 90}
	for _, a := range findNearAxis {
		dirs = append(dirs, a, 180-a, 90-a, 90+a)
	}
	for a := findAngleStep; a < 180; a += findAngleStep {
		if a != 90 {
			dirs = append(dirs, float64(a))
		}
	}
	return dirs
}()

// hit is one scan line's read.
type hit struct {
	format   Format
	bars     string
	cx, cy   float64 // centre, image px
	x0, y0   float64 // outer edge of the first bar read, image px
	x1, y1   float64 // and of the last
	narrow   float64 // narrow width along the line, px
	length   float64 // px
	angle    float64 // reading direction, degrees
	line     int     // scan line id
	inverted bool    // light bars on a dark ground
}

// FindAll returns every CODE 39, Code 32 and ITF symbol in img, anywhere
// and in any orientation: a photo of one label, a whole scanned sheet.
//
// It scans the image with families of parallel lines a few pixels apart
// in 20 directions (see findDirs). Every line is sharpened and thresholded
// at the local midpoint (axis lines also upsampled and band-averaged),
// split at quiet zones into candidate symbols (so a line through a row of
// fustelle yields each) and each piece read as CODE 39 and as ITF, dark on
// light and light on dark. Reads of the same text at the same place are
// clustered into one Detection. A cluster read by fewer than 2 lines is
// dropped unless a check digit vouches for it (a Code 32, a 10-digit ITF
// that is a valid targatura); where two different reads overlap only the
// one more lines agree on is kept. A CODE 39 read of 6 characters that
// converts to a valid AIC is reported as CODE32. The result is sorted top
// to bottom, then left to right.
//
// Only whole symbols are reported: every line's read spans the bars of
// its piece of line with quiet zones either side (see wholeRead), and a
// cluster's reads span the bars found along the symbol's own axis, on its
// middle row and on the rows above and below it (see spansBars), so a
// symbol cut by the image's edge, crossed obliquely, or partly covered
// by other paper is not reported as the shorter symbol its visible bars
// can spell. ITF texts are otherwise not validated (any even length of 6
// or more); use Decoder.Targatura on a crop for a checked value.
func (d *Decoder) FindAll(img image.Image) []Detection {
	d.init()
	if img == nil {
		return nil
	}
	p := planeFromImage(img)
	if p.w < minCropSize && p.h < minCropSize {
		return nil
	}
	step := float64(max(2, min(6, min(p.w, p.h)/400)))
	var hits []hit
	line := 0
	for _, dir := range findDirs {
		a := dir * math.Pi / 180
		ux, uy := math.Cos(a), math.Sin(a)
		if dir == 90 {
			ux, uy = 0, 1
		}
		nx, ny := -uy, ux
		// Range of the normal coordinate over the image.
		smin, smax := math.Inf(1), math.Inf(-1)
		for _, c := range [][2]float64{{0, 0}, {float64(p.w - 1), 0}, {0, float64(p.h - 1)}, {float64(p.w - 1), float64(p.h - 1)}} {
			s := c[0]*nx + c[1]*ny
			smin, smax = math.Min(smin, s), math.Max(smax, s)
		}
		// Right-angle lines take the sampler's fast path, so they can afford
		// upsampling and a 3-row band; oblique ones are sampled bilinearly,
		// one row, at the pixel pitch (most of FindAll's time).
		axis := dir == 0 || dir == 90
		scale, band := 1, 1
		if axis {
			scale, band = 2, 3
		} else if m := math.Mod(dir, 90); m < 10 || m > 80 {
			scale = findNearAxisScale
		}
		for s := math.Floor(smin + step/2); s <= smax; s += step {
			t0, t1, ok := clipLine(s*nx, s*ny, ux, uy, float64(p.w-1), float64(p.h-1))
			if !ok || t1-t0 < minCropSize {
				continue
			}
			ox, oy := s*nx+t0*ux, s*ny+t0*uy
			if axis { // keep the fast path: whole pixels, and the upsampling phase along the line
				ox, oy = math.Round(ox)+phase(scale)*ux, math.Round(oy)+phase(scale)*uy
			}
			l := scanLine{ox: ox, oy: oy, dx: ux, dy: uy, step: 1 / float64(scale),
				n: int((t1-t0)*float64(scale)) + 1, band: band}
			line++
			d.lum = p.sample(l, d.lum, &d.acc)
			d.lum, d.tmp = sharpenLine(d.lum, scale, d.tmp), d.lum
			bits, inv := bitsOf(&d.bits, len(d.lum)), bitsOf(&d.inv, len(d.lum))
			r := max(16*scale, min(len(d.lum)/24, 64*scale))
			if !midpointRow(d.lum, r, findNoiseK, bits, inv, &d.lo, &d.hi, &d.mm) {
				continue
			}
			for pol, b := range []*gozxing.BitArray{bits, inv} {
				for _, rt := range []struct {
					f     Format
					rd    oned.RowDecoder
					g     guard
					hints map[gozxing.DecodeHintType]interface{}
				}{{FormatCode39, d.code39, code39Guard, nil}, {FormatITF, d.itf, itfGuard, itfTarget.hints}} {
					d.decodeLine(b, rt.rd, rt.hints, rt.g, rt.f == FormatITF, true, func(lr lineRead) bool {
						x0, y0 := l.point(lr.start)
						x1, y1 := l.point(lr.end)
						ang := dir
						if lr.reversed {
							ang += 180
						}
						hits = append(hits, hit{format: rt.f, bars: lr.text, cx: (x0 + x1) / 2, cy: (y0 + y1) / 2,
							x0: x0, y0: y0, x1: x1, y1: y1, narrow: lr.narrow * l.step,
							length: math.Hypot(x1-x0, y1-y0), angle: ang, line: line, inverted: pol == 1})
						return false
					})
				}
			}
		}
	}
	return clusterHits(hits, func(hs []hit) bool { return d.spansBars(p, hs) })
}

// clipLine clips the line (ox,oy) + t*(ux,uy) to [0,w]x[0,h] and returns
// the t interval.
func clipLine(ox, oy, ux, uy, w, h float64) (float64, float64, bool) {
	t0, t1 := math.Inf(-1), math.Inf(1)
	for _, c := range [][3]float64{{ox, ux, w}, {oy, uy, h}} {
		o, u, lim := c[0], c[1], c[2]
		if math.Abs(u) < 1e-12 {
			if o < 0 || o > lim {
				return 0, 0, false
			}
			continue
		}
		a, b := (0-o)/u, (lim-o)/u
		if a > b {
			a, b = b, a
		}
		t0, t1 = math.Max(t0, a), math.Min(t1, b)
	}
	return t0, t1, t0 <= t1
}

// clusterHits groups hits of the same symbol (same format and bars, centres
// within half a symbol length) and turns clusters into Detections. whole
// tells whether a cluster's reads span the symbol's bars (see spansBars);
// a cluster that does not is dropped before overlapping reads are sorted
// out, so that a partial read never shadows the whole one.
func clusterHits(hits []hit, whole func([]hit) bool) []Detection {
	parent := make([]int, len(hits))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	// near: centres within half a symbol length along a's reading
	// direction and a quarter across it. Single linkage chains the lines of
	// one symbol however tall it is, while two identical codes stacked on
	// neighbouring labels (the same medicine twice) stay apart.
	near := func(a, b hit) bool {
		return orientedClose(a.cx, a.cy, b.cx, b.cy, a.angle, a.length, b.length)
	}
	for i := range hits {
		for j := i + 1; j < len(hits); j++ {
			if hits[i].format == hits[j].format && hits[i].bars == hits[j].bars && near(hits[i], hits[j]) {
				if ri, rj := find(i), find(j); ri != rj {
					parent[rj] = ri
				}
			}
		}
	}
	type cluster struct {
		hits   []hit
		det    Detection
		length float64
		lines  map[int]bool
		votes  map[float64]int
		inv    int // inverted hits minus upright ones
	}
	byRoot := map[int]*cluster{}
	var order []int
	for i, h := range hits {
		r := find(i)
		c := byRoot[r]
		if c == nil {
			c = &cluster{det: Detection{Format: h.format, Bars: h.bars}, lines: map[int]bool{}, votes: map[float64]int{}}
			byRoot[r] = c
			order = append(order, r)
		}
		c.hits = append(c.hits, h)
		n := float64(len(c.lines))
		if !c.lines[h.line] {
			c.det.X = (c.det.X*n + h.cx) / (n + 1)
			c.det.Y = (c.det.Y*n + h.cy) / (n + 1)
			c.length = (c.length*n + h.length) / (n + 1)
			c.lines[h.line] = true
		}
		c.votes[math.Mod(h.angle, 360)]++
		if h.inverted {
			c.inv++
		} else {
			c.inv--
		}
	}
	var cs []*cluster
	for _, r := range order {
		c := byRoot[r]
		c.det.Lines = len(c.lines)
		c.det.Inverted = c.inv > 0
		if c.det.Lines < findMinLines && !checked(c.det.Format, c.det.Bars) {
			continue
		}
		if whole != nil && !whole(c.hits) {
			continue
		}
		best := -1
		for a, v := range c.votes {
			if v > best || v == best && a < c.det.Angle {
				best, c.det.Angle = v, a
			}
		}
		cs = append(cs, c)
	}
	// overlaps tells whether two clusters are reads of the same place: their
	// centres are close along k's reading direction (within half their mean
	// length) and across it (within a quarter of the shorter: a symbol is
	// rarely less tall than that, and a Code 32 stacked over an ITF on a
	// fustella is farther).
	overlaps := func(c, k *cluster) bool {
		return orientedClose(c.det.X, c.det.Y, k.det.X, k.det.Y, k.det.Angle, c.length, k.length)
	}
	// Overlapping different reads: keep the one more lines agree on.
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].det.Lines > cs[j].det.Lines })
	var out []Detection
	var kept []*cluster
	for _, c := range cs {
		shadowed := false
		for _, k := range kept {
			if k.det.Lines > c.det.Lines && overlaps(c, k) {
				shadowed = true
				break
			}
		}
		if shadowed {
			continue
		}
		kept = append(kept, c)
		det := c.det
		det.Text = det.Bars
		if det.Format == FormatCode39 && len(det.Bars) == fustella.Code32Len {
			if a, err := fustella.AICFromCode32(det.Bars); err == nil {
				det.Format, det.Text = FormatCode32, a.Printed()
			}
		}
		out = append(out, det)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if math.Abs(out[i].Y-out[j].Y) > 1 {
			return out[i].Y < out[j].Y
		}
		return out[i].X < out[j].X
	})
	return out
}

// checked tells whether a read carries a check digit that passes: a Code 32
// (valid AIC) or a 10-digit ITF that is a valid targatura. One scan line
// is then enough to report it: the check digit is what guards against a
// partial or wrong read, as the page reader relies on it.
func checked(f Format, bars string) bool {
	switch f {
	case FormatCode39:
		_, err := fustella.AICFromCode32(bars)
		return len(bars) == fustella.Code32Len && err == nil
	case FormatITF:
		_, err := fustella.ParseTargatura(bars)
		return err == nil
	}
	return false
}

// orientedClose tells whether two reads are of the same place: their
// centres are within half their mean length of each other along the
// reading direction angle (degrees) and within a quarter of the shorter
// length across it.
func orientedClose(x1, y1, x2, y2, angle, l1, l2 float64) bool {
	a := angle * math.Pi / 180
	dx, dy := x1-x2, y1-y2
	along := math.Abs(dx*math.Cos(a) + dy*math.Sin(a))
	across := math.Abs(-dx*math.Sin(a) + dy*math.Cos(a))
	return along <= (l1+l2)/4 && across <= math.Min(l1, l2)/4
}
