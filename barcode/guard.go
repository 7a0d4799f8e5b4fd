package barcode

import (
	"github.com/makiuchi-d/gozxing/oned"
)

// Guards: cheap pre-checks in run-length space.
//
// gozxing's readers look for their start pattern pixel by pixel, building
// an exception with a stack trace for every miss; on a line of binarized
// noise or print that is most of the decoding time. A guard answers, from
// the line's run lengths, whether the reader could possibly start: it
// accepts everything the reader would (it applies the reader's own tests,
// only earlier), so skipping the reader when it says no loses nothing.
// rl alternates white and black runs and starts with a white one (possibly
// empty); both reading directions are checked.
type guard func(rl []int) bool

// code39Guard: a start character (*, narrow-wide pattern 0x094; read
// backwards, 0x052) with white before it (after it, backwards) for at
// least half its width, as gozxing's code39FindAsteriskPattern requires,
// or only the piece's first (last) white run, which decodeLine pads.
func code39Guard(rl []int) bool {
	for i := 1; i+9 <= len(rl); i += 2 {
		c := rl[i : i+9]
		if isStar(c, 1, 4, 6) { // forward start
			if i == 1 || rl[i-1] >= sum9(c)/2 {
				return true
			}
		}
		if isStar(c, 2, 4, 7) { // a stop read backwards starts a reversed read
			if i+10 >= len(rl) || rl[i+9] >= sum9(c)/2 {
				return true
			}
		}
	}
	return false
}

// isStar tells whether c's wide elements are exactly a, b, d, as
// code39NarrowWide decides: each wider than every other element, and none
// of them half or more of the three together. For the start character
// (0x094) they are 1, 4, 6; for it read backwards (0x052), 2, 4, 7.
func isStar(c []int, a, b, d int) bool {
	lo := min(c[a], c[b], c[d])
	for i, v := range c {
		if i != a && i != b && i != d && v >= lo {
			return false
		}
	}
	t := c[a] + c[b] + c[d]
	return 2*c[a] < t && 2*c[b] < t && 2*c[d] < t
}

func sum9(c []int) int {
	s := 0
	for _, v := range c {
		s += v
	}
	return s
}

// itfGuard: four narrow elements (bar, space, bar, space) as gozxing's ITF
// start guard matches them, with white before them for ten narrow widths
// or up to the end of the line (and the mirror image, for a reversed
// read: the line reversed starts with the same guard).
func itfGuard(rl []int) bool {
	start := []int{1, 1, 1, 1}
	var c [4]int
	pos := 0 // start of run i
	total := 0
	for _, v := range rl {
		total += v
	}
	for i := 0; i < len(rl); i++ {
		if i%2 == 1 && i+4 <= len(rl) {
			copy(c[:], rl[i:i+4])
			if oned.PatternMatchVariance(c[:], start, 0.5) < 0.38 {
				narrow := (c[0] + c[1] + c[2] + c[3]) / 4
				if rl[i-1] >= min(10*narrow, pos) {
					return true
				}
			}
		}
		// Reversed: black run i ends a window i-3..i read right to left.
		if i%2 == 1 && i >= 4 {
			c = [4]int{rl[i], rl[i-1], rl[i-2], rl[i-3]}
			if oned.PatternMatchVariance(c[:], start, 0.5) < 0.38 {
				narrow := (c[0] + c[1] + c[2] + c[3]) / 4
				after := pos + rl[i]
				if i+1 >= len(rl) || rl[i+1] >= min(10*narrow, total-after) {
					return true
				}
			}
		}
		pos += rl[i]
	}
	return false
}
