package barcode

// Reading a 1-bit scan's symbol from all its rows at once.
//
// A 1-bit scan at 200 dpi keeps a narrow bar of 0.19 mm (1.5 px) only
// where the scanner's threshold caught it: such bars come out as dotted
// lines, present in some rows and not in others, and a third of the
// rows (decodeModel's band) averages too few of them to tell a narrow bar
// from a narrow space: no band's read passes its margin (seed 4411's
// side-by-side 1-bit pages, threshold 107: most symbols of 0.19 to 0.2 mm
// narrow bars unread). All the rows together average them into the
// grey that the thresholded model fits, and read with margins of 20 to
// 70 where the bands' were under 5.
//
// One read is not two, though: the read over all rows stands only when
// each half of the rows (sharing none), fitted over the extent that read
// found, draws the same text as its best patterns, with a fit as tight as
// a band's must be. The halves need not pass the margin on their own (that
// is why all rows are read), but neither may prefer another pattern
// anywhere, and any band that did pass on its own must agree.

// allRowsRead reads rows [y0, y1) of p as one band and checks it against
// each half of them (see above); ok is false when either half draws
// another text or fits worse than a band must.
func (d *Decoder) allRowsRead(p plane, m *modelSymbol, accept func(string) error, y0, y1 int) (bandRead, bool) {
	r, ok := d.readBand(d.bandProfile(p, y0, y1), m, accept)
	if !ok {
		return bandRead{}, false
	}
	mid := (y0 + y1) / 2
	for _, h := range [][2]int{{y0, mid}, {mid, y1}} {
		if !d.halfAgrees(d.bandProfile(p, h[0], h[1]), m, r) {
			return bandRead{}, false
		}
	}
	return r, true
}

// halfAgrees fits prof (a half of the rows r was read from) over r's
// extent, the way r was read, and reports whether its best patterns are
// r's text with a fit within the 1-bit bounds and no pattern preferred
// to r's anywhere (margin above zero).
func (d *Decoder) halfAgrees(prof []float64, m *modelSymbol, r bandRead) bool {
	l, rr := r.span[0], r.span[1]
	y, ok := darknessOver(prof, m, &d.mdark, l, rr)
	if !ok {
		return false
	}
	if r.reversed {
		y, l, rr = flipped(&d.mrev, y, l, rr)
	}
	for _, thresh := range []bool{false, true} {
		rd, ok := d.mfit.read(m, y, l, rr, thresh)
		if ok && rd.text == r.text && rd.margin > 0 &&
			rd.rms <= modelMaxRMSBilevel && rd.worstFit <= modelMaxSlotBilevel {
			return true
		}
	}
	return false
}
