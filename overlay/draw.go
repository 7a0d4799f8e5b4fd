package overlay

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
	"strings"

	"github.com/regfus/regfus/geom"
	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/page"
)

// Colours of the overlay.
var (
	colSure       = color.RGBA{0, 150, 40, 255}    // filled, both codes sure
	colDoubt      = color.RGBA{235, 130, 0, 255}   // filled with flags or low confidence
	colUnreadable = color.RGBA{215, 0, 0, 255}     // unreadable
	colEmpty      = color.RGBA{140, 140, 140, 255} // empty
	colMarker     = color.RGBA{0, 90, 255, 255}
	colField      = color.RGBA{150, 0, 200, 255}
	colLabelBG    = color.NRGBA{255, 255, 255, 215}
)

// sureConfidence is the confidence from which a filled slot is drawn as
// sure (when it has no flag).
const sureConfidence = 0.9

func slotColour(s page.Slot) color.RGBA {
	switch s.State {
	case page.Empty:
		return colEmpty
	case page.Unreadable:
		return colUnreadable
	}
	if s.AIC == nil || s.Targatura == nil || s.Confidence < sureConfidence || len(s.Flags) > 0 {
		return colDoubt
	}
	return colSure
}

// Draw returns res drawn onto a lightened colour copy of the page g, with
// l the layout res was read with: markers and fields in their colours with
// what was read, each slot in the colour of its state, and the page's
// status and reasons in a banner. Without a placement (a page whose
// markers were not found) only the banner is drawn.
func Draw(g *image.Gray, res *page.Result, l *layout.Layout) *image.RGBA {
	b := g.Bounds()
	out := image.NewRGBA(b)
	var light [256]uint8 // the page lightened, so the colours stand out
	for v := range light {
		light[v] = 110 + uint8(v*145/255)
	}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		src := g.Pix[g.PixOffset(b.Min.X, y):][:b.Dx()]
		dst := out.Pix[out.PixOffset(b.Min.X, y):][:4*b.Dx()]
		for x, v := range src {
			l := light[v]
			dst[4*x], dst[4*x+1], dst[4*x+2], dst[4*x+3] = l, l, l, 255
		}
	}
	m := newPageMap(b, res, l)
	size := math.Max(11, math.Max(float64(b.Dx()), float64(b.Dy()))/90)
	if m.ok {
		size = math.Max(11, 2.6*m.k)
	}
	txt := newTextDrawer(size)
	defer txt.close()
	if m.ok {
		line := math.Max(2, 0.5*m.k)
		for _, mk := range l.Markers {
			strokeQuad(out, m.quad(mk.Rect.Inset(-1)), line, colMarker)
		}
		sh := res.Sheet
		strokeQuad(out, m.quad(l.HeadBarcode), line, colField)
		txt.label(out, m, l.HeadDigits.X+l.HeadDigits.W/2, l.HeadDigits.Bottom()+1.5, []string{"code " + orQ(sh.Code)}, colField)
		strokeQuad(out, m.quad(l.TailBarcode), line, colField)
		txt.label(out, m, l.TailBarcode.X+l.TailBarcode.W/2, l.TailBarcode.Bottom()+2, []string{"tail " + orQ(sh.TailCode)}, colField)
		strokeQuad(out, m.quad(l.Progressive.Rect), line, colField)
		px, py := l.Progressive.Rect.Center()
		txt.label(out, m, px, py, []string{"prog " + orQ(sh.Progressive)}, colField)
		strokeQuad(out, m.quad(l.Count.Rect), line, colField)
		cx, cy := l.Count.Rect.Center()
		txt.label(out, m, cx, cy, []string{"n " + orQ(sh.DeclaredCount)}, colField)
		strokeQuad(out, m.quad(l.DateBox), line, colField)
		dx, dy := l.DateBox.Center()
		txt.label(out, m, dx, dy, []string{"date " + orQ(sh.Date)}, colField)

		read := slotsByNumber(res.Slots)
		for _, ls := range l.Slots {
			s, ok := read[ls.N]
			if !ok {
				s = page.Slot{Slot: ls.N, State: page.Empty}
			}
			col := slotColour(s)
			strokeQuad(out, m.quad(ls.Rect.Inset(0.5)), line*1.5, col)
			lines := []string{fmt.Sprintf("%d %s", ls.N, s.State)}
			if s.State != page.Empty {
				lines = append(lines, "AIC "+orQ(s.AIC), "TG "+orQ(s.Targatura))
				if len(s.Flags) > 0 {
					lines = append(lines, page.JoinFlags(s.Flags, ","))
				}
			}
			x, y := ls.Rect.Center()
			txt.label(out, m, x, y, lines, col)
		}
	}
	banner(out, txt, res)
	return out
}

// orQ is what p points to, as text, or "?" when nothing was read.
func orQ[T any](p *T) string {
	if p == nil {
		return "?"
	}
	return fmt.Sprint(*p)
}

// banner writes the page's status and reasons across the top.
func banner(img *image.RGBA, txt *textDrawer, res *page.Result) {
	col := colSure
	switch res.Status {
	case page.Review:
		col = colDoubt
	case page.Rejected:
		col = colUnreadable
	}
	text := fmt.Sprintf("page %d: %s", res.Page, res.Status)
	if len(res.Reasons) > 0 {
		text += " - " + strings.Join(res.Reasons.Strings(), "; ")
	}
	b := img.Bounds()
	h := txt.lineHeight()*3/2 + 2
	draw.Draw(img, image.Rect(b.Min.X, b.Min.Y, b.Max.X, b.Min.Y+h), image.NewUniform(col), image.Point{}, draw.Src)
	// Cut the text to the width.
	if max := b.Dx() / txt.advance(); max > 3 && len(text) > max {
		text = text[:max-3] + "..."
	}
	txt.draw(img, b.Min.X+txt.advance()/2, b.Min.Y+h/2, []string{text}, color.RGBA{255, 255, 255, 255}, false)
}

// strokeQuad draws a closed quadrilateral.
func strokeQuad(img *image.RGBA, q [4]geom.Point, width float64, c color.RGBA) {
	for i := range q {
		j := (i + 1) % 4
		strokeLine(img, q[i].X, q[i].Y, q[j].X, q[j].Y, width, c)
	}
}

// strokeLine draws a line width pixels thick by stamping squares along it.
func strokeLine(img *image.RGBA, x0, y0, x1, y1, width float64, c color.RGBA) {
	n := int(math.Ceil(math.Hypot(x1-x0, y1-y0)*2)) + 1
	half := width / 2
	u := image.NewUniform(c)
	b := img.Bounds()
	for i := 0; i <= n; i++ {
		t := float64(i) / float64(n)
		x, y := x0+(x1-x0)*t, y0+(y1-y0)*t
		r := image.Rect(int(x-half), int(y-half), int(math.Ceil(x+half)), int(math.Ceil(y+half))).Intersect(b)
		if !r.Empty() {
			draw.Draw(img, r, u, image.Point{}, draw.Src)
		}
	}
}

// slotsByNumber indexes a result's slots by their number.
func slotsByNumber(slots []page.Slot) map[int]page.Slot {
	read := make(map[int]page.Slot, len(slots))
	for _, s := range slots {
		read[s.Slot] = s
	}
	return read
}
