package handgen

import (
	"image"
	"math/rand/v2"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gobolditalic"
	"golang.org/x/image/font/gofont/goitalic"
	"golang.org/x/image/font/gofont/gomedium"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/gomonobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/gofont/gosmallcaps"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// The Go fonts, built into golang.org/x/image, so the data set does not
// depend on the fonts a machine has installed.
var (
	fontsOnce sync.Once
	fonts     []*opentype.Font
)

func goFonts() []*opentype.Font {
	fontsOnce.Do(func() {
		for _, ttf := range [][]byte{goregular.TTF, goitalic.TTF, gobold.TTF, gobolditalic.TTF,
			gomedium.TTF, gomono.TTF, gomonobold.TTF, gosmallcaps.TTF} {
			f, err := opentype.Parse(ttf)
			if err != nil {
				panic("handgen: Go font: " + err.Error()) // built in: cannot fail
			}
			fonts = append(fonts, f)
		}
	})
	return fonts
}

// fontGlyph renders ch in a random Go font with its cap height about
// height px.
func fontGlyph(r *rand.Rand, ch rune, height float64) *canvas {
	fs := goFonts()
	face, err := opentype.NewFace(fs[r.IntN(len(fs))], &opentype.FaceOptions{Size: height * 1.4, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		panic("handgen: font face: " + err.Error())
	}
	defer face.Close()
	side := int(height*2.5) + 8
	dst := image.NewAlpha(image.Rect(0, 0, side, side))
	d := font.Drawer{Dst: dst, Src: image.Opaque, Face: face,
		Dot: fixed.P(side/4, side*3/4)}
	d.DrawString(string(ch))
	c := newCanvas(side, side)
	for i, a := range dst.Pix {
		c.v[i] = float32(a) / 255
	}
	return c
}
