package tesseract

import (
	"fmt"
	"image"
	"strings"

	"github.com/regfus/regfus/fustella"
	"github.com/regfus/regfus/resample"
	"github.com/regfus/regfus/sheet"
)

// The Read* helpers read a line twice: as given, and a second time
// squeezed to 90% of its width. A check digit stops any single misread
// digit but lets one garbled reading in ten through (measured: one wrong
// AIC passed its check in 2,000 fresh held-out lines, a barely legible
// 150-dpi phone crop read with three wrong digits at confidence 0.98;
// Tesseract's confidences do not separate such readings). Garbled readings
// of a hard crop change with its sampling while good readings do not, so a
// value is returned only when both readings pass the check and agree. This
// doubles the OCR time of a code that passes. A caller that has read the
// value from the label's bars uses the *Against helpers: a first reading
// equal to the bars' value is already the second, independent read, and
// only a reading that differs is confirmed. Confirmation ends with the
// second opinion of second.go: its veto on a confirmed value, its own two
// readings when the model gave none.

// verified reads img as kind k, checks it with check, and confirms it with a
// second reading of the squeezed image. It returns the first reading's
// confidence.
func verified[T comparable](c *Client, img image.Image, k Kind, check func(string) (T, error)) (T, float64, error) {
	l, err := c.ReadLine(img, k)
	if err != nil {
		var zero T
		return zero, 0, err
	}
	return confirm(c, img, k, l, check)
}

// confirm is verified after the first reading l of img: the model's two
// readings, then the second opinion's veto or fallback (see second.go).
func confirm[T comparable](c *Client, img image.Image, k Kind, l Line, check func(string) (T, error)) (T, float64, error) {
	var zero T
	v, err := check(l.Text)
	if err == nil {
		l2, err2 := c.ReadLine(squeeze(img), k)
		if err2 != nil {
			return zero, 0, err2
		}
		if v2, e := check(l2.Text); e != nil || v2 != v {
			err = fmt.Errorf("%w: %w: %s read as %q, and as %q at 90%% width", ErrRejected, ErrUnconfirmed, k, l.Text, l2.Text)
		}
	}
	if c.noSecond {
		return v, l.Confidence, err
	}
	s, serr := c.secondOpinion()
	if serr != nil {
		return zero, 0, serr
	}
	sl, serr := s.ReadLine(img, k)
	if serr != nil {
		return zero, 0, serr
	}
	sv, se := check(sl.Text)
	if err == nil {
		// The veto: the model's confirmed value stands unless the second
		// opinion reads another valid value; when the second opinion reads
		// no valid value, the model must read it a third time, stretched.
		if se == nil && sv != v {
			return zero, l.Confidence, fmt.Errorf("%w: %w: %s read as %q, and as %q by the second opinion", ErrRejected, ErrUnconfirmed, k, l.Text, sl.Text)
		}
		if se != nil {
			l3, err3 := c.ReadLine(stretch(img), k)
			if err3 != nil {
				return zero, 0, err3
			}
			if v3, e := check(l3.Text); e != nil || v3 != v {
				return zero, l.Confidence, fmt.Errorf("%w: %w: %s read as %q, and as %q at 112%% width", ErrRejected, ErrUnconfirmed, k, l.Text, l3.Text)
			}
		}
		return v, l.Confidence, nil
	}
	// The fallback: the second opinion's value, read twice, unless the
	// model's first reading was another valid value.
	if se != nil {
		return zero, l.Confidence, err
	}
	if v, e := check(l.Text); e == nil && v != sv {
		return zero, l.Confidence, fmt.Errorf("%w: %w: %s read as %q, and as %q by the second opinion", ErrRejected, ErrUnconfirmed, k, l.Text, sl.Text)
	}
	sl2, serr := s.ReadLine(squeeze(img), k)
	if serr != nil {
		return zero, 0, serr
	}
	if sv2, e := check(sl2.Text); e != nil || sv2 != sv {
		return zero, l.Confidence, fmt.Errorf("%w: %w: %s read as %q by the model; as %q and %q at 90%% width by the second opinion", ErrRejected, ErrUnconfirmed, k, l.Text, sl.Text, sl2.Text)
	}
	sl3, serr := s.ReadLine(stretch(img), k)
	if serr != nil {
		return zero, 0, serr
	}
	if sv3, e := check(sl3.Text); e != nil || sv3 != sv {
		return zero, l.Confidence, fmt.Errorf("%w: %w: %s read as %q by the model; as %q, and %q at 112%% width by the second opinion", ErrRejected, ErrUnconfirmed, k, l.Text, sl.Text, sl3.Text)
	}
	return sv, sl.Confidence, nil
}

// stretch returns img in grey, scaled to 112% of its width (same height).
func stretch(img image.Image) *image.Gray {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	px := grey(img)
	nw := w * 112 / 100
	out := image.NewGray(image.Rect(0, 0, nw, h))
	copy(out.Pix, resample.Gray(px, w, h, nw, h))
	return out
}

// squeeze returns img in grey, scaled to 90% of its width (same height).
func squeeze(img image.Image) *image.Gray {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	px := grey(img)
	nw := max(1, w*9/10)
	out := image.NewGray(image.Rect(0, 0, nw, h))
	scale := float64(w) / float64(nw)
	for x := range nw {
		// Box filter over the source span of this column.
		x0, x1 := float64(x)*scale, float64(x+1)*scale
		for y := range h {
			acc, wt := 0.0, 0.0
			for sx := int(x0); sx < w && float64(sx) < x1; sx++ {
				f := min(x1, float64(sx+1)) - max(x0, float64(sx))
				acc += f * float64(px[y*w+sx])
				wt += f
			}
			out.Pix[y*out.Stride+x] = uint8(acc/wt + 0.5)
		}
	}
	return out
}

// against reads img as kind k for a value known from an independent read
// (the label's bars). A first reading that passes check and equals known
// is that value's second independent read: it is returned at once, with no
// confirming reading. Any other first reading goes through confirm, so a
// value that contradicts known is returned only when two readings agree on
// it, exactly as verified would return it.
func against[T comparable](c *Client, img image.Image, k Kind, known T, check func(string) (T, error)) (T, float64, error) {
	l, err := c.ReadLine(img, k)
	if err != nil {
		var zero T
		return zero, 0, err
	}
	if v, err := check(l.Text); err == nil && v == known {
		return v, l.Confidence, nil
	}
	return confirm(c, img, k, l, check)
}

// ReadAICAgainst is ReadAIC for a label whose bars were read as bars: a
// first reading equal to bars needs no second reading (see against). The
// result is what ReadAIC would return, except that a reading equal to bars
// is returned even when the squeezed reading would have failed.
func (c *Client) ReadAICAgainst(img image.Image, bars fustella.AIC) (fustella.AIC, float64, error) {
	return against(c, img, AIC, bars, CheckAIC)
}

// ReadTargaturaAgainst is ReadAICAgainst for the targatura.
func (c *Client) ReadTargaturaAgainst(img image.Image, bars fustella.Targatura) (fustella.Targatura, float64, error) {
	return against(c, img, Targatura, bars, CheckTargatura)
}

// ReadAIC reads the printed AIC ("A" + 9 digits) and returns it only if it
// is a valid AIC (9 digits after an optional leading "A", nothing else, a
// right check digit) on both readings (see verified). The confidence is the
// line's mean symbol confidence. A failure wraps ErrRejected and quotes what
// was read.
func (c *Client) ReadAIC(img image.Image) (fustella.AIC, float64, error) {
	return verified(c, img, AIC, CheckAIC)
}

// ReadTargatura reads a printed targatura and returns it only if it has 10
// digits and a right check digit on both readings.
func (c *Client) ReadTargatura(img image.Image) (fustella.Targatura, float64, error) {
	return verified(c, img, Targatura, CheckTargatura)
}

// ReadSheetCode reads the printed 17-digit sheet code and returns it only
// if it parses as a sheet code (plausible month and year) on both readings.
// The sheet code has no check digit, so a misread digit in the region, ASL
// or pharmacy can pass: use it only as an opinion beside the barcodes.
func (c *Client) ReadSheetCode(img image.Image) (sheet.Code, float64, error) {
	return verified(c, img, SheetCode, CheckSheetCode)
}

// ReadDigits reads a line of digits of any length that has no check of its
// own (a printed count, the digits over or under the bars of a symbol whose
// kind the caller does not know) and returns them only when a second
// reading of the line squeezed to 90% width gives the same digits (see
// verified). Without a check digit two agreeing readings are still only
// one opinion: compare the value with an independent read (the bars, the
// labels found) before trusting it.
func (c *Client) ReadDigits(img image.Image) (string, float64, error) {
	return verified(c, img, Digits, CheckDigits)
}

// CheckDigits validates OCR text as a non-empty run of digits.
func CheckDigits(text string) (string, error) {
	if text == "" || strings.Trim(text, "0123456789") != "" {
		return "", rejected(Digits, text, fmt.Errorf("not a run of digits"))
	}
	return text, nil
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
