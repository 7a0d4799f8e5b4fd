package api

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
	"strings"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gomonobold"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/page"
)

// The overlay and the review crops place the layout (millimetres) on the
// page image with the map the reader itself fitted to the page's markers,
// which a result carries in page.Result.Geometry: boxes then land where
// the reader looked, on flatbed scans and photos alike (perspective
// included).
//
// Results stored before the geometry was recorded have only the page's
// orientation, skew and measured resolution. For them the map is a
// similarity: the layout page scaled by the measured dpi, rotated by
// orientation + skew, and centred on the image. On a flatbed scan of the
// whole sheet that lands within a millimetre or two of the printed marks;
// on a photo with a wide margin or perspective it can be off by more.
// The colours and codes are what was read, whatever the placement.

// pageMap maps layout millimetres to image pixels.
type pageMap struct {
	ok bool
	// exact is the reader's map (layout mm to pixels of this image, origin
	// included), when the result carries one.
	exact *[9]float64
	k     float64 // pixels per mm
	cos   float64
	sin   float64
	cx    float64 // image centre
	cy    float64
	w, h  float64 // layout page size, mm
}

func newPageMap(b image.Rectangle, r *page.Result, l *layout.Layout) pageMap {
	if r == nil || r.Orientation == nil {
		return pageMap{}
	}
	if g := r.Geometry; g != nil && g.Width > 0 && g.Height > 0 {
		// The image may be the page decoded at another size than the
		// reader's (a PDF rendered at another resolution): scale, then
		// shift to the image's origin.
		sx, sy := float64(b.Dx())/float64(g.Width), float64(b.Dy())/float64(g.Height)
		h := g.ToSource
		pre := [9]float64{sx, 0, float64(b.Min.X), 0, sy, float64(b.Min.Y), 0, 0, 1}
		var m [9]float64
		for i := 0; i < 3; i++ {
			for j := 0; j < 3; j++ {
				for k := 0; k < 3; k++ {
					m[3*i+j] += pre[3*i+k] * h[3*k+j]
				}
			}
		}
		pm := pageMap{ok: true, exact: &m, w: l.Page.W, h: l.Page.H}
		// Scale at the page centre (pixels per mm), for line widths and
		// crop resolution.
		x0, y0 := pm.pt(l.Page.W/2, l.Page.H/2)
		x1, y1 := pm.pt(l.Page.W/2+1, l.Page.H/2)
		x2, y2 := pm.pt(l.Page.W/2, l.Page.H/2+1)
		pm.k = math.Sqrt(math.Abs((x1-x0)*(y2-y0) - (y1-y0)*(x2-x0)))
		if pm.k > 0 && !math.IsNaN(pm.k) && !math.IsInf(pm.k, 0) {
			return pm
		}
		// A degenerate stored map: fall back to the approximation.
	}
	deg := float64(*r.Orientation)
	if r.Quality != nil {
		deg += r.Quality.SkewDeg
	}
	rad := deg * math.Pi / 180
	m := pageMap{ok: true, cos: math.Cos(rad), sin: math.Sin(rad),
		cx: float64(b.Min.X+b.Max.X) / 2, cy: float64(b.Min.Y+b.Max.Y) / 2, w: l.Page.W, h: l.Page.H}
	// The page's extent in the image at one pixel per mm, rotated.
	ew := math.Abs(m.cos)*m.w + math.Abs(m.sin)*m.h
	eh := math.Abs(m.sin)*m.w + math.Abs(m.cos)*m.h
	fit := math.Min(float64(b.Dx())/ew, float64(b.Dy())/eh)
	m.k = fit
	if r.Quality != nil && r.Quality.DPI > 0 {
		// Trust the measured resolution unless the page would then be
		// absurdly larger or smaller than the image.
		if k := r.Quality.DPI / 25.4; k > fit*0.3 && k < fit*1.3 {
			m.k = k
		}
	}
	return m
}

// pt maps a layout point to image coordinates.
func (m pageMap) pt(x, y float64) (float64, float64) {
	if h := m.exact; h != nil {
		w := h[6]*x + h[7]*y + h[8]
		return (h[0]*x + h[1]*y + h[2]) / w, (h[3]*x + h[4]*y + h[5]) / w
	}
	dx, dy := (x-m.w/2)*m.k, (y-m.h/2)*m.k
	return m.cx + dx*m.cos - dy*m.sin, m.cy + dx*m.sin + dy*m.cos
}

// quad maps the corners of a layout rectangle.
func (m pageMap) quad(r layout.Rect) [4][2]float64 {
	var q [4][2]float64
	for i, c := range [4][2]float64{{r.X, r.Y}, {r.Right(), r.Y}, {r.Right(), r.Bottom()}, {r.X, r.Bottom()}} {
		q[i][0], q[i][1] = m.pt(c[0], c[1])
	}
	return q
}

// bounds is the pixel rectangle holding the mapped layout rectangle.
func (m pageMap) bounds(r layout.Rect) image.Rectangle {
	q := m.quad(r)
	x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, p := range q {
		x0, y0 = math.Min(x0, p[0]), math.Min(y0, p[1])
		x1, y1 = math.Max(x1, p[0]), math.Max(y1, p[1])
	}
	return image.Rect(int(math.Floor(x0)), int(math.Floor(y0)), int(math.Ceil(x1)), int(math.Ceil(y1)))
}

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
	if s.AIC == nil || s.Targatura == nil || s.Confidence < sureConfidence {
		return colDoubt
	}
	for _, f := range s.Flags {
		if f != FlagCorrected {
			return colDoubt
		}
	}
	return colSure
}

// FlagCorrected is the slot flag of a slot a person keyed in; it does not
// make a slot doubtful.
const FlagCorrected = "corrected"

// drawOverlay draws res onto a lightened colour copy of the page.
func drawOverlay(g *image.Gray, res *page.Result, l *layout.Layout) *image.RGBA {
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
		txt.label(out, m, cx, cy, []string{"n " + orQInt(sh.DeclaredCount)}, colField)
		strokeQuad(out, m.quad(l.DateBox), line, colField)
		dx, dy := l.DateBox.Center()
		txt.label(out, m, dx, dy, []string{"date " + orQ(sh.Date)}, colField)

		read := map[int]page.Slot{}
		for _, s := range res.Slots {
			read[s.Slot] = s
		}
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
					lines = append(lines, strings.Join(s.Flags, ","))
				}
			}
			x, y := ls.Rect.Center()
			txt.label(out, m, x, y, lines, col)
		}
	}
	banner(out, txt, res)
	return out
}

func orQ(s *string) string {
	if s == nil {
		return "?"
	}
	return *s
}

func orQInt(n *int) string {
	if n == nil {
		return "?"
	}
	return fmt.Sprint(*n)
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
func strokeQuad(img *image.RGBA, q [4][2]float64, width float64, c color.RGBA) {
	for i := range q {
		j := (i + 1) % 4
		strokeLine(img, q[i][0], q[i][1], q[j][0], q[j][1], width, c)
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

var (
	fontOnce sync.Once
	monoFont *opentype.Font
	fontErr  error
)

// textDrawer writes labels in Go Mono Bold at one size.
type textDrawer struct {
	face font.Face
}

func newTextDrawer(px float64) *textDrawer {
	fontOnce.Do(func() { monoFont, fontErr = opentype.Parse(gomonobold.TTF) })
	if fontErr != nil {
		return &textDrawer{}
	}
	f, err := opentype.NewFace(monoFont, &opentype.FaceOptions{Size: px, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return &textDrawer{}
	}
	return &textDrawer{face: f}
}

func (t *textDrawer) close() {
	if t.face != nil {
		t.face.Close()
	}
}

func (t *textDrawer) lineHeight() int {
	if t.face == nil {
		return 12
	}
	return t.face.Metrics().Height.Ceil()
}

func (t *textDrawer) advance() int {
	if t.face == nil {
		return 7
	}
	a, _ := t.face.GlyphAdvance('M')
	return max(1, a.Ceil())
}

// label writes lines centred on the layout point (x, y) mm, upright in the
// image whatever the page's orientation, on a light background.
func (t *textDrawer) label(img *image.RGBA, m pageMap, x, y float64, lines []string, c color.RGBA) {
	px, py := m.pt(x, y)
	t.draw(img, int(px), int(py), lines, c, true)
}

// draw writes lines: centred on (x, y) when centre is set, else starting
// at x with the block's middle at y.
func (t *textDrawer) draw(img *image.RGBA, x, y int, lines []string, c color.RGBA, centre bool) {
	if t.face == nil || len(lines) == 0 {
		return
	}
	lh := t.lineHeight()
	w := 0
	for _, s := range lines {
		w = max(w, font.MeasureString(t.face, s).Ceil())
	}
	top := y - lh*len(lines)/2
	left := x
	if centre {
		left = x - w/2
		bg := image.Rect(left-2, top-1, left+w+2, top+lh*len(lines)+1)
		draw.Draw(img, bg, image.NewUniform(colLabelBG), image.Point{}, draw.Over)
	}
	d := &font.Drawer{Dst: img, Src: image.NewUniform(c), Face: t.face}
	asc := t.face.Metrics().Ascent.Ceil()
	for i, s := range lines {
		lx := left
		if centre {
			lx = x - font.MeasureString(t.face, s).Ceil()/2
		}
		d.Dot = fixed.P(lx, top+i*lh+asc)
		d.DrawString(s)
	}
}

// cropFor returns the part of the page a review item is about, upright:
// its slot, or the header for the sheet code, or the box of the
// progressive, count or date; the whole page for anything else or when the
// page's placement is unknown.
func cropFor(g *image.Gray, res *page.Result, l *layout.Layout, slot int, field string) image.Image {
	m := newPageMap(g.Bounds(), res, l)
	if !m.ok {
		return g
	}
	var r layout.Rect
	switch {
	case slot > 0 && slot <= len(l.Slots):
		r = l.Slots[slot-1].Rect.Inset(-3)
	case field == "code" || field == "tail_code":
		r = layout.Rect{X: l.Margin, Y: l.Margin, W: l.Page.W - 2*l.Margin, H: l.Slots[0].Y - l.Margin}
	case field == "progressive":
		r = l.Progressive.Rect.Inset(-4)
	case field == "declared_count":
		r = l.Count.Rect.Inset(-4)
	case field == "date":
		r = l.DateBox.Inset(-4)
	default:
		return upright(g, *res.Orientation)
	}
	if m.exact != nil {
		if c := m.rectify(g, r); c != nil {
			return c
		}
		return upright(g, *res.Orientation)
	}
	box := m.bounds(r).Intersect(g.Bounds())
	if box.Dx() < 8 || box.Dy() < 8 {
		return upright(g, *res.Orientation)
	}
	sub := image.NewGray(image.Rect(0, 0, box.Dx(), box.Dy()))
	draw.Draw(sub, sub.Bounds(), g, box.Min, draw.Src)
	return upright(sub, *res.Orientation)
}

// upright undoes a clockwise rotation of deg degrees (0, 90, 180, 270).
func upright(g *image.Gray, deg int) *image.Gray {
	if g.Bounds().Min != (image.Point{}) {
		c := image.NewGray(image.Rect(0, 0, g.Bounds().Dx(), g.Bounds().Dy()))
		draw.Draw(c, c.Bounds(), g, g.Bounds().Min, draw.Src)
		g = c
	}
	w, h := g.Bounds().Dx(), g.Bounds().Dy()
	var out *image.Gray
	switch ((deg % 360) + 360) % 360 {
	case 90: // rotate counter-clockwise
		out = image.NewGray(image.Rect(0, 0, h, w))
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				out.Pix[(w-1-x)*out.Stride+y] = g.Pix[y*g.Stride+x]
			}
		}
	case 180:
		out = image.NewGray(image.Rect(0, 0, w, h))
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				out.Pix[(h-1-y)*out.Stride+(w-1-x)] = g.Pix[y*g.Stride+x]
			}
		}
	case 270:
		out = image.NewGray(image.Rect(0, 0, h, w))
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				out.Pix[x*out.Stride+(h-1-y)] = g.Pix[y*g.Stride+x]
			}
		}
	default:
		return g
	}
	return out
}

// rectify cuts the layout rectangle r out of g through the exact map:
// upright, skew and perspective removed, at the page's own resolution
// (between 4 and 12 pixels per mm), sampled bilinearly. Parts outside the
// image are white. nil when r does not meet the image.
func (m pageMap) rectify(g *image.Gray, r layout.Rect) *image.Gray {
	if m.bounds(r).Intersect(g.Bounds()).Empty() {
		return nil
	}
	k := math.Min(math.Max(m.k, 4), 12)
	w, h := int(math.Ceil(r.W*k)), int(math.Ceil(r.H*k))
	out := image.NewGray(image.Rect(0, 0, w, h))
	b := g.Bounds()
	at := func(x, y int) float64 {
		if x < b.Min.X || y < b.Min.Y || x >= b.Max.X || y >= b.Max.Y {
			return 255
		}
		return float64(g.Pix[(y-b.Min.Y)*g.Stride+(x-b.Min.X)])
	}
	for v := 0; v < h; v++ {
		for u := 0; u < w; u++ {
			// Continuous pixel coordinates: centre of pixel i at i+0.5.
			sx, sy := m.pt(r.X+(float64(u)+0.5)/k, r.Y+(float64(v)+0.5)/k)
			sx, sy = sx-0.5, sy-0.5
			x0, y0 := math.Floor(sx), math.Floor(sy)
			fx, fy := sx-x0, sy-y0
			ix, iy := int(x0), int(y0)
			val := (at(ix, iy)*(1-fx)+at(ix+1, iy)*fx)*(1-fy) + (at(ix, iy+1)*(1-fx)+at(ix+1, iy+1)*fx)*fy
			out.Pix[v*out.Stride+u] = uint8(math.Round(val))
		}
	}
	return out
}
