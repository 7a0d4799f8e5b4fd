package barcode

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"math"
	"math/rand"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/regfus/regfus/fustella"
)

// The grid measurement reads fustella symbols over the range of real label
// designs (issue 11): narrow bar 0.19-0.35 mm, wide:narrow 2.0-3.0, bar
// heights 4-15 mm, scanned at 200 and 300 dpi under crop-level versions of
// synth's scan profiles, and drawn by three encoders: ours, Debian's zint
// (its own Code 32, -b 129, and ITF, -b 3; its Code 39 is 2:1, its ITF
// 3:1) and GNU barcode (-e 39 over the Code 32 characters, -e i25; both
// 3:1). The independent encoders' module patterns are taken from their
// own output (zint --dump, GNU barcode's SVG), and zint's human-readable
// text is the truth of its Code 32, so a wrong convention on our side (an
// AIC check digit, a base-32 digit, a pattern table) shows as a wrong or
// missed read here.
//
// Each crop is cut as acquisition cuts a label's bar block: the symbol
// centred, 3 mm of quiet zone either side (jittered by 0.3 mm), 0.3 mm above
// and below, the page reader's angle within half a degree. Both crop
// methods are asked of every crop (Code32 and Targatura, as the page reader
// does when its first guess fails): the right one must give the truth or
// nothing, the other nothing.
//
// go test -run TestGrid ./barcode/ reads a sparse grid; REGFUS_BARCODE_GRID=N
// reads the whole grid with N crops per cell and prints the table
// (REGFUS_BARCODE_GRID_TABLE=1 prints it for the sparse one too).

type gridProfile struct {
	name       string
	blur       [2]float64 // px at the scan's dpi
	noise      [2]float64
	drift      bool // paper and ink levels, a shadow across the crop
	bitonal    bool
	jpeg       [2]int // quality range, 0: none
	tilt       float64
	perspector float64 // narrow width changes by up to this fraction across the symbol
}

// gridProfiles follow synth's profiles (synth/scan.go): blur and noise in
// output pixels, drift, 1-bit threshold, JPEG quality; the phone's
// perspective as a narrow width that changes across the symbol.
var gridProfiles = []gridProfile{
	{name: "clean", blur: [2]float64{0.35, 0.6}, noise: [2]float64{0.3, 0.7}, tilt: 0.5},
	{name: "office", blur: [2]float64{0.5, 0.9}, noise: [2]float64{1.5, 3.5}, drift: true, jpeg: [2]int{70, 80}, tilt: 0.5},
	{name: "bitonal", blur: [2]float64{0.4, 0.7}, noise: [2]float64{2, 4}, drift: true, bitonal: true, tilt: 0.5},
	{name: "phone", blur: [2]float64{0.7, 1.4}, noise: [2]float64{2.5, 5}, drift: true, jpeg: [2]int{72, 85}, tilt: 1.5, perspector: 0.08},
}

type gridSym struct {
	code32 bool
	truth  string // Code 32 bars (6 characters) or targatura digits
	sym    Symbol
}

// gridEncoder draws the Code 32 of aic or the ITF of tg; ratio is used
// only by encoders that take one.
type gridEncoder struct {
	name   string
	ratios []float64 // nil: the encoder's own
	draw   func(t testing.TB, aic fustella.AIC, tg fustella.Targatura, ratio float64) (c32, itf gridSym)
}

var gridEncoders = []gridEncoder{
	{name: "ours", ratios: []float64{2, 2.5, 3}, draw: func(t testing.TB, aic fustella.AIC, tg fustella.Targatura, ratio float64) (gridSym, gridSym) {
		return gridSym{true, aic.Code32(), mustCode39(t, aic.Code32(), ratio)}, gridSym{false, string(tg), mustITF(t, string(tg), ratio)}
	}},
	{name: "zint", draw: zintSymbols},
	{name: "gnu", draw: gnuSymbols},
}

var extCache sync.Map // command line -> output

func runTool(t testing.TB, name string, args ...string) string {
	key := name + " " + strings.Join(args, "\x00")
	if v, ok := extCache.Load(key); ok {
		return v.(string)
	}
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s not found: scripts/setup installs it", name)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, args...).Output()
	if err != nil {
		t.Fatalf("%s %q: %v", name, args, err)
	}
	extCache.Store(key, string(out))
	return string(out)
}

// modulesSymbol turns a module string (1 bar, 0 space), bars first and
// last, into element widths.
func modulesSymbol(t testing.TB, bits string) Symbol {
	bits = strings.Trim(bits, "0")
	var s Symbol
	for i := 0; i < len(bits); {
		j := i
		for j < len(bits) && bits[j] == bits[i] {
			j++
		}
		s = append(s, float64(j-i))
		i = j
	}
	if len(s)%2 != 1 {
		t.Fatalf("module pattern %q does not start and end with a bar", bits)
	}
	return s
}

var zintText = regexp.MustCompile(`(?s)<text[^>]*>\s*([^<\s]+)\s*</text>`)

// zintSymbols: zint's Code 32 from the AIC's first 8 digits (zint adds the
// check digit) and its ITF of the targatura, module patterns from --dump.
func zintSymbols(t testing.TB, aic fustella.AIC, tg fustella.Targatura, _ float64) (gridSym, gridSym) {
	dump := func(b, data string) string {
		var bits strings.Builder
		for _, f := range strings.Fields(runTool(t, "zint", "-b", b, "-d", data, "--dump")) {
			v, err := strconv.ParseUint(f, 16, 64)
			if err != nil {
				t.Fatalf("zint --dump: %q", f)
			}
			fmt.Fprintf(&bits, "%0*b", 4*len(f), v)
		}
		return bits.String()
	}
	svg := runTool(t, "zint", "-b", "129", "-d", string(aic[:8]), "--direct", "--filetype=svg")
	m := zintText.FindStringSubmatch(svg)
	if m == nil || !strings.HasPrefix(m[1], "A") {
		t.Fatalf("zint Code 32: no human-readable text in its SVG")
	}
	printed, err := fustella.ParseAIC(m[1][1:])
	if err != nil {
		t.Fatalf("zint Code 32 prints %q: %v", m[1], err)
	}
	c32 := gridSym{true, printed.Code32(), modulesSymbol(t, dump("129", string(aic[:8])))}
	return c32, gridSym{false, string(tg), modulesSymbol(t, dump("3", string(tg)))}
}

var gnuWidths = regexp.MustCompile(`succession is represented by the following widths \(space first\): ([0-9]+)`)

// gnuSymbols: GNU barcode's CODE 39 of the Code 32 characters and its
// Interleaved 2 of 5 of the targatura (-c: no check digit added, the
// targatura carries its own), widths from the comment in its SVG.
func gnuSymbols(t testing.TB, aic fustella.AIC, tg fustella.Targatura, _ float64) (gridSym, gridSym) {
	widths := func(enc, text string) Symbol {
		m := gnuWidths.FindStringSubmatch(runTool(t, "barcode", "-e", enc, "-b", text, "-c", "-n", "-S"))
		if m == nil {
			t.Fatalf("GNU barcode -e %s: no widths in its output", enc)
		}
		var s Symbol
		for _, c := range m[1][1:] { // the leading space is the quiet zone
			s = append(s, float64(c-'0'))
		}
		return s
	}
	return gridSym{true, aic.Code32(), widths("39", aic.Code32())}, gridSym{false, string(tg), widths("i25", string(tg))}
}

// gridCrop renders sym as the page reader's crop of a scan at dpi under
// profile pr: narrow mm, bar height mm.
func gridCrop(sym Symbol, narrowMM, heightMM, dpi float64, pr gridProfile, rng *rand.Rand) *image.Gray {
	px := dpi / 25.4
	narrow := narrowMM * px
	width := sym.Modules() * narrow
	height := heightMM * px
	// The crop: 3 mm quiet zone either side, 0.3 mm above and below, the
	// page reader's error in angle, centre and extent.
	quiet := (3 + (rng.Float64()-0.5)*0.6) * px
	quietR := (3 + (rng.Float64()-0.5)*0.6) * px
	margin := (0.3 + (rng.Float64()-0.5)*0.3) * px
	w := int(math.Ceil(width + quiet + quietR))
	h := int(math.Ceil(height + 2*margin))
	angle := (rng.Float64()*2 - 1) * pr.tilt * math.Pi / 180
	cs, sn := math.Cos(angle), math.Sin(angle)
	cx, cy := quiet+width/2+(rng.Float64()-0.5)*0.5*px, float64(h)/2+(rng.Float64()-0.5)*0.5*px
	gain := (rng.Float64()*0.06 - 0.02) * px // print gain, mm -> px, per edge pair
	persp := (rng.Float64()*2 - 1) * pr.perspector
	// Bar edges in px along the symbol, perspective applied.
	var bars [][2]float64
	warp := func(m float64) float64 { // modules -> px from the symbol's start
		f := m / sym.Modules()
		return width * (f + persp*f*(f-1))
	}
	x := 0.0
	for i, e := range sym {
		if i%2 == 0 {
			bars = append(bars, [2]float64{warp(x) - gain/2, warp(x+e) + gain/2})
		}
		x += e
	}
	cov := make([]float64, w*h)
	for y := 0; y < h; y++ {
		for xx := 0; xx < w; xx++ {
			n := 0
			for sy := 0; sy < 4; sy++ {
				for sx := 0; sx < 4; sx++ {
					dx := float64(xx) + (float64(sx)+0.5)/4 - cx
					dy := float64(y) + (float64(sy)+0.5)/4 - cy
					u := dx*cs - dy*sn + width/2
					v := dx*sn + dy*cs
					if math.Abs(v) > height/2 || u < bars[0][0] || u >= bars[len(bars)-1][1] {
						continue
					}
					lo, hi := 0, len(bars)
					for lo < hi {
						m := (lo + hi) / 2
						if bars[m][1] <= u {
							lo = m + 1
						} else {
							hi = m
						}
					}
					if lo < len(bars) && u >= bars[lo][0] {
						n++
					}
				}
			}
			cov[y*w+xx] = float64(n) / 16
		}
	}
	if s := pr.blur[0] + rng.Float64()*(pr.blur[1]-pr.blur[0]); s > 0 {
		cov = gaussBlur(cov, w, h, s)
	}
	paper, ink, shadow := 250.0, 15.0, 0.0
	if pr.drift {
		paper, ink, shadow = 215+rng.Float64()*35, 10+rng.Float64()*50, rng.Float64()*40
	}
	noise := pr.noise[0] + rng.Float64()*(pr.noise[1]-pr.noise[0])
	img := image.NewGray(image.Rect(0, 0, w, h))
	sdir := rng.Float64() < 0.5
	for y := 0; y < h; y++ {
		for xx := 0; xx < w; xx++ {
			f := float64(xx) / float64(w)
			if sdir {
				f = 1 - f
			}
			bg := paper - shadow*f
			v := bg - math.Min(cov[y*w+xx], 1)*(bg-ink) + rng.NormFloat64()*noise
			if pr.bitonal {
				if v < 128 {
					v = 0
				} else {
					v = 255
				}
			}
			img.Pix[y*img.Stride+xx] = uint8(math.Max(0, math.Min(255, math.Round(v))))
		}
	}
	if pr.jpeg[0] > 0 {
		var buf bytes.Buffer
		q := pr.jpeg[0] + rng.Intn(pr.jpeg[1]-pr.jpeg[0]+1)
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: q}); err == nil {
			if m, err := jpeg.Decode(&buf); err == nil {
				g := image.NewGray(m.Bounds())
				for y := 0; y < h; y++ {
					for xx := 0; xx < w; xx++ {
						g.Pix[y*g.Stride+xx] = m.(*image.Gray).Pix[y*m.(*image.Gray).Stride+xx]
					}
				}
				img = g
			}
		}
	}
	return img
}

type gridCell struct {
	enc     string
	narrow  float64
	ratio   float64 // 0: the encoder's own
	height  float64
	dpi     float64
	profile string
}

type gridCount struct{ n, read, wrong, cross int }

func (c *gridCount) add(o gridCount) {
	c.n += o.n
	c.read += o.read
	c.wrong += o.wrong
	c.cross += o.cross
}

// readGridSym decodes one crop both ways and scores it.
func readGridSym(d *Decoder, g gridSym, img *image.Gray) (gridCount, string) {
	c := gridCount{n: 1}
	var got, other string
	var err, oerr error
	if g.code32 {
		var r Result
		_, r, err = d.Code32(img)
		got = r.Text
		var tg fustella.Targatura
		tg, _, oerr = d.Targatura(img)
		other = string(tg)
	} else {
		var tg fustella.Targatura
		tg, _, err = d.Targatura(img)
		got = string(tg)
		var a fustella.AIC
		a, _, oerr = d.Code32(img)
		other = string(a)
	}
	var bad string
	switch {
	case err != nil:
	case got == g.truth:
		c.read++
	default:
		c.wrong++
		bad = fmt.Sprintf("read %q, truth %q", got, g.truth)
	}
	if oerr == nil {
		c.cross++
		bad += fmt.Sprintf(" read as the other symbology: %q", other)
	}
	return c, bad
}

func TestGrid(t *testing.T) {
	t.Parallel()
	full, _ := strconv.Atoi(os.Getenv("REGFUS_BARCODE_GRID"))
	per := max(full, 1)
	narrows := []float64{0.19, 0.23, 0.27, 0.31, 0.35}
	heights := []float64{4, 8, 15}
	dpis := []float64{200, 300}
	if full == 0 {
		narrows, heights = []float64{0.19, 0.27, 0.35}, []float64{4, 15}
	}
	rng := rand.New(rand.NewSource(20261205))
	var cells []gridCell
	for _, enc := range gridEncoders {
		ratios := enc.ratios
		if full == 0 && ratios != nil {
			ratios = []float64{2, 3}
		}
		if ratios == nil {
			ratios = []float64{0}
		}
		for _, n := range narrows {
			for _, r := range ratios {
				for _, hh := range heights {
					for _, dpi := range dpis {
						for _, pr := range gridProfiles {
							cells = append(cells, gridCell{enc.name, n, r, hh, dpi, pr.name})
						}
					}
				}
			}
		}
	}
	if raceEnabled {
		// Under the race detector a sample of the cells, for the wrong values.
		var some []gridCell
		for i := 0; i < len(cells); i += 13 {
			some = append(some, cells[i])
		}
		cells = some
	}
	d := NewDecoder()
	counts := map[gridCell]*gridCount{}
	for _, c := range cells {
		var enc gridEncoder
		for _, e := range gridEncoders {
			if e.name == c.enc {
				enc = e
			}
		}
		var pr gridProfile
		for _, p := range gridProfiles {
			if p.name == c.profile {
				pr = p
			}
		}
		cnt := &gridCount{}
		counts[c] = cnt
		for k := 0; k < per; k++ {
			aic, tg := gridCodes(t, rng)
			c32, itf := enc.draw(t, aic, tg, c.ratio)
			for _, g := range []gridSym{c32, itf} {
				img := gridCrop(g.sym, c.narrow, c.height, c.dpi, pr, rng)
				got, bad := readGridSym(d, g, img)
				cnt.add(got)
				if bad != "" {
					t.Errorf("%+v %s: %s", c, map[bool]string{true: "Code 32", false: "ITF"}[g.code32], bad)
				}
			}
		}
	}
	if full > 0 || os.Getenv("REGFUS_BARCODE_GRID_TABLE") != "" {
		t.Log(gridTable(cells, counts))
	}
}

// gridCodes returns a random valid AIC and targatura.
func gridCodes(t testing.TB, rng *rand.Rand) (fustella.AIC, fustella.Targatura) {
	aic, err := fustella.NewAIC(fmt.Sprintf("0%07d", rng.Intn(10_000_000)))
	if err != nil {
		t.Fatal(err)
	}
	tg, err := fustella.NewTargatura(fmt.Sprintf("%09d", rng.Intn(1_000_000_000)))
	if err != nil {
		t.Fatal(err)
	}
	return aic, tg
}

// gridTable prints read rates and wrong values by encoder, profile, dpi
// and narrow bar (ratios and heights summed), then by height and ratio.
func gridTable(cells []gridCell, counts map[gridCell]*gridCount) string {
	type key struct {
		enc, profile string
		dpi, narrow  float64
	}
	agg := map[key]*gridCount{}
	var keys []key
	byH := map[string]*gridCount{}
	var hkeys []string
	for _, c := range cells {
		k := key{c.enc, c.profile, c.dpi, c.narrow}
		if agg[k] == nil {
			agg[k] = &gridCount{}
			keys = append(keys, k)
		}
		agg[k].add(*counts[c])
		hk := fmt.Sprintf("%-5s h%02.0fmm ratio %.1f", c.enc, c.height, c.ratio)
		if byH[hk] == nil {
			byH[hk] = &gridCount{}
			hkeys = append(hkeys, hk)
		}
		byH[hk].add(*counts[c])
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n%-5s %-8s %4s | read%% by narrow bar (mm) | wrong\n%20s", "enc", "profile", "dpi", "")
	var narrows []float64
	seen := map[float64]bool{}
	for _, c := range cells {
		if !seen[c.narrow] {
			seen[c.narrow] = true
			narrows = append(narrows, c.narrow)
		}
	}
	for _, n := range narrows {
		fmt.Fprintf(&b, " %6.2f", n)
	}
	b.WriteString("\n")
	done := map[string]bool{}
	for _, k := range keys {
		row := fmt.Sprintf("%s %s %.0f", k.enc, k.profile, k.dpi)
		if done[row] {
			continue
		}
		done[row] = true
		fmt.Fprintf(&b, "%-5s %-8s %4.0f | ", k.enc, k.profile, k.dpi)
		wrong := 0
		for _, n := range narrows {
			c := agg[key{k.enc, k.profile, k.dpi, n}]
			fmt.Fprintf(&b, " %6.1f", 100*float64(c.read)/float64(max(c.n, 1)))
			wrong += c.wrong + c.cross
		}
		fmt.Fprintf(&b, " | %d\n", wrong)
	}
	for _, hk := range hkeys {
		c := byH[hk]
		fmt.Fprintf(&b, "%s: %d/%d read (%.1f%%), %d wrong\n", hk, c.read, c.n, 100*float64(c.read)/float64(max(c.n, 1)), c.wrong+c.cross)
	}
	return b.String()
}
