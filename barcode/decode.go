// The crop decoder: Decoder, what its crop methods look for (targets and
// their validation) and the plan of scan-line attempts it tries on a crop.

package barcode

import (
	"errors"
	"fmt"
	"image"
	"math"
	"sort"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned"

	"github.com/regfus/regfus/fustella"
	"github.com/regfus/regfus/sheet"
)

// Decoder reads CODE 39, Code 32 and ITF symbols. It owns its gozxing
// readers and scratch buffers, so it is NOT safe for concurrent use: give
// each goroutine its own. It is cheap to create (a few small allocations);
// the zero Decoder is ready to use.
//
// gozxing (a port of zxing) reads CODE 39 and ITF from one binarized scan
// line at a time, needs a quiet zone, has no multi-format 1D reader and
// reads straight lines only. A Decoder drives its row decoders itself: it
// samples scan lines through the image (optionally tilted, upsampled or
// averaged across a band of rows), thresholds them (gozxing's global
// histogram and hybrid binarizers, and a local-midpoint one of ours),
// splits them at quiet zones, skips pieces with no possible start pattern
// (see guard) and hands the rest to the reader both ways round (a symbol
// upside down reads right to left).
//
// The crop methods (Code39, ITF, Code32, Targatura, SheetCode) take a
// deskewed crop around one symbol and try a fixed plan of such attempts,
// likeliest first (see buildCropPlan). A value is returned only when at
// least two scan lines of one attempt that share no pixel rows agree on it
// and it passes the method's validation; a different valid value read in
// the same attempt is ErrAmbiguous, a single line's read ErrUnconfirmed.
// A line's read counts only when it is the whole symbol of its stretch of
// line, with white of quietNarrow (4) narrow widths on either side inside
// the crop (see wholeRead): a crop must leave that much paper beside the
// bars, and for ITF the crop's edge is no quiet zone (for CODE 39 it is).
// FindAll scans a whole image in many directions and clusters what it reads.
//
// Code32 and Targatura, the two fixed-length fustella symbols, have one
// more attempt when every gozxing pass has failed: the model-based reader
// of model.go, which fits the blurred two-width grid of the whole symbol
// to rows averaged along the bars and reads what no threshold can (phone
// photos, 1-bit scans with merged or broken narrow elements). It is held
// to more than the gozxing passes (see model.go), and its reads carry
// Attempt.Binarizer == Model.
//
// Limits, measured on synthesised crops (bars 1.5 to 4 px, random phase):
// narrow bars of 1.5 px and more read under blur up to sigma 0.8 px, noise,
// tint, shadows, inversion and tilt up to 5 degrees; at 1.1 to 1.4 px clean
// and lightly blurred crops still read, at 1 px or less mostly nothing
// does. At those extremes (1.2 px, 2:1 ratio, noise-free, so that every
// row sees the same aliasing) a misread passing the check digit was seen
// once in about 2,500 decodes: the page reader's OCR cross-check is the
// last guard.
type Decoder struct {
	code39 oned.RowDecoder
	itf    oned.RowDecoder

	src  lineSource
	gh   gozxing.Binarizer
	lum  []byte
	tmp  []byte
	acc  []int
	mm   []byte
	lo   []byte
	hi   []byte
	bits *gozxing.BitArray
	inv  *gozxing.BitArray
	seg  *gozxing.BitArray
	rl   []int
	segs []segment
	// wholeRead's and spansBars' scratch.
	wrl   []int
	wsort []int

	// Model-based fallback (model.go).
	mfit  modelFit
	mprof []float64
	mdark []float64
	mrev  []float64

	// Per-image state of a crop decode.
	hybrid [2]*gozxing.BitMatrix // [inverted], computed on demand
	hyErr  [2]error
	cover  Extent // the target's, while the model reads
	// bilevel is set while the model reads a crop of a 1-bit scan (see
	// bilevel): the thresholded model is tried where the linear one fails.
	bilevel bool
}

// NewDecoder returns a ready Decoder.
func NewDecoder() *Decoder {
	d := &Decoder{}
	d.init()
	return d
}

func (d *Decoder) init() {
	if d.code39 != nil {
		return
	}
	d.code39 = oned.NewCode39Reader().(oned.RowDecoder)
	d.itf = oned.NewITFReader().(oned.RowDecoder)
	d.gh = gozxing.NewGlobalHistgramBinarizer(&d.src)
}

// target is what a crop method looks for.
type target struct {
	what   string
	format Format
	reader func(d *Decoder) oned.RowDecoder
	guard  guard
	hints  map[gozxing.DecodeHintType]interface{}
	// accept validates a read; nil accepts anything.
	accept func(text string) error
	// quick limits a crop decode to the first quickPasses passes of its
	// order, without the model fallback (see Decoder.Quick) unless model
	// is set too (Decoder.QuickModel).
	quick, model bool
	// cover bounds the extents the model fits (Decoder.QuickModel).
	cover Extent
}

// zxing's default ITF lengths, plus anything longer than 14.
var itfLengths = []int{6, 8, 10, 12, 14}

var (
	code39Target = target{what: "CODE 39", format: FormatCode39, reader: func(d *Decoder) oned.RowDecoder { return d.code39 }, guard: code39Guard}
	itfTarget    = target{what: "ITF", format: FormatITF, reader: func(d *Decoder) oned.RowDecoder { return d.itf }, guard: itfGuard,
		hints: map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_ALLOWED_LENGTHS: itfLengths}}
	code32Target = target{what: "Code 32", format: FormatCode39, reader: code39Target.reader, guard: code39Guard, accept: acceptCode32}
	sheetTarget  = target{what: "sheet code", format: FormatCode39, reader: code39Target.reader, guard: code39Guard, accept: acceptSheetCode}
	// The targatura is 10 digits. gozxing is let through reads of 6 and 8
	// digits (and any longer) so that a wrong symbol is reported as a wrong
	// length rather than as nothing; accept then rejects them.
	targaturaTarget = target{what: "targatura", format: FormatITF, reader: itfTarget.reader, guard: itfGuard,
		hints:  map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_ALLOWED_LENGTHS: []int{6, 8, 10}},
		accept: acceptTargatura}
)

func acceptCode32(text string) error {
	if len(text) != fustella.Code32Len {
		return &validationError{ErrLength, fmt.Errorf("%d characters, want %d", len(text), fustella.Code32Len)}
	}
	if _, err := fustella.AICFromCode32(text); err != nil {
		if errors.Is(err, fustella.ErrInvalidAIC) {
			return &validationError{ErrCheckDigit, err}
		}
		return &validationError{ErrInvalid, err}
	}
	return nil
}

func acceptTargatura(text string) error {
	if len(text) != 10 {
		return &validationError{ErrLength, fmt.Errorf("%d digits, want 10", len(text))}
	}
	if _, err := fustella.ParseTargatura(text); err != nil {
		// ITF yields digits only, so with the length right the check failed.
		return &validationError{ErrCheckDigit, err}
	}
	return nil
}

func acceptSheetCode(text string) error {
	if len(text) != sheet.CodeLen {
		return &validationError{ErrLength, fmt.Errorf("%d characters, want %d", len(text), sheet.CodeLen)}
	}
	if _, err := sheet.ParseCode(text); err != nil {
		return &validationError{ErrInvalid, err}
	}
	return nil
}

// Code39 reads one CODE 39 symbol (no check character) from a deskewed crop.
func (d *Decoder) Code39(img *image.Gray) (Result, error) {
	return d.decodeCrop(img, &code39Target)
}

// ITF reads one Interleaved 2 of 5 symbol of 6, 8, 10, 12, 14 or more digits
// from a deskewed crop. Nothing about its content is validated.
func (d *Decoder) ITF(img *image.Gray) (Result, error) {
	return d.decodeCrop(img, &itfTarget)
}

// quickPasses is how many passes of the crop plan a quick decode tries:
// the upright ones that read clean, blurred, tinted and shadowed crops
// (or their inverted twins, for a crop that looks negative).
const quickPasses = 3

// Quick returns a view of d whose Code32 and Targatura try only the first
// passes of the crop plan and never the model fallback: a crop of a good
// scan reads there in well under a millisecond, and a crop of the other
// symbology fails there in about one, where the whole plan costs 12 to 15
// ms to fail. A caller that does not know which of the two symbols a crop
// holds asks both quickly first and only then runs the whole plan (see
// acquisition's decodeBars). Quick and d share their buffers: use one at a
// time.
func (d *Decoder) Quick() QuickDecoder { return QuickDecoder{d: d} }

// QuickModel returns a view of d whose Code32 and Targatura try the quick
// passes and then the model reader (model.go), without the crop plan's
// other passes, and whose model fits only the extents within e: what reads
// a blurred symbol that the page reader found only in part, from a crop
// much wider than it (acquisition's decodeWhole). There the model made
// nearly every read (on phone pages, 269 of 276 reads of the whole plan),
// after 30-odd passes that cost 50 to 100 ms to fail; and an extent that
// leaves out some of the part found, or is wider than any symbol, is not
// the symbol sought (a neighbour's, the label's other symbol, or all of
// them run together), whatever it reads. A gozxing pass's read is not held
// to e: its Result.Span is the caller's to check.
func (d *Decoder) QuickModel(e Extent) QuickDecoder {
	return QuickDecoder{d: d, model: true, cover: e}
}

// Extent bounds where a symbol sought lies in a crop (px): it spans at
// least columns Lo to Hi and is at most MaxW wide. The zero Extent bounds
// nothing.
type Extent struct{ Lo, Hi, MaxW float64 }

// allows reports whether a symbol's extent [l, r] found by threshold can
// be the one e bounds, with extentSlack px to spare (its ends are good to
// a pixel or two).
func (e Extent) allows(l, r float64) bool {
	if e.Hi > e.Lo && (l > e.Lo+extentSlack || r < e.Hi-extentSlack) {
		return false
	}
	return e.MaxW <= 0 || r-l <= e.MaxW+extentSlack
}

// extentSlack is in px.
const extentSlack = 3

// QuickDecoder is Decoder.Quick's and Decoder.QuickModel's view.
type QuickDecoder struct {
	d     *Decoder
	model bool
	cover Extent
}

// Code32 is Decoder.Code32 limited to the quick passes (and the model).
func (q QuickDecoder) Code32(img *image.Gray) (fustella.AIC, Result, error) {
	t := code32Target
	t.quick, t.model, t.cover = true, q.model, q.cover
	return q.d.code32(img, &t)
}

// Targatura is Decoder.Targatura limited to the quick passes (and the
// model).
func (q QuickDecoder) Targatura(img *image.Gray) (fustella.Targatura, Result, error) {
	t := targaturaTarget
	t.quick, t.model, t.cover = true, q.model, q.cover
	return q.d.targatura(img, &t)
}

// Code32 reads the Code 32 symbol of a fustella: a CODE 39 read of 6
// characters, converted from base 32 and checked (fustella.AICFromCode32).
// A read failing the length, alphabet or check digit is an error wrapping
// ErrLength, ErrInvalid or ErrCheckDigit (and the fustella error).
func (d *Decoder) Code32(img *image.Gray) (fustella.AIC, Result, error) {
	return d.code32(img, &code32Target)
}

func (d *Decoder) code32(img *image.Gray, t *target) (fustella.AIC, Result, error) {
	return decodeValue(d, img, t, fustella.AICFromCode32, ErrInvalid)
}

// Targatura reads the ITF symbol of a fustella and checks it as a
// targatura: exactly 10 digits and a valid check digit, which is what stops
// a partial scan of the bars from passing as a value.
func (d *Decoder) Targatura(img *image.Gray) (fustella.Targatura, Result, error) {
	return d.targatura(img, &targaturaTarget)
}

func (d *Decoder) targatura(img *image.Gray, t *target) (fustella.Targatura, Result, error) {
	return decodeValue(d, img, t, fustella.ParseTargatura, ErrCheckDigit)
}

// SheetCode reads a head or tail sheet barcode: CODE 39 parsed and
// validated by sheet.ParseCode.
func (d *Decoder) SheetCode(img *image.Gray) (sheet.Code, Result, error) {
	return decodeValue(d, img, &sheetTarget, sheet.ParseCode, ErrInvalid)
}

// decodeValue reads a crop for t and parses the read into its domain value.
// t's accept has already run the same parse, so parse failing here cannot
// happen; it is reported as a DecodeError of kind rather than trusted.
func decodeValue[T any](d *Decoder, img *image.Gray, t *target, parse func(string) (T, error), kind error) (T, Result, error) {
	var zero T
	r, err := d.decodeCrop(img, t)
	if err != nil {
		return zero, r, err
	}
	v, err := parse(r.Text)
	if err != nil { // cannot happen: accept checked it
		return zero, r, &DecodeError{What: t.what, Kind: kind, Text: r.Text, Cause: err}
	}
	return v, r, nil
}

// pass is one attempt of the crop plan.
type pass struct {
	bin     Binarizer
	angle   float64 // degrees
	scale   int
	band    int
	invert  bool
	sweep   bool
	sharpen bool
}

// cropPlan is the order of attempts for a crop, cheapest and likeliest
// first. Each pass reads both ways round, so 180-degree rotation is covered
// everywhere.
var cropPlan = buildCropPlan()

func buildCropPlan() []pass {
	const (
		mid = Midpoint
		gh  = GlobalHistogram
	)
	upright := []pass{
		// Upsampled, 3 rows averaged, sharpened, midpoint threshold: reads
		// clean, blurred, tinted and shadowed crops with narrow bars down to
		// 1.5 px, so it comes first.
		{bin: mid, scale: 2, band: 3, sharpen: true},
		{bin: mid, scale: 2, band: 3}, // noise: sharpening amplifies it
		{bin: gh},                     // zxing's own read
		{bin: mid, scale: 2, band: 5, sharpen: true},
		{bin: mid, scale: 2, band: 5}, // heavy noise
		{bin: Hybrid},                 // gozxing's local threshold
		{bin: gh, band: 5},
	}
	plan := append([]pass(nil), upright...)
	// Crop-height sweep: lines over the whole height, for a symbol that does
	// not sit in the middle of the crop or is damaged there.
	plan = append(plan,
		pass{bin: mid, scale: 2, band: 3, sharpen: true, sweep: true},
		pass{bin: gh, sweep: true},
		pass{bin: Hybrid, sweep: true})
	// Residual skew after deskewing, a label stuck on askew: tilt the scan
	// lines (tilted lines also sample a bitonal scan's staircase edges at
	// varying phases, where all rows of an axis-aligned scan see the same).
	for _, a := range []float64{1, -1, 2, -2, 3, -3} {
		plan = append(plan,
			pass{bin: mid, scale: 2, band: 3, sharpen: true, angle: a},
			pass{bin: mid, scale: 2, band: 5, angle: a})
	}
	for _, a := range []float64{4.5, -4.5, 6, -6} {
		plan = append(plan, pass{bin: mid, scale: 2, band: 3, sharpen: true, angle: a})
	}
	// Light bars on a dark ground (a negative scan, a reversed print).
	for _, p := range upright {
		p.invert = true
		plan = append(plan, p)
	}
	for _, a := range []float64{1, -1, 2, -2, 3, -3} {
		plan = append(plan, pass{bin: mid, scale: 2, band: 3, sharpen: true, angle: a, invert: true})
	}
	for i := range plan {
		plan[i].scale = max(plan[i].scale, 1)
		plan[i].band = max(plan[i].band, 1)
	}
	return plan
}

// minContrast is the least spread of grey levels in which any of the
// binarizers can see bars: gozxing's need 16 (global
// histogram) and 24 (hybrid), the midpoint binarizer 24.
const minContrast = 24

// cropOrder returns the order in which to try cropPlan on p: as planned,
// unless p looks like a negative (its median is darker than the midpoint of
// its 5th and 95th percentiles: the ground is dark), in which case the
// inverted passes go first. It also returns p's contrast, the spread of its
// grey levels from the 0.5th to the 99.5th percentile (so that a symbol
// covering a small part of a large crop still counts), sampled every h/32
// rows.
func cropOrder(p plane) ([]int, int) {
	var hist [256]int
	n := 0
	for y := 0; y < p.h; y += max(1, p.h/32) {
		row := p.pix[y*p.stride : y*p.stride+p.w]
		for _, v := range row {
			hist[v]++
		}
		n += p.w
	}
	p5, p50, p95 := percentile(&hist, n, 0.05), percentile(&hist, n, 0.5), percentile(&hist, n, 0.95)
	order := make([]int, 0, len(cropPlan))
	negative := 2*p50 < p5+p95
	for _, want := range []bool{negative, !negative} {
		for i, ps := range cropPlan {
			if ps.invert == want {
				order = append(order, i)
			}
		}
	}
	return order, percentile(&hist, n, 0.995) - percentile(&hist, n, 0.005)
}

// confirmLines is how many more lines of a pass are read after its first
// read, to confirm it (a read counts only if at least two lines of one
// pass agree) and to catch a second, different symbol.
const confirmLines = 6

// rejection is a text that failed validation and how many lines read it.
type rejection struct {
	text string
	n    int
	err  *validationError
}

func addRejection(rs []rejection, text string, err *validationError) []rejection {
	for i := range rs {
		if rs[i].text == text {
			rs[i].n++
			return rs
		}
	}
	return append(rs, rejection{text: text, n: 1, err: err})
}

// vote is one text read in a pass and by how many independent lines:
// lines that share no pixel rows (band averaging and a dense sweep make
// neighbouring lines see the same pixels, and so the same garbage).
type vote struct {
	text     string
	n        int
	reversed bool
	rows     []int
	span     [2]float64 // the first read's, crop pixels
}

func addVote(vs []vote, text string, rev bool, y, band int, span [2]float64) []vote {
	for i := range vs {
		if vs[i].text != text {
			continue
		}
		for _, r := range vs[i].rows {
			if y > r-band && y < r+band {
				return vs // overlaps a line that already counted
			}
		}
		vs[i].n++
		vs[i].rows = append(vs[i].rows, y)
		return vs
	}
	return append(vs, vote{text: text, n: 1, reversed: rev, rows: []int{y}, span: span})
}

// minCropSize is the smallest crop worth reading: a CODE 39 start, one
// character and a stop are 47 modules.
const minCropSize = 20

func (d *Decoder) decodeCrop(img *image.Gray, t *target) (Result, error) {
	d.init()
	fail := &DecodeError{What: t.what, Kind: ErrNotFound}
	if img == nil {
		fail.Cause = errors.New("no image")
		return Result{}, fail
	}
	p := planeFromGray(img)
	if p.w < minCropSize || p.h < 1 {
		fail.Cause = fmt.Errorf("image %dx%d is too small", p.w, p.h)
		return Result{}, fail
	}
	d.hybrid, d.hyErr = [2]*gozxing.BitMatrix{}, [2]error{}
	defer func() { d.hybrid = [2]*gozxing.BitMatrix{} }()
	// Reads that failed validation, by text: the most read one explains
	// the failure best (a partial read of a 12-digit ITF can pass as a
	// targatura on one line while every other line says 12 digits).
	var rejected []rejection
	rd := t.reader(d)
	order, contrast := cropOrder(p)
	if contrast < minContrast {
		fail.Cause = fmt.Errorf("no contrast: grey levels span %d", contrast)
		return Result{}, fail
	}
	var unconfirmed string
	if t.quick {
		order = order[:min(len(order), quickPasses)]
	}
	for i, pi := range order {
		ps := cropPlan[pi]
		fail.Attempts = i + 1
		var votes []vote // accepted texts of this pass
		budget := -1
		for _, y := range cropRows(p.h, ps.sweep) {
			y := y
			if budget == 0 {
				break
			}
			bits := d.cropLine(p, ps, y)
			if bits == nil {
				continue
			}
			if budget > 0 {
				budget--
			}
			d.decodeLine(bits, rd, t.hints, t.guard, t.format == FormatITF, false, func(lr lineRead) bool {
				text, rev := lr.text, lr.reversed
				if t.accept != nil {
					if err := t.accept(text); err != nil {
						var v *validationError
						if errors.As(err, &v) {
							rejected = addRejection(rejected, text, v)
						}
						return false
					}
				}
				// Samples along the line to crop pixels (a tilted line's
				// few degrees are ignored: a pixel at most).
				k := float64(ps.scale)
				votes = addVote(votes, text, rev, y, ps.band, [2]float64{lr.start / k, lr.end / k})
				if budget < 0 {
					budget = confirmLines
				}
				return true
			})
		}
		if len(votes) == 0 {
			continue
		}
		sort.SliceStable(votes, func(a, b int) bool { return votes[a].n > votes[b].n })
		best := votes[0]
		if best.n < 2 {
			// One line is not a read: garbage can pass a check digit (one
			// time in ten), and did in the limit tests. Go on looking.
			// (Adding up single reads of different attempts lets the same
			// garbage through: aliasing is systematic.)
			if unconfirmed == "" {
				unconfirmed = best.text
			}
			continue
		}
		if len(votes) > 1 && (votes[1].n >= 2 || best.n < 3) {
			return Result{}, &DecodeError{What: t.what, Kind: ErrAmbiguous, Text: best.text + " / " + votes[1].text, Attempts: i + 1}
		}
		return Result{Format: t.format, Text: best.text, Lines: best.n, Attempt: Attempt{
			Index: i, Binarizer: ps.bin, Inverted: ps.invert, Reversed: best.reversed,
			Angle: ps.angle, Scale: ps.scale, Band: ps.band, Sweep: ps.sweep,
		}, Span: best.span}, nil
	}
	if m := modelTarget(t); m != nil && (!t.quick || t.model) {
		accept := t.accept
		d.cover = t.cover
		r, n, ok := d.decodeModel(p, m, accept)
		d.cover = Extent{}
		if ok {
			return Result{Format: t.format, Text: r.text, Lines: n, Attempt: Attempt{
				Index: len(order), Binarizer: Model, Reversed: r.reversed, Scale: 1, Band: p.h / modelBands,
			}, Span: r.span}, nil
		}
		fail.Attempts++
	}
	sort.SliceStable(rejected, func(a, b int) bool { return rejected[a].n > rejected[b].n })
	switch {
	case len(rejected) > 0 && (rejected[0].n >= 2 || unconfirmed == ""):
		r := rejected[0]
		fail.Kind, fail.Cause, fail.Text = r.err.kind, r.err.cause, r.text
	case unconfirmed != "":
		fail.Kind, fail.Text = ErrUnconfirmed, unconfirmed
	}
	return Result{}, fail
}

// cropRows returns the rows scanned in a crop, from the middle outwards as
// zxing does: 15 rows 1/32 of the height apart (the middle half), or
// (sweep) every 1/48 of the height over all of it.
func cropRows(h int, sweep bool) []int {
	step, n := max(1, h>>5), 15
	if sweep {
		step, n = max(1, h/48), h
	}
	rows := make([]int, 0, min(n, h))
	mid := h / 2
	for k := 0; k < n; k++ {
		off := (k + 1) / 2 * step
		if k%2 == 1 {
			off = -off
		}
		y := mid + off
		if y < 0 || y >= h {
			break
		}
		rows = append(rows, y)
	}
	return rows
}

// cropLine samples and binarizes the scan line of pass ps through row y of
// the crop. It returns nil when the line has too little contrast.
func (d *Decoder) cropLine(p plane, ps pass, y int) *gozxing.BitArray {
	if ps.bin == Hybrid {
		inv := 0
		if ps.invert {
			inv = 1
		}
		if m := d.hybrid[inv]; m != nil && (m.GetWidth() != p.w || m.GetHeight() != p.h) {
			d.hybrid[inv], d.hyErr[inv] = nil, nil // another image's
		}
		if d.hybrid[inv] == nil && d.hyErr[inv] == nil {
			d.hybrid[inv], d.hyErr[inv] = gozxing.NewHybridBinarizer(newPlaneSource(p, ps.invert)).GetBlackMatrix()
		}
		if d.hybrid[inv] == nil {
			return nil
		}
		return d.hybrid[inv].GetRow(y, bitsOf(&d.bits, p.w))
	}
	a := ps.angle * math.Pi / 180
	cos, sin := math.Cos(a), math.Sin(a)
	length := float64(p.w-1) / cos
	l := scanLine{
		ox: 0, oy: float64(y) - sin/cos*float64(p.w-1)/2,
		dx: cos, dy: sin,
		step: 1 / float64(ps.scale),
		n:    int(length*float64(ps.scale)) + 1,
		band: ps.band,
	}
	if ps.angle == 0 {
		l.ox, l.oy, l.dx, l.dy = phase(ps.scale), float64(y), 1, 0
	}
	return d.binarize(p, l, ps.bin, ps.invert, ps.sharpen, ps.scale)
}

// binarize samples l and thresholds it with the global histogram
// binarizer; nil if the line has too little contrast to threshold.
func (d *Decoder) binarize(p plane, l scanLine, bin Binarizer, invert, sharpen bool, scale int) *gozxing.BitArray {
	d.lum = p.sample(l, d.lum, &d.acc)
	if sharpen {
		d.lum, d.tmp = sharpenLine(d.lum, scale, d.tmp), d.lum
	}
	if invert {
		for i, v := range d.lum {
			d.lum[i] = 255 - v
		}
	}
	if bin == Midpoint {
		bits := bitsOf(&d.bits, len(d.lum))
		if !midpointRow(d.lum, max(8, len(d.lum)/24), 0, bits, nil, &d.lo, &d.hi, &d.mm) {
			return nil
		}
		return bits
	}
	d.src.set(d.lum)
	bits, err := d.gh.GetBlackRow(0, bitsOf(&d.bits, len(d.lum)))
	if err != nil {
		return nil
	}
	return bits
}

// lineRead is one whole read of a scan line (see wholeRead).
type lineRead struct {
	text       string
	start, end float64 // outer edges of the first and last bars, samples along the line
	narrow     float64 // narrow width, samples
	reversed   bool    // read right to left
}

// decodeLine runs rd over a binarized line and calls found for each read
// until found returns true. Unless all
// is set, the whole line is tried first, as zxing does; then (or with all,
// only) each segment between quiet zones, so that several symbols on one
// line are all read. Only whole reads reach found (see wholeRead): itf
// says which symbology rd reads.
func (d *Decoder) decodeLine(bits *gozxing.BitArray, rd oned.RowDecoder, hints map[gozxing.DecodeHintType]interface{},
	g guard, itf, all bool, found func(lineRead) bool) {
	n := bits.GetSize()
	// Each piece is handed over with white added at both ends, so that
	// gozxing's own quiet-zone tests (half a character before a CODE 39,
	// ten narrow widths around an ITF, or the line's end) always pass:
	// wholeRead applies ours to the piece's own white.
	try := func(start, end int) bool { // stop?
		pad := (end-start)/4 + 8
		b := copyBits(bits, segment{start: start, end: end}, pad, &d.seg)
		for rev := 0; rev < 2; rev++ {
			if rev == 1 {
				b.Reverse()
			}
			r, err := rd.DecodeRow(0, b, hints)
			if rev == 1 {
				b.Reverse()
			}
			if err != nil {
				continue
			}
			s, e, x, ok := d.wholeRead(b, pad, r.GetText(), itf, start == 0, end == n)
			if !ok {
				continue // not the whole symbol: perhaps the other way round
			}
			// One symbol per piece: its reverse reading is not another.
			return found(lineRead{text: r.GetText(), start: s + float64(start), end: e + float64(start), narrow: x, reversed: rev == 1})
		}
		return false
	}
	d.rl = runs(bits, d.rl)
	if !all && g(d.rl) {
		if try(0, n) {
			return
		}
	}
	d.segs = segmentRuns(d.rl, d.segs)
	if !all && len(d.segs) == 1 && d.segs[0].start == 0 && d.segs[0].end == n {
		return // the same line again
	}
	for _, s := range d.segs {
		if !g(d.rl[s.r0 : s.r1+1]) {
			continue
		}
		if try(s.start, s.end) {
			return
		}
	}
}

// quietNarrow is the least quiet zone, in narrow widths, that a read needs
// on either side of its bars. The symbologies ask for 10, but printers
// leave less (ZXing's CODE 39 test images have 5); 4 is still more than
// any white inside a symbol (3 at most, a wide space at 3:1) and well
// under what the page reader's crops leave (3 mm, 8.6 narrow widths at
// 0.35 mm).
const quietNarrow = 4

// wholeRead tells whether a read of text from the piece b (a whole line,
// or a segment between quiet zones) is the whole symbol, and returns the
// outer edges of its first and last bars: gozxing's readers accept a
// line's end as a quiet zone and look for a symbol anywhere in a line, so
// a line through a cut symbol, or a symbol with other marks close beside
// it, can read as a shorter symbol (a 14-digit ITF cut by the image's edge
// reads as 6 digits when a digit pair there happens to look like the stop
// pattern). A read is whole when
//
//   - it spans the bars found: the piece holds exactly the read's elements
//     (5 per ITF digit and 7 for start and stop, 10 per CODE 39 character
//     with the start and stop, less the last gap), so no bar of the piece
//     was left out; gozxing counts elements from the same bits, so a whole
//     read always passes;
//   - white of at least quietNarrow narrow widths lies on either side,
//     within the piece. A piece's end that is the line's end is no quiet
//     zone for ITF (a cut ITF can end in what looks like its start or stop
//     pattern); for CODE 39 it is, as for zxing and zbar, since a cut CODE
//     39 cannot end in a start or stop character (the '*' is no data
//     character) and symbols drawn up to the image's edge are common.
//
// b holds the piece with pad white samples added at both ends; edgeL and
// edgeR say whether the piece's ends are the line's. The edges returned
// are the piece's samples, with the narrow width.
func (d *Decoder) wholeRead(b *gozxing.BitArray, pad int, text string, itf, edgeL, edgeR bool) (float64, float64, float64, bool) {
	d.wrl = runs(b, d.wrl)
	rl := d.wrl
	if len(rl) < 3 {
		return 0, 0, 0, false
	}
	rl[0] -= pad
	rl[len(rl)-1] -= pad        // the piece's end is white: the padding
	first, last := 1, len(rl)-1 // black runs: rl starts with a white one
	if last%2 == 0 {
		last--
	}
	want := 10*(len(text)+2) - 1
	if itf {
		want = 5*len(text) + 7
	}
	if last-first+1 != want {
		return 0, 0, 0, false
	}
	// The narrow width: the mean of the narrower half of the elements (60
	// to 70% of them are narrow in either symbology).
	d.wsort = append(d.wsort[:0], rl[first:last+1]...)
	sort.Ints(d.wsort)
	sum := 0
	half := d.wsort[:(len(d.wsort)+1)/2]
	for _, v := range half {
		sum += v
	}
	narrow := float64(sum) / float64(len(half))
	quiet := quietNarrow * narrow
	ok := func(white int, edge bool) bool {
		if edge && !itf {
			return true
		}
		return float64(white) >= quiet
	}
	right := 0
	if last+1 < len(rl) {
		right = rl[last+1]
	}
	if !ok(rl[0], edgeL) || !ok(right, edgeR) {
		return 0, 0, 0, false
	}
	end := 0
	for _, v := range rl[:last+1] {
		end += v
	}
	return float64(rl[0]), float64(end), narrow, true
}
