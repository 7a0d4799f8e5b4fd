package tesseract

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"

	_ "embed"

	"github.com/otiai10/gosseract/v2"
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
	tc     *gosseract.Client
	closed bool
}

// NewFieldClient loads the printed-field model into a new engine.
func NewFieldClient() (*FieldClient, error) {
	dir, err := fieldModelDir()
	if err != nil {
		return nil, err
	}
	newMu.Lock()
	defer newMu.Unlock()
	tc := gosseract.NewClient()
	fail := func(err error) (*FieldClient, error) {
		tc.Close()
		return nil, fmt.Errorf("tesseract: new field client: %w", err)
	}
	if err := tc.SetTessdataPrefix(dir); err != nil {
		return fail(err)
	}
	if err := tc.SetLanguage(FieldLanguage); err != nil {
		return fail(err)
	}
	if err := tc.SetVariable("tessedit_do_invert", "0"); err != nil {
		return fail(err)
	}
	if err := tc.SetWhitelist(FieldWhitelist); err != nil {
		return fail(err)
	}
	blank := image.NewGray(image.Rect(0, 0, 4*LineHeight, LineHeight))
	for i := range blank.Pix {
		blank.Pix[i] = 255
	}
	if err := tc.SetImageFromBytes(pgm(blank)); err != nil {
		return fail(err)
	}
	if _, err := tc.Text(); err != nil {
		return fail(fmt.Errorf("load model %s from %s: %w", FieldLanguage, dir, err))
	}
	// Single line (7): the crop is the field's ink with paper around it.
	if err := tc.SetPageSegMode(gosseract.PSM_SINGLE_LINE); err != nil {
		return fail(err)
	}
	return &FieldClient{tc: tc}, nil
}

// Close frees the engine. It is safe to call twice.
func (c *FieldClient) Close() error {
	if c.closed {
		return nil
	}
	c.closed = true
	return c.tc.Close()
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
	data := pgm(img)
	if err := c.tc.SetImageFromBytes(data); err != nil {
		return Line{}, fmt.Errorf("tesseract: set image: %w", err)
	}
	boxes, err := c.tc.GetBoundingBoxes(gosseract.RIL_SYMBOL)
	if err != nil {
		return Line{}, fmt.Errorf("tesseract: recognise field: %w", err)
	}
	if len(boxes) == 0 {
		// The line finder of mode 7 sometimes finds no line in a crop of
		// one character (a clear printed 4 at 48 px): read it again as a
		// single word (mode 8).
		if err := c.tc.SetPageSegMode(gosseract.PSM_SINGLE_WORD); err != nil {
			return Line{}, err
		}
		boxes, err = c.tc.GetBoundingBoxes(gosseract.RIL_SYMBOL)
		if e := c.tc.SetPageSegMode(gosseract.PSM_SINGLE_LINE); err == nil {
			err = e
		}
		if err != nil {
			return Line{}, fmt.Errorf("tesseract: recognise field: %w", err)
		}
	}
	var l Line
	var text strings.Builder
	sum := 0.0
	l.MinConfidence = 1
	for _, bb := range boxes {
		s := strings.TrimSpace(bb.Word)
		if s == "" {
			continue
		}
		conf := math.Max(0, math.Min(1, bb.Confidence/100))
		l.Symbols = append(l.Symbols, Symbol{Text: s, Confidence: conf, Box: bb.Box})
		text.WriteString(s)
		sum += conf
		l.MinConfidence = math.Min(l.MinConfidence, conf)
	}
	if len(l.Symbols) == 0 {
		l.MinConfidence = 0
		return l, nil
	}
	l.Text = text.String()
	l.Confidence = sum / float64(len(l.Symbols))
	return l, nil
}

// writeTessdata writes an embedded model to
// <user cache dir>/regfus/tessdata-<lang>-<hash prefix>/<lang>.traineddata
// unless it is there with the right content, and returns the directory, as
// writeModel does for the OCR-A model.
func writeTessdata(lang string, data []byte) (string, error) {
	sum := sha256.Sum256(data)
	hash := hex.EncodeToString(sum[:])
	base, err := os.UserCacheDir()
	if err != nil || base == "" {
		base = os.TempDir()
	}
	dir := filepath.Join(base, "regfus", "tessdata-"+lang+"-"+hash[:16])
	path := filepath.Join(dir, lang+".traineddata")
	if b, err := os.ReadFile(path); err == nil && sha256.Sum256(b) == sum {
		return dir, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("tesseract: model cache %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, lang+".*.tmp")
	if err != nil {
		return "", fmt.Errorf("tesseract: model cache %s: %w", dir, err)
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("tesseract: write model to %s: %w", path, werr)
	}
	return dir, nil
}
