package acquisition

import "image"

// Pieces of one character one above the other.
//
// A light or thin stroke breaks when it is binarised: a slanted 1 in two,
// one piece above the other. Pieces that share columns are merged
// already (boxGlyphs); a slanted stroke's pieces may share none. Two
// characters side by side share the rows of the line they are written
// on; two pieces of one broken stroke do not. joinPieces merges two marks
// next to each other (left to right) whose rows overlap by less than
// stackedOverlap of the shorter's height, and that lie side by side
// within pieceGap of the tallest mark's height: a broken 1 read as a sure
// 11.
//
// (Tried and dropped: also joining a mark shorter than the others that
// floats off their line to its nearest neighbour, a 4's crook beside its
// stem read as a sure 41: on the stress corpus (fields_stress_test.go,
// seed 1, 150 pages) it cost 2-5 counts and turned a 91 that readCuts
// kept unread, as one blob, into a sure 9 again.)

const (
	stackedOverlap = 0.25
	pieceGap       = 0.2
)

// joinPieces merges the stacked pieces of a broken stroke among gs (left
// to right, none cut yet).
func joinPieces(gs []glyph) []glyph {
	out := gs
	tall := 0
	for _, g := range out {
		tall = max(tall, g.r.Dy())
	}
	gapMax := int(pieceGap * float64(tall))
	gap := func(a, b image.Rectangle) int { return max(a.Min.X, b.Min.X) - min(a.Max.X, b.Max.X) }
	for i := 0; i+1 < len(out); {
		a, b := out[i].r, out[i+1].r
		ov := min(a.Max.Y, b.Max.Y) - max(a.Min.Y, b.Min.Y)
		if float64(ov) < stackedOverlap*float64(min(a.Dy(), b.Dy())) && gap(a, b) <= gapMax {
			out[i].r = a.Union(b)
			out[i].ids = append(out[i].ids, out[i+1].ids...)
			out[i].area += out[i+1].area
			out = append(out[:i+1], out[i+2:]...)
			continue
		}
		i++
	}
	return out
}
