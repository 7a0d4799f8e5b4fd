package overlay

import (
	"image"
	"image/color"
	"image/draw"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gomonobold"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

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
