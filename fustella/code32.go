package fustella

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Code32 ("Italian Pharmacode") encodes an AIC as the base-32 writing of its
// nine digits read as one number, exactly 6 characters of the alphabet below
// (no vowels but none needed), drawn as plain CODE 39 without a check
// character. The "A" printed before the digits is not in the bars.
const code32Alphabet = "0123456789BCDFGHJKLMNPQRSTUVWXYZ"

// Code32Len is the length of the CODE 39 text of a Code 32 symbol.
const Code32Len = 6

// ErrInvalidCode32 is wrapped by every Code 32 error.
var ErrInvalidCode32 = errors.New("invalid Code 32")

// Code32 returns the 6 characters drawn as CODE 39 bars for a.
func (a AIC) Code32() string {
	n, _ := strconv.ParseUint(string(a), 10, 64)
	var b [Code32Len]byte
	for i := Code32Len - 1; i >= 0; i-- {
		b[i] = code32Alphabet[n%32]
		n /= 32
	}
	return string(b[:])
}

// AICFromCode32 converts the 6 characters a CODE 39 decoder returns for a
// Code 32 symbol back to the AIC, and checks its check digit. Every error
// wraps ErrInvalidCode32; one whose only fault is the AIC check digit also
// wraps ErrInvalidAIC, so a reader can tell a failed check from a bad read.
func AICFromCode32(s string) (AIC, error) {
	if len(s) != Code32Len {
		return "", fmt.Errorf("%w %q: %d characters, want %d", ErrInvalidCode32, s, len(s), Code32Len)
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		v := strings.IndexByte(code32Alphabet, s[i])
		if v < 0 {
			return "", fmt.Errorf("%w %q: character %q is not in the Code 32 alphabet", ErrInvalidCode32, s, s[i])
		}
		n = n*32 + uint64(v)
	}
	if n > 999_999_999 {
		return "", fmt.Errorf("%w %q: value %d has more than 9 digits", ErrInvalidCode32, s, n)
	}
	a, err := ParseAIC(fmt.Sprintf("%09d", n))
	if err != nil {
		return "", fmt.Errorf("%w %q: %w", ErrInvalidCode32, s, err)
	}
	return a, nil
}
