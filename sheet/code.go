// Package sheet holds the identity of a Registro delle Fustelle sheet: the
// 17-digit sheet code printed as the head and tail barcodes, and the sheet
// progressive written in the header.
package sheet

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// DefaultRegion is the region code used when none is configured. SPEC
// section 2: the source document's example starts with 120 (Lazio).
const DefaultRegion = "120"

// CodeLen is the length of a sheet code.
const CodeLen = 17

// Plausible competence years. A sheet code outside them is a misread, not a
// sheet: the register started in 2022 and no sheet is printed decades ahead.
const (
	MinYear = 2000
	MaxYear = 2099
)

// Code is a parsed, valid sheet code: region (3) + ASL (3) + pharmacy (5) +
// month (2) + year (4).
type Code struct {
	Region   string // 3 digits
	ASL      string // 3 digits
	Pharmacy string // 5 digits
	Month    int    // 1-12
	Year     int    // 4 digits
}

// ErrInvalidCode is wrapped by every error ParseCode returns.
var ErrInvalidCode = errors.New("invalid sheet code")

// ParseCode parses and validates a 17-digit sheet code.
func ParseCode(s string) (Code, error) {
	if len(s) != CodeLen {
		return Code{}, fmt.Errorf("%w %q: %d characters, want %d", ErrInvalidCode, s, len(s), CodeLen)
	}
	if i := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
		return Code{}, fmt.Errorf("%w %q: character %d is %q, want a digit", ErrInvalidCode, s, i+1, s[i])
	}
	month, _ := strconv.Atoi(s[11:13])
	year, _ := strconv.Atoi(s[13:17])
	c := Code{Region: s[0:3], ASL: s[3:6], Pharmacy: s[6:11], Month: month, Year: year}
	if err := c.Validate(); err != nil {
		return Code{}, err
	}
	return c, nil
}

// MustParseCode is ParseCode for codes known to be valid (tests, fixed
// examples): it panics on an invalid one.
func MustParseCode(s string) Code {
	c, err := ParseCode(s)
	if err != nil {
		panic(err)
	}
	return c
}

// NewCode builds and validates a code from its parts.
func NewCode(region, asl, pharmacy string, month, year int) (Code, error) {
	c := Code{Region: region, ASL: asl, Pharmacy: pharmacy, Month: month, Year: year}
	return c, c.Validate()
}

// Validate checks every part of c.
func (c Code) Validate() error {
	if err := digits("region", c.Region, 3); err != nil {
		return err
	}
	if err := digits("ASL", c.ASL, 3); err != nil {
		return err
	}
	if err := digits("pharmacy", c.Pharmacy, 5); err != nil {
		return err
	}
	if c.Month < 1 || c.Month > 12 {
		return fmt.Errorf("%w: month %02d out of range 01-12", ErrInvalidCode, c.Month)
	}
	if c.Year < MinYear || c.Year > MaxYear {
		return fmt.Errorf("%w: year %d out of range %d-%d", ErrInvalidCode, c.Year, MinYear, MaxYear)
	}
	return nil
}

// String formats c as its 17 digits.
func (c Code) String() string {
	return fmt.Sprintf("%s%s%s%02d%04d", c.Region, c.ASL, c.Pharmacy, c.Month, c.Year)
}

// MarshalText writes c as its 17 digits, so that a code is its digits in
// JSON and text, as printed under the head barcode. An invalid code is an
// error, not digits no reader would take back.
func (c Code) MarshalText() ([]byte, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return []byte(c.String()), nil
}

// UnmarshalText reads a code's 17 digits (ParseCode): anything else is
// an error wrapping ErrInvalidCode.
func (c *Code) UnmarshalText(b []byte) error {
	v, err := ParseCode(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// Competence returns the competence month as YYYY-MM.
func (c Code) Competence() string { return fmt.Sprintf("%04d-%02d", c.Year, c.Month) }

func digits(what, s string, n int) error {
	if len(s) != n {
		return fmt.Errorf("%w: %s %q has %d characters, want %d digits", ErrInvalidCode, what, s, len(s), n)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return fmt.Errorf("%w: %s %q: character %d is %q, want a digit", ErrInvalidCode, what, s, i+1, s[i])
		}
	}
	return nil
}

// ValidateDigits checks that s is exactly n ASCII digits; what names the
// value in the error. It is shared by every identifier in the sheet header.
func ValidateDigits(what, s string, n int) error {
	if err := digits(what, s, n); err != nil {
		return errors.New(strings.TrimPrefix(err.Error(), ErrInvalidCode.Error()+": "))
	}
	return nil
}

// ParseCompetence parses YYYY-MM (also accepted: MM/YYYY).
func ParseCompetence(s string) (month, year int, err error) {
	var m, y string
	switch {
	case len(s) == 7 && s[4] == '-':
		y, m = s[:4], s[5:]
	case len(s) == 7 && s[2] == '/':
		m, y = s[:2], s[3:]
	default:
		return 0, 0, fmt.Errorf("competence %q: want YYYY-MM", s)
	}
	month, err1 := strconv.Atoi(m)
	year, err2 := strconv.Atoi(y)
	if err1 != nil || err2 != nil || strings.ContainsAny(s, "+ ") {
		return 0, 0, fmt.Errorf("competence %q: want YYYY-MM with digits", s)
	}
	if month < 1 || month > 12 {
		return 0, 0, fmt.Errorf("competence %q: month %02d out of range 01-12", s, month)
	}
	if year < MinYear || year > MaxYear {
		return 0, 0, fmt.Errorf("competence %q: year %d out of range %d-%d", s, year, MinYear, MaxYear)
	}
	return month, year, nil
}
