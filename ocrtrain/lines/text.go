// Package lines makes single-line images of printed digits with their
// ground truth, for
// training the project's Tesseract model (scripts/train-ocr) and for
// measuring it on lines it never saw (package tesseract's tests).
//
// A line is what the scan reader hands to Tesseract: a crop around one
// printed line, converted to grayscale and scaled to LineHeight pixels. The
// package renders a face of its catalogue (faces.go: OCR-A, OCR-B, sans,
// monospace and a little serif, some held out of training) at a scan
// resolution, degrades it the way a scanner or a phone does, crops it with
// varied margins (sometimes with the ends of a barcode's bars above or
// below) and scales it like the reader would.
//
// Everything is driven by a *rand.Rand, so a set is reproducible from its
// seed. Generators are pluggable: anything that implements Generator (for
// instance crops cut from the project's fustella renderer) can be mixed into
// a training set (Mix) or measured as its own evaluation set (Set).
package lines

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/regfus/regfus/fustella"
	"github.com/regfus/regfus/sheet"
)

// Kind is what a line says, and so which check it must pass.
type Kind string

// The kinds of line on a sheet, plus random strings used in training only,
// so the model reads glyphs rather than learning where digits go.
const (
	// KindAIC is "A" + the 9-digit AIC, under the Code 32 barcode.
	KindAIC Kind = "aic"
	// KindTargatura is the 10-digit targatura, under the ITF barcode.
	KindTargatura Kind = "targatura"
	// KindSheetCode is the 17-digit sheet code under the head barcode.
	KindSheetCode Kind = "sheet"
	// KindProgressive is the sheet's printed progressive: 1 to 3 digits,
	// "D" first for a dispensario ("12", "D3").
	KindProgressive Kind = "progressive"
	// KindCount is the sheet's printed count of fustelle, "0" to "28".
	KindCount Kind = "count"
	// KindRandom is 1 to 17 random symbols of the charset, "A" and "D"
	// anywhere, sometimes with a space.
	KindRandom Kind = "random"
)

// Charset is every symbol the model knows (a space between groups is
// read too; the reader drops it).
const Charset = "0123456789AD"

// KindWeight weighs a kind in a mixture.
type KindWeight struct {
	Kind   Kind
	Weight float64
}

func drawKind(rng *rand.Rand, kinds []KindWeight) Kind {
	total := 0.0
	for _, k := range kinds {
		total += k.Weight
	}
	x := rng.Float64() * total
	for _, k := range kinds {
		if x < k.Weight {
			return k.Kind
		}
		x -= k.Weight
	}
	return kinds[len(kinds)-1].Kind
}

// sheetRegions are the ISTAT-style region codes used on real sheets.
var sheetRegions = []string{"010", "020", "030", "041", "042", "050", "060", "070", "080",
	"090", "100", "110", "120", "130", "140", "150", "160", "170", "180", "190", "200"}

func digits(rng *rand.Rand, n int) string {
	var b strings.Builder
	for range n {
		b.WriteByte(byte('0' + rng.IntN(10)))
	}
	return b.String()
}

// RandomText returns a valid random text of kind k: a valid AIC (printed
// with its "A"), a valid targatura, a valid sheet code, or for KindRandom a
// random string of the charset.
func RandomText(rng *rand.Rand, k Kind) (string, error) {
	switch k {
	case KindAIC:
		first8 := digits(rng, 8)
		if rng.Float64() < 0.6 { // most AICs in use start with 0
			first8 = "0" + first8[1:]
		}
		a, err := fustella.NewAIC(first8)
		if err != nil {
			return "", err
		}
		if rng.Float64() < 0.2 { // some printers leave a gap after the A
			return "A " + string(a), nil
		}
		return a.Printed(), nil
	case KindTargatura:
		t, err := fustella.NewTargatura(digits(rng, 9))
		if err != nil {
			return "", err
		}
		return string(t), nil
	case KindSheetCode:
		c, err := sheet.NewCode(sheetRegions[rng.IntN(len(sheetRegions))],
			digits(rng, 3), digits(rng, 5), 1+rng.IntN(12), 2022+rng.IntN(14))
		if err != nil {
			return "", err
		}
		return c.String(), nil
	case KindProgressive:
		p := strconv.Itoa(1 + rng.IntN([]int{9, 99, 999}[rng.IntN(3)]))
		if rng.Float64() < 0.3 {
			p = "D" + p
		}
		return p, nil
	case KindCount:
		return strconv.Itoa(rng.IntN(29)), nil
	case KindRandom:
		n := 1 + rng.IntN(17)
		b := make([]byte, n)
		for i := range b {
			switch x := rng.Float64(); {
			case x < 0.06:
				b[i] = 'A'
			case x < 0.1:
				b[i] = 'D'
			case x < 0.13 && i > 0 && i < n-1 && b[i-1] != ' ':
				b[i] = ' '
			default:
				b[i] = byte('0' + rng.IntN(10))
			}
		}
		return string(b), nil
	}
	return "", fmt.Errorf("lines: unknown kind %q", k)
}
