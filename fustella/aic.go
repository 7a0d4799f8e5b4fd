// Package fustella holds the two codes printed on a fustella, the optical
// label cut from a reimbursed medicine pack (Ministry decree of 2 August
// 2001): the AIC code, printed in OCR-A and as a Code 32 barcode, and the
// targatura, the pack's progressive number, printed in clear and as an
// Interleaved 2 of 5 barcode. Both carry a check digit; a value whose check
// digit fails is never a code, only a misread.
package fustella

import (
	"errors"
	"fmt"
	"strings"
)

// AIC is a valid 9-digit AIC code: 8 digits and a check digit.
type AIC string

// ErrInvalidAIC is wrapped by every AIC error.
var ErrInvalidAIC = errors.New("invalid AIC")

// AICCheckDigit returns the check digit of the first 8 digits of an AIC:
// add the odd-position digits, double each even-position digit and add the
// digits of each product; the check is the sum mod 10.
func AICCheckDigit(first8 string) (byte, error) {
	if err := allDigits(first8, 8); err != nil {
		return 0, fmt.Errorf("%w: %v", ErrInvalidAIC, err)
	}
	sum := 0
	for i := 0; i < 8; i++ {
		d := int(first8[i] - '0')
		if i%2 == 1 { // even position, counting from 1
			d *= 2
			d = d/10 + d%10
		}
		sum += d
	}
	return byte('0' + sum%10), nil
}

// ParseAIC validates a 9-digit AIC. A leading "A" (as printed in OCR-A) is
// accepted and dropped.
func ParseAIC(s string) (AIC, error) {
	t := strings.TrimPrefix(s, "A")
	if err := allDigits(t, 9); err != nil {
		return "", fmt.Errorf("%w %q: %v", ErrInvalidAIC, s, err)
	}
	c, _ := AICCheckDigit(t[:8])
	if c != t[8] {
		return "", fmt.Errorf("%w %q: check digit is %c, want %c", ErrInvalidAIC, s, t[8], c)
	}
	return AIC(t), nil
}

// NewAIC completes 8 digits with their check digit.
func NewAIC(first8 string) (AIC, error) {
	c, err := AICCheckDigit(first8)
	if err != nil {
		return "", err
	}
	return AIC(first8 + string(c)), nil
}

// Printed returns the AIC as printed in OCR-A on the label: "A" + 9 digits.
func (a AIC) Printed() string { return "A" + string(a) }

func allDigits(s string, n int) error {
	if len(s) != n {
		return fmt.Errorf("%d characters, want %d digits", len(s), n)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return fmt.Errorf("character %d is %q, want a digit", i+1, s[i])
		}
	}
	return nil
}
