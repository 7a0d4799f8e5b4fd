package barcode

import (
	"errors"
	"fmt"
	"image"
	"math"
	"math/rand"
	"testing"

	"github.com/makiuchi-d/gozxing"

	"github.com/regfus/regfus/fustella"
	"github.com/regfus/regfus/sheet"
)

// conditions a crop can arrive in; narrow-relative blur so that the same
// condition is as hard at every scale.
var conditions = []struct {
	name  string
	d     degrade
	blur  float64 // sigma in narrow bars
	angle float64
	flip  bool // rotate the crop 180 degrees
}{
	{name: "clean"},
	{name: "blur", blur: 0.3},
	{name: "noise", d: degrade{noise: 30}},
	{name: "tint", d: degrade{ink: 90, paper: 200, gradient: 50}},
	{name: "inverted", d: degrade{invert: true}},
	{name: "upside-down", flip: true},
	{name: "tilt+2.5", angle: 2.5},
	{name: "tilt-2.5", angle: -2.5},
	{name: "tilt+5", angle: 5},
	{name: "combined", d: degrade{noise: 15, ink: 50, paper: 215}, blur: 0.25, angle: 1.5, flip: true},
}

var narrows = []float64{1.5, 2, 2.6, 3, 4}

func condLabel(sym Symbol, narrow float64, ci int, seed int64) *image.Gray {
	c := conditions[ci]
	d := c.d
	d.blur = c.blur * narrow
	d.seed = seed
	img := label(sym, narrow, 20*narrow, 12, 8, c.angle, d)
	if c.flip {
		img = rotate180(img)
	}
	return img
}

func TestCode39Conditions(t *testing.T) {
	testConditions(t, FormatCode39, []string{"0CSSBD", "12020599999012023", "REGFUS-1", "A1B2C3"},
		mustCode39, (*Decoder).Code39, true)
}

func TestITFConditions(t *testing.T) {
	testConditions(t, FormatITF, []string{"1234567895", "0000000000", "98765432", "31415926535897"},
		mustITF, (*Decoder).ITF, false)
}

// testConditions reads texts of one symbology drawn by encode at every
// narrow width, condition and wide:narrow ratio with decode, and checks the
// text, the format and whether the read was reversed; checkInverted also
// checks the inverted flag and the read's lines and confidence.
func testConditions(t *testing.T, format Format, texts []string, encode func(testing.TB, string, float64) Symbol,
	decode func(*Decoder, *image.Gray) (Result, error), checkInverted bool) {
	t.Parallel()
	for ni, narrow := range narrows {
		for ci, c := range conditions {
			text := texts[(ni+ci)%len(texts)]
			for _, ratio := range []float64{2.5, 3} {
				t.Run(fmt.Sprintf("%gpx/%s/%g/%s", narrow, c.name, ratio, text), func(t *testing.T) {
					t.Parallel()
					img := condLabel(encode(t, text, ratio), narrow, ci, int64(ni*100+ci))
					r, err := decode(NewDecoder(), img)
					if err != nil {
						t.Fatalf("%s: %v", format, err)
					}
					if r.Text != text || r.Format != format {
						t.Fatalf("%s = %s %q, want %q", format, r.Format, r.Text, text)
					}
					if c.flip != r.Attempt.Reversed {
						t.Errorf("Reversed = %v, want %v (%s)", r.Attempt.Reversed, c.flip, r.Attempt)
					}
					if !checkInverted {
						return
					}
					if c.d.invert != r.Attempt.Inverted {
						t.Errorf("Inverted = %v, want %v (%s)", r.Attempt.Inverted, c.d.invert, r.Attempt)
					}
					if r.Lines < 1 || r.Confidence() <= 0 || r.Confidence() > 1 {
						t.Errorf("Lines %d, Confidence %v", r.Lines, r.Confidence())
					}
				})
			}
		}
	}
}

// TestFustellaCodesRandom reads many random AICs and targature at random
// scales, phases and conditions: every read must be exact; none may fail.
func TestFustellaCodesRandom(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewSource(42))
	d := NewDecoder()
	n := 150
	if testing.Short() {
		n = 40
	}
	for i := 0; i < n; i++ {
		aic, _ := fustella.NewAIC(fmt.Sprintf("%08d", rng.Intn(100_000_000)))
		tg, _ := fustella.NewTargatura(fmt.Sprintf("%09d", rng.Intn(1_000_000_000)))
		narrow := 1.5 + 2.5*rng.Float64()
		ci := rng.Intn(len(conditions))
		seed := rng.Int63()
		img := condLabel(mustCode39(t, aic.Code32(), 2.5+0.5*rng.Float64()), narrow, ci, seed)
		got, r, err := d.Code32(img)
		if err != nil || got != aic || r.Text != aic.Code32() {
			t.Errorf("Code32 %s at %.2fpx %s: got %q (%q), %v", aic, narrow, conditions[ci].name, got, r.Text, err)
		}
		img = condLabel(mustITF(t, string(tg), 2.5+0.5*rng.Float64()), narrow, ci, seed)
		gt, _, err := d.Targatura(img)
		if err != nil || gt != tg {
			t.Errorf("Targatura %s at %.2fpx %s: got %q, %v", tg, narrow, conditions[ci].name, gt, err)
		}
	}
}

func TestCode32WorkedExample(t *testing.T) {
	t.Parallel()
	// SPEC section 3: AIC 012345676 <-> bars 0CSSBD.
	img := label(mustCode39(t, "0CSSBD", 3), 2.5, 50, 12, 8, 0, degrade{})
	a, r, err := NewDecoder().Code32(img)
	if err != nil {
		t.Fatal(err)
	}
	if a != "012345676" || a.Printed() != "A012345676" || r.Text != "0CSSBD" || r.Format != FormatCode39 {
		t.Fatalf("Code32 = %s (%s), result %+v", a, a.Printed(), r)
	}
	// FindAll reports the same symbol as CODE32, printed with the A.
	dets := NewDecoder().FindAll(img)
	if len(dets) != 1 || dets[0].Format != FormatCode32 || dets[0].Text != "A012345676" || dets[0].Bars != "0CSSBD" {
		t.Fatalf("FindAll = %+v", dets)
	}
}

// TestCropErrors checks that every failure is a typed error naming what
// failed, and never a value.
func TestCropErrors(t *testing.T) {
	t.Parallel()
	c39 := func(s string) *image.Gray { return label(mustCode39(t, s, 3), 2.5, 50, 12, 8, 0, degrade{}) }
	itf := func(s string) *image.Gray { return label(mustITF(t, s, 3), 2.5, 50, 12, 8, 0, degrade{}) }
	blank := image.NewGray(image.Rect(0, 0, 400, 60))
	for i := range blank.Pix {
		blank.Pix[i] = 250
	}
	for _, tc := range []struct {
		name  string
		run   func(d *Decoder) (string, error)
		kinds []error // errors.Is must hold for each
		text  string  // DecodeError.Text
	}{
		{"code32 check digit", func(d *Decoder) (string, error) { a, _, err := d.Code32(c39("0CSSBF")); return string(a), err },
			[]error{ErrCheckDigit, fustella.ErrInvalidAIC, fustella.ErrInvalidCode32}, "0CSSBF"},
		{"code32 length", func(d *Decoder) (string, error) { a, _, err := d.Code32(c39("0CSSB")); return string(a), err },
			[]error{ErrLength}, "0CSSB"},
		{"code32 alphabet", func(d *Decoder) (string, error) { a, _, err := d.Code32(c39("0CSSBA")); return string(a), err },
			[]error{ErrInvalid, fustella.ErrInvalidCode32}, "0CSSBA"},
		{"code32 not found", func(d *Decoder) (string, error) { a, _, err := d.Code32(blank); return string(a), err },
			[]error{ErrNotFound}, ""},
		{"targatura check digit", func(d *Decoder) (string, error) { g, _, err := d.Targatura(itf("1234567890")); return string(g), err },
			[]error{ErrCheckDigit, fustella.ErrInvalidTargatura}, "1234567890"},
		{"targatura too long", func(d *Decoder) (string, error) { g, _, err := d.Targatura(itf("123456789512")); return string(g), err },
			[]error{ErrLength}, "123456789512"},
		{"targatura too short", func(d *Decoder) (string, error) { g, _, err := d.Targatura(itf("12345678")); return string(g), err },
			[]error{ErrLength}, "12345678"},
		{"targatura on CODE 39", func(d *Decoder) (string, error) { g, _, err := d.Targatura(c39("0CSSBD")); return string(g), err },
			[]error{ErrNotFound}, ""},
		{"sheet month 13", func(d *Decoder) (string, error) {
			c, _, err := d.SheetCode(c39("12020599999132023"))
			return c.String(), err
		}, []error{ErrInvalid, sheet.ErrInvalidCode}, "12020599999132023"},
		{"sheet length", func(d *Decoder) (string, error) {
			c, _, err := d.SheetCode(c39("1202059999901202"))
			return c.String(), err
		}, []error{ErrLength}, "1202059999901202"},
		{"code39 not found", func(d *Decoder) (string, error) { r, err := d.Code39(blank); return r.Text, err },
			[]error{ErrNotFound}, ""},
		{"itf not found", func(d *Decoder) (string, error) { r, err := d.ITF(blank); return r.Text, err },
			[]error{ErrNotFound}, ""},
		{"nil image", func(d *Decoder) (string, error) { r, err := d.Code39(nil); return r.Text, err },
			[]error{ErrNotFound}, ""},
		{"empty image", func(d *Decoder) (string, error) { r, err := d.ITF(&image.Gray{}); return r.Text, err },
			[]error{ErrNotFound}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var d Decoder // the zero Decoder is ready to use
			v, err := tc.run(&d)
			if err == nil {
				t.Fatalf("no error, value %q", v)
			}
			if v != "" && v != (sheet.Code{}).String() {
				t.Errorf("value %q returned with error %v", v, err)
			}
			for _, k := range tc.kinds {
				if !errors.Is(err, k) {
					t.Errorf("error %v does not wrap %v", err, k)
				}
			}
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error %T is not a *DecodeError", err)
			}
			if de.Text != tc.text {
				t.Errorf("DecodeError.Text = %q, want %q", de.Text, tc.text)
			}
			if de.What == "" || de.Attempts < 1 && de.Cause == nil {
				t.Errorf("DecodeError %+v lacks what/attempts", de)
			}
		})
	}
}

// An ITF whose check digit is wrong is read by ITF (which validates
// nothing) and rejected by Targatura.
func TestWrongCheckDigitITF(t *testing.T) {
	t.Parallel()
	img := label(mustITF(t, "1234567890", 3), 2, 40, 12, 8, 0, degrade{})
	d := NewDecoder()
	r, err := d.ITF(img)
	if err != nil || r.Text != "1234567890" {
		t.Fatalf("ITF = %q, %v", r.Text, err)
	}
	if g, _, err := d.Targatura(img); !errors.Is(err, ErrCheckDigit) || g != "" {
		t.Fatalf("Targatura = %q, %v; want ErrCheckDigit", g, err)
	}
}

// Two different valid symbols in one crop (a neighbour's label overlapping
// the slot) are an error, not a pick.
func TestTwoSymbolsInOneCropAmbiguous(t *testing.T) {
	t.Parallel()
	a1, _ := fustella.NewAIC("01234567")
	a2, _ := fustella.NewAIC("07654321")
	s1, s2 := mustCode39(t, a1.Code32(), 3), mustCode39(t, a2.Code32(), 3)
	w := int(s1.Modules()*2 + 48)
	img := renderScene(w, 84, []placed{
		{sym: s1, narrow: 2, height: 40, cx: float64(w) / 2, cy: 21},
		{sym: s2, narrow: 2, height: 40, cx: float64(w) / 2, cy: 63},
	}, degrade{})
	a, _, err := NewDecoder().Code32(img)
	if !errors.Is(err, ErrAmbiguous) || a != "" {
		t.Fatalf("Code32 = %q, %v; want ErrAmbiguous", a, err)
	}
}

// A symbol only one scan line can see (a sliver of bars, the rest of the
// crop blank) is not trusted: ErrUnconfirmed, with what it said.
func TestSingleLineUnconfirmed(t *testing.T) {
	t.Parallel()
	sym := mustCode39(t, "0CSSBD", 3)
	w := int(sym.Modules()*2.5) + 60
	img := renderScene(w, 64, []placed{{sym: sym, narrow: 2.5, height: 1, cx: float64(w) / 2, cy: 32.5}}, degrade{})
	a, _, err := NewDecoder().Code32(img)
	var de *DecodeError
	if !errors.Is(err, ErrUnconfirmed) || a != "" || !errors.As(err, &de) || de.Text != "0CSSBD" {
		t.Fatalf("Code32 = %q, %v; want ErrUnconfirmed with the bars' text", a, err)
	}
}

func TestSheetCode(t *testing.T) {
	t.Parallel()
	// The head barcode as layout v1 draws it: 0.33 mm narrow at 200 dpi.
	narrow := 0.33 / 25.4 * 200
	img := label(mustCode39(t, "12020599999012023", 3), narrow, 11/25.4*200, 15, 6, 0.8, degrade{noise: 8, blur: 0.5})
	c, r, err := NewDecoder().SheetCode(img)
	if err != nil {
		t.Fatal(err)
	}
	if c.String() != "12020599999012023" || c.Region != "120" || c.ASL != "205" || c.Pharmacy != "99999" || c.Month != 1 || c.Year != 2023 {
		t.Fatalf("SheetCode = %+v", c)
	}
	if r.Text != "12020599999012023" {
		t.Fatalf("Result.Text = %q", r.Text)
	}
}

// The crop may be a SubImage whose bounds do not start at 0,0.
func TestSubImageCrop(t *testing.T) {
	t.Parallel()
	big := renderScene(900, 300, []placed{{sym: mustITF(t, "1234567895", 3), narrow: 2, height: 60, cx: 500, cy: 180}}, degrade{})
	sub := big.SubImage(image.Rect(300, 120, 720, 250)).(*image.Gray)
	r, err := NewDecoder().ITF(sub)
	if err != nil || r.Text != "1234567895" {
		t.Fatalf("ITF on SubImage = %q, %v", r.Text, err)
	}
}

// TestMinimumNarrowBar pins the limit reported in the package doc: plain
// crops read at 1.3 px per narrow bar; below 1 px they do not.
func TestMinimumNarrowBar(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewSource(5))
	d := NewDecoder()
	for i := 0; i < 20; i++ {
		narrow := 1.3 + 0.2*rng.Float64()
		aic, _ := fustella.NewAIC(fmt.Sprintf("%08d", rng.Intn(100_000_000)))
		tg, _ := fustella.NewTargatura(fmt.Sprintf("%09d", rng.Intn(1_000_000_000)))
		if a, _, err := d.Code32(label(mustCode39(t, aic.Code32(), 3), narrow, 30, 12, 8, 0, degrade{blur: 0.4})); a != aic {
			t.Errorf("Code32 %s at %.2f px: %q, %v", aic, narrow, a, err)
		}
		if g, _, err := d.Targatura(label(mustITF(t, string(tg), 3), narrow, 30, 12, 8, 0, degrade{blur: 0.4})); g != tg {
			t.Errorf("Targatura %s at %.2f px: %q, %v", tg, narrow, g, err)
		}
	}
	// Under a pixel per bar the elements alias: nothing is read, and above
	// all nothing wrong is.
	for i := 0; i < 10; i++ {
		narrow := 0.7 + 0.2*rng.Float64()
		aic, _ := fustella.NewAIC(fmt.Sprintf("%08d", rng.Intn(100_000_000)))
		a, _, err := d.Code32(label(mustCode39(t, aic.Code32(), 3), narrow, 30, 12, 8, 0, degrade{blur: 0.4}))
		if err == nil && a != aic {
			t.Errorf("Code32 at %.2f px read %s, truth %s", narrow, a, aic)
		}
	}
}

func TestAttemptString(t *testing.T) {
	t.Parallel()
	a := Attempt{Binarizer: Midpoint, Scale: 2, Band: 3, Angle: -2, Sweep: true, Inverted: true, Reversed: true}
	if got, want := a.String(), "midpoint x2 band3 -2deg sweep inverted reversed"; got != want {
		t.Fatalf("String = %q, want %q", got, want)
	}
}

func TestCropPlanCoversFallbacks(t *testing.T) {
	t.Parallel()
	var bins = map[Binarizer]bool{}
	var inv, sweep, up, angles = false, false, false, map[float64]bool{}
	for _, p := range cropPlan {
		bins[p.bin] = true
		inv = inv || p.invert
		sweep = sweep || p.sweep
		up = up || p.scale == 2
		angles[p.angle] = true
	}
	if !bins[GlobalHistogram] || !bins[Hybrid] || !bins[Midpoint] || !inv || !sweep || !up {
		t.Fatalf("plan lacks a fallback: binarizers %v inverted %v sweep %v upscale %v", bins, inv, sweep, up)
	}
	for _, a := range []float64{-3, -2, -1, 1, 2, 3} {
		if !angles[a] {
			t.Errorf("plan lacks a %+g degree tilt", a)
		}
	}
}

// The fast axis-aligned sampler must agree with the bilinear one.
func TestSampleFastPathMatchesBilinear(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewSource(1))
	img := noiseGray(rng, 37, 23)
	p := planeFromGray(img)
	var acc []int
	for _, vertical := range []bool{false, true} {
		for _, k := range []int{1, 2, 3} {
			for _, band := range []int{1, 3, 5} {
				l := scanLine{ox: phase(k), oy: 11, dx: 1, dy: 0, step: 1 / float64(k), n: 36*k + 1, band: band}
				if vertical {
					l = scanLine{ox: 17, oy: phase(k), dx: 0, dy: 1, step: 1 / float64(k), n: 22*k + 1, band: band}
				}
				fast := p.sample(l, nil, &acc)
				for i, v := range fast {
					x, y := l.point(float64(i))
					var s float64
					for j := -band / 2; j <= band/2; j++ {
						if vertical {
							s += p.bilinear(x-float64(j), y)
						} else {
							s += p.bilinear(x, y+float64(j))
						}
					}
					if want := s / float64(band); math.Abs(float64(v)-want) > 1 {
						t.Fatalf("vertical %v k %d band %d sample %d: fast %d, bilinear %.2f", vertical, k, band, i, v, want)
					}
				}
			}
		}
	}
}

// The fixed-point sampler of oblique lines must agree with bilinear,
// including where the line runs off the image.
func TestSampleFixedMatchesBilinear(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewSource(3))
	img := image.NewGray(image.Rect(0, 0, 41, 29))
	for i := range img.Pix {
		img.Pix[i] = byte(rng.Intn(256))
	}
	p := planeFromGray(img)
	for k := 0; k < 200; k++ {
		a := rng.Float64() * 2 * math.Pi
		l := scanLine{ox: rng.Float64()*50 - 5, oy: rng.Float64()*40 - 5, dx: math.Cos(a), dy: math.Sin(a),
			step: []float64{1, 0.5}[k%2], n: 60, band: 1}
		got := p.sample(l, nil, nil)
		for i, v := range got {
			x, y := l.point(float64(i))
			if want := p.bilinear(x, y); math.Abs(float64(v)-want) > 1.01 {
				t.Fatalf("line %+v sample %d at %.3f,%.3f: fixed %d, bilinear %.2f", l, i, x, y, v, want)
			}
		}
	}
}

func TestSlidingMinMax(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewSource(2))
	var scratch []byte
	for _, n := range []int{1, 2, 7, 50, 301} {
		lum := make([]byte, n)
		for i := range lum {
			lum[i] = byte(rng.Intn(256))
		}
		for _, r := range []int{0, 1, 3, 8, 400} {
			lo, hi := make([]byte, n), make([]byte, n)
			slidingMinMax(lum, r, lo, hi, &scratch)
			for i := range lum {
				mn, mx := byte(255), byte(0)
				for j := max(0, i-r); j <= min(n-1, i+r); j++ {
					mn, mx = min(mn, lum[j]), max(mx, lum[j])
				}
				if lo[i] != mn || hi[i] != mx {
					t.Fatalf("n %d r %d i %d: got %d/%d want %d/%d", n, r, i, lo[i], hi[i], mn, mx)
				}
			}
		}
	}
}

// segmentRuns splits a line holding two symbols side by side, and never
// splits one symbol, whatever its characters.
func TestSegmentRuns(t *testing.T) {
	t.Parallel()
	draw := func(unit int, syms ...Symbol) *gozxing.BitArray {
		var widths []int
		quiet := 12 * unit
		for _, s := range syms {
			widths = append(widths, quiet)
			for _, e := range s {
				widths = append(widths, int(e*float64(unit)))
			}
		}
		widths = append(widths, quiet)
		n := 0
		for _, w := range widths {
			n += w
		}
		b := gozxing.NewBitArray(n)
		x := 0
		for i, w := range widths {
			if i%2 == 1 {
				_ = b.SetRange(x, x+w)
			}
			x += w
		}
		return b
	}
	all := "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. $/+%"
	for _, unit := range []int{1, 2, 3} {
		// Every CODE 39 character next to every other one, in one symbol.
		for i := 0; i < len(all); i++ {
			text := ""
			for j := 0; j < len(all); j++ {
				text += string(all[i]) + string(all[j])
			}
			b := draw(unit, mustCode39(t, text, 3))
			if segs := segmentRuns(runs(b, nil), nil); len(segs) != 1 {
				t.Fatalf("unit %d: CODE 39 %q split into %d segments", unit, text, len(segs))
			}
		}
		b := draw(unit, mustCode39(t, "0CSSBD", 3), mustITF(t, "1234567895", 2.5), mustCode39(t, "X", 2))
		if segs := segmentRuns(runs(b, nil), nil); len(segs) != 3 {
			t.Fatalf("unit %d: three symbols gave %d segments: %v", unit, len(segs), segs)
		}
	}
	digits := ""
	for i := 0; i < 10; i++ {
		for j := 0; j < 10; j++ {
			digits += fmt.Sprintf("%d%d", i, j)
		}
	}
	if segs := segmentRuns(runs(draw(2, mustITF(t, digits, 3)), nil), nil); len(segs) != 1 {
		t.Fatalf("ITF of every digit pair split into %d segments", len(segs))
	}
}
