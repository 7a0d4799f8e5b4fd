package synth

import (
	"fmt"
	"image"
	"math"
	"sort"
	"strings"

	"github.com/regfus/regfus/geom"
	"github.com/regfus/regfus/layout"
)

// Profile is a named way of turning a filled sheet into an image file: the
// device (flatbed or sheet-fed scanner, phone camera), its settings and the
// file format. Profiles are data; simulate interprets them.
type Profile struct {
	Name        string
	Description string
	DPI         float64 // output resolution (effective, for the phone)
	// Orientations are the right-angle rotations a page may come out with,
	// with their weights.
	Orientations []weighted
	Skew         float64 // max |skew|, degrees
	Phone        bool    // perspective photo instead of a flat scan
	Blur         [2]float64
	Noise        [2]float64 // noise deviation range, gray levels
	Drift        bool       // brightness and contrast drift, uneven lamp
	WhiteClip    bool       // scanner background removal: paper becomes 255
	Bitonal      bool
	SheetFed     bool    // paper transport: a small scale error along the feed
	Color        float64 // probability of an RGB image
	Encoding     string  // png, jpeg, tiff-g4, pdf-jpeg
	JPEGQuality  [2]int
	Pages        [2]int // pages per file
}

type weighted struct {
	deg, w int
}

// Profiles lists every profile by name.
var Profiles = map[string]Profile{
	"clean": {
		Name: "clean", Description: "flatbed 300 dpi, 8-bit gray PNG, background removal, skew under 0.5 degrees",
		DPI: 300, Orientations: []weighted{{0, 1}}, Skew: 0.5, Blur: [2]float64{0.35, 0.6}, Noise: [2]float64{0.3, 0.7},
		WhiteClip: true, Encoding: "png", Pages: [2]int{1, 1},
	},
	"office": {
		Name: "office", Description: "office MFP 200 dpi, +-3 degrees, noise, JPEG q 70-80, brightness/contrast drift, gray or colour",
		DPI: 200, Orientations: []weighted{{0, 1}}, Skew: 3, Blur: [2]float64{0.5, 0.9}, Noise: [2]float64{1.5, 3.5},
		Drift: true, Color: 0.5, Encoding: "jpeg", JPEGQuality: [2]int{70, 80}, SheetFed: true, Pages: [2]int{1, 1},
	},
	"bitonal": {
		Name: "bitonal", Description: "fast document scanner 200 dpi 1-bit, CCITT G4 TIFF, fixed threshold",
		DPI: 200, Orientations: []weighted{{0, 1}}, Skew: 1.5, Blur: [2]float64{0.4, 0.7}, Noise: [2]float64{2, 4},
		Drift: true, Bitonal: true, Encoding: "tiff-g4", SheetFed: true, Pages: [2]int{1, 1},
	},
	"upside-down": {
		Name: "upside-down", Description: "sheet fed head last: rotated 180 degrees, 200 dpi gray PNG",
		DPI: 200, Orientations: []weighted{{180, 1}}, Skew: 1.5, Blur: [2]float64{0.45, 0.7}, Noise: [2]float64{0.3, 0.7},
		WhiteClip: true, Encoding: "png", SheetFed: true, Pages: [2]int{1, 1},
	},
	"sideways": {
		Name: "sideways", Description: "sheet scanned landscape: rotated 90 or 270 degrees, 200 dpi JPEG q 85",
		DPI: 200, Orientations: []weighted{{90, 1}, {270, 1}}, Skew: 1.5, Blur: [2]float64{0.45, 0.8}, Noise: [2]float64{1.5, 3},
		Drift: true, Encoding: "jpeg", JPEGQuality: [2]int{75, 85}, SheetFed: true, Pages: [2]int{1, 1},
	},
	"phone": {
		Name: "phone", Description: "phone photo: perspective, uneven light and shadow, blur, about 150 dpi on the page, colour JPEG",
		DPI: 150, Orientations: []weighted{{0, 6}, {90, 1}, {270, 1}}, Skew: 7, Phone: true,
		Blur: [2]float64{0.7, 1.4}, Noise: [2]float64{2.5, 5}, Drift: true, Color: 1,
		Encoding: "jpeg", JPEGQuality: [2]int{72, 85}, Pages: [2]int{1, 1},
	},
	"batch-tiff": {
		Name: "batch-tiff", Description: "ASL station batch: several sheets in one multi-page CCITT G4 TIFF, 200 dpi, a few fed head last",
		DPI: 200, Orientations: []weighted{{0, 7}, {180, 1}}, Skew: 2, Blur: [2]float64{0.4, 0.7}, Noise: [2]float64{2, 4},
		Drift: true, Bitonal: true, Encoding: "tiff-g4", SheetFed: true, Pages: [2]int{2, 4},
	},
	"batch-pdf": {
		Name: "batch-pdf", Description: "document scanner batch: several sheets in one PDF, each page a 200 dpi gray JPEG",
		DPI: 200, Orientations: []weighted{{0, 7}, {180, 1}}, Skew: 2, Blur: [2]float64{0.45, 0.8}, Noise: [2]float64{1.5, 3},
		Drift: true, Encoding: "pdf-jpeg", JPEGQuality: [2]int{65, 78}, SheetFed: true, Pages: [2]int{2, 3},
	},
}

// ProfileNames returns the profile names in a fixed order.
func ProfileNames() []string {
	order := []string{"clean", "office", "bitonal", "upside-down", "sideways", "phone", "batch-tiff", "batch-pdf"}
	if len(order) != len(Profiles) {
		panic("synth: profile order out of date")
	}
	return order
}

// ParseProfiles turns "all" or a comma-separated list into profiles.
func ParseProfiles(s string) ([]Profile, error) {
	if s == "" || s == "all" {
		var out []Profile
		for _, n := range ProfileNames() {
			out = append(out, Profiles[n])
		}
		return out, nil
	}
	var out []Profile
	for _, n := range strings.Split(s, ",") {
		p, ok := Profiles[strings.TrimSpace(n)]
		if !ok {
			names := ProfileNames()
			sort.Strings(names)
			return nil, fmt.Errorf("unknown profile %q (known: all, %s)", n, strings.Join(names, ", "))
		}
		out = append(out, p)
	}
	return out, nil
}

// masterDPI is the resolution sheets are drawn at before scanning. Drawing
// above the output resolution and averaging down (with the optics' blur)
// keeps narrow bars honest at 150-200 dpi.
const masterDPI = 300

// scanned is the simulated image with its truth.
type scanned struct {
	img  image.Image // *image.Gray or *image.RGBA
	scan Scan
}

// simulate photographs or scans the master page (drawn at masterDPI).
func simulate(master *image.Gray, l *layout.Layout, pp paper, prof Profile, r *rng) scanned {
	orient := pickWeighted(r, prof.Orientations)
	skew := r.uniform(-prof.Skew, prof.Skew)
	sc := Scan{Orientation: orient, Skew: round3(skew), Rotation: round3(float64(orient) + skew)}
	pw, ph := l.Page.W, l.Page.H
	var (
		h      geom.Homography // page mm -> output px
		ow, oh int
		bg     float64 // background tone beyond the page, 0-1
	)
	sc.FeedScale = 1
	if prof.Phone {
		h, ow, oh = phoneGeometry(r, prof, pw, ph, float64(orient)+skew)
		sc.DPI = 72
		sc.Perspective = true
		bg = r.uniform(0.15, 0.55) // desk
	} else {
		k := prof.DPI / 25.4
		fw, fh := pw, ph
		if orient == 90 || orient == 270 {
			fw, fh = ph, pw
		}
		ow, oh = int(math.Round(fw*k)), int(math.Round(fh*k))
		off := geom.Point{X: r.uniform(-1.5, 1.5), Y: r.uniform(-1.5, 1.5)}
		feed := 1.0
		if prof.SheetFed {
			// Paper transport is never exactly the sensor's pitch.
			feed = round3(r.uniform(0.985, 1.015))
		}
		sc.FeedScale = feed
		h = geom.Translate(-pw/2, -ph/2).Then(geom.Rotate(float64(orient) + skew)).
			Then(geom.Homography{1, 0, 0, 0, feed, 0, 0, 0, 1}).
			Then(geom.Translate(fw/2+off.X, fh/2+off.Y)).Then(geom.Scale(k))
		sc.DPI = prof.DPI
		bg = 0.93 // scanner lid
		if r.chance(0.3) && !prof.WhiteClip {
			bg = 0.12 // black backing of a sheet-fed scanner
		}
	}
	// h maps paper mm to pixels; the truth maps layout mm, through the
	// printer's transform.
	lh := pp.print.Then(h)
	sc.Homography = lh
	c := lh.Apply(geom.Point{X: pw / 2, Y: ph / 2})
	e := lh.Apply(geom.Point{X: pw/2 + 25.4, Y: ph / 2})
	sc.EffectiveDPI = math.Round(math.Hypot(e.X-c.X, e.Y-c.Y)*10) / 10
	sc.Width, sc.Height = ow, oh

	// Sample the master through the inverse map, a 2x2 grid per output
	// pixel when the master is finer than the output.
	ss := 1
	if masterDPI/sc.EffectiveDPI > 1.2 {
		ss = 2
	}
	pl := resample(master, h.Inverse(), pp, pp.print.Inverse().Then(geom.Scale(masterDPI/25.4)).Then(geom.Translate(-0.5, -0.5)),
		ow, oh, ss, float32(bg), float32(r.uniform(0.86, 0.95)))

	// Optics.
	pl.blur(r.uniform(prof.Blur[0], prof.Blur[1]))

	// Light: white and black points, drift, an uneven lamp or room light.
	white := r.uniform(0.9, 0.97)
	black := r.uniform(0.06, 0.14)
	if prof.WhiteClip {
		white = r.uniform(1.03, 1.1) // paper pushed past white, clipped
		black = r.uniform(0.04, 0.1)
	}
	gain, off := 1.0, 0.0
	if prof.Drift {
		gain, off = r.uniform(0.85, 1.1), r.uniform(-0.06, 0.06)
	}
	light := lighting(r, prof, ow, oh)
	noise := newNoise(r, r.uniform(prof.Noise[0], prof.Noise[1]))
	// t' = ((black + (white-black) v) - 0.5) gain + 0.5 + off, in 0-255.
	a := float32((white - black) * gain * 255)
	b := float32(((black-0.5)*gain + 0.5 + off) * 255)
	for i, v := range pl.p {
		t := a*v + b
		if light != nil {
			t *= light.p[i]
		}
		pl.p[i] = t + noise.next()
	}

	switch {
	case prof.Bitonal:
		th := r.between(105, 150)
		sc.Threshold, sc.Color = th, "bilevel"
		g := image.NewGray(image.Rect(0, 0, ow, oh))
		for i, v := range pl.p {
			if v >= float32(th) {
				g.Pix[i] = 255
			}
		}
		return scanned{g, sc}
	case r.chance(prof.Color):
		sc.Color = "rgb"
		// A colour cast: warm room light for the phone, a slight imbalance
		// of the sensor for a scanner.
		cr, cg, cb := 1.0, 1.0, 1.0
		if prof.Phone {
			cr, cg, cb = r.uniform(1.0, 1.08), r.uniform(0.97, 1.02), r.uniform(0.82, 0.96)
		} else {
			cr, cg, cb = r.uniform(0.98, 1.02), r.uniform(0.98, 1.02), r.uniform(0.97, 1.03)
		}
		img := image.NewRGBA(image.Rect(0, 0, ow, oh))
		for i, v := range pl.p {
			img.Pix[4*i+0] = clamp8(v*float32(cr) + 0.5*noise.next())
			img.Pix[4*i+1] = clamp8(v*float32(cg) + 0.5*noise.next())
			img.Pix[4*i+2] = clamp8(v*float32(cb) + 0.5*noise.next())
			img.Pix[4*i+3] = 255
		}
		return scanned{img, sc}
	default:
		sc.Color = "gray"
		g := image.NewGray(image.Rect(0, 0, ow, oh))
		for i, v := range pl.p {
			g.Pix[i] = clamp8(v)
		}
		return scanned{g, sc}
	}
}

// phoneGeometry frames the page in a 3:4 photo at about prof.DPI on the
// page, rotated by angle, with each corner pulled a little for perspective.
func phoneGeometry(r *rng, prof Profile, pw, ph, angle float64) (geom.Homography, int, int) {
	k := prof.DPI * r.uniform(0.9, 1.1) / 25.4
	landscape := math.Abs(math.Remainder(angle, 180)) > 45
	fill := r.uniform(0.78, 0.9) // share of the frame's long side the page takes
	var ow, oh int
	if landscape {
		ow = int(ph * k / fill)
		oh = ow * 3 / 4
	} else {
		oh = int(ph * k / fill)
		ow = oh * 3 / 4
	}
	base := geom.Translate(-pw/2, -ph/2).Then(geom.Rotate(angle)).Then(geom.Scale(k)).
		Then(geom.Translate(float64(ow)/2+r.normal(0, float64(ow)*0.02), float64(oh)/2+r.normal(0, float64(oh)*0.02)))
	src := []geom.Point{{X: 0, Y: 0}, {X: pw, Y: 0}, {X: pw, Y: ph}, {X: 0, Y: ph}}
	dst := make([]geom.Point, 4)
	d := 0.035 * float64(min(ow, oh))
	for i, p := range src {
		q := base.Apply(p)
		dst[i] = geom.Point{X: q.X + r.uniform(-d, d), Y: q.Y + r.uniform(-d, d)}
	}
	h, err := geom.FitHomography(src, dst)
	if err != nil {
		// The corners of the page moved by a few per cent stay a
		// quadrilateral: no three are ever collinear.
		panic(fmt.Sprintf("synth: phone perspective: %v", err))
	}
	return h, ow, oh
}

// lighting returns a multiplicative light field, or nil for a flat lamp:
// a gentle lamp fall-off for scanners, a gradient, a vignette and a soft
// shadow (the photographer's hand or phone) for photos.
func lighting(r *rng, prof Profile, w, h int) *plane {
	if !prof.Drift {
		return nil
	}
	l := newPlane(w, h)
	ax, ay := r.uniform(-1, 1), r.uniform(-1, 1)
	n := math.Hypot(ax, ay)
	ax, ay = ax/n, ay/n
	amp := r.uniform(0.01, 0.05)
	var sx, sy, sr, sd float64
	if prof.Phone {
		amp = r.uniform(0.15, 0.35)
		sx, sy = r.uniform(0, float64(w)), r.uniform(0, float64(h))
		sr = r.uniform(0.15, 0.4) * float64(max(w, h))
		sd = r.uniform(0, 0.35)
	}
	for y := 0; y < h; y++ {
		fy := float64(y)/float64(h) - 0.5
		for x := 0; x < w; x++ {
			fx := float64(x)/float64(w) - 0.5
			v := 1 - amp*(0.5+ax*fx+ay*fy)
			if prof.Phone {
				v *= 1 - 0.25*(fx*fx+fy*fy)
				if sd > 0 {
					d := math.Hypot(float64(x)-sx, float64(y)-sy) / sr
					v *= 1 - sd*clamp01(1.5-d)
				}
			}
			l.p[y*w+x] = float32(v)
		}
	}
	return l
}

func pickWeighted(r *rng, ws []weighted) int {
	t := 0
	for _, w := range ws {
		t += w.w
	}
	v := r.IntN(t)
	for _, w := range ws {
		if v < w.w {
			return w.deg
		}
		v -= w.w
	}
	return ws[0].deg
}

// resample maps every output pixel (ss x ss samples) to the paper with
// toPaper (output px -> paper mm), and paper points to the master with
// toMaster (paper mm -> master px, centres at integers; affine), sampling
// bilinearly. Beyond the paper, or where a folded corner was, is bg; paper
// outside the printed layout is white; under a folded flap is flapTone
// (the blank back of the sheet) with a soft shadow along its edge. The
// result is in 0-1.
func resample(master *image.Gray, toPaper geom.Homography, pp paper, toMaster geom.Homography, ow, oh, ss int, bg, flapTone float32) *plane {
	pl := newPlane(ow, oh)
	mw, mh := master.Rect.Dx(), master.Rect.Dy()
	pix, stride := master.Pix, master.Stride
	inv := 1 / float32(ss*ss)
	fd := pp.fold
	sample := func(x, y float64) float32 {
		if x < 0 || y < 0 || x > pp.w || y > pp.h {
			return bg
		}
		if fd != nil {
			if fd.cut(x, y) {
				return bg
			}
			if in, d := fd.flap(x, y); in {
				return flapTone * (1 - 0.25*float32(math.Max(0, 1-d/0.6)))
			}
		}
		px := toMaster[0]*x + toMaster[1]*y + toMaster[2]
		py := toMaster[3]*x + toMaster[4]*y + toMaster[5]
		if px >= 0 && py >= 0 && px < float64(mw-1) && py < float64(mh-1) {
			ix, iy := int(px), int(py)
			fx, fy := float32(px-float64(ix)), float32(py-float64(iy))
			o := iy*stride + ix
			a := float32(pix[o]) + (float32(pix[o+1])-float32(pix[o]))*fx
			b := float32(pix[o+stride]) + (float32(pix[o+stride+1])-float32(pix[o+stride]))*fx
			return (a + (b-a)*fy) / 255
		}
		if px < -0.5 || py < -0.5 || px > float64(mw)-0.5 || py > float64(mh)-0.5 {
			return 1 // paper beyond the printed page
		}
		return float32(bilinear(master, px, py)) / 255
	}
	affine := toPaper[6] == 0 && toPaper[7] == 0 && toPaper[8] == 1
	step := 1 / float64(ss)
	m := toPaper
	for y := 0; y < oh; y++ {
		row := pl.p[y*ow : (y+1)*ow]
		for sy := 0; sy < ss; sy++ {
			v := float64(y) + (float64(sy)+0.5)*step
			if affine {
				// Walk the row incrementally: x advances by m[0], m[3].
				for sx := 0; sx < ss; sx++ {
					u := (float64(sx) + 0.5) * step
					px := m[0]*u + m[1]*v + m[2]
					py := m[3]*u + m[4]*v + m[5]
					for x := range row {
						row[x] += sample(px, py)
						px += m[0]
						py += m[3]
					}
				}
				continue
			}
			for x := range row {
				for sx := 0; sx < ss; sx++ {
					p := m.Apply(geom.Point{X: float64(x) + (float64(sx)+0.5)*step, Y: v})
					row[x] += sample(p.X, p.Y)
				}
			}
		}
		for x := range row {
			row[x] *= inv
		}
	}
	return pl
}

// noiseSource returns Gaussian sensor noise cheaply: a table of normal
// draws read at pseudo-random positions by a 64-bit LCG seeded from the
// page's generator, so it stays deterministic.
type noiseSource struct {
	table []float32
	state uint64
}

func newNoise(r *rng, sigma float64) *noiseSource {
	n := &noiseSource{table: make([]float32, 1<<16), state: r.Uint64() | 1}
	for i := range n.table {
		n.table[i] = float32(sigma * r.NormFloat64())
	}
	return n
}

func (n *noiseSource) next() float32 {
	n.state = n.state*6364136223846793005 + 1442695040888963407
	return n.table[n.state>>48]
}
