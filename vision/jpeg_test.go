package vision

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"testing"

	"gocv.io/x/gocv"

	"github.com/regfus/regfus/render/rendertest"
)

// TestDecodeJPEGGrayMatchesGoLuma decodes colour and grey JPEGs of a
// rendered sheet (tinted, so that the chroma is not empty) and compares
// with image/jpeg's luma: the same pixels up to the rounding of two IDCT
// implementations.
func TestDecodeJPEGGrayMatchesGoLuma(t *testing.T) {
	t.Parallel()
	g, colour := tintedSheet(t)
	for name, src := range map[string]image.Image{"grey": g, "colour": colour} {
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, src, &jpeg.Options{Quality: 85}); err != nil {
			t.Fatal(err)
		}
		got, err := DecodeJPEGGray(buf.Bytes())
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		ref, err := jpeg.Decode(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if got.Rect.Size() != ref.Bounds().Size() {
			t.Fatalf("%s: size %v, want %v", name, got.Rect.Size(), ref.Bounds().Size())
		}
		worst, sum := 0, 0
		for y := 0; y < got.Rect.Dy(); y++ {
			for x := 0; x < got.Rect.Dx(); x++ {
				var want uint8
				switch r := ref.(type) {
				case *image.Gray:
					want = r.GrayAt(x, y).Y
				case *image.YCbCr:
					want = r.Y[r.YOffset(x, y)]
				default:
					t.Fatalf("%s: image/jpeg gave %T", name, ref)
				}
				d := int(got.Pix[y*got.Stride+x]) - int(want)
				d = max(d, -d)
				worst, sum = max(worst, d), sum+d
			}
		}
		if mean := float64(sum) / float64(len(got.Pix)); worst > 3 || mean > 0.2 {
			t.Errorf("%s: differs from image/jpeg's luma by up to %d (mean %.3f)", name, worst, mean)
		}
	}
}

func TestDecodeJPEGGrayErrors(t *testing.T) {
	t.Parallel()
	for name, data := range map[string][]byte{
		"empty":       nil,
		"not a jpeg":  []byte("this is not an image at all, only text"),
		"header only": {0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0},
	} {
		if g, err := DecodeJPEGGray(data); err == nil {
			t.Errorf("%s: decoded %v, want an error", name, g.Rect)
		}
	}
}

// TestDecodeJPEGIntoGoMemory checks that a JPEG's pixels are decoded into
// Go memory (decodeJPEGInto takes the stream) and are exactly those of
// gocv's IMDecode, the way they were decoded before: grey and colour,
// baseline and a truncated stream (libjpeg pads it; decoded alike).
func TestDecodeJPEGIntoGoMemory(t *testing.T) {
	t.Parallel()
	g, colour := tintedSheet(t)
	streams := map[string][]byte{}
	for name, src := range map[string]image.Image{"grey": g, "colour": colour} {
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, src, &jpeg.Options{Quality: 85}); err != nil {
			t.Fatal(err)
		}
		streams[name] = buf.Bytes()
		streams[name+" truncated"] = buf.Bytes()[:buf.Len()*2/3]
	}
	for name, data := range streams {
		got, done, err := decodeJPEGInto(data)
		if !done || err != nil {
			t.Fatalf("%s: decoded into Go memory %v, error %v", name, done, err)
		}
		m, err := gocv.IMDecode(data, jpegFlags)
		if err != nil {
			t.Fatal(err)
		}
		want, err := toGray(m)
		m.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got.Rect != want.Rect || !bytes.Equal(got.Pix, want.Pix) {
			t.Errorf("%s: %v differs from IMDecode's %v", name, got.Rect, want.Rect)
		}
	}
}

// tintedSheet is a rendered sheet at 100 dpi, grey and tinted (so that a
// colour JPEG's chroma is not empty).
func tintedSheet(t *testing.T) (*image.Gray, *image.RGBA) {
	t.Helper()
	g := rendertest.EmptySheet(t, 100)
	b := g.Rect
	colour := image.NewRGBA(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			v := g.GrayAt(x, y).Y
			colour.Set(x, y, color.RGBA{R: v, G: uint8(int(v) * 9 / 10), B: uint8(int(v) * 7 / 10), A: 255})
		}
	}
	return g, colour
}
