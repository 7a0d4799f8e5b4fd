package barcode

import (
	"errors"
	"image"
	"testing"
)

// TestQuickDecoder checks Decoder.Quick's contract: a clean crop reads
// exactly as with the whole plan; a crop of the other symbology, and a
// crop too blurred for the first passes that the whole plan (with its
// model fallback) reads, fail within the quick passes without a value.
func TestQuickDecoder(t *testing.T) {
	t.Parallel()
	d := NewDecoder()
	q := d.Quick()
	c32 := label(mustCode39(t, "0CSSBD", 3), 2.5, 50, 12, 8, 0, degrade{})
	itf := label(mustITF(t, "1234567895", 3), 2.5, 50, 12, 8, 0, degrade{})

	if a, r, err := q.Code32(c32); err != nil || a != "012345676" || r.Attempt.Index >= quickPasses {
		t.Errorf("quick Code32 of a clean crop = %q, attempt %d, %v", a, r.Attempt.Index, err)
	}
	if tg, _, err := q.Targatura(itf); err != nil || tg != "1234567895" {
		t.Errorf("quick Targatura of a clean crop = %q, %v", tg, err)
	}
	for name, try := range map[string]func() error{
		"Code32 of an ITF crop":    func() error { _, _, err := q.Code32(itf); return err },
		"Targatura of a Code 32":   func() error { _, _, err := q.Targatura(c32); return err },
		"Code32 of a blurred crop": func() error { _, _, err := q.Code32(blurred(t, "0CSSBD")); return err },
	} {
		err := try()
		var de *DecodeError
		if !errors.As(err, &de) {
			t.Errorf("quick %s: error %v, want a DecodeError", name, err)
			continue
		}
		if de.Attempts > quickPasses {
			t.Errorf("quick %s: %d attempts, want at most %d", name, de.Attempts, quickPasses)
		}
	}
	// The blurred crop is one that only the whole plan reads: otherwise the
	// case above tests nothing.
	if a, _, err := d.Code32(blurred(t, "0CSSBD")); err != nil || a != "012345676" {
		t.Errorf("whole-plan Code32 of the blurred crop = %q, %v", a, err)
	}
}

// blurred is a Code 32 crop blurred past what the quick passes read.
func blurred(t *testing.T, text string) *image.Gray {
	return label(mustCode39(t, text, 3), 2, 40, 12, 8, 0, degrade{blur: 2.6, noise: 6, seed: 3})
}
