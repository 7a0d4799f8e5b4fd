package vision

import (
	"errors"
	"fmt"
	"image"

	"gocv.io/x/gocv"
)

// MaxPixels bounds the images this package accepts (a 600-dpi A3 scan is
// about 70 Mpx); decoders are expected to refuse bigger ones earlier.
const MaxPixels = 120_000_000

// Image is a grayscale page held in C memory, for reading many crops from.
// It is not safe for concurrent use; Close releases it.
type Image struct {
	mat  gocv.Mat
	size image.Point
}

// NewImage copies g into C memory.
func NewImage(g *image.Gray) (*Image, error) {
	m, err := toMat(g)
	if err != nil {
		return nil, err
	}
	return &Image{mat: m, size: g.Rect.Size()}, nil
}

// Close releases the C memory. Closing twice is harmless.
func (im *Image) Close() error {
	if im == nil || im.mat.Ptr() == nil {
		return nil
	}
	err := im.mat.Close()
	im.mat = gocv.Mat{}
	return err
}

// Size returns the image's width and height in pixels.
func (im *Image) Size() image.Point { return im.size }

func (im *Image) check() error {
	if im == nil || im.mat.Ptr() == nil {
		return errors.New("vision: image is closed")
	}
	return nil
}

// toMat copies g into a new 8-bit single-channel Mat that owns its memory
// in C (gocv's ImageGrayToMatGray would alias Go memory and ignore the
// stride of a sub-image).
func toMat(g *image.Gray) (gocv.Mat, error) {
	if g == nil {
		return gocv.Mat{}, errors.New("vision: nil image")
	}
	w, h := g.Rect.Dx(), g.Rect.Dy()
	if w <= 0 || h <= 0 {
		return gocv.Mat{}, fmt.Errorf("vision: empty image %dx%d", w, h)
	}
	if w*h > MaxPixels {
		return gocv.Mat{}, fmt.Errorf("vision: image %dx%d has more than %d pixels", w, h, MaxPixels)
	}
	pix := g.Pix
	if g.Stride != w || len(pix) < w*h {
		pix = make([]byte, w*h)
		for y := 0; y < h; y++ {
			copy(pix[y*w:(y+1)*w], g.Pix[y*g.Stride:y*g.Stride+w])
		}
	}
	alias, err := gocv.NewMatFromBytes(h, w, gocv.MatTypeCV8UC1, pix[:w*h])
	if err != nil {
		return gocv.Mat{}, fmt.Errorf("vision: %w", err)
	}
	defer alias.Close()
	return alias.Clone(), nil
}

// toGray copies an 8-bit single-channel Mat back to Go memory.
func toGray(m gocv.Mat) (*image.Gray, error) {
	if m.Empty() {
		return nil, errors.New("vision: empty result")
	}
	if m.Type() != gocv.MatTypeCV8UC1 {
		return nil, fmt.Errorf("vision: result type %v, want 8-bit gray", m.Type())
	}
	w, h := m.Cols(), m.Rows()
	b := m.ToBytes()
	if len(b) != w*h {
		return nil, fmt.Errorf("vision: result has %d bytes, want %d", len(b), w*h)
	}
	return &image.Gray{Pix: b, Stride: w, Rect: image.Rect(0, 0, w, h)}, nil
}
