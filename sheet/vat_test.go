package sheet

import (
	"strings"
	"testing"
)

func TestValidateVAT(t *testing.T) {
	for _, v := range []string{
		"12345678903", "12345678911", // the examples of the docs and tests
		"00743110157",      // a leading zero
		"RSSMRA85T10A562S", // the tax code of the usual textbook example
	} {
		if err := ValidateVAT(v); err != nil {
			t.Errorf("%s: %v", v, err)
		}
	}
	for _, tc := range []struct{ v, says string }{
		{"12345678904", "check digit 4, want 3"},
		{"12345678913", "check digit 3, want 1"},
		{"RSSMRA85T10A562T", "check letter T, want S"},
		{"rssmra85t10a562s", "want A-Z or 0-9"},
		{"1234567890", "10 characters"},
		{"1234567890A", "VAT number"},
	} {
		err := ValidateVAT(tc.v)
		if err == nil || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: %v, want an error saying %q", tc.v, err, tc.says)
		}
	}
}

// Every single-digit mistake in a VAT number changes its check digit.
func TestVATCheckDigitCatchesOneWrongDigit(t *testing.T) {
	const v = "12345678903"
	for i := 0; i < 10; i++ {
		for d := byte('0'); d <= '9'; d++ {
			if d == v[i] {
				continue
			}
			w := v[:i] + string(d) + v[i+1:]
			if ValidateVAT(w) == nil {
				t.Errorf("%s (digit %d changed) passes", w, i+1)
			}
		}
	}
}
