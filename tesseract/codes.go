package tesseract

import (
	"fmt"
	"image"
	"strings"

	"github.com/regfus/regfus/fustella"
	"github.com/regfus/regfus/sheet"
)

// ReadAIC reads the printed AIC ("A" + 9 digits) and returns it only if it
// is a valid AIC: 9 digits after an optional leading "A", nothing else, and
// a right check digit. The confidence is the line's mean symbol confidence.
// A failed check wraps ErrRejected and quotes what was read.
func (c *Client) ReadAIC(img image.Image) (fustella.AIC, float64, error) {
	l, err := c.ReadLine(img, AIC)
	if err != nil {
		return "", 0, err
	}
	a, err := CheckAIC(l.Text)
	return a, l.Confidence, err
}

// ReadTargatura reads a printed targatura and returns it only if it has 10
// digits and a right check digit.
func (c *Client) ReadTargatura(img image.Image) (fustella.Targatura, float64, error) {
	l, err := c.ReadLine(img, Targatura)
	if err != nil {
		return "", 0, err
	}
	t, err := CheckTargatura(l.Text)
	return t, l.Confidence, err
}

// ReadSheetCode reads the printed 17-digit sheet code and returns it only
// if it parses as a sheet code (plausible month and year). The sheet code
// has no check digit, so a misread digit in the region, ASL or pharmacy
// passes: use it only as an opinion beside the barcodes.
func (c *Client) ReadSheetCode(img image.Image) (sheet.Code, float64, error) {
	l, err := c.ReadLine(img, SheetCode)
	if err != nil {
		return sheet.Code{}, 0, err
	}
	s, err := CheckSheetCode(l.Text)
	return s, l.Confidence, err
}

func rejected(kind Kind, text string, why error) error {
	if text == "" {
		return fmt.Errorf("%w: no %s read", ErrRejected, kind)
	}
	return fmt.Errorf("%w: %s read as %q: %v", ErrRejected, kind, text, why)
}

// CheckAIC validates OCR text as a printed AIC: "A" + 9 digits, or the 9
// digits alone (a dropped "A" costs nothing since the check digit covers the
// digits), with a right check digit.
func CheckAIC(text string) (fustella.AIC, error) {
	if strings.Count(text, "A") > 1 || strings.LastIndex(text, "A") > 0 {
		return "", rejected(AIC, text, fmt.Errorf("an A other than the first character"))
	}
	a, err := fustella.ParseAIC(text)
	if err != nil {
		return "", rejected(AIC, text, err)
	}
	return a, nil
}

// CheckTargatura validates OCR text as a targatura.
func CheckTargatura(text string) (fustella.Targatura, error) {
	t, err := fustella.ParseTargatura(text)
	if err != nil {
		return "", rejected(Targatura, text, err)
	}
	return t, nil
}

// CheckSheetCode validates OCR text as a sheet code.
func CheckSheetCode(text string) (sheet.Code, error) {
	s, err := sheet.ParseCode(text)
	if err != nil {
		return sheet.Code{}, rejected(SheetCode, text, err)
	}
	return s, nil
}
