package acquisition

// Reading one symbol of a label: its bars (both symbologies, quickly
// first), the digit line under or over them (the label model's OCR, with
// the field reader as second opinion), and the tests that tell bars from
// text and from 2D symbols before any costly decoding.

import (
	"errors"
	"image"
	"math"
	"strings"

	"github.com/regfus/regfus/barcode"
	"github.com/regfus/regfus/fustella"
	"github.com/regfus/regfus/geom"
	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/tesseract"
)

// decodeLabelBars reads one bar region as Code 32 or targatura (the
// upper region of a label is usually the Code 32, so that is tried first
// there), then the OCR-A line under the bars.
func (st *pageState) decodeLabelBars(lr *labelRead, pos int) {
	quiet := 3.0
	if lr.quiet > 0 {
		quiet = lr.quiet
	}
	crop := func() (*image.Gray, error) {
		fr := layout.Rect{X: -lr.w/2 - quiet, Y: -lr.h/2 - 0.3, W: lr.w + 2*quiet, H: lr.h + 0.6}
		return st.frameCrop(lr.center, lr.angle, false, fr, st.barPx())
	}
	img, err := crop()
	if err != nil {
		return
	}
	if !barLike(img) {
		// Bars with their digit line printed close under or over them
		// (0.3 mm on compact labels) are found as one region, whose lower
		// or upper third is text: the bars are the rest.
		if !st.trimToBars(lr, quiet) {
			lr.note(ocrNotBars)
			return // text, not bars: no OCR either
		}
		if img, err = crop(); err != nil {
			return
		}
	}
	if !st.decodeBars(lr, img, pos, true) {
		if !barsOnly(img) {
			// Bars with their digit line close under or over them can
			// pass barLike (its rows a third and two thirds down both
			// cross the bars) and not barsOnly (whose middle three
			// fifths reach into the digits): seed 4150's compact phone
			// pages, the ITF of slots 3 and 7 of page 5. The bars are
			// then the part of the region that barsOnly takes.
			if !st.trimTo(lr, quiet, barsOnly) {
				lr.note(ocrNotBars)
				return // a 2D symbol (or text and bars): neither decoding nor OCR
			}
			if img, err = crop(); err != nil {
				return
			}
		}
		lr.note(ocrNotTried)
		if !st.decodeBars(lr, img, pos, false) {
			st.decodeWhole(lr, pos)
		}
	}
	if st.r.ocr == nil {
		return
	}
	// The digit line is under or over the bars (labels print it either
	// way), in the label's own frame: flipped when the label is upside
	// down. With the bars unread, the symbol's kind and direction are
	// unknown: both readings are tried, upright first, and a value still
	// needs its check digit and a high confidence.
	if lr.kind != "" {
		// The fast reader first: a sure reading of the bars' value is
		// the second read (fastline.go).
		for _, win := range lineWindows(lr) {
			if st.fastConfirms(lr, win) {
				return
			}
		}
		// A line the OCR could not read (nothing passing its check) is
		// read once more from a crop of the band at other margins and
		// scale: an OCR value counts only when it equals the bars' or is
		// itself confirmed (see ocrUnder), so a second try cannot make a
		// wrong value, only find the reading that confirms the bars.
		for _, win := range lineWindows(lr) {
			if st.ocrUnder(lr, lr.kind, lr.reversed, win, lineMargin) ||
				lr.ocrOutcome != ocrUnconfirmed && st.ocrUnder(lr, lr.kind, lr.reversed, win, confirmMargin) {
				return
			}
		}
		// The label model read nothing of the line that passes its check
		// (digits in a font it was not trained on): the field reader's
		// digits, read twice, equal to the bars' value are the second
		// read. It can only confirm the bars, never make a value.
		if lr.ocrOutcome == ocrUnconfirmed {
			return
		}
		wins := lineWindows(lr)
		st.fieldsConfirm(lr, wins[:])
		return
	}
	first, second := "code32", "itf"
	if pos%2 == 1 {
		first, second = second, first
	}
	for _, win := range lineWindows(lr) {
		for _, flip := range []bool{false, true} {
			// One crop of the line serves both kinds and both models.
			limg, o := st.ocrLine(lr.center, lr.angle, flip, win, codeLineChars, lineMargin, &lr.text)
			if limg == nil {
				lr.note(o)
				continue
			}
			win := win
			if !lr.text.whole {
				// The line runs past the window: the region is a piece
				// of its symbol (a blurred photo's bars are found in
				// part), and the line, printed centred on the whole
				// symbol, is cut. The window widened by pieceReach on
				// both sides holds it whole, or nothing changes.
				wide := layout.Rect{X: win.X - pieceReach, Y: win.Y, W: win.W + 2*pieceReach, H: win.H}
				var sp lineSpan
				if wimg, _ := st.ocrLine(lr.center, lr.angle, flip, wide, codeLineChars, lineMargin, &sp); wimg != nil && sp.whole {
					limg, win, lr.text = wimg, wide, sp
				}
			}
			span := lr.text
			for _, kind := range []string{first, second} {
				read := st.readLine(lr, kind, limg)
				switch {
				case read && st.ocrConfirm(lr, kind, flip, win, limg):
				case !read && st.fastAlone(lr, kind, flip, win, limg):
					// Nothing the label model reads (a face it was not
					// trained on): the fast reader and the field reader
					// agree (fastline.go).
				default:
					if read {
						lr.note(ocrUnconfirmed)
					}
					continue
				}
				lr.ocrOnly, lr.reversed = kind, flip
				// A Code 32 region that did not decode can be a piece of
				// the symbol; its digit line is printed centred on the
				// whole symbol, so when the line lies wholly in the window
				// its middle is the symbol's (the frame of a flipped crop
				// runs the other way).
				if kind == "code32" && span.whole {
					u := span.mid
					if flip {
						u = -u
					}
					lr.center = framePoint(lr.center, lr.angle, u, 0)
				}
				lr.text = span
				lr.text.found = true
				return
			}
		}
	}
	lr.ocrAIC, lr.ocrTG, lr.ocrConf = "", "", 0
	lr.text.found = false
	st.confirmCandidate(lr, img, pos) // ocr.go
}

// ocrConfirm reads the line of a value read by OCR alone a second time,
// from a crop of the same ink band with wider margins (confirmMargin: its
// scale, sampling and margins all change), and keeps the value only if the
// two reads agree: a check digit alone lets two wrong digits through one
// time in ten. (It used to read from a window 0.4 mm lower, which on a
// label whose bars sit a little low started inside the glyphs and cut their
// tops off: office and bitonal targature left unconfirmed.)
func (st *pageState) ocrConfirm(lr *labelRead, kind string, flip bool, win layout.Rect, limg *image.Gray) bool {
	// The fast reader reading the same value in the same crop is a second
	// model agreeing.
	if st.fastAgrees(lr, kind, limg) {
		return st.otherModelAgrees(lr, kind, flip, win)
	}
	alt := *lr
	alt.ocrAIC, alt.ocrTG = "", ""
	if !st.ocrUnder(&alt, kind, flip, win, confirmMargin) {
		return false
	}
	ok := alt.ocrAIC == lr.ocrAIC && alt.ocrTG == lr.ocrTG
	lr.ocrConf = math.Min(lr.ocrConf, alt.ocrConf)
	return ok && st.otherModelAgrees(lr, kind, flip, win)
}

// otherModelAgrees reads the line of a value read by OCR alone with a
// second, independent model (the field reader's: Tesseract's stock
// English network, digits only) and reports whether it does not
// contradict it: a reading of the other model that is itself a valid
// value (its check digit right) and differs from it vetoes it. Two
// readings by one model agree on its own systematic misreads: on a font it
// was not trained on, the label model read a DejaVu Sans "A016543858" as
// 038583858 twice at 0.98, passing the check digit (tall-side design,
// phone, seed 77); the stock model reads such faces, and read it right.
// Where it reads nothing valid (OCR-A, which it cannot read), the label
// model's own confirmations stand (package tesseract reads such a value
// three times). Without a second model (a reader built with WithOCR
// alone) an OCR-alone value is not reported.
func (st *pageState) otherModelAgrees(lr *labelRead, kind string, flip bool, win layout.Rect) bool {
	if st.r.fields == nil {
		return false
	}
	want := string(lr.ocrAIC)
	if kind == "itf" {
		want = string(lr.ocrTG)
	}
	for _, margin := range []float64{lineMargin, confirmMargin} {
		limg, _ := st.ocrLine(lr.center, lr.angle, flip, win, codeLineChars, margin, nil)
		if limg == nil {
			continue
		}
		st.r.lineStats.Tesseract++
		l, err := st.r.fields.ReadField(limg)
		if err != nil {
			continue
		}
		digits := digitsOf(l.Text)
		n := len(want)
		if len(digits) < n || len(digits) > n+1 {
			continue // not a reading of the code: no opinion
		}
		other := digits[len(digits)-n:]
		valid := false
		if kind == "itf" {
			_, err = tesseract.CheckTargatura(other)
		} else {
			_, err = tesseract.CheckAIC(other)
		}
		valid = err == nil
		if valid && other != want {
			return false
		}
	}
	return true
}

// fieldsRead reads the digit line in win (lr's frame) with the field
// reader, from crops at two margins, and reports whether both readings'
// digits are want (after at most one more character in front: an "A"
// read as a digit), with the lower mean confidence of the two.
func (st *pageState) fieldsRead(lr *labelRead, flip bool, win layout.Rect, want string) (float64, bool) {
	if st.r.fields == nil || want == "" {
		return 0, false
	}
	conf := 1.0
	for _, margin := range []float64{lineMargin, confirmMargin} {
		limg, _ := st.ocrLine(lr.center, lr.angle, flip, win, codeLineChars, margin, nil)
		if limg == nil {
			return 0, false
		}
		st.r.lineStats.Tesseract++
		l, err := st.r.fields.ReadField(limg)
		if err != nil {
			return 0, false
		}
		digits := digitsOf(l.Text)
		if !strings.HasSuffix(digits, want) || len(digits) > len(want)+1 {
			return 0, false
		}
		conf = math.Min(conf, l.Confidence)
	}
	return conf, true
}

// decodeWhole reads the symbol that the bars lr found may be a piece of,
// from a crop reaching past both ends of lr as far as a whole symbol could
// (and its quiet zone). A blurred photo's dense narrow bars respond weakly
// to FindBarRegions, which then finds only the wider parts of a symbol (a
// third to four fifths of it, on phone pages); the crop around that piece
// cuts the symbol, and no whole read is possible. A read counts only when
// the symbol read (its Span) covers all of lr: the wider crop can hold the
// label's other symbol or a neighbour's, and those are not lr's. lr then
// becomes the whole symbol.
func (st *pageState) decodeWhole(lr *labelRead, pos int) bool {
	reach := maxSymbolW - lr.w
	if reach < 2 {
		return false
	}
	reach += wholeQuiet
	px := st.barPx()
	fr := layout.Rect{X: -lr.w/2 - reach, Y: -lr.h/2 - 0.3, W: lr.w + 2*reach, H: lr.h + 0.6}
	img, err := st.frameCrop(lr.center, lr.angle, false, fr, px)
	if err != nil {
		return false
	}
	covers := func(r barcode.Result) (float64, float64, bool) {
		u0, u1 := r.Span[0]/px+fr.X, r.Span[1]/px+fr.X
		return u0, u1, u0 <= -lr.w/2+pieceSlack && u1 >= lr.w/2-pieceSlack && u1-u0 <= maxSymbolW
	}
	// The model fits only extents that span the region found (less the
	// blur of its ends) and are no wider than a symbol: any other is not
	// lr's symbol (covers, below).
	q := st.r.bars.QuickModel(barcode.Extent{
		Lo: (-lr.w/2 + pieceSlack - fr.X) * px, Hi: (lr.w/2 - pieceSlack - fr.X) * px, MaxW: maxSymbolW * px,
	})
	for _, kind := range kindOrder(pos) {
		a, t, r, err := readKind(kind, img, q.Code32, q.Targatura)
		if err != nil {
			continue
		}
		u0, u1, ok := covers(r)
		if !ok {
			continue
		}
		c := framePoint(lr.center, lr.angle, (u0+u1)/2, 0)
		if st.slotOf(c) != st.slotOf(lr.center) {
			// The whole symbol's centre is on another slot: bars belong
			// to the slot their centre is on (readSlot), so these are a
			// neighbour's (its label moved over this one), not lr's.
			return false
		}
		lr.setBars(kind, a, t, r)
		lr.center, lr.w = c, u1-u0
		return true
	}
	return false
}

// slotOf is the number of the slot whose area (1 mm past its border, as
// readSlot takes bars) holds the page point c, 0 if none.
func (st *pageState) slotOf(c geom.Point) int {
	for _, s := range st.r.layout.Slots {
		if s.Rect.Inset(-1).Contains(layout.Rect{X: c.X, Y: c.Y}) {
			return s.N
		}
	}
	return 0
}

// pieceReach (mm) is how far past an undecoded region's ends its digit
// line is looked for when the line runs past them: a Code 32's line (up to
// about 15 mm) centred on a symbol found only in its wider half.
const pieceReach = 6.0

// wholeQuiet (mm) is the paper decodeWhole's crop leaves past the widest
// symbol; pieceSlack (mm) how far a region found may reach past the
// symbol read from it (the blur of its ends).
const (
	wholeQuiet = 3.0
	pieceSlack = 1.0
)

// decodeBars reads img as Code 32 or targatura, the likelier first; quick
// limits both to the first passes of the crop plan (barcode.Decoder.Quick).
//
// Which of the two symbols a region holds is a guess (its place on the
// label), so decodeLabelBars asks both quickly first: a wrong guess then
// costs a millisecond instead of the whole failing plan (12 to 15 ms).
// Only a region neither quick read knows, and that barsOnly calls bars,
// gets the whole plan of both.
func (st *pageState) decodeBars(lr *labelRead, img *image.Gray, pos int, quick bool) bool {
	code32, targatura := st.r.bars.Code32, st.r.bars.Targatura
	if quick {
		q := st.r.bars.Quick()
		code32, targatura = q.Code32, q.Targatura
	}
	for _, kind := range kindOrder(pos) {
		if a, t, r, err := readKind(kind, img, code32, targatura); err == nil {
			lr.setBars(kind, a, t, r)
			return true
		}
	}
	return false
}

// kindOrder is the order a region at position pos on its label is read
// in: Code 32 first at even positions, the ITF first at odd ones (the
// likelier symbol there).
func kindOrder(pos int) [2]string {
	if pos%2 == 0 {
		return [2]string{"code32", "itf"}
	}
	return [2]string{"itf", "code32"}
}

// readKind reads img as kind ("code32" or "itf") with the reader given
// for it.
func readKind(kind string, img *image.Gray,
	code32 func(*image.Gray) (fustella.AIC, barcode.Result, error),
	targatura func(*image.Gray) (fustella.Targatura, barcode.Result, error),
) (a fustella.AIC, t fustella.Targatura, r barcode.Result, err error) {
	if kind == "code32" {
		a, r, err = code32(img)
	} else {
		t, r, err = targatura(img)
	}
	return a, t, r, err
}

// setBars records a symbol read from lr's bars as kind: its value (a
// for a Code 32, t for an ITF), confidence and way up.
func (lr *labelRead) setBars(kind string, a fustella.AIC, t fustella.Targatura, r barcode.Result) {
	lr.kind, lr.conf, lr.reversed = kind, r.Confidence(), r.Attempt.Reversed
	if kind == "code32" {
		lr.aic = a
	} else {
		lr.tg = t
	}
}

// Characters of the printed lines: "A" + 9 digits for the AIC, 10 digits
// for the targatura, 17 digits for the sheet code.
const (
	codeLineChars  = 10
	sheetCodeChars = 17
)

// lineWindows are where, in the frame of lr's label, the digit line of
// its symbol is looked for: under the bars, then over them. The window
// reaches lineReach past the bars: the digits of every font and size
// labels print (up to about 3 mm high) with their gap to the bars.
func lineWindows(lr *labelRead) [2]layout.Rect {
	return [2]layout.Rect{
		{X: -lr.w/2 - 0.5, Y: lr.h/2 + 0.1, W: lr.w + 1, H: lineReach},
		{X: -lr.w/2 - 0.5, Y: -lr.h/2 - 0.1 - lineReach, W: lr.w + 1, H: lineReach},
	}
}

// lineReach is how far (mm) past a symbol's bars its digit line is looked
// for.
const lineReach = 3.8

// ocrUnder reads the line in win under lr's bars as kind; it reports
// whether a valid value was read.
func (st *pageState) ocrUnder(lr *labelRead, kind string, flip bool, win layout.Rect, margin float64) bool {
	limg, o := st.ocrLine(lr.center, lr.angle, flip, win, codeLineChars, margin, &lr.text)
	if limg == nil {
		lr.note(o)
		return false
	}
	return st.readLine(lr, kind, limg)
}

// readLine reads limg, a digit line cut by ocrLine, as kind with the label
// model; it reports whether a valid value was read.
func (st *pageState) readLine(lr *labelRead, kind string, limg *image.Gray) bool {
	// With the bars read, one OCR reading equal to their value is the
	// second independent read; the OCR's own confirming reading is needed
	// only for a reading that differs (see tesseract.ReadAICAgainst).
	bars := lr.kind == kind
	st.r.lineStats.Tesseract++
	switch kind {
	case "code32":
		read := st.r.ocr.ReadAIC
		if bars {
			read = func(img image.Image) (fustella.AIC, float64, error) { return st.r.ocr.ReadAICAgainst(img, lr.aic) }
		}
		a, c, err := read(limg)
		if !bars && errors.Is(err, tesseract.ErrUnconfirmed) {
			if v, vc, ok := fastSecond(st, limg, kind, st.r.ocr.ReadAICAgainst); ok {
				a, c, err = v, vc, nil
			}
		}
		if err == nil {
			lr.ocrAIC, lr.ocrConf, lr.text.found = a, c, true
			return true
		}
		lr.note(rejection(err))
	case "itf":
		read := st.r.ocr.ReadTargatura
		if bars {
			read = func(img image.Image) (fustella.Targatura, float64, error) {
				return st.r.ocr.ReadTargaturaAgainst(img, lr.tg)
			}
		}
		t, c, err := read(limg)
		if !bars && errors.Is(err, tesseract.ErrUnconfirmed) {
			if v, vc, ok := fastSecond(st, limg, kind, st.r.ocr.ReadTargaturaAgainst); ok {
				t, c, err = v, vc, nil
			}
		}
		if err == nil && t != lr.tg && st.aicLine(limg, t) {
			// The AIC's line, not this symbol's: nothing read here.
			lr.note(ocrRejected)
			return false
		}
		if err == nil {
			lr.ocrTG, lr.ocrConf, lr.text.found = t, c, true
			return true
		}
		lr.note(rejection(err))
	}
	return false
}

// fastSecond is the second read of a line read by OCR alone whose label
// model reading passed its check but not the model's own confirming
// reading (a squeezed copy read otherwise, ErrUnconfirmed): the fast
// reader's sure reading of the line, passing its check, when the label
// model's first reading (against: ReadAICAgainst or
// ReadTargaturaAgainst) is that value. Two different models then agree;
// the value still goes through ocrConfirm (the field reader's veto).
func fastSecond[T ~string](st *pageState, limg *image.Gray, kind string, against func(image.Image, T) (T, float64, error)) (T, float64, bool) {
	v, fc := st.fastCode(limg, kind)
	if v == "" {
		return "", 0, false
	}
	st.r.lineStats.Tesseract++
	got, c, err := against(limg, T(v))
	if err != nil || string(got) != v {
		return "", 0, false
	}
	return got, math.Min(c, fc), true
}

// aicLine reports whether t, a targatura the label model read in limg
// (other than the bars'), is the line of an AIC, its "A" taken for a
// digit: a window over or under an ITF can hold the Code 32's digit line
// (labels that print it between the two symbols), and "A" + 9 digits
// reads as a targatura whenever the digit read for the "A" makes the
// targatura's check pass (seed 606's compact clean page, slot 8:
// "A014525733" read as 4014525733; seed h1-4242's compact phone page 5,
// slot 14: "A043544840" as 8043544840, both against other bars). It is
// when t's last 9 digits are a valid AIC and the fast reader, which knows
// the "A", or the label model read as an AIC, reads the line as that AIC.
func (st *pageState) aicLine(limg *image.Gray, t fustella.Targatura) bool {
	s := string(t)
	if len(s) != 10 {
		return false
	}
	if _, err := tesseract.CheckAIC(s[1:]); err != nil {
		return false
	}
	if code, _ := st.fastCode(limg, "code32"); code == s[1:] {
		return true
	}
	st.r.lineStats.Tesseract++
	a, _, err := st.r.ocr.ReadAIC(limg)
	return err == nil && string(a) == s[1:]
}

// rejection is the outcome of a Read* error: a reading that failed its
// check, or one that passed and was not confirmed.
func rejection(err error) ocrOutcome {
	if errors.Is(err, tesseract.ErrUnconfirmed) {
		return ocrUnconfirmed
	}
	return ocrRejected
}

// trimToBars looks for bars in the upper and the lower part (barsPart of
// the height) of the region lr that barLike did not take for bars, and
// makes lr that part when one is: it reports whether one was.
func (st *pageState) trimToBars(lr *labelRead, quiet float64) bool {
	return st.trimTo(lr, quiet, barLike)
}

// trimTo makes lr the upper or the lower part (barsPart of the height)
// of its region whose crop isBars takes for bars, if one is: it reports
// whether one was.
func (st *pageState) trimTo(lr *labelRead, quiet float64, isBars func(*image.Gray) bool) bool {
	const barsPart = 0.7
	h := lr.h * barsPart
	for _, v := range []float64{-(lr.h - h) / 2, (lr.h - h) / 2} {
		fr := layout.Rect{X: -lr.w/2 - quiet, Y: v - h/2, W: lr.w + 2*quiet, H: h}
		img, err := st.frameCrop(lr.center, lr.angle, false, fr, st.barPx())
		if err == nil && isBars(img) {
			lr.center, lr.h = framePoint(lr.center, lr.angle, 0, v), h
			return true
		}
	}
	return false
}

// barLike tells bars from text before the (costly) decoding attempts:
// across bars, a row of pixels a third of the way down looks like a row two
// thirds down; across a line of text it does not. The score is the mean
// absolute difference of the two row profiles (each averaged over a few
// rows) over their contrast.
func barLike(g *image.Gray) bool {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	if w < 8 || h < 6 {
		return false
	}
	profile := func(y0 int) []float64 {
		p := make([]float64, w)
		n := max(1, h/10)
		for y := y0; y < y0+n && y < h; y++ {
			row := g.Pix[g.PixOffset(g.Rect.Min.X, g.Rect.Min.Y+y):]
			for x := 0; x < w; x++ {
				p[x] += float64(row[x]) / float64(n)
			}
		}
		return p
	}
	a, b := profile(h/3), profile(2*h/3)
	lo, hi, diff := 255.0, 0.0, 0.0
	for x := 0; x < w; x++ {
		lo, hi = math.Min(lo, math.Min(a[x], b[x])), math.Max(hi, math.Max(a[x], b[x]))
		diff += math.Abs(a[x] - b[x])
	}
	if hi-lo < 40 {
		return false
	}
	return diff/float64(w)/(hi-lo) < 0.2
}

// barsOnly tells a region of 1D bars from a 2D symbol (the labels' Data
// Matrix, which FindBarRegions also finds: dense vertical edges) and from
// bars mixed with anything else, once the quick decoding has failed and
// before the whole plan and the OCR under the region (about 22 ms of
// decoding and up to four OCR lines, for nothing, on every 2D symbol).
// Inside a deskewed crop of bars the grey level changes across the bars
// only: over the middle three fifths of the rows (away from the bars' ends)
// the vertical differences are noise and residual tilt, a few hundredths
// of the horizontal ones; in a 2D symbol they are as large as the
// horizontal ones. Measured on the regions of 40 office pages that both
// quick reads missed: bars 0.02 to 0.05, 2D symbols 0.49 to 1.18; a 5
// degree tilt adds about 0.09.
//
// A phone photo's blur and noise defeat that test: across blurred narrow
// bars the grey level changes little from one pixel to the next one but
// one, and the noise changes it as much in both directions (ratios over
// 0.25 on 16 of the regions of seed 4415's compact phone page, every one
// bars). What is along the columns tells them apart still: the grey
// levels' variance about their column's mean, over the variance of the
// column means (profileRatio), is noise over signal for bars, 0.005 to
// 0.03 on those regions and every phone region of seed 4411's
// side-by-side page, 0.06 to 0.08 on labels blurred by 0.3 mm under
// heavy noise (TestBarsOnlyTakesBlurredNoisyBars), and 0.83 to 2.8 for 2D
// symbols and 0.22 to 0.62 for digit lines (the labels of both tests,
// blurred up to 0.3 mm); bars are what either test takes for bars.
func barsOnly(g *image.Gray) bool {
	return barsAcross(g) || profileRatio(g) < maxProfileRatio
}

// maxProfileRatio is the largest profileRatio that barsOnly takes for
// bars.
const maxProfileRatio = 0.12

// barsAcross is barsOnly's test of grey-level changes across and along
// the bars.
func barsAcross(g *image.Gray) bool {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	var sx, sy int
	for y := h / 5; y < h-h/5-2; y++ {
		row := g.Pix[g.PixOffset(g.Rect.Min.X, g.Rect.Min.Y+y):]
		below := row[2*g.Stride:]
		for x := 0; x < w-2; x++ {
			v := int(row[x])
			sx += absInt(v - int(row[x+2]))
			sy += absInt(v - int(below[x]))
		}
	}
	return sx > 0 && float64(sy) < maxCrossRatio*float64(sx)
}

// maxCrossRatio is the largest ratio of vertical to horizontal grey-level
// change that barsOnly accepts as bars.
const maxCrossRatio = 0.25

func absInt(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// digitsOf is s with everything but its digits left out: the field
// reader's reading of a code line, whose "A" prefix it may read as
// anything.
func digitsOf(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// profileRatio is the grey level's variance about its column's mean over
// the middle three fifths of g's rows, over the variance of those column
// means across g: the share of g's contrast that is not along its
// columns.
func profileRatio(g *image.Gray) float64 {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	y0, y1 := h/5, h-h/5
	if w < 2 || y1-y0 < 2 {
		return math.Inf(1)
	}
	col := make([]float64, w)
	for y := y0; y < y1; y++ {
		row := g.Pix[g.PixOffset(g.Rect.Min.X, g.Rect.Min.Y+y):]
		for x := 0; x < w; x++ {
			col[x] += float64(row[x])
		}
	}
	mean := 0.0
	for x := range col {
		col[x] /= float64(y1 - y0)
		mean += col[x] / float64(w)
	}
	var resid, signal float64
	for y := y0; y < y1; y++ {
		row := g.Pix[g.PixOffset(g.Rect.Min.X, g.Rect.Min.Y+y):]
		for x := 0; x < w; x++ {
			d := float64(row[x]) - col[x]
			resid += d * d
		}
	}
	resid /= float64(w * (y1 - y0))
	for _, c := range col {
		signal += (c - mean) * (c - mean)
	}
	signal /= float64(w)
	if signal == 0 {
		return math.Inf(1)
	}
	return resid / signal
}
