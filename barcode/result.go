// Result types of a decode: the symbology (Format), how a symbol was read
// (Attempt), the read itself (Result) and why a crop gave no value
// (DecodeError and its sentinel kinds).

package barcode

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// Format is the symbology of a decoded symbol, as printed by regfus barcode.
type Format string

const (
	FormatCode39 Format = "CODE39"
	// FormatCode32 is a CODE 39 symbol whose 6 characters are the base-32
	// writing of a valid AIC; its text is printed as "A" + 9 digits.
	FormatCode32 Format = "CODE32"
	FormatITF    Format = "ITF"
)

// Attempt describes how a symbol was read, so that a caller can weigh a
// read that needed many fallbacks lower than a plain one.
type Attempt struct {
	// Index counts the attempts made before this one: 0 is the first
	// (upsampled, band-averaged, midpoint threshold); the higher, the more
	// fallbacks were needed.
	Index     int
	Binarizer Binarizer
	Inverted  bool    // light bars on a dark ground
	Reversed  bool    // read right to left: the symbol is upside down
	Angle     float64 // tilt of the scan lines in degrees
	Scale     int     // samples per pixel along the line (2 = upsampled)
	Band      int     // rows averaged across the line
	Sweep     bool    // scan lines over the whole height, not just the middle
}

// String describes the attempt in a few words, e.g. "global-histogram x2 +2deg reversed".
func (a Attempt) String() string {
	var b strings.Builder
	b.WriteString(string(a.Binarizer))
	if a.Scale > 1 {
		fmt.Fprintf(&b, " x%d", a.Scale)
	}
	if a.Band > 1 {
		fmt.Fprintf(&b, " band%d", a.Band)
	}
	if a.Angle != 0 {
		fmt.Fprintf(&b, " %+gdeg", a.Angle)
	}
	if a.Sweep {
		b.WriteString(" sweep")
	}
	if a.Inverted {
		b.WriteString(" inverted")
	}
	if a.Reversed {
		b.WriteString(" reversed")
	}
	return b.String()
}

// Result is one decoded symbol from a crop.
type Result struct {
	Format Format
	// Text is what the bars say: the CODE 39 characters (for Code 32 the 6
	// base-32 characters, not the AIC) or the ITF digits.
	Text    string
	Attempt Attempt
	// Lines is how many scan lines of the successful attempt read Text:
	// at least 2 (a single line is never trusted), at most 1+confirmLines.
	Lines int
	// Span is where the symbol lies across the crop: the outer edges of
	// its first and last bars, in pixels along the crop's x axis (from
	// its left edge), whichever way round it was read. A caller that cut
	// its crop wider than the bars it found (a piece of a symbol) tells
	// from it where the whole symbol is.
	Span [2]float64
	// Candidate marks a candidate read (Decoder.Code32Candidate,
	// TargaturaCandidate): no value on its own, only one that another,
	// independent read of the same value confirms.
	Candidate bool
}

// Confidence is a heuristic in (0, 1]: 1 for a plain read confirmed by
// several scan lines, lower when fallbacks were needed or few lines agreed.
// It ranks reads; it is not a probability. A candidate read's is
// candidateConfidence (0.3), whatever its attempt.
//
// A read of the model-based fallback (Attempt.Binarizer == Model) counts
// as a mid-plan read (0.9 before the lines' factor), not by its attempt
// index: it comes after every gozxing attempt, but it is held to more than
// any of them (each character's pattern clearly the best, the whole fit
// tight, bands of rows that share none agreeing).
func (r Result) Confidence() float64 {
	if r.Candidate {
		return candidateConfidence
	}
	c := 1 - 0.015*float64(r.Attempt.Index)
	if r.Attempt.Binarizer == Model {
		c = 0.9
	}
	switch {
	case r.Lines >= 3:
	case r.Lines == 2:
		c *= 0.9
	default:
		c *= 0.75
	}
	return math.Max(c, 0.3)
}

// Sentinel errors; every error a crop method returns is a *DecodeError that
// wraps exactly one of them (and, for a failed check, the domain error).
var (
	ErrNotFound   = errors.New("no symbol found")
	ErrLength     = errors.New("wrong length")
	ErrCheckDigit = errors.New("invalid check digit")
	ErrInvalid    = errors.New("invalid content")
	ErrAmbiguous  = errors.New("different symbols read")
	// ErrUnconfirmed: a valid value was read by a single scan line and no
	// other line of the same attempt agreed; it is not trusted.
	ErrUnconfirmed = errors.New("read by one scan line only, not confirmed")
)

// DecodeError says what was looked for, what was read if anything, and why
// it is not a value. Text is the raw read that failed validation, for
// diagnostics only: it is never a value.
type DecodeError struct {
	What     string // "CODE 39", "ITF", "Code 32", "targatura", "sheet code"
	Kind     error  // one of the sentinel errors above
	Text     string // what the bars said, if a symbol was read
	Attempts int    // attempts tried
	Cause    error  // the validation error, if any
}

func (e *DecodeError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "barcode: %s: %v", e.What, e.Kind)
	if e.Text != "" {
		fmt.Fprintf(&b, " (bars read %q)", e.Text)
	}
	if e.Cause != nil {
		fmt.Fprintf(&b, ": %v", e.Cause)
	}
	if e.Attempts > 0 {
		fmt.Fprintf(&b, " after %d attempts", e.Attempts)
	}
	return b.String()
}

// Unwrap lets errors.Is match both the kind and the domain cause.
func (e *DecodeError) Unwrap() []error {
	if e.Cause != nil {
		return []error{e.Kind, e.Cause}
	}
	return []error{e.Kind}
}

// validationError is returned by a target's accept function.
type validationError struct {
	kind  error
	cause error
}

func (v *validationError) Error() string { return v.kind.Error() + ": " + v.cause.Error() }
