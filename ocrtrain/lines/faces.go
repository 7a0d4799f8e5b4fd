package lines

import (
	_ "embed"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
)

// Class is the design family of a face, for per-class reports.
type Class string

// The classes of faces fustelle print their digits in (SPEC: OCR-A, OCR-B
// or a plain face).
const (
	ClassOCRA  Class = "ocr-a"
	ClassOCRB  Class = "ocr-b"
	ClassSans  Class = "sans"
	ClassMono  Class = "mono"
	ClassSerif Class = "serif"
)

// Face is one font the lines can be drawn in. The OCR-A faces the project
// shipped with and the OCR-B faces are embedded (fonts/), the Go fonts come
// with golang.org/x/image; every other face is read from the Debian
// package that scripts/setup installs (fonts-ocr-a, fonts-dejavu-core and
// -extra, fonts-liberation2, fonts-freefont-ttf), so a rendering is the
// same wherever those package versions are.
type Face struct {
	Name  string // short id, used in Params.Font and in reports
	Class Class
	// Trained says whether the training mixture draws this face. Faces
	// that are not trained on are the held-out fonts: accuracy on them is
	// accuracy on fonts the model never saw.
	Trained bool
	// Weight is the face's share of the training mixture (Trained only).
	Weight float64
	// Thin marks a face whose strokes are so thin (FreeMono, a Courier)
	// that starved ink erases them at label sizes: it is drawn with ink
	// spread only (Params.Stroke >= 0).
	Thin bool
	File string // system font file; empty for an embedded face
	data []byte // embedded face
}

// The OCR-B faces of Debian's fonts-ocr-b 0.3~dfsg1-1 (public domain), converted
// to TrueType outlines by fonts/otf2ttf.py: Go's sfnt cannot draw the CFF
// flex1 operator of OCR-B's 8.
var (
	//go:embed fonts/OCRB.ttf
	ocrbRegular []byte
	//go:embed fonts/OCRBOblique.ttf
	ocrbOblique []byte
	//go:embed fonts/OCRBSharp.ttf
	ocrbSharp []byte
)

const (
	ocrADir  = "/usr/share/fonts/truetype/ocr-a/"
	dejavu   = "/usr/share/fonts/truetype/dejavu/"
	libDir   = "/usr/share/fonts/truetype/liberation2/"
	freeFont = "/usr/share/fonts/truetype/freefont/"
)

// faces is the catalogue. Held out (never trained on): OCR-B's "Sharp"
// cut (an OCR-B variant), the whole DejaVu Sans family (a wide humanist
// sans unlike the trained Arial/Helvetica clones) and the Go fonts (a sans
// and a monospace of a design no trained face shares). DejaVu Sans Mono is
// trained; its digits share some of DejaVu Sans's shapes, which is why the
// Go fonts are held out as well.
var faces = []Face{
	{Name: "ocra", Class: ClassOCRA, Trained: true, Weight: 0.20, data: ocraRegular},
	{Name: "ocra-bold", Class: ClassOCRA, Trained: true, Weight: 0.08, data: ocraBold},
	{Name: "ocra-condensed", Class: ClassOCRA, Trained: true, Weight: 0.03, File: ocrADir + "OCRACondensed.ttf"},
	{Name: "ocra-italic", Class: ClassOCRA, Trained: true, Weight: 0.02, File: ocrADir + "OCRAItalic.ttf"},
	{Name: "ocrb", Class: ClassOCRB, Trained: true, Weight: 0.15, data: ocrbRegular},
	{Name: "ocrb-oblique", Class: ClassOCRB, Trained: true, Weight: 0.03, data: ocrbOblique},
	{Name: "liberation-sans", Class: ClassSans, Trained: true, Weight: 0.07, File: libDir + "LiberationSans-Regular.ttf"},
	{Name: "liberation-sans-bold", Class: ClassSans, Trained: true, Weight: 0.05, File: libDir + "LiberationSans-Bold.ttf"},
	{Name: "freesans", Class: ClassSans, Trained: true, Weight: 0.05, File: freeFont + "FreeSans.ttf"},
	{Name: "freesans-bold", Class: ClassSans, Trained: true, Weight: 0.04, File: freeFont + "FreeSansBold.ttf"},
	{Name: "liberation-mono", Class: ClassMono, Trained: true, Weight: 0.05, File: libDir + "LiberationMono-Regular.ttf"},
	{Name: "liberation-mono-bold", Class: ClassMono, Trained: true, Weight: 0.04, File: libDir + "LiberationMono-Bold.ttf"},
	{Name: "freemono", Class: ClassMono, Trained: true, Weight: 0.03, File: freeFont + "FreeMono.ttf", Thin: true},
	{Name: "freemono-bold", Class: ClassMono, Trained: true, Weight: 0.04, File: freeFont + "FreeMonoBold.ttf"},
	{Name: "dejavu-sans-mono", Class: ClassMono, Trained: true, Weight: 0.05, File: dejavu + "DejaVuSansMono.ttf"},
	{Name: "dejavu-sans-mono-bold", Class: ClassMono, Trained: true, Weight: 0.03, File: dejavu + "DejaVuSansMono-Bold.ttf"},
	{Name: "liberation-serif", Class: ClassSerif, Trained: true, Weight: 0.02, File: libDir + "LiberationSerif-Regular.ttf"},
	{Name: "freeserif-bold", Class: ClassSerif, Trained: true, Weight: 0.02, File: freeFont + "FreeSerifBold.ttf"},

	{Name: "ocrb-sharp", Class: ClassOCRB, data: ocrbSharp},
	{Name: "dejavu-sans", Class: ClassSans, File: dejavu + "DejaVuSans.ttf"},
	{Name: "dejavu-sans-bold", Class: ClassSans, File: dejavu + "DejaVuSans-Bold.ttf"},
	{Name: "dejavu-sans-condensed", Class: ClassSans, File: dejavu + "DejaVuSansCondensed.ttf"},
	{Name: "go-regular", Class: ClassSans, data: goregular.TTF},
	{Name: "go-mono", Class: ClassMono, data: gomono.TTF},
}

// Faces returns the whole catalogue, trained faces first.
func Faces() []Face { return append([]Face(nil), faces...) }

// FaceNamed returns the catalogue's face called name.
func FaceNamed(name string) (Face, bool) {
	for _, f := range faces {
		if f.Name == name {
			return f, true
		}
	}
	return Face{}, false
}

// TTF returns the face's font file: the embedded one, or the system file
// (scripts/setup installs the Debian font packages).
func (f Face) TTF() ([]byte, error) {
	if f.data != nil {
		return f.data, nil
	}
	b, err := os.ReadFile(f.File)
	if err != nil {
		return nil, fmt.Errorf("lines: face %s: %w (scripts/setup installs the Debian font packages)", f.Name, err)
	}
	return b, nil
}

// TrainedFaces are the faces of the training mixture with their weights.
func TrainedFaces() []FaceWeight {
	var out []FaceWeight
	for _, f := range faces {
		if f.Trained {
			out = append(out, FaceWeight{f.Name, f.Weight})
		}
	}
	return out
}

// FaceWeight weighs a face (by name) in a profile's draw.
type FaceWeight struct {
	Name   string
	Weight float64
}

func drawFace(rng *rand.Rand, fs []FaceWeight) string {
	if len(fs) == 0 {
		return "ocra"
	}
	total := 0.0
	for _, f := range fs {
		total += f.Weight
	}
	x := rng.Float64() * total
	for _, f := range fs {
		if x < f.Weight {
			return f.Name
		}
		x -= f.Weight
	}
	return fs[len(fs)-1].Name
}

// loadedFace is a parsed font with the metrics Render needs.
type loadedFace struct {
	font *opentype.Font
	// digitHeight is a digit's height per pixel of font size.
	digitHeight float64
}

var (
	loadMu sync.Mutex
	loaded = map[string]*loadedFace{}
)

// load parses the named face once per process.
func load(name string) (*loadedFace, error) {
	loadMu.Lock()
	defer loadMu.Unlock()
	if lf := loaded[name]; lf != nil {
		return lf, nil
	}
	f, ok := FaceNamed(name)
	if !ok {
		return nil, fmt.Errorf("lines: no face %q in the catalogue", name)
	}
	data, err := f.TTF()
	if err != nil {
		return nil, err
	}
	ot, err := opentype.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("lines: parse face %s: %w", name, err)
	}
	face, err := opentype.NewFace(ot, &opentype.FaceOptions{Size: 1000, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		return nil, fmt.Errorf("lines: face %s: %w", name, err)
	}
	defer face.Close()
	for _, r := range Charset {
		if _, _, ok := face.GlyphBounds(r); !ok {
			return nil, fmt.Errorf("lines: face %s has no glyph for %q", name, r)
		}
	}
	b, _, _ := face.GlyphBounds('0')
	lf := &loadedFace{font: ot, digitHeight: float64(b.Max.Y-b.Min.Y) / 64 / 1000}
	loaded[name] = lf
	return lf, nil
}
