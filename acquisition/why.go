package acquisition

// Why a value was not read. Every slot value left null records its cause
// (slotRead.why), so that a measurement over a corpus can say where the
// unread values come from; the accuracy test logs the counts per profile.
// The causes, from the earliest stage of reading that failed:
//
//   - no_bars_found: no bar region on the slot at all (ink but no label
//     seen, or a label whose symbols were not located);
//   - symbol_not_found: bar regions were found, but none for this symbol
//     (only the other symbol, or text);
//   - bars_undecoded+OCR: the symbol's bars were located but not decoded,
//     and the OCR of the line under them, tried both ways up as both
//     kinds, gave nothing usable; OCR says how far it got (see ocrOutcome);
//   - bars_low_confidence: bars decoded below minBarConfidence, not
//     confirmed by the OCR;
//   - ocr_low_confidence: OCR alone, below minOCRConfidence;
//   - disagree: two reads of the value differ (bars and OCR, or two
//     symbols of one kind);
//   - two_labels: the slot's Code 32 and ITF cannot be one label's;
//   - overlap_attribution:WHY: overlapping labels, and the values read
//     cannot be credited to this slot's label (see slots and owns): WHY is
//     one_symbol (only one of Code 32 and ITF read), two_labels, no_outline
//     or off_centre;
//   - moved_attribution:off_centre: no overlap seen, but no label read in
//     the slot is centred on it (within attributionMM): a neighbour's label
//     moved onto it, whose values are not this slot's (unless the slot it
//     leans towards shows a label of its own: see crossslot.go);
//   - geometry_doubt: the page's map from the sheet to the image is in
//     doubt (most of the slots that report values are flagged crossing:
//     see doubt.go), so no slot is credited with what was read in it;
//   - moved_attribution:straddles: a symbol read in the slot makes a
//     label with a symbol read in another slot, and that label is centred
//     off this slot (see straddles);
//   - moved_attribution:hidden_by: the slot's borders with a neighbour
//     are gone in front of its print, and the neighbour shows a label
//     none of whose symbols was placed: that label may lie over both
//     borders and over this slot's symbol on that side, so the value of
//     the symbol read nearest them is not credited (see nearHidden);
//   - moved_attribution:on_neighbour: the slot looks empty, but a
//     neighbour shows a label leaning towards it that is not the
//     neighbour's own: this slot's label, moved onto the neighbour.
const (
	whyNoBars        = "no_bars_found"
	whyNotFound      = "symbol_not_found"
	whyUndecoded     = "bars_undecoded"
	whyBarsLow       = "bars_low_confidence"
	whyOCRLow        = "ocr_low_confidence"
	whyDisagree      = "disagree"
	whyTwoLabels     = "two_labels"
	whyOverlapCredit = "overlap_attribution"
	whyMovedCredit   = "moved_attribution"
	whyLent          = "on_neighbour"
	whyGeometry      = "geometry_doubt"
	whyHidden        = "hidden_by"
)

// ocrOutcome is how far the OCR of the line under an undecoded bar region
// got, the furthest over every window, kind and way up tried.
type ocrOutcome int

const (
	ocrNone        ocrOutcome = iota
	ocrNotBars                // the region is not bar-like: no decoding, no OCR
	ocrNotTried               // bar-like, but the reader has no OCR
	ocrBlank                  // no ink band under the bars
	ocrNotLine                // an ink band that cannot be a code line (plausibleLine)
	ocrRejected               // read, but failed its check
	ocrUnconfirmed            // passed its check once; the confirming reading differs
)

func (o ocrOutcome) String() string {
	switch o {
	case ocrNotBars:
		return "not_bar_like"
	case ocrNotTried:
		return "no_ocr"
	case ocrBlank:
		return "ocr_blank"
	case ocrNotLine:
		return "ocr_not_a_line"
	case ocrRejected:
		return "ocr_rejected"
	case ocrUnconfirmed:
		return "ocr_unconfirmed"
	}
	return "none"
}

// note records o if it is further than what lr has.
func (lr *labelRead) note(o ocrOutcome) {
	if o > lr.ocrOutcome {
		lr.ocrOutcome = o
	}
}

// unreadWhy is the cause of a value left unread by cross (errUnread),
// given the slot's reads of that value's kind.
func unreadWhy(sr *slotRead, rs []*labelRead) string {
	for _, r := range rs {
		if r.kind != "" && r.conf < minBarConfidence {
			return whyBarsLow
		}
		if r.ocrOnly != "" {
			return whyOCRLow
		}
	}
	if len(sr.labels) == 0 {
		return whyNoBars
	}
	best := ocrNone
	for _, l := range sr.labels {
		if l.kind == "" && l.ocrOnly == "" && l.ocrOutcome > ocrNotBars {
			best = max(best, l.ocrOutcome)
		}
	}
	if best == ocrNone {
		return whyNotFound
	}
	return whyUndecoded + "+" + best.String()
}
