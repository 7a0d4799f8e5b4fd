// Package barcode encodes and decodes the one-dimensional symbologies found
// on a Registro delle Fustelle sheet: CODE 39 (the sheet code, head and
// tail), Code 32 (the AIC on a fustella, drawn as CODE 39) and Interleaved
// 2 of 5 (the targatura).
//
// Encoding produces bar widths, not pixels, so the same symbol is drawn as
// vector bars in a PDF and as pixels in a raster at any resolution.
// Decoding (a Decoder, over gozxing's row readers) reads crops the page
// reader has deskewed, and finds every symbol in an arbitrary image.
package barcode

import (
	"fmt"
	"strings"
)

// Symbol is an encoded 1D symbol as alternating element widths, in narrow
// bar units, starting with a bar: bar, space, bar, ... Quiet zones are not
// included.
type Symbol []float64

// Modules returns the total width of s in narrow units.
func (s Symbol) Modules() float64 {
	var w float64
	for _, e := range s {
		w += e
	}
	return w
}

const code39Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. $/+%"

// 9-bit element patterns, most significant first; 1 is wide.
var code39Patterns = [...]uint16{
	0x034, 0x121, 0x061, 0x160, 0x031, 0x130, 0x070, 0x025, 0x124, 0x064, // 0-9
	0x109, 0x049, 0x148, 0x019, 0x118, 0x058, 0x00D, 0x10C, 0x04C, 0x01C, // A-J
	0x103, 0x043, 0x142, 0x013, 0x112, 0x052, 0x007, 0x106, 0x046, 0x016, // K-T
	0x181, 0x0C1, 0x1C0, 0x091, 0x190, 0x0D0, 0x085, 0x184, 0x0C4, 0x0A8, // U-$
	0x0A2, 0x08A, 0x02A, // /-%
}

const code39Star = 0x094

// Code39 encodes text (CODE 39 alphabet, no check character) with the given
// wide-to-narrow ratio (2 to 3; 3 reads best).
func Code39(text string, ratio float64) (Symbol, error) {
	if ratio < 2 || ratio > 3 {
		return nil, fmt.Errorf("barcode: CODE 39 ratio %.2f out of range 2-3", ratio)
	}
	if text == "" {
		return nil, fmt.Errorf("barcode: CODE 39 text is empty")
	}
	pats := []uint16{code39Star}
	for i := 0; i < len(text); i++ {
		k := strings.IndexByte(code39Alphabet, text[i])
		if k < 0 {
			return nil, fmt.Errorf("barcode: %q is not in the CODE 39 alphabet", text[i])
		}
		pats = append(pats, code39Patterns[k])
	}
	pats = append(pats, code39Star)
	var s Symbol
	for i, p := range pats {
		if i > 0 {
			s = append(s, 1) // inter-character gap
		}
		for bit := 8; bit >= 0; bit-- {
			if p&(1<<bit) != 0 {
				s = append(s, ratio)
			} else {
				s = append(s, 1)
			}
		}
	}
	return s, nil
}

// ITF digit patterns: 5 elements, 1 = wide.
var itfPatterns = [10][5]bool{
	{false, false, true, true, false},
	{true, false, false, false, true},
	{false, true, false, false, true},
	{true, true, false, false, false},
	{false, false, true, false, true},
	{true, false, true, false, false},
	{false, true, true, false, false},
	{false, false, false, true, true},
	{true, false, false, true, false},
	{false, true, false, true, false},
}

// ITF encodes an even number of digits as Interleaved 2 of 5 with the given
// wide-to-narrow ratio (2 to 3).
func ITF(digits string, ratio float64) (Symbol, error) {
	if ratio < 2 || ratio > 3 {
		return nil, fmt.Errorf("barcode: ITF ratio %.2f out of range 2-3", ratio)
	}
	if len(digits) == 0 || len(digits)%2 != 0 {
		return nil, fmt.Errorf("barcode: ITF needs an even number of digits, got %d", len(digits))
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return nil, fmt.Errorf("barcode: ITF character %q is not a digit", digits[i])
		}
	}
	w := func(wide bool) float64 {
		if wide {
			return ratio
		}
		return 1
	}
	s := Symbol{1, 1, 1, 1} // start: bar space bar space
	for i := 0; i < len(digits); i += 2 {
		bars, spaces := itfPatterns[digits[i]-'0'], itfPatterns[digits[i+1]-'0']
		for k := 0; k < 5; k++ {
			s = append(s, w(bars[k]), w(spaces[k]))
		}
	}
	s = append(s, ratio, 1, 1) // stop: wide bar, space, bar
	return s, nil
}
