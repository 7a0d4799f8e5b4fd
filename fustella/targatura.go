package fustella

import (
	"errors"
	"fmt"
)

// Targatura is a valid pack progressive number: 9 digits and a check digit.
// It identifies one pack for years; the same targatura twice is a duplicate.
type Targatura string

// ErrInvalidTargatura is wrapped by every targatura error.
var ErrInvalidTargatura = errors.New("invalid targatura")

// TargaturaCheckDigit returns the check digit of 9 digits: weights 3,1,3,1,...
// from the rightmost digit; check = (10 - sum mod 10) mod 10.
func TargaturaCheckDigit(first9 string) (byte, error) {
	if err := allDigits(first9, 9); err != nil {
		return 0, fmt.Errorf("%w: %v", ErrInvalidTargatura, err)
	}
	sum := 0
	for i := 0; i < 9; i++ {
		d := int(first9[8-i] - '0')
		if i%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10), nil
}

// ParseTargatura validates a 10-digit targatura.
func ParseTargatura(s string) (Targatura, error) {
	return parseChecked[Targatura](s, s, 10, TargaturaCheckDigit, ErrInvalidTargatura)
}

// NewTargatura completes 9 digits with their check digit.
func NewTargatura(first9 string) (Targatura, error) {
	return withCheck[Targatura](first9, TargaturaCheckDigit)
}
