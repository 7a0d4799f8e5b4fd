package icr

import "strconv"

// Class is what a glyph is: a digit 0-9, the letter D (the prefix of a
// dispensario's progressive), or Other.
type Class int

// The classes after the digits 0..9 (Class(d) is the digit d).
const (
	// D is the letter D, handwritten or printed, upper case.
	D Class = 10
	// Other is "not a digit and not a D": pieces of box lines, dots,
	// scribbles, partial strokes, blobs, other letters and blank crops.
	Other Class = 11
	// NumClasses is the number of classes the model tells apart.
	NumClasses = 12
)

// Digit reports whether c is one of 0..9.
func (c Class) Digit() bool { return c >= 0 && c <= 9 }

// String is the digit, "D" or "other".
func (c Class) String() string {
	switch {
	case c.Digit():
		return strconv.Itoa(int(c))
	case c == D:
		return "D"
	case c == Other:
		return "other"
	}
	return "Class(" + strconv.Itoa(int(c)) + ")"
}
