package acquisition

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/regfus/regfus/geom"
	"github.com/regfus/regfus/icr/handgen"
	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/sheet"
	"github.com/regfus/regfus/vision"
)

// A stress corpus for the handwriting boxes, composed by rules of its own
// (not synth's): MNIST training digits the model was not trained on
// (indices 55000-59999, its held-out part; t10k is never read) written
// into the progressive and count boxes and the DATA cells as a scan shows
// them, region by region: at 200 or 300 dpi, skewed, the printed lines a
// little off their nominal place (the page map's error), digits of uneven
// height over and across the box lines, touching and overlapping their
// neighbours, slanted, rotated, thin and bold, in light and dark ink,
// with stray marks beside them; then blurred and noised, JPEG-compressed
// (office) or thresholded (bitonal). Each field is read by the real
// reader (segmentation, the model, the context) and decided as a page
// is (decideFields). No D: MNIST has none.

// stressDigits are MNIST's held-out training digits by label.
type stressDigits struct {
	img     [][]byte
	byDigit [10][]int
}

func loadStressDigits(t testing.TB) *stressDigits {
	t.Helper()
	imgs, labels, err := handgen.LoadMNIST("train")
	if err != nil {
		t.Fatal(err)
	}
	d := &stressDigits{}
	for i := 55000; i < len(imgs) && i < 60000; i++ {
		d.byDigit[labels[i]] = append(d.byDigit[labels[i]], len(d.img))
		d.img = append(d.img, imgs[i])
	}
	return d
}

// placed is one MNIST digit on the page: page mm (u, v) maps to MNIST
// pixel ((R(-rot)(u-cx, v-cy)).x + shear*y) / scale + ic, y / scale + jc).
type placed struct {
	img        []byte
	cx, cy     float64 // mm, the ink box's centre on the page
	ic, jc     float64 // the ink box's centre in the image
	scale      float64 // mm per MNIST pixel
	shear, rot float64
	lo, hi     float64 // level curve: coverage (v/255 - lo) / (hi - lo)
	radius     float64 // mm, all the ink lies within it of (cx, cy)
}

func (p *placed) cover(u, v float64) float64 {
	dx, dy := u-p.cx, v-p.cy
	if dx*dx+dy*dy > p.radius*p.radius {
		return 0
	}
	c, s := math.Cos(-p.rot), math.Sin(-p.rot)
	x, y := c*dx-s*dy, s*dx+c*dy
	x += p.shear * y
	i, j := x/p.scale+p.ic, y/p.scale+p.jc
	i0, j0 := math.Floor(i-0.5), math.Floor(j-0.5)
	fi, fj := i-0.5-i0, j-0.5-j0
	at := func(a, b int) float64 {
		if a < 0 || b < 0 || a >= 28 || b >= 28 {
			return 0
		}
		return float64(p.img[b*28+a]) / 255
	}
	a, b := int(i0), int(j0)
	val := (at(a, b)*(1-fi)+at(a+1, b)*fi)*(1-fj) + (at(a, b+1)*(1-fi)+at(a+1, b+1)*fi)*fj
	return math.Max(0, math.Min(1, (val-p.lo)/(p.hi-p.lo)))
}

// segment is a pen mark: a thick line from a to b, mm.
type segment struct{ ax, ay, bx, by, w float64 }

func (s segment) cover(u, v float64) float64 {
	dx, dy := s.bx-s.ax, s.by-s.ay
	l2 := dx*dx + dy*dy
	t := 0.0
	if l2 > 0 {
		t = math.Max(0, math.Min(1, ((u-s.ax)*dx+(v-s.ay)*dy)/l2))
	}
	ex, ey := u-(s.ax+t*dx), v-(s.ay+t*dy)
	if ex*ex+ey*ey <= s.w*s.w/4 {
		return 1
	}
	return 0
}

// stressWriter is one person's hand on one page.
type stressWriter struct {
	height, shear, rot float64 // height as a fraction of the box's
	lo, hi, dark       float64
	raise              float64 // the digits' centre above the box's, fraction of its height
}

func newStressWriter(r *rand.Rand) stressWriter {
	lo := 0.05 + 0.5*r.Float64()
	w := stressWriter{
		height: 0.5 + 0.38*r.Float64(),
		shear:  -0.15 + 0.6*r.Float64(),
		rot:    (-8 + 16*r.Float64()) * math.Pi / 180,
		lo:     lo, hi: lo + 0.25 + 0.2*r.Float64(),
		dark:  0.35 + 0.55*r.Float64(),
		raise: 0.12 * r.NormFloat64(),
	}
	if r.IntN(5) == 0 {
		w.raise += 0.2 // writes high: tops over the top line
	}
	return w
}

// digit places MNIST digit d, h mm tall, its ink box's centre at (cx, cy).
func (w stressWriter) digit(r *rand.Rand, ds *stressDigits, d int, cx, cy, h float64) placed {
	img := ds.img[ds.byDigit[d][r.IntN(len(ds.byDigit[d]))]]
	x0, y0, x1, y1 := 28, 28, -1, -1
	for j := range 28 {
		for i := range 28 {
			if img[j*28+i] > 64 {
				x0, y0, x1, y1 = min(x0, i), min(y0, j), max(x1, i), max(y1, j)
			}
		}
	}
	ih := float64(y1 - y0 + 1)
	p := placed{img: img, cx: cx, cy: cy, ic: float64(x0+x1+1) / 2, jc: float64(y0+y1+1) / 2,
		scale: h / ih, shear: w.shear + 0.08*r.NormFloat64(), rot: w.rot + 0.035*r.NormFloat64(), lo: w.lo, hi: w.hi}
	p.radius = 0.75 * 28 * p.scale * (1 + math.Abs(p.shear))
	return p
}

// width is the ink width of a placed digit, mm (before slant).
func (p placed) width() float64 {
	x0, x1 := 28, -1
	for j := range 28 {
		for i := range 28 {
			if p.img[j*28+i] > 64 {
				x0, x1 = min(x0, i), max(x1, i)
			}
		}
	}
	return float64(x1-x0+1) * p.scale
}

// stressRegion is a scanned region of the page: its image, its map from
// page mm, and what is drawn on it.
type stressRegion struct {
	area   layout.Rect // page mm the image covers
	dpi    float64
	skew   float64 // radians
	lines  []layout.Rect
	digits []placed
	marks  []segment
	dark   float64
}

// toSource is the region's page transform: mm to image pixels.
func (sr *stressRegion) toSource() geom.Homography {
	k := sr.dpi / 25.4
	c, s := math.Cos(sr.skew), math.Sin(sr.skew)
	// Rotate about the area's centre, then shift so the area is inside.
	mx, my := sr.area.X+sr.area.W/2, sr.area.Y+sr.area.H/2
	w, h := sr.size()
	tx := float64(w)/2 - k*(c*mx-s*my)
	ty := float64(h)/2 - k*(s*mx+c*my)
	return geom.Homography{k * c, -k * s, tx, k * s, k * c, ty, 0, 0, 1}
}

func (sr *stressRegion) size() (int, int) {
	k := sr.dpi / 25.4
	return int(math.Ceil((sr.area.W + 4) * k)), int(math.Ceil((sr.area.H + 4) * k))
}

// render draws the region (2x2 samples a pixel) and degrades it.
func (sr *stressRegion) render(r *rand.Rand, profile string) *image.Gray {
	w, h := sr.size()
	g := image.NewGray(image.Rect(0, 0, w, h))
	inv := sr.toSource().Inverse()
	paper := 225 + 25*r.Float64()
	for y := range h {
		for x := range w {
			var sum float64
			for _, o := range [4][2]float64{{0.25, 0.25}, {0.75, 0.25}, {0.25, 0.75}, {0.75, 0.75}} {
				p := inv.Apply(geom.Point{X: float64(x) + o[0], Y: float64(y) + o[1]})
				v := paper
				for _, l := range sr.lines {
					if p.X >= l.X && p.X < l.Right() && p.Y >= l.Y && p.Y < l.Bottom() {
						v = 55
					}
				}
				ink := 0.0
				for i := range sr.digits {
					ink = math.Max(ink, sr.digits[i].cover(p.X, p.Y))
				}
				for _, m := range sr.marks {
					ink = math.Max(ink, m.cover(p.X, p.Y))
				}
				sum += v * (1 - sr.dark*ink)
			}
			g.Pix[y*g.Stride+x] = uint8(sum / 4)
		}
	}
	sigma := map[string]float64{"clean": 0.5, "office": 0.9, "bitonal": 0.6}[profile] * sr.dpi / 200
	g = gaussBlur(g, sigma)
	noise := map[string]float64{"clean": 3, "office": 6, "bitonal": 4}[profile]
	for i, v := range g.Pix {
		g.Pix[i] = uint8(math.Max(0, math.Min(255, float64(v)+noise*r.NormFloat64())))
	}
	switch profile {
	case "office":
		var b bytes.Buffer
		if err := jpeg.Encode(&b, g, &jpeg.Options{Quality: 55 + r.IntN(30)}); err == nil {
			if im, err := jpeg.Decode(&b); err == nil {
				if gg, ok := im.(*image.Gray); ok {
					g = gg
				}
			}
		}
	case "bitonal":
		thr := uint8(paper * (0.55 + 0.15*r.Float64()))
		for i, v := range g.Pix {
			g.Pix[i] = 255
			if v < thr {
				g.Pix[i] = 0
			}
		}
	}
	return g
}

// gaussBlur blurs g with a Gaussian of sigma pixels (separable).
func gaussBlur(g *image.Gray, sigma float64) *image.Gray {
	rad := int(math.Ceil(2.5 * sigma))
	if rad < 1 {
		return g
	}
	k := make([]float64, 2*rad+1)
	var sum float64
	for i := range k {
		d := float64(i - rad)
		k[i] = math.Exp(-d * d / (2 * sigma * sigma))
		sum += k[i]
	}
	w, h := g.Rect.Dx(), g.Rect.Dy()
	tmp := make([]float64, w*h)
	for y := range h {
		for x := range w {
			var s float64
			for i, kv := range k {
				xx := min(max(x+i-rad, 0), w-1)
				s += kv * float64(g.Pix[y*g.Stride+xx])
			}
			tmp[y*w+x] = s / sum
		}
	}
	out := image.NewGray(g.Rect)
	for y := range h {
		for x := range w {
			var s float64
			for i, kv := range k {
				yy := min(max(y+i-rad, 0), h-1)
				s += kv * tmp[yy*w+x]
			}
			out.Pix[y*out.Stride+x] = uint8(math.Round(s / sum))
		}
	}
	return out
}

// boxLines are the four lines of a box, shifted by (dx, dy) mm.
func boxLines(b layout.Rect, t, dx, dy float64) []layout.Rect {
	b.X, b.Y = b.X+dx, b.Y+dy
	return []layout.Rect{{X: b.X, Y: b.Y, W: b.W, H: t}, {X: b.X, Y: b.Bottom() - t, W: b.W, H: t},
		{X: b.X, Y: b.Y, W: t, H: b.H}, {X: b.Right() - t, Y: b.Y, W: t, H: b.H}}
}

// writeBox writes text into box (its lines shifted by dx, dy) by w's
// rules, and a stray mark beside it now and then.
func (w stressWriter) writeBox(r *rand.Rand, ds *stressDigits, sr *stressRegion, box layout.Rect, text string) {
	H := box.H
	var ds2 []placed
	var ws, gaps []float64
	total := 0.0
	for i, ch := range text {
		h := H * w.height * (0.85 + 0.27*r.Float64())
		p := w.digit(r, ds, int(ch-'0'), 0, 0, h)
		ds2 = append(ds2, p)
		ws = append(ws, p.width())
		total += p.width()
		gap := 0.0
		if i > 0 {
			gap = h * (-0.15 + 0.45*r.Float64()) // under 0: touching, overlapping
		}
		gaps = append(gaps, gap)
		total += gap
	}
	x := box.X + 0.6 + (box.W-1.2-total)*r.Float64()
	if total > box.W-1.2 {
		x = box.X + 0.3
	}
	cy := box.Y + H/2 - w.raise*H
	for i := range ds2 {
		x += gaps[i]
		ds2[i].cx = x + ws[i]/2
		ds2[i].cy = cy + 0.06*H*r.NormFloat64()
		x += ws[i]
	}
	sr.digits = append(sr.digits, ds2...)
	if r.IntN(8) == 0 {
		// A stray mark: a dot or a short stroke beside the digits.
		mx := ds2[len(ds2)-1].cx + ws[len(ws)-1]/2 + 0.6 + 1.5*r.Float64()
		if r.IntN(2) == 0 {
			mx = ds2[0].cx - ws[0]/2 - 0.6 - 1.5*r.Float64()
		}
		my := cy + H*0.3*(r.Float64()-0.5)
		l := 0.3 + 1.8*r.Float64()
		a := r.Float64() * math.Pi
		sr.marks = append(sr.marks, segment{mx, my, mx + l*math.Cos(a), my + l*math.Sin(a), 0.3 + 0.3*r.Float64()})
	}
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// stressTruth is what one stress page holds.
type stressTruth struct {
	prog, count, date string // date DDMMYYYY
	filled            int
	code              sheet.Code
	profile           string
}

// stressPage renders the header (progressive and count) and the DATA
// regions of page i.
func stressPage(r *rand.Rand, ds *stressDigits, l *layout.Layout) (stressTruth, *stressRegion, *stressRegion, string) {
	var tr stressTruth
	tr.profile = []string{"clean", "office", "bitonal"}[r.IntN(3)]
	dpi := []float64{200, 300}[r.IntN(2)]
	if tr.profile == "bitonal" {
		dpi = 200
	}
	n := 1 + r.IntN(999)
	switch r.IntN(3) {
	case 0:
		n = 1 + r.IntN(9)
	case 1:
		n = 10 + r.IntN(90)
	}
	tr.prog = strconv.Itoa(n)
	c := 1 + r.IntN(28)
	tr.count = strconv.Itoa(c)
	tr.filled = c
	if r.IntN(8) == 0 {
		tr.filled = min(max(c+[]int{-2, -1, 1, 2}[r.IntN(4)], 0), 28)
	}
	tr.code = sheet.Code{Region: "080", ASL: "101", Pharmacy: "12345", Month: 1 + r.IntN(12), Year: 2023 + r.IntN(4)}
	m, y := tr.code.Month, tr.code.Year
	if r.IntN(15) == 0 { // dated outside the month
		m++
		if m > 12 {
			m, y = 1, y+1
		}
	}
	tr.date = fmt.Sprintf("%02d%02d%04d", 1+r.IntN(daysIn(m, y)), m, y)

	w := newStressWriter(r)
	skew := (r.Float64() - 0.5) * 1.0 * math.Pi / 180
	off := func() float64 { return 0.15 * r.NormFloat64() }
	head := &stressRegion{dpi: dpi, skew: skew, dark: w.dark}
	head.area = l.Progressive.Rect
	head.area.W = l.Count.Rect.Right() - head.area.X
	head.area = head.area.Inset(-3)
	for k, b := range []layout.Rect{l.Progressive.Rect, l.Count.Rect} {
		dx, dy := off(), off()
		head.lines = append(head.lines, boxLines(b, boxLineMM, dx, dy)...)
		b.X, b.Y = b.X+dx, b.Y+dy
		w.writeBox(r, ds, head, b, []string{tr.prog, tr.count}[k])
	}
	foot := &stressRegion{dpi: dpi, skew: skew, dark: w.dark, area: l.DateBox.Inset(-3)}
	dx, dy := off(), off()
	for _, cell := range l.DateCells {
		foot.lines = append(foot.lines, boxLines(cell, cellLineMM, dx, dy)...)
	}
	for i, cell := range l.DateCells {
		h := cell.H * w.height * (0.9 + 0.3*r.Float64())
		p := w.digit(r, ds, int(tr.date[i]-'0'), 0, 0, h)
		p.cx = cell.X + dx + cell.W/2 + 0.14*cell.W*r.NormFloat64()
		p.cy = cell.Y + dy + cell.H/2 - 0.6*w.raise*cell.H + 0.06*cell.H*r.NormFloat64()
		foot.digits = append(foot.digits, p)
	}
	return tr, head, foot, tr.profile
}

// TestFieldsStress reads REGFUS_HANDSTRESS pages of the stress corpus
// (seed REGFUS_HANDSTRESS_SEED, default 1) and reports, per field, how
// many were read right, wrong with a reason naming the field, and wrong
// silently (an error), and why the rest were not read.
func TestFieldsStress(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("REGFUS_HANDSTRESS"))
	if n == 0 {
		t.Skip("set REGFUS_HANDSTRESS=pages")
	}
	seed := uint64(1)
	if v := os.Getenv("REGFUS_HANDSTRESS_SEED"); v != "" {
		seed, _ = strconv.ParseUint(v, 10, 64)
	}
	rd, err := NewOCRReader(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	ds := loadStressDigits(t)
	l := rd.layout
	var only map[int]bool // REGFUS_HANDSTRESS_ONLY=3,11: those pages alone
	if v := os.Getenv("REGFUS_HANDSTRESS_ONLY"); v != "" {
		only = map[int]bool{}
		for _, f := range strings.Split(v, ",") {
			k, _ := strconv.Atoi(f)
			only[k] = true
		}
	}
	type score struct{ n, ok, named, silent int }
	scores := map[string]*score{"progressive": {}, "count": {}, "date": {}}
	whys := map[string]int{}
	var mismatch, outside score // pages whose context disagrees with the truth
	for i := range n {
		if only != nil && !only[i] {
			continue
		}
		r := rand.New(rand.NewPCG(seed, uint64(i))) // a page's own: one can be read again alone
		tr, head, foot, profile := stressPage(r, ds, l)
		res := newResult("stress", i, rd)
		code := tr.code
		res.Sheet.Code = &code
		for k := range layout.SlotCount {
			st := page.Empty
			if k < tr.filled {
				st = page.Filled
			}
			res.Slots = append(res.Slots, page.Slot{Slot: k + 1, State: st})
		}
		open := func(sr *stressRegion) *pageState {
			g := sr.render(r, profile)
			if d := os.Getenv("REGFUS_HANDSTRESS_DUMP"); d != "" {
				f, err := os.Create(fmt.Sprintf("%s/%03d-%d.png", d, i, len(sr.digits)))
				t.Logf("page %d: %s", i, f.Name())
				if err == nil {
					png.Encode(f, g)
					f.Close()
				}
			}
			img, err := vision.NewImage(g)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { img.Close() })
			return &pageState{ctx: context.Background(), r: rd, src: g, img: img, geo: &Geometry{ToSource: sr.toSource(), Markers: 4}, res: res}
		}
		hs, fs := open(head), open(foot)
		prog, err := hs.readBox(l.Progressive.Rect, progressiveField, "")
		if err != nil {
			t.Fatal(err)
		}
		count, err := hs.readBox(l.Count.Rect, countField, strconv.Itoa(tr.filled))
		if err != nil {
			t.Fatal(err)
		}
		date, err := fs.readDate()
		if err != nil {
			t.Fatal(err)
		}
		hs.decideFields(prog, count, date)
		sh := res.Sheet
		where := fmt.Sprintf("page %d %s", i, profile)
		check := func(field, want string, got *string, _ string) {
			why := ""
			for _, rs := range res.Reasons {
				if rs.Kind == map[string]page.ReasonKind{"progressive": page.ReasonProgressiveUnread, "count": page.ReasonCountUnread, "date": page.ReasonDateUnread}[field] {
					why = rs.Detail
					if j := strings.Index(why, "%: "); j >= 0 {
						why = why[j+3:]
					}
				}
			}
			s := scores[field]
			s.n++
			switch {
			case got == nil:
				if os.Getenv("REGFUS_HANDSTRESS_MISSES") != "" {
					t.Logf("%s: %s %q unread: %s", where, field, want, why)
				}
				k := field + ": " + why
				if j := strings.IndexAny(k, "0123456789\""); j > 0 && !strings.Contains(why, "marks") && !strings.Contains(why, "cells written") {
					k = k[:j]
				}
				whys[k]++
			case *got == want:
				s.ok++
			case res.Reasons.Has(fieldReasons[field]...):
				s.named++
				t.Logf("%s: %s read %q, truth %q (named: %v)", where, field, *got, want, res.Reasons.Strings())
			default:
				s.silent++
				t.Errorf("%s: %s read %q, truth %q, silently", where, field, *got, want)
			}
		}
		check("progressive", tr.prog, sh.Progressive, prog.why)
		var gotCount *string
		if sh.DeclaredCount != nil {
			gotCount = page.Str(strconv.Itoa(*sh.DeclaredCount))
		}
		check("count", tr.count, gotCount, count.why)
		if tr.filled != atoi(tr.count) {
			// The context disagrees: a count read must be named.
			mismatch.n++
			switch {
			case gotCount == nil:
			case *gotCount == tr.count && res.Reasons.Has(page.ReasonCountMismatch):
				mismatch.ok++
			case *gotCount == strconv.Itoa(tr.filled):
				mismatch.silent++ // read as the context, wrong
			}
		}
		var gotDate *string
		if sh.Date != nil {
			gotDate = page.Str(strings.ReplaceAll(*sh.Date, "-", ""))
		}
		want := tr.date[4:] + tr.date[2:4] + tr.date[:2]
		check("date", want, gotDate, date.why)
		if m := atoi(tr.date[2:4]); m != tr.code.Month {
			outside.n++
			switch {
			case gotDate == nil:
			case *gotDate == want && res.Reasons.Has(page.ReasonDateOutsideMonth):
				outside.ok++
			case *gotDate != want:
				outside.silent++
			}
		}
	}
	t.Logf("count unlike the fustelle found: %d pages, read right and named count_mismatch %d, read as the fustelle found %d", mismatch.n, mismatch.ok, mismatch.silent)
	t.Logf("date outside the month: %d pages, read right and named date_outside_month %d, read wrong %d", outside.n, outside.ok, outside.silent)
	for _, f := range []string{"progressive", "count", "date"} {
		s := scores[f]
		t.Logf("%-11s read %d/%d (%.1f%%), wrong named %d, silent %d", f, s.ok, s.n, 100*float64(s.ok)/float64(s.n), s.named, s.silent)
	}
	var ks []string
	for k := range whys {
		ks = append(ks, k)
	}
	sort.Slice(ks, func(i, j int) bool { return whys[ks[i]] > whys[ks[j]] })
	for _, k := range ks {
		t.Logf("%4d unread: %s", whys[k], k)
	}
}
