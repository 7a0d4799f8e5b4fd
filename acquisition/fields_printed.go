package acquisition

import (
	"image"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/regfus/regfus/tesseract"
)

// Printed values in the progressive and count boxes.
//
// Pharmacy software may print the progressive and the count in their boxes
// (as `regfus render --first/--count` does), in its own face. A printed
// value is read by the OCR (FieldOCR, package tesseract's field model) and
// needs no handwriting model. Print is told from handwriting before any
// OCR runs, by what a hand cannot do: characters of one height standing on
// one baseline (within 7% of their height), with strokes of one width
// (within a third of each other). A box that does not look printed is
// handwriting; one that looks printed is read twice, from two crops at
// different scales and margins, and its value is accepted only when both
// readings agree, every character is confident and the reading has as many
// characters as the box holds. Anything else falls to the handwriting
// reader, which keeps what it reads as a suggestion when unsure.

// FieldOCR reads the sheet's printed fields: package tesseract's
// FieldClient (digits and D).
type FieldOCR interface {
	ReadField(line image.Image) (tesseract.Line, error)
	Close() error
}

var _ FieldOCR = (*tesseract.FieldClient)(nil)

// minPrintedConf is the least confidence of every character of a printed
// reading (Tesseract's, 0-1).
const minPrintedConf = 0.75

// Print regularity: characters' heights and baselines within
// printTolerance of the tallest height, stroke widths within
// strokeTolerance of each other (ratio of the widest to the thinnest).
const (
	printTolerance  = 0.07
	strokeTolerance = 1.35
)

// looksPrinted tells whether the glyphs are print: one height, one
// baseline, one stroke width. A single character has no neighbour to
// compare with: it looks printed when its strokes are of one width along
// their length (strokeEven).
func looksPrinted(gs []glyph, m *inkMask, labels []int32) bool {
	if len(gs) == 0 {
		return false
	}
	tall, hMin, bMin, bMax := 0, math.MaxInt, math.MaxInt, 0
	var widths []float64
	for i := range gs {
		g := &gs[i]
		tall = max(tall, g.r.Dy())
		hMin = min(hMin, g.r.Dy())
		bMin, bMax = min(bMin, g.r.Max.Y), max(bMax, g.r.Max.Y)
		widths = append(widths, strokeWidth(g, m, labels))
	}
	tol := max(2, printTolerance*float64(tall))
	if float64(tall-hMin) > tol || float64(bMax-bMin) > tol {
		return false
	}
	if slices.Min(widths) <= 0 || slices.Max(widths)/slices.Min(widths) > strokeTolerance {
		return false
	}
	if len(gs) == 1 {
		return strokeEven(&gs[0], m, labels)
	}
	return true
}

// glyphPixel reports whether (x, y) is ink of g.
func (g *glyph) has(labels []int32, w, x, y int) bool {
	if x < g.clipX[0] || x >= g.clipX[1] || x < 0 || y < 0 || x >= w || y*w+x >= len(labels) {
		return false
	}
	i := slices.Index(g.ids, labels[y*w+x])
	return i >= 0 && (g.idClip == nil || x >= g.idClip[i][0] && x < g.idClip[i][1])
}

// strokeWidth is the glyph's mean stroke width in pixels: its area over
// half its outline (a stroke of width s and length L has area sL and
// outline about 2L).
func strokeWidth(g *glyph, m *inkMask, labels []int32) float64 {
	area, edge := 0, 0
	for y := g.r.Min.Y; y < g.r.Max.Y; y++ {
		for x := g.r.Min.X; x < g.r.Max.X; x++ {
			if !g.has(labels, m.w, x, y) {
				continue
			}
			area++
			if !g.has(labels, m.w, x-1, y) || !g.has(labels, m.w, x+1, y) || !g.has(labels, m.w, x, y-1) || !g.has(labels, m.w, x, y+1) {
				edge++
			}
		}
	}
	if edge == 0 {
		return 0
	}
	return 2 * float64(area) / float64(edge)
}

// strokeEven tells whether a character's horizontal and vertical ink runs
// are of a few widths only: the 20th and 60th percentiles of its run
// lengths (runs shorter than a third of the glyph) within 1.6x. A pen
// swells and thins; a printed face's strokes do not.
func strokeEven(g *glyph, m *inkMask, labels []int32) bool {
	var runs []int
	lim := max(g.r.Dx(), g.r.Dy()) / 3
	for y := g.r.Min.Y; y < g.r.Max.Y; y++ {
		n := 0
		for x := g.r.Min.X; x <= g.r.Max.X; x++ {
			if g.has(labels, m.w, x, y) {
				n++
				continue
			}
			if n > 0 && n < lim {
				runs = append(runs, n)
			}
			n = 0
		}
	}
	if len(runs) < 8 {
		return false
	}
	sort.Ints(runs)
	lo, hi := runs[len(runs)/5], runs[len(runs)*3/5]
	return float64(hi) <= 1.6*float64(max(lo, 1))
}

// printedLine returns the glyphs' ink as a line for the OCR: their grey
// pixels (and a pixel round them, to keep the print's soft edges) on
// white, with margin times the line height of paper above and below and
// 1.5 times that left and right, scaled so that the characters are height
// pixels tall.
func printedLine(g *image.Gray, gs []glyph, labels []int32, w int, margin float64, height int) *image.Gray {
	r := gs[0].r
	for _, x := range gs[1:] {
		r = r.Union(x.r)
	}
	h := len(labels) / w
	keep := func(x, y int) bool {
		for dy := -1; dy <= 1; dy++ {
			for dx := -1; dx <= 1; dx++ {
				xx, yy := x+dx, y+dy
				if xx < 0 || yy < 0 || xx >= w || yy >= h {
					continue
				}
				for i := range gs {
					if gs[i].has(labels, w, xx, yy) {
						return true
					}
				}
			}
		}
		return false
	}
	k := float64(height) / float64(r.Dy())
	mv := int(math.Round(margin * float64(height)))
	mh := int(math.Round(1.5 * margin * float64(height)))
	ow, oh := int(math.Round(float64(r.Dx())*k))+2*mh, height+2*mv
	out := image.NewGray(image.Rect(0, 0, ow, oh))
	for i := range out.Pix {
		out.Pix[i] = 255
	}
	// Source pixels kept, then sampled bilinearly.
	src := make([]float64, r.Dx()*r.Dy()+0)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			v := 255.0
			if keep(x, y) {
				v = float64(g.Pix[y*g.Stride+x])
			}
			src[(y-r.Min.Y)*r.Dx()+(x-r.Min.X)] = v
		}
	}
	sample := func(fx, fy float64) float64 {
		if fx < -0.5 || fy < -0.5 || fx > float64(r.Dx())-0.5 || fy > float64(r.Dy())-0.5 {
			return 255
		}
		x0, y0 := int(math.Floor(fx)), int(math.Floor(fy))
		ax, ay := fx-float64(x0), fy-float64(y0)
		at := func(x, y int) float64 {
			x, y = min(max(x, 0), r.Dx()-1), min(max(y, 0), r.Dy()-1)
			return src[y*r.Dx()+x]
		}
		return (1-ay)*((1-ax)*at(x0, y0)+ax*at(x0+1, y0)) + ay*((1-ax)*at(x0, y0+1)+ax*at(x0+1, y0+1))
	}
	for y := range oh {
		for x := range ow {
			fx := (float64(x-mh)+0.5)/k - 0.5
			fy := (float64(y-mv)+0.5)/k - 0.5
			out.Pix[y*out.Stride+x] = uint8(math.Round(sample(fx, fy)))
		}
	}
	return out
}

// printedReading is the OCR's reading of a printed box.
type printedReading struct {
	text string
	conf float64 // the least character confidence of the readings taken
	ok   bool    // two readings agree, confident, one character per glyph
	// strict: the reading rests on the fast line reader and one of
	// Tesseract's readings failing, so the handwriting model's first choice
	// must read every character the same (printAgrees' strict form).
	strict bool
	// fast: the reading rests on the fast line reader. One the handwriting
	// model does not leave standing gives way to the handwriting reading
	// (a handwritten 2 that Tesseract, unsure, and the fast reader both
	// take for a D is still the model's 2); only Tesseract's own two
	// agreeing readings veto it.
	fast bool
	// disputed: Tesseract's two agreeing readings and the fast reader's
	// sure one differ. Not taken; it still vetoes the handwriting model.
	disputed bool
}

// standsFor tells whether the reading may stand in a field whose context
// expects want ("" for none: the progressive). One resting on the fast
// reader must be want: a handwritten 24 that looks printed, on a bitonal
// page, read 21 by the fast reader, one Tesseract crop and the model
// alike, made a false count_mismatch (the demo's page 2). A mismatch is
// reported on Tesseract's two readings only.
func (pr printedReading) standsFor(want string) bool {
	return !pr.fast || want == "" || pr.text == want
}

// readPrinted reads a printed box twice with Tesseract: at 48 px with 0.4
// line heights of paper round it, and at 64 px with 0.6 (Tesseract's
// English model drops a thin 1 beside a wider digit at 32 px); and once
// with the fast line reader (package linenet, trained on many print faces,
// when lines is not nil), whose sure reading is a second model:
//   - Tesseract's two readings agreeing confidently are a reading, unless
//     a sure fast reading says otherwise (disputed);
//   - a sure fast reading equal to one of Tesseract's (at any confidence)
//     is a reading: two models;
//   - where Tesseract reads nothing the same, a sure fast reading of a box
//     that looks printed (look) is a reading only with the handwriting
//     model reading every character the same (strict): Tesseract misses
//     lone printed characters, the 6 above all.
func readPrinted(ocr FieldOCR, lines LineReader, g *image.Gray, gs []glyph, labels []int32, w int, look bool) (printedReading, error) {
	var texts []string
	conf := 1.0
	whole := true // every Tesseract reading has one character per glyph
	// The first crop is also the fast reader's (it scales any line to
	// its own height).
	first := printedLine(g, gs, labels, w, 0.4, 48)
	for i, v := range []struct {
		margin float64
		height int
	}{{0.4, 48}, {0.6, 64}} {
		crop := first
		if i > 0 {
			crop = printedLine(g, gs, labels, w, v.margin, v.height)
		}
		l, err := ocr.ReadField(crop)
		if err != nil {
			return printedReading{}, err
		}
		texts = append(texts, l.Text)
		conf = math.Min(conf, l.MinConfidence)
		if l.Text == "" || len(l.Symbols) != len(gs) {
			whole = false
			break
		}
	}
	pr := printedReading{text: texts[0], conf: conf}
	pr.ok = whole && texts[0] == texts[1] && conf >= minPrintedConf
	fast, fastConf := "", 0.0
	if lines != nil {
		l, err := lines.Read(first)
		if err != nil {
			return printedReading{}, err
		}
		if !l.Unsure && len(l.Text) == len(gs) && strings.Trim(l.Text, "0123456789D") == "" {
			fast, fastConf = l.Text, l.Conf
		}
	}
	switch {
	case fast == "":
	case pr.ok && fast != pr.text:
		pr.disputed = true // two print models read the box differently
	case pr.ok:
	case slices.Contains(texts, fast):
		pr = printedReading{text: fast, conf: fastConf, ok: true, fast: true}
	case look:
		pr = printedReading{text: fast, conf: fastConf, ok: true, strict: true, fast: true}
	}
	return pr, nil
}
