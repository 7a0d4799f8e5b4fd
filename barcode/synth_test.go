package barcode

import (
	"image"
	"math"
	"math/rand"
	"sort"
	"testing"
)

// Test images are drawn here from the package's own encoders, so every
// decoder test knows the truth. A scene is a white page with symbols placed
// on it (centre, narrow bar in px, height, rotation); it is rasterised with
// 4x4 supersampling (exact enough area coverage, so fractional bar widths
// are honest) and then degraded: blur, tint, gradient, noise, inversion.

type placed struct {
	sym    Symbol
	narrow float64 // px per narrow module
	height float64 // bar height, px
	cx, cy float64 // centre, px
	angle  float64 // degrees, counter-clockwise on screen
}

type degrade struct {
	blur     float64 // gaussian sigma, px
	noise    float64 // gaussian noise sigma, grey levels
	ink      uint8   // bar grey (default 0)
	paper    uint8   // paper grey (default 255)
	gradient float64 // paper darkens by this much left to right
	invert   bool
	seed     int64
}

// edges returns the bar intervals of s in module units, starting at 0.
func (p placed) edges() [][2]float64 {
	var out [][2]float64
	x := 0.0
	for i, e := range p.sym {
		if i%2 == 0 {
			out = append(out, [2]float64{x, x + e})
		}
		x += e
	}
	return out
}

func (p placed) inBar(bars [][2]float64, width, u, v float64) bool {
	if math.Abs(v) > p.height/2 || u < 0 || u >= width {
		return false
	}
	m := u / p.narrow
	i := sort.Search(len(bars), func(i int) bool { return bars[i][1] > m })
	return i < len(bars) && m >= bars[i][0]
}

func renderScene(w, h int, items []placed, d degrade) *image.Gray {
	cov := make([]float64, w*h)
	for _, p := range items {
		bars := p.edges()
		width := p.sym.Modules() * p.narrow
		a := p.angle * math.Pi / 180
		cos, sin := math.Cos(a), math.Sin(a)
		r := math.Hypot(width, p.height)/2 + 2
		x0, x1 := max(0, int(p.cx-r)), min(w, int(p.cx+r)+1)
		y0, y1 := max(0, int(p.cy-r)), min(h, int(p.cy+r)+1)
		for y := y0; y < y1; y++ {
			for x := x0; x < x1; x++ {
				n := 0
				for sy := 0; sy < 4; sy++ {
					for sx := 0; sx < 4; sx++ {
						px := float64(x) + (float64(sx)+0.5)/4 - p.cx
						py := float64(y) + (float64(sy)+0.5)/4 - p.cy
						// Screen y points down: a CCW angle on screen is a
						// rotation by -a in image coordinates.
						u := px*cos - py*sin + width/2
						v := px*sin + py*cos
						if p.inBar(bars, width, u, v) {
							n++
						}
					}
				}
				cov[y*w+x] += float64(n) / 16
			}
		}
	}
	if d.blur > 0 {
		cov = gaussBlur(cov, w, h, d.blur)
	}
	ink, paper := float64(d.ink), float64(d.paper)
	if d.paper == 0 {
		paper = 255
	}
	rng := rand.New(rand.NewSource(d.seed))
	img := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			bg := paper - d.gradient*float64(x)/float64(w)
			c := math.Min(cov[y*w+x], 1)
			v := bg - c*(bg-ink)
			if d.noise > 0 {
				v += rng.NormFloat64() * d.noise
			}
			if d.invert {
				v = 255 - v
			}
			img.Pix[y*img.Stride+x] = uint8(math.Max(0, math.Min(255, math.Round(v))))
		}
	}
	return img
}

func gaussBlur(src []float64, w, h int, sigma float64) []float64 {
	k := int(math.Ceil(3 * sigma))
	ker := make([]float64, 2*k+1)
	var sum float64
	for i := range ker {
		x := float64(i - k)
		ker[i] = math.Exp(-x * x / (2 * sigma * sigma))
		sum += ker[i]
	}
	for i := range ker {
		ker[i] /= sum
	}
	return convolve(convolve(src, w, h, ker, 1, 0), w, h, ker, 0, 1)
}

// convolve convolves the w x h image src with the centred kernel ker
// along (dx, dy), (1, 0) for rows or (0, 1) for columns, the edge pixels
// repeated beyond the border.
func convolve(src []float64, w, h int, ker []float64, dx, dy int) []float64 {
	k := len(ker) / 2
	out := make([]float64, w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var s float64
			for i, kv := range ker {
				xx := min(max(x+dx*(i-k), 0), w-1)
				yy := min(max(y+dy*(i-k), 0), h-1)
				s += kv * src[yy*w+xx]
			}
			out[y*w+x] = s
		}
	}
	return out
}

// label renders one symbol centred on a crop with quiet modules of white
// each side and margin px above and below: what the page reader will hand
// a crop method.
func label(sym Symbol, narrow, height, quiet, margin, angle float64, d degrade) *image.Gray {
	width := sym.Modules() * narrow
	w := int(math.Ceil(width + 2*quiet*narrow))
	h := int(math.Ceil(height + 2*margin))
	return renderScene(w, h, []placed{{sym: sym, narrow: narrow, height: height, cx: float64(w) / 2, cy: float64(h) / 2, angle: angle}}, d)
}

func mustCode39(t testing.TB, text string, ratio float64) Symbol {
	t.Helper()
	return mustEncode(t, Code39, text, ratio)
}

func mustITF(t testing.TB, digits string, ratio float64) Symbol {
	t.Helper()
	return mustEncode(t, ITF, digits, ratio)
}

// mustEncode encodes text with encode at ratio, failing the test on error.
func mustEncode(t testing.TB, encode func(string, float64) (Symbol, error), text string, ratio float64) Symbol {
	t.Helper()
	s, err := encode(text, ratio)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// noiseGray is a w x h image of uniform random grey levels drawn from rng.
func noiseGray(rng *rand.Rand, w, h int) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = byte(rng.Intn(256))
	}
	return img
}

// rotate90 rotates img 90 degrees counter-clockwise.
func rotate90(img *image.Gray) *image.Gray {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	out := image.NewGray(image.Rect(0, 0, h, w))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			out.Pix[(w-1-x)*out.Stride+y] = img.Pix[y*img.Stride+x]
		}
	}
	return out
}

// rotate180 turns img upside down: two quarter turns.
func rotate180(img *image.Gray) *image.Gray { return rotate90(rotate90(img)) }
