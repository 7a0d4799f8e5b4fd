package acquisition

import (
	"image"
	"math"

	"github.com/regfus/regfus/barcode"
	"github.com/regfus/regfus/geom"
	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/sheet"
)

// barPx returns the resolution (px/mm) crops for barcodes are warped at:
// the scan's own, but never under 8 px/mm (a 0.33 mm bar gets 2.6 px) nor
// over 12 (more pixels only cost time).
func (st *pageState) barPx() float64 { return math.Max(8, math.Min(12, st.native)) }

// sheetRead is one read of the sheet code.
type sheetRead struct {
	code sheet.Code
	ok   bool
	conf float64
}

// identity reads the head and tail barcodes (and the OCR-A digits under the
// head barcode as a third opinion) and decides the sheet code.
//
// The code is reported when two reads agree, or when one barcode read
// validates and nothing contradicts it (the page then still goes to review
// for the unread barcode). Head and tail both valid but different: the
// tail is reported as tail_code, the code only if the OCR confirms the
// head, and the page goes to review.
func (st *pageState) identity() error {
	l := st.r.layout
	head := st.readSheetBars(l.HeadBarcode)
	tail := st.readSheetBars(l.TailBarcode)
	var ocr sheetRead
	if st.r.ocr != nil && (!head.ok || !tail.ok || head.code != tail.code) {
		cx, cy := l.HeadDigits.Center()
		win := layout.Rect{X: -l.HeadDigits.W/2 - 2, Y: -l.HeadDigits.H/2 - 0.3, W: l.HeadDigits.W + 4, H: l.HeadDigits.H + 0.6}
		if line, _ := st.ocrLine(geom.Point{X: cx, Y: cy}, 0, false, win, sheetCodeChars, lineMargin, nil); line != nil {
			if code, conf, err := st.r.ocr.ReadSheetCode(line); err == nil {
				ocr = sheetRead{code, true, conf}
			}
		}
	}
	res := st.res
	if tail.ok {
		res.Sheet.TailCode = page.CodeOf(tail.code)
	}
	var code *sheet.Code
	switch {
	case head.ok && tail.ok && head.code == tail.code:
		code = &head.code
	case head.ok && tail.ok:
		res.Reasons = append(res.Reasons, page.Reason{Kind: page.ReasonHeadTailMismatch})
		if ocr.ok && ocr.code == head.code {
			code = &head.code
		}
	case head.ok:
		if !ocr.ok || ocr.code != head.code {
			res.Reasons = append(res.Reasons, page.Reason{Kind: page.ReasonTailUnread})
		}
		if !ocr.ok || ocr.code == head.code {
			code = &head.code
		} else {
			res.Reasons = append(res.Reasons, page.Reason{Kind: page.ReasonHeadTailMismatch, Detail: "head digits read " + ocr.code.String()})
			code = nil
		}
	case tail.ok:
		if !ocr.ok || ocr.code != tail.code {
			res.Reasons = append(res.Reasons, page.Reason{Kind: page.ReasonHeadUnread})
		}
		if !ocr.ok || ocr.code == tail.code {
			code = &tail.code
		}
	default:
		res.Reasons = append(res.Reasons, page.Reason{Kind: page.ReasonHeadUnread}, page.Reason{Kind: page.ReasonTailUnread})
	}
	if code != nil {
		setCode(&res.Sheet, *code)
	}
	return nil
}

// readSheetBars warps the barcode rectangle r with its quiet zones and
// decodes it as a sheet code.
func (st *pageState) readSheetBars(r layout.Rect) sheetRead {
	q := st.r.layout.Barcode.QuietZone
	crop := layout.Rect{X: r.X - q*0.8, Y: r.Y - 0.5, W: r.W + 1.6*q, H: r.H + 1}
	// Two reads a page: worth retrying at the scan's own resolution and
	// finer when the usual crop fails (blurred photos, bitonal scans).
	for _, px := range []float64{st.barPx(), st.native, 12} {
		if px < 4 {
			continue
		}
		img, err := st.geo.Crop(st.img, crop, px)
		if err != nil {
			return sheetRead{}
		}
		if r := decodeSheet(st.r.bars, img); r.ok {
			return r
		}
	}
	return sheetRead{}
}

func decodeSheet(d *barcode.Decoder, img *image.Gray) sheetRead {
	c, r, err := d.SheetCode(img)
	if err != nil {
		return sheetRead{}
	}
	return sheetRead{code: c, ok: true, conf: r.Confidence()}
}

// setCode sets the sheet's identity: its code (page.Sheet derives the
// code's parts from it).
func setCode(s *page.Sheet, c sheet.Code) {
	s.Code = page.CodeOf(c)
}

// identifyWithoutMarkers tries, on a page whose markers were not found, to
// read the sheet code from the whole image in each right-angle rotation, so
// that a rejected page still says which sheet it is when it can. The value
// is reported only when two different scan places (rotations or halves)
// give the same valid code.
func (st *pageState) identifyWithoutMarkers() {
	seen := map[sheet.Code]int{}
	g := st.src
	for rot := 0; rot < 4; rot++ {
		for _, half := range halves(g) {
			if r := decodeSheet(st.r.bars, half); r.ok {
				seen[r.code]++
			}
		}
		if rot < 3 {
			g = rotate90(g)
		}
	}
	if len(seen) != 1 {
		return
	}
	for c, n := range seen {
		if n >= 2 {
			setCode(&st.res.Sheet, c)
		}
	}
}

// halves returns the top and bottom quarter bands of g (where the head and
// tail barcodes of an upright sheet are).
func halves(g *image.Gray) []*image.Gray {
	b := g.Bounds()
	h := b.Dy() / 4
	return []*image.Gray{
		g.SubImage(image.Rect(b.Min.X, b.Min.Y, b.Max.X, b.Min.Y+h)).(*image.Gray),
		g.SubImage(image.Rect(b.Min.X, b.Max.Y-h, b.Max.X, b.Max.Y)).(*image.Gray),
	}
}

// rotate90 returns g rotated a quarter turn clockwise.
func rotate90(g *image.Gray) *image.Gray {
	b := g.Bounds()
	w, h := b.Dx(), b.Dy()
	out := image.NewGray(image.Rect(0, 0, h, w))
	for y := 0; y < h; y++ {
		row := g.Pix[g.PixOffset(b.Min.X, b.Min.Y+y):]
		for x := 0; x < w; x++ {
			out.Pix[x*out.Stride+(h-1-y)] = row[x]
		}
	}
	return out
}

func strp(s string) *string { return &s }
