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
	return parseChecked[AIC](s, strings.TrimPrefix(s, "A"), 9, AICCheckDigit, ErrInvalidAIC)
}

// NewAIC completes 8 digits with their check digit.
func NewAIC(first8 string) (AIC, error) {
	return withCheck[AIC](first8, AICCheckDigit)
}

// Printed returns the AIC as printed in OCR-A on the label: "A" + 9 digits.
func (a AIC) Printed() string { return "A" + string(a) }

// parseChecked validates digits, s as read with any printed prefix
// dropped, as n digits whose last is check's digit of the others; errors
// wrap invalid and quote s.
func parseChecked[T ~string](s, digits string, n int, check func(string) (byte, error), invalid error) (T, error) {
	if err := allDigits(digits, n); err != nil {
		return "", fmt.Errorf("%w %q: %v", invalid, s, err)
	}
	c, _ := check(digits[:n-1])
	if c != digits[n-1] {
		return "", fmt.Errorf("%w %q: check digit is %c, want %c", invalid, s, digits[n-1], c)
	}
	return T(digits), nil
}

// withCheck completes first with its check digit.
func withCheck[T ~string](first string, check func(string) (byte, error)) (T, error) {
	c, err := check(first)
	if err != nil {
		return "", err
	}
	return T(first + string(c)), nil
}

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
