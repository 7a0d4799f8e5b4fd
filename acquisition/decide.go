package acquisition

import (
	"errors"
	"math"

	"github.com/regfus/regfus/fustella"
	"github.com/regfus/regfus/page"
)

// decide turns the reads of a slot into its state, values and flags.
func (st *pageState) decide(sr *slotRead) {
	out := &sr.out
	var code32s, itfs []*labelRead
	for i := range sr.labels {
		kind := sr.labels[i].kind
		if kind == "" {
			kind = sr.labels[i].ocrOnly
		}
		switch kind {
		case "code32":
			code32s = append(code32s, &sr.labels[i])
		case "itf":
			itfs = append(itfs, &sr.labels[i])
		}
	}
	hasLabel := len(sr.labels) > 0 || sr.ink >= inkFilled
	switch {
	case !hasLabel && sr.ink < inkEmpty:
		out.State = page.Empty
		return
	case !hasLabel:
		// Some ink, no bars: a pen mark or a label we cannot see; a person
		// decides.
		sr.why = [2]string{whyNoBars, whyNoBars}
		out.State = page.Unreadable
		out.Flags = append(out.Flags, page.FlagAICUnread, page.FlagTargaturaUnread)
		return
	}
	// Upside down: the bars read right to left, or the OCR line read
	// (and confirmed) only in the flipped crop.
	// When a neighbour's label moved onto the slot shows symbols here
	// too, only the symbols of the label whose centre is on the slot
	// (within attributionMM, see home) count, if any.
	home := st.home(sr)
	rev, fwd := 0, 0
	for i, lr := range sr.labels {
		if lr.readAs() == "" || !home[i] {
			continue
		}
		if lr.reversed {
			rev++
		} else {
			fwd++
		}
	}
	if rev > 0 && fwd == 0 {
		out.Flags = append(out.Flags, page.FlagUpsideDown)
	}
	// The Code 32 and the ITF of one label lie one above the other (the
	// ITF's middle 8.7 mm under the Code 32's in the label's frame): two
	// symbols placed otherwise belong to two different labels, and a slot
	// showing them has no single value to give.
	if len(code32s) == 1 && len(itfs) == 1 && (!sameLabel(code32s[0], itfs[0]) || squarerElsewhere(sr, code32s[0], itfs[0])) {
		sr.why = [2]string{whyTwoLabels, whyTwoLabels}
		out.State = page.Unreadable
		out.Flags = append(out.Flags, page.FlagAICDisagree, page.FlagTargaturaDisagree)
		return
	}
	aic, aicConf, aicFlags, aicErr := crossCode(code32s, st.r.ocr != nil, aicOf, page.FlagAICUnread, page.FlagAICDisagree)
	tg, tgConf, tgFlags, tgErr := crossCode(itfs, st.r.ocr != nil, tgOf, page.FlagTargaturaUnread, page.FlagTargaturaDisagree)
	for i, e := range []error{aicErr, tgErr} {
		switch {
		case errors.Is(e, errDisagree):
			sr.why[i] = whyDisagree
		case errors.Is(e, errUnread):
			sr.why[i] = unreadWhy(sr, [][]*labelRead{code32s, itfs}[i])
		}
	}
	for _, f := range append(aicFlags, tgFlags...) {
		addFlag(out, f)
	}
	if aic != "" {
		out.AIC = strp(string(aic))
	}
	if tg != "" {
		out.Targatura = strp(string(tg))
	}
	if out.AIC != nil && out.Targatura != nil {
		out.State = page.Filled
		out.Confidence = round(aicConf*tgConf, 3)
	} else {
		out.State = page.Unreadable
	}
}

// crossCode compares the bar reads and the OCR lines of one code of a
// slot: the AIC of its Code 32 reads (aicOf), or the targatura of its
// ITF reads (tgOf). An unread or disagreeing code gets the flag given.
func crossCode[T ~string](rs []*labelRead, withOCR bool, code func(*labelRead) (bars, ocr T), unread, disagree page.Flag) (T, float64, []page.Flag, error) {
	var bars, ocr []T
	var bc, oc float64
	for _, r := range rs {
		b, o := code(r)
		if b != "" {
			bars = append(bars, b)
			bc = math.Max(bc, r.conf)
		}
		if o != "" {
			ocr = append(ocr, o)
			oc = math.Max(oc, r.ocrConf)
		}
	}
	v, c, f, err := cross(bars, ocr, bc, oc, withOCR)
	return v, c, flagsFor(f, err, unread, disagree), err
}

func aicOf(r *labelRead) (bars, ocr fustella.AIC)      { return r.aic, r.ocrAIC }
func tgOf(r *labelRead) (bars, ocr fustella.Targatura) { return r.tg, r.ocrTG }

var (
	errUnread   = errors.New("unread")
	errDisagree = errors.New("disagree")
)

func flagsFor(f []page.Flag, err error, unread, disagree page.Flag) []page.Flag {
	switch {
	case errors.Is(err, errUnread):
		f = append(f, unread)
	case errors.Is(err, errDisagree):
		f = append(f, disagree)
	}
	return f
}

// cross applies the never-guess rule to the bar reads and OCR reads of one
// value (each already validated by its check digit): all reads must agree;
// two agreeing independent reads give the value with high confidence, one
// read alone gives it only above its confidence floor.
func cross[T ~string](bars, ocr []T, barConf, ocrConf float64, withOCR bool) (T, float64, []page.Flag, error) {
	var zero T
	all := map[T]bool{}
	for _, v := range bars {
		all[v] = true
	}
	for _, v := range ocr {
		all[v] = true
	}
	switch {
	case len(all) == 0:
		return zero, 0, nil, errUnread
	case len(all) > 1:
		return zero, 0, nil, errDisagree
	}
	var v T
	for k := range all {
		v = k
	}
	switch {
	case len(bars) > 0 && len(ocr) > 0:
		return v, 1 - (1-barConf)*(1-ocrConf), nil, nil
	case len(bars) > 0:
		var f []page.Flag
		if withOCR {
			f = []page.Flag{page.FlagBarsOnly}
		}
		if barConf < minBarConfidence {
			return zero, 0, f, errUnread
		}
		return v, barConf, f, nil
	default:
		if ocrConf < minOCRConfidence {
			return zero, 0, []page.Flag{page.FlagOCROnly}, errUnread
		}
		return v, ocrConf, []page.Flag{page.FlagOCROnly}, nil
	}
}

// squarerElsewhere reports whether a symbol of the pair a, b read by OCR
// alone (no bars to place it) may be another label's: the slot shows a
// further symbol-sized region, unread, that lies squarer to the other one
// of the pair by over a degree. A label's two symbols are printed square
// to each other; a neighbour's label stuck over the slot is not (seed
// 6021's compact bitonal page 5: slot 5's ITF, 2.7 degrees off, read by
// OCR alone over slot 9, was paired with slot 9's Code 32 while slot 9's
// own ITF, 0.2 degrees off it, stayed unread: slot 5's targatura was
// reported as slot 9's, with no flag).
func squarerElsewhere(sr *slotRead, a, b *labelRead) bool {
	if a.kind != "" && b.kind != "" {
		return false
	}
	pair := turn(a, b)
	for i := range sr.labels {
		o := &sr.labels[i]
		if o == a || o == b || o.readAs() != "" || o.w < minSymbolW || o.ocrOutcome == ocrNotBars {
			continue
		}
		for _, read := range []*labelRead{a, b} {
			if read.kind != "" && turn(o, read) < pair-1 {
				return true
			}
		}
		if a.kind == "" && b.kind == "" && math.Min(turn(o, a), turn(o, b)) < pair-1 {
			return true
		}
	}
	return false
}
