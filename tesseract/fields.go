package tesseract

import (
	"fmt"
	"image"
	"sync"

	_ "embed"
)

// The sheet's printed fields. Pharmacy software may print the progressive
// (with its D prefix for a dispensario) and the fustelle count in their
// boxes, in whatever face it prints with: a plain sans or monospace, not
// OCR-A. The OCR-A model knows neither those faces nor the letter D, so the
// fields are read with a second model: Debian's stock English LSTM
// (tessdata_fast), stripped to its network by scripts/fields-ocr-model,
// under the whitelist 0-9 and D. Measured on the boxes of pages rendered
// with Go Sans Bold, DejaVu Sans/Mono, Liberation Sans/Mono and FreeSans
// (acquisition's printed-field tests) it reads them all; the OCR-A model
// read none (no D, and sans digits it was never shown).

// FieldLanguage is the Tesseract language name of the printed-field model.
const FieldLanguage = "engfields"

//go:embed model/engfields.traineddata
var fieldModel []byte

// FieldWhitelist is what a printed field may contain.
const FieldWhitelist = "0123456789D"

var fieldModelDir = sync.OnceValues(func() (string, error) { return writeTessdata(FieldLanguage, fieldModel) })

// FieldClient is one Tesseract engine with the printed-field model. Like
// Client, it is not safe for concurrent use: one per goroutine.
type FieldClient struct {
	tc     *engine
	closed bool
}

// NewFieldClient loads the printed-field model into a new engine.
func NewFieldClient() (*FieldClient, error) {
	dir, err := fieldModelDir()
	if err != nil {
		return nil, err
	}
	// Single line (7): the crop is the field's ink with paper around it.
	tc, err := newWarmEngine(dir, FieldLanguage, FieldWhitelist, psmSingleLine)
	if err != nil {
		return nil, fmt.Errorf("tesseract: new field client: %w", err)
	}
	return &FieldClient{tc: tc}, nil
}

// Close frees the engine. It is safe to call twice.
func (c *FieldClient) Close() error {
	if c.closed {
		return nil
	}
	c.closed = true
	c.tc.close()
	return nil
}

// ReadField recognises the printed value in img: one line of dark print on
// light paper, with some paper around it (any height from about 24 px;
// LineHeight is fine). The result is Tesseract's, unverified: the caller
// reads the field a second time from another crop and accepts a value
// only when both agree (acquisition's printed fields).
func (c *FieldClient) ReadField(img image.Image) (Line, error) {
	if c.closed {
		return Line{}, fmt.Errorf("tesseract: ReadField on a closed client")
	}
	b := img.Bounds()
	if b.Dx() < 8 || b.Dy() < 8 {
		return Line{}, fmt.Errorf("tesseract: field image %dx%d is too small", b.Dx(), b.Dy())
	}
	// No blank-paper check (ReadLine's contrast): a field's crop is
	// mostly paper round one or two characters, and the caller gives only
	// crops it found ink in.
	px := grey(img)
	boxes, err := c.tc.recognize(px, b.Dx(), b.Dy())
	if err != nil {
		return Line{}, fmt.Errorf("tesseract: recognise field: %w", err)
	}
	if len(boxes) == 0 {
		// The line finder of mode 7 sometimes finds no line in a crop of
		// one character (a clear printed 4 at 48 px): read it again as a
		// single word (mode 8). (No result iterator at all, as gosseract
		// reported it; an iterator over nothing gives one empty symbol.)
		c.tc.setPageSegMode(psmSingleWord)
		boxes, err = c.tc.recognize(px, b.Dx(), b.Dy())
		c.tc.setPageSegMode(psmSingleLine)
		if err != nil {
			return Line{}, fmt.Errorf("tesseract: recognise field: %w", err)
		}
	}
	return lineOf(boxes), nil
}
