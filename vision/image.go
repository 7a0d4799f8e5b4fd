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

// Image is a grayscale page as an OpenCV Mat over its Go pixels, for
// reading many crops from.
// It is not safe for concurrent use; Close releases it.
type Image struct {
	mat  gocv.Mat
	size image.Point
}

// NewImage makes an Image of g. The Image reads g's pixels where they are
// (see toMat): g must not change until the Image is closed.
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

// toMat returns an 8-bit single-channel Mat over g's pixels, for OpenCV
// to read (never to write: every caller reads its source and writes to
// Mats of its own). The Mat is a header over g's Go memory, which it keeps
// alive (gocv's NewMatFromBytes holds the slice), so closing it frees no
// pixels. A sub-image whose rows are not contiguous (a stride wider than
// its width) is first copied to a compact slice. Copying every image into
// C memory, as this did until December 2026, cost a page's reader 10 ms of
// CPU a page (the page's 4.7 Mpx at 200 dpi into a fresh allocation, whose
// page faults were most of it: 2.1 of 57 s of CPU in 200 pages of regfus
// bench), for pixels Go already held.
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
	m, err := gocv.NewMatFromBytes(h, w, gocv.MatTypeCV8UC1, pix[:w*h:w*h])
	if err != nil {
		return gocv.Mat{}, fmt.Errorf("vision: %w", err)
	}
	return m, nil
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
