package synth

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/regfus/regfus/barcode"
	"github.com/regfus/regfus/fustella"
	"github.com/regfus/regfus/ocrtrain/lines"
	"github.com/regfus/regfus/typeface"
)

// Design is a named family of fustella designs: where the Code 32 sits
// relative to the ITF, the label's size and paper, the bars' heights,
// narrow widths and ratios, the digits' font, position and prefix, the
// texts and an optional 2D symbol, each drawn per label from the design's
// ranges. Real fustelle come from many manufacturers' printers, so a
// reader is measured design by design, on designs it was not tuned on
// (leave-one-design-out); every design keeps to SPEC (section 3): Code 32
// and ITF to spec with quiet zones of at least 10 narrow bars, labels that
// fit a 46 x 30 mm slot.
//
// The classic design is the one every corpus had before designs existed
// (Code 32 over ITF at fixed offsets, embedded OCR-A digits, ~40 x 25 mm);
// its labels carry no Look and their truth no design record, so a corpus of
// classic labels is the same bytes as before.
type Design struct {
	Name string
	// Doc says what the design varies.
	Doc string
	// Encoder draws the bars: EncoderRegfus (package barcode),
	// EncoderZint or EncoderGNUBarcode.
	Encoder string
	// Independent is true when nothing of the label comes from code the
	// reader shares: the bars from an external encoder or the digits in a
	// system font (never the embedded OCR-A the classic labels use).
	Independent bool
	// look draws the label's Look and print parameters; nil for classic.
	look func(r *rng, l *Label)
}

// Encoders of the bars.
const (
	EncoderRegfus     = "regfus"      // package barcode, as the classic design
	EncoderZint       = "zint"        // Debian's zint
	EncoderGNUBarcode = "gnu-barcode" // GNU barcode
)

// ClassicDesign is the name of the design of labels with no Look.
const ClassicDesign = "classic"

// Largest designed label: a 46 x 30 mm slot with room for a hand's tilt
// and shift.
const (
	maxLookW = 44.0
	maxLookH = 26.5
)

// Font files of the digits, names and holders of designed labels: Debian's
// fonts-ocr-a, fonts-ocr-b, fonts-dejavu-core/extra, fonts-liberation2 and
// fonts-freefont-ttf (scripts/setup installs them).
var fontFiles = map[string]string{
	"OCRA":                   "/usr/share/fonts/truetype/ocr-a/OCRA.ttf",
	"OCRB":                   "/usr/share/fonts/opentype/ocr-b/OCRB.otf", // drawn from its TrueType conversion: embeddedFonts
	"DejaVuSans":             "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
	"DejaVuSans-Bold":        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
	"DejaVuSansCondensed":    "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf",
	"DejaVuSansMono":         "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
	"LiberationSans-Regular": "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
	"LiberationSans-Bold":    "/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf",
	"LiberationMono-Regular": "/usr/share/fonts/truetype/liberation2/LiberationMono-Regular.ttf",
	"FreeSans":               "/usr/share/fonts/truetype/freefont/FreeSans.ttf",
	"FreeSansBold":           "/usr/share/fonts/truetype/freefont/FreeSansBold.ttf",
	"FreeMono":               "/usr/share/fonts/truetype/freefont/FreeMono.ttf",
}

// embeddedFonts are the catalogue's fonts drawn from another package's
// embedded file (by that package's face name) instead of fontFiles:
// Debian's OCR-B converted to TrueType (ocrtrain/lines). Go's sfnt cannot
// read the CFF flex1 operator of OCRB.otf's 8, so labels drawn from that
// file printed every 8 as nothing (typeface.Font.Draws); systemFont now
// refuses a font that cannot draw the labels' digits and prefixes.
var embeddedFonts = map[string]string{"OCRB": "ocrb"}

// Digit font families.
var (
	fontsOCRA = []string{"OCRA"}
	fontsOCRB = []string{"OCRB"}
	fontsSans = []string{"DejaVuSans", "DejaVuSansCondensed", "LiberationSans-Regular", "FreeSans"}
	fontsMono = []string{"DejaVuSansMono", "LiberationMono-Regular", "FreeMono"}
	fontsBold = []string{"DejaVuSans-Bold", "LiberationSans-Bold", "FreeSansBold"}
	fontsText = []string{"DejaVuSans", "DejaVuSansCondensed", "LiberationSans-Regular", "FreeSans"}
)

var (
	fontMu    sync.Mutex
	fontCache = map[string]typeface.Font{}
)

// systemFont loads a font of the catalogue by name, once.
func systemFont(name string) (typeface.Font, error) {
	fontMu.Lock()
	defer fontMu.Unlock()
	if f, ok := fontCache[name]; ok {
		return f, nil
	}
	var f typeface.Font
	var err error
	if face, ok := embeddedFonts[name]; ok {
		lf, _ := lines.FaceNamed(face)
		var data []byte
		if data, err = lf.TTF(); err == nil {
			f, err = typeface.LoadData(name, data)
		}
	} else if path, ok := fontFiles[name]; ok {
		// (OCRB is in fontFiles too, so PrintFontNames lists it.)
		f, err = typeface.Load(path)
	} else {
		return 0, fmt.Errorf("synth: no font %q in the catalogue", name)
	}
	if err == nil {
		err = f.Draws("0123456789ACDIn. ")
	}
	if err != nil {
		return 0, fmt.Errorf("synth: font %s (Debian fonts-* packages, installed by scripts/setup): %w", name, err)
	}
	fontCache[name] = f
	return f, nil
}

// designs is the catalogue, classic first.
var designs = []Design{
	{Name: ClassicDesign, Encoder: EncoderRegfus,
		Doc: "Code 32 over ITF at fixed offsets, embedded OCR-A digits under the bars, ~40 x 25 mm, narrow 0.25-0.30 mm, ratio 2.5-3; a Data Matrix or QR at the bottom right on a quarter of them"},
	{Name: "itf-above", Encoder: EncoderRegfus, Independent: true, look: lookITFAbove,
		Doc: "ITF block over the Code 32 block, OCR-B digits under the bars, 38-44 x 23-26.5 mm, narrow 0.24-0.32 mm, ratio 2.4-3, bars 5-6.5 mm, centred or left"},
	{Name: "digits-over", Encoder: EncoderRegfus, Independent: true, look: lookDigitsOver,
		Doc: "Code 32 over ITF with both digit lines OVER the bars, plain sans digits (DejaVu, Liberation, FreeSans), AIC printed 'AIC 012345678' or 'A012345678', name and holder at the bottom"},
	{Name: "side-by-side", Encoder: EncoderRegfus, Independent: true, look: lookSideBySide,
		Doc: "Code 32 and ITF side by side (either on the left), monospace digits (DejaVu Sans Mono, Liberation Mono, FreeMono), narrow 0.19-0.21 mm, ratio 2-2.35, bars 7-11 mm, quiet zones 10-11 narrow"},
	{Name: "compact", Encoder: EncoderRegfus, Independent: true, look: lookCompact,
		Doc: "small 30-35 x 18-22 mm label, Code 32 over ITF, system OCR-A digits, bars 4-5 mm, narrow 0.19-0.22 mm, no holder, targatura digits absent on half of them"},
	{Name: "tall-side", Encoder: EncoderRegfus, Independent: true, look: lookTallSide,
		Doc: "side by side with tall bars (11-15 mm), narrow 0.19-0.20 mm, ratio 2-2.2, sans digits, targatura digits absent on a third"},
	{Name: "bordered", Encoder: EncoderRegfus, Independent: true, look: lookBordered,
		Doc: "tinted card with a printed frame, wide bars (narrow 0.27-0.35 mm), OCR-B digits, AIC printed 'A.I.C. n. 012345678'"},
	{Name: "zint", Encoder: EncoderZint, Independent: true, look: lookZint,
		Doc: "bars drawn by Debian's zint (Code 32 ratio 2, ITF ratio 3), system OCR-A digits under the bars, Code 32 above or below the ITF, narrow 0.22-0.33 mm, bars 5-8 mm"},
	{Name: "gnu-barcode", Encoder: EncoderGNUBarcode, Independent: true, look: lookGNUBarcode,
		Doc: "bars drawn by GNU barcode (ratio 3, Code 32 as plain CODE 39), OCR-B or Liberation Mono digits under or over, Code 32 above or below, narrow 0.19-0.28 mm"},
	{Name: "staggered", Encoder: EncoderRegfus, Independent: true, look: lookStaggered,
		Doc: "stacked but staggered: the first symbol at the left edge, the second at the right, digit lines at the left or right end of their bars, either symbol first, OCR-B or sans digits, 'AIC 012345678' or 'A012345678'"},
	{Name: "matrix-corner", Encoder: EncoderRegfus, Independent: true, look: lookMatrixCorner,
		Doc: "a Data Matrix or QR in a top or bottom corner, the symbols beside it aligned away from it, monospace digits, AIC printed 'AIC n. 012345678'"},
}

// Designs returns the catalogue of label designs, classic first.
func Designs() []Design { return slices.Clone(designs) }

// DesignNames returns the names of every design, classic first.
func DesignNames() []string {
	var out []string
	for _, d := range designs {
		out = append(out, d.Name)
	}
	return out
}

// LookupDesign returns the design named name.
func LookupDesign(name string) (Design, bool) {
	for _, d := range designs {
		if d.Name == name {
			return d, true
		}
	}
	return Design{}, false
}

// ParseDesigns parses a comma-separated list of design names, or "all".
func ParseDesigns(s string) ([]Design, error) {
	if s == "all" {
		return Designs(), nil
	}
	var out []Design
	for _, n := range strings.Split(s, ",") {
		n = strings.TrimSpace(n)
		d, ok := LookupDesign(n)
		if !ok {
			return nil, fmt.Errorf("unknown design %q (have %s, or all)", n, strings.Join(DesignNames(), ", "))
		}
		if !slices.ContainsFunc(out, func(o Design) bool { return o.Name == n }) {
			out = append(out, d)
		}
	}
	return out, nil
}

// NewLabel draws a label of design d for product p and targatura t from
// a generator seeded by seed.
func (d Design) NewLabel(seed uint64, p Product, t fustella.Targatura) (*Label, error) {
	return d.newLabel(newRNG(seed), p, t)
}

// newLabel draws one label of the design. A draw whose elements do not fit
// the largest label a slot takes is drawn again.
func (d Design) newLabel(r *rng, p Product, t fustella.Targatura) (*Label, error) {
	if d.look == nil {
		return newLabel(r, p, t), nil
	}
	for try := 0; try < 100; try++ {
		l := &Label{Product: p, Targatura: t, Style: StyleLinear, Look: &Look{Design: d.Name, Encoder: d.Encoder, Quiet: quietFactor, TargaturaDigits: true}}
		printParams(r, l)
		d.look(r, l)
		if err := l.Look.resolveFonts(); err != nil {
			return nil, err
		}
		if l.Style != StyleLinear {
			l.MatrixText = MatrixContent(p.AIC, t)
		}
		_, sw, sh := l.lookLayout()
		if sw > 0 || sh > 0 {
			l.W += sw + 0.05
			l.H += sh + 0.05
			if l.W > maxLookW || l.H > maxLookH {
				continue
			}
			if _, sw, sh = l.lookLayout(); sw > 0 || sh > 0 {
				continue
			}
		}
		if fitsRounded(l) {
			return l, nil
		}
	}
	return nil, fmt.Errorf("synth: design %s: no draw fits a %gx%g mm label", d.Name, maxLookW, maxLookH)
}

// fitsRounded rounds the label's size to the thousandth of a millimetre
// the truth records, up where rounding to the nearest would leave its
// elements a hair too big for it (the draw then refuses the label: seed
// 4501's page 84, 0.0004 mm short). It reports whether the label fits.
func fitsRounded(l *Label) bool {
	w, h := l.W, l.H
	l.W, l.H = round3(w), round3(h)
	if _, sw, sh := l.lookLayout(); sw <= 0 && sh <= 0 {
		return true
	}
	l.W, l.H = math.Ceil(w*1000)/1000, math.Ceil(h*1000)/1000
	_, sw, sh := l.lookLayout()
	return sw <= 0 && sh <= 0
}

func errShort(l *Label, sw, sh float64) error {
	return fmt.Errorf("synth: %s label %gx%g mm is %.2f mm too narrow and %.2f mm too short for its elements", l.Look.Design, l.W, l.H, sw, sh)
}

// resolveFonts loads the Look's fonts.
func (k *Look) resolveFonts() error {
	var err error
	if k.digits, err = lookFont(k.Font); err != nil {
		return err
	}
	if k.name, err = lookFont(k.NameFont); err != nil {
		return err
	}
	k.holder, err = lookFont(k.HolderFont)
	return err
}

// lookFont returns an embedded font by its typeface name or a catalogue
// font by its file name.
func lookFont(name string) (typeface.Font, error) {
	for _, f := range typeface.All {
		if f.Name() == name {
			return f, nil
		}
	}
	return systemFont(name)
}

// printParams draws what every printer varies: paper tone, ink, bar gain
// and blur (as the classic labels).
func printParams(r *rng, l *Label) {
	l.Ink = uint8(r.uniform(0, 45))
	l.Gain = r.normal(0.012, 0.012)
	l.Blur = r.uniform(0, 0.05)
	switch {
	case r.chance(0.3):
		l.Paper = 255
	case r.chance(0.35):
		l.Paper = uint8(r.uniform(205, 230))
	default:
		l.Paper = uint8(r.uniform(230, 252))
	}
}

// textLook draws the product name and holder: position, size, faces (the
// Go fonts or a system sans).
func textLook(r *rng, l *Label, at string) {
	k := l.Look
	k.TextAt = at
	k.NameEm = r.uniform(1.6, 2.2)
	k.HolderEm = r.uniform(1.2, 1.6)
	k.NameFont = pick(r, append([]string{typeface.SansBold.Name()}, fontsBold...))
	k.HolderFont = pick(r, append([]string{typeface.Sans.Name()}, fontsText...))
}

// bars draws narrow widths and ratios of both symbols.
func barsLook(r *rng, l *Label, n32, nITF, ratio [2]float64) {
	l.Narrow32, l.NarrowITF = r.uniform(n32[0], n32[1]), r.uniform(nITF[0], nITF[1])
	l.Ratio32, l.RatioITF = r.uniform(ratio[0], ratio[1]), r.uniform(ratio[0], ratio[1])
}

func lookITFAbove(r *rng, l *Label) {
	k := l.Look
	l.W, l.H = r.uniform(38, 44), r.uniform(23, 26.5)
	barsLook(r, l, [2]float64{0.24, 0.30}, [2]float64{0.24, 0.32}, [2]float64{2.4, 3})
	k.Arrangement, k.Align = ITFAbove, pick(r, []string{"center", "center", "left"})
	k.Font, k.AICPrefix = pick(r, fontsOCRB), "A"
	k.DigitEm, k.TextGap = r.uniform(2.2, 2.7), r.uniform(0.35, 0.7)
	k.Bars32H, k.BarsITFH = r.uniform(5, 6.5), r.uniform(5, 6.5)
	k.Quiet = r.uniform(10, 14)
	textLook(r, l, "top")
}

func lookDigitsOver(r *rng, l *Label) {
	k := l.Look
	l.W, l.H = r.uniform(38, 44), r.uniform(24, 26.5)
	barsLook(r, l, [2]float64{0.22, 0.28}, [2]float64{0.22, 0.30}, [2]float64{2.2, 2.8})
	k.Arrangement, k.Align = Code32Above, pick(r, []string{"center", "left", "right"})
	k.DigitsOver = true
	k.Font, k.AICPrefix = pick(r, fontsSans), pick(r, []string{"AIC ", "A"})
	k.DigitEm, k.TextGap = r.uniform(2.0, 2.6), r.uniform(0.3, 0.6)
	k.Bars32H, k.BarsITFH = r.uniform(4.5, 6), r.uniform(4.5, 6)
	k.Quiet = r.uniform(10, 13)
	textLook(r, l, "bottom")
}

func lookSideBySide(r *rng, l *Label) {
	k := l.Look
	l.W, l.H = r.uniform(40, 44), r.uniform(20, 26)
	n := r.uniform(0.19, 0.21)
	l.Narrow32, l.NarrowITF = n, n
	l.Ratio32, l.RatioITF = r.uniform(2, 2.35), r.uniform(2, 2.35)
	k.Arrangement, k.Align = pick(r, []string{Code32Left, ITFLeft}), "center"
	k.Font, k.AICPrefix = pick(r, fontsMono), "A"
	k.DigitEm, k.TextGap = r.uniform(1.8, 2.2), r.uniform(0.3, 0.6)
	h := r.uniform(7, 11)
	k.Bars32H, k.BarsITFH = h, h
	k.Quiet = r.uniform(10, 11)
	textLook(r, l, pick(r, []string{"top", "bottom"}))
}

func lookCompact(r *rng, l *Label) {
	k := l.Look
	l.W, l.H = r.uniform(30, 35), r.uniform(18, 22)
	barsLook(r, l, [2]float64{0.19, 0.22}, [2]float64{0.19, 0.24}, [2]float64{2, 2.5})
	k.Arrangement, k.Align = Code32Above, "center"
	k.Font, k.AICPrefix = pick(r, fontsOCRA), "A"
	k.TargaturaDigits = r.chance(0.5)
	k.DigitEm, k.TextGap = r.uniform(1.8, 2.1), r.uniform(0.25, 0.45)
	k.Bars32H, k.BarsITFH = r.uniform(4, 5), r.uniform(4, 5)
	k.Quiet = r.uniform(10, 11.5)
	textLook(r, l, "top")
	k.NameEm, k.HolderEm = r.uniform(1.3, 1.6), 0
}

func lookTallSide(r *rng, l *Label) {
	k := l.Look
	l.W, l.H = r.uniform(42, 44), r.uniform(24, 26.5)
	n := r.uniform(0.19, 0.20)
	l.Narrow32, l.NarrowITF = n, n
	l.Ratio32, l.RatioITF = r.uniform(2, 2.2), r.uniform(2, 2.2)
	k.Arrangement, k.Align = pick(r, []string{Code32Left, ITFLeft}), "center"
	k.Font, k.AICPrefix = pick(r, fontsSans), "A"
	k.TargaturaDigits = !r.chance(1.0 / 3)
	k.DigitEm, k.TextGap = r.uniform(1.8, 2.2), r.uniform(0.3, 0.6)
	h := r.uniform(11, 15)
	k.Bars32H, k.BarsITFH = h, h
	k.Quiet = 10
	textLook(r, l, pick(r, []string{"top", "bottom"}))
	k.NameEm, k.HolderEm = r.uniform(1.4, 1.8), r.uniform(1.1, 1.3)
}

func lookBordered(r *rng, l *Label) {
	k := l.Look
	l.W, l.H = r.uniform(42, 44), r.uniform(25, 26.5)
	barsLook(r, l, [2]float64{0.27, 0.33}, [2]float64{0.30, 0.35}, [2]float64{2, 2.4})
	l.RatioITF = r.uniform(2.4, 3)
	l.Paper = uint8(r.uniform(205, 235))
	k.Border, k.BorderInset = r.uniform(0.25, 0.45), r.uniform(0.4, 0.9)
	k.Arrangement, k.Align = Code32Above, "center"
	k.Font, k.AICPrefix = pick(r, fontsOCRB), "A.I.C. n. "
	k.DigitEm, k.TextGap = r.uniform(2.0, 2.3), r.uniform(0.35, 0.6)
	k.Bars32H, k.BarsITFH = r.uniform(4.5, 5.5), r.uniform(4.5, 5.5)
	k.Quiet = 10
	textLook(r, l, "top")
	k.NameEm, k.HolderEm = r.uniform(1.5, 1.8), r.uniform(1.1, 1.3)
}

func lookStaggered(r *rng, l *Label) {
	k := l.Look
	l.W, l.H = r.uniform(40, 44), r.uniform(23, 26.5)
	barsLook(r, l, [2]float64{0.19, 0.24}, [2]float64{0.20, 0.28}, [2]float64{2, 2.8})
	k.Arrangement, k.Align = pick(r, []string{Code32Above, ITFAbove}), "staggered"
	k.DigitsAlign = pick(r, []string{"left", "right"})
	k.Font, k.AICPrefix = pick(r, append([]string{"OCRB"}, fontsSans...)), pick(r, []string{"AIC ", "A"})
	k.DigitEm, k.TextGap = r.uniform(1.9, 2.4), r.uniform(0.3, 0.6)
	k.Bars32H, k.BarsITFH = r.uniform(4.5, 7), r.uniform(4.5, 7)
	k.Quiet = r.uniform(10, 12)
	textLook(r, l, pick(r, []string{"top", "bottom"}))
}

func lookMatrixCorner(r *rng, l *Label) {
	k := l.Look
	l.W, l.H = r.uniform(42, 44), r.uniform(24, 26.5)
	barsLook(r, l, [2]float64{0.20, 0.23}, [2]float64{0.20, 0.25}, [2]float64{2, 2.6})
	l.Style = pick(r, []string{StyleDataMatrix, StyleQR})
	k.MatrixCorner = pick(r, []string{"top-left", "top-right", "bottom-left", "bottom-right"})
	k.MatrixSize = r.uniform(7, 8.5)
	k.Arrangement = pick(r, []string{Code32Above, ITFAbove})
	k.Align = "left"
	if strings.HasSuffix(k.MatrixCorner, "left") {
		k.Align = "right"
	}
	k.Font, k.AICPrefix = pick(r, fontsMono), "AIC n. "
	k.DigitEm, k.TextGap = r.uniform(1.8, 2.1), r.uniform(0.3, 0.5)
	k.Bars32H, k.BarsITFH = r.uniform(4.5, 6), r.uniform(4.5, 6)
	k.Quiet = r.uniform(10, 12)
	textLook(r, l, pick(r, []string{"top", "bottom"}))
	k.NameEm, k.HolderEm = r.uniform(1.5, 1.9), r.uniform(1.1, 1.4)
}

func lookZint(r *rng, l *Label) {
	k := l.Look
	l.W, l.H = r.uniform(38, 44), r.uniform(23, 26.5)
	l.Ratio32, l.RatioITF = EncoderRatios(EncoderZint)
	l.Narrow32, l.NarrowITF = r.uniform(0.22, 0.33), r.uniform(0.22, 0.30)
	k.Arrangement, k.Align = pick(r, []string{Code32Above, ITFAbove}), pick(r, []string{"center", "left"})
	k.Font, k.AICPrefix = "OCRA", "A"
	k.DigitEm, k.TextGap = r.uniform(2.1, 2.6), r.uniform(0.3, 0.7)
	k.Bars32H, k.BarsITFH = r.uniform(5, 8), r.uniform(5, 8)
	k.Quiet = r.uniform(10, 13)
	textLook(r, l, pick(r, []string{"top", "bottom"}))
}

func lookGNUBarcode(r *rng, l *Label) {
	k := l.Look
	l.W, l.H = r.uniform(38, 44), r.uniform(23, 26.5)
	l.Ratio32, l.RatioITF = EncoderRatios(EncoderGNUBarcode)
	l.Narrow32, l.NarrowITF = r.uniform(0.19, 0.27), r.uniform(0.19, 0.28)
	k.Arrangement, k.Align = pick(r, []string{Code32Above, ITFAbove}), "center"
	k.DigitsOver = r.chance(0.3)
	k.Font, k.AICPrefix = pick(r, []string{"OCRB", "LiberationMono-Regular"}), pick(r, []string{"A", "AIC "})
	k.DigitEm, k.TextGap = r.uniform(2.0, 2.5), r.uniform(0.3, 0.6)
	k.Bars32H, k.BarsITFH = r.uniform(4.5, 7), r.uniform(4.5, 7)
	k.Quiet = r.uniform(10, 12)
	textLook(r, l, "top")
}

// encode returns the bars of one of the label's symbols (SymCode32 or
// SymITF) as the label's encoder draws them.
func (l *Label) encode(kind string) (barcode.Symbol, error) {
	if l.Look != nil && l.Look.Encoder != EncoderRegfus {
		data := string(l.Targatura)
		if kind == SymCode32 {
			data = string(l.AIC)
		}
		return ExternalSymbol(l.Look.Encoder, kind, data)
	}
	if kind == SymCode32 {
		return barcode.Code39(l.AIC.Code32(), l.Ratio32)
	}
	return barcode.ITF(string(l.Targatura), l.RatioITF)
}
