// Package typeface holds the fonts regfus draws with, embedded so that a
// rendering is the same bytes on every machine: the Go fonts (BSD licence)
// for ordinary text and OCR-A (John Sauter's public-domain digitisation, as
// shipped in Debian's fonts-ocr-a) for the codes a machine must read back,
// as on real fustelle.
package typeface

import (
	_ "embed"
	"fmt"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
)

//go:embed OCRA.ttf
var ocra []byte

// Font names one embedded typeface.
type Font int

const (
	Sans Font = iota
	SansBold
	OCRA
)

// Name is the family name used for the font in PDFs.
func (f Font) Name() string {
	if lf, ok := loadedFont(f); ok {
		return lf.name
	}
	switch f {
	case SansBold:
		return "gobold"
	case OCRA:
		return "ocra"
	}
	return "goregular"
}

// TTF returns the font file.
func (f Font) TTF() []byte {
	if lf, ok := loadedFont(f); ok {
		return lf.data
	}
	return embeddedTTF(f)
}

// embeddedTTF returns the file of an embedded font (Sans for any other).
func embeddedTTF(f Font) []byte {
	switch f {
	case SansBold:
		return gobold.TTF
	case OCRA:
		return ocra
	}
	return goregular.TTF
}

// All lists every embedded font.
var All = []Font{Sans, SansBold, OCRA}

var (
	mu     sync.Mutex
	parsed = map[Font]*opentype.Font{}
)

// Parsed returns the parsed font, parsing it once.
func (f Font) Parsed() *opentype.Font {
	mu.Lock()
	defer mu.Unlock()
	if p, ok := parsed[f]; ok {
		return p
	}
	data := f.ttfLocked()
	p, err := opentype.Parse(data)
	if err != nil {
		panic(fmt.Sprintf("typeface: embedded font %s does not parse: %v", f.Name(), err))
	}
	parsed[f] = p
	return p
}

// Face returns a face of f whose em is sizePx pixels. Faces are not safe for
// concurrent use; make one per goroutine.
func (f Font) Face(sizePx float64) font.Face {
	face, err := opentype.NewFace(f.Parsed(), &opentype.FaceOptions{Size: sizePx, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		panic(fmt.Sprintf("typeface: face of %s at %.1f px: %v", f.Name(), sizePx, err))
	}
	return face
}

// Advance returns the width of s in em units (multiply by the em size).
func (f Font) Advance(s string) float64 {
	const em = 1000
	face := f.Face(em)
	defer face.Close()
	return float64(font.MeasureString(face, s)) / 64 / em
}
