package acquisition

import (
	"image"

	"github.com/regfus/regfus/geom"
	"github.com/regfus/regfus/layout"
)

// The page map checked on the sheet's own print. Every slot is read
// through the map from the sheet to the image; the sheet prints each
// slot's border, a thin grey line, and labels seldom reach a slot's
// corners. Where the map is right, the borders show at their corners
// where the map puts them (within half a millimetre, sheetLineShows):
// on fresh seeds' right maps (phone pages included) 28-32 of each row's
// 32 corner stretches show; on the two phone pages mapped wrong that
// made silent errors (seed 6101's classic page 4, mapped at 80 dpi for
// 155, and seed 4414's bordered page 2, a row off at the bottom) 0-3 and
// 1-16 of them (39 of 224 on the second, 8 on the first). A scan that
// loses the sheet's grey lines (a bitonal scan at a low threshold) shows
// none whatever the map: there the check cannot be made and the map is
// judged from its labels (geometryDoubt).
//
// An error along a line does not move it: a map off sideways still shows
// the horizontal borders. A row (and a column) must show both its
// horizontal and its vertical corner stretches, so that a map shifted
// by a whole row (the grid repeats itself) is still caught on the first
// or last row, where the lines it expects are not printed: it is wrong
// when a row or a column shows less than a third of its stretches (a
// right map's rows showed 23 or more of their 32 on every page looked
// at; a label covers a corner seldom).
type mapCheck int

const (
	// mapUnchecked: the scan keeps too little of the sheet's lines to
	// tell (or the map is neither clearly right nor clearly wrong).
	mapUnchecked mapCheck = iota
	// mapRight: every row and column of slots shows its borders where the
	// map puts them.
	mapRight
	// mapWrong: a grey scan, and most of the slot borders, or of one
	// row's or one column's, are not where the map puts them.
	mapWrong
)

const (
	// cornerStretch is the length (mm) of a border's end looked at, from
	// 0.3 mm inside the corner (cornersShow's).
	cornerStretch = 3.0
	// mapRightShare of each row's and each column's horizontal corner
	// stretches, and of their vertical ones, must show for the map to be
	// right; fewer than mapWrongShare of all the page's, or of one row's
	// or column's (on a grey scan), make it wrong.
	mapRightShare = 2.0 / 3
	mapWrongShare = 1.0 / 3
	// greyShare is the least share of a scan's pixels at mid grey (40 to
	// 215) for it to keep the sheet's grey lines: a bitonal scan has none,
	// the committed profiles' grey scans 6% or more (clean pages, mostly
	// white paper), phone pictures 60% or more.
	greyShare = 0.01
)

// checkMap looks for the slots' borders where the map puts them (see
// above).
func (st *pageState) checkMap() mapCheck {
	l := st.r.layout
	var rowH, rowV [layout.Rows]int
	var colH, colV [layout.Columns]int
	total := 0
	for i, s := range l.Slots {
		r := s.Rect
		row, col := i/layout.Columns, i%layout.Columns
		for _, y := range []float64{r.Y, r.Bottom()} {
			for _, x := range [][2]float64{{r.X + 0.3, r.X + cornerStretch}, {r.Right() - cornerStretch, r.Right() - 0.3}} {
				if st.sheetLineShows(true, y, geom.Point{X: x[0], Y: y}, geom.Point{X: x[1], Y: y}) {
					rowH[row]++
					colH[col]++
					total++
				}
			}
		}
		for _, x := range []float64{r.X, r.Right()} {
			for _, y := range [][2]float64{{r.Y + 0.3, r.Y + cornerStretch}, {r.Bottom() - cornerStretch, r.Bottom() - 0.3}} {
				if st.sheetLineShows(false, x, geom.Point{X: x, Y: y[0]}, geom.Point{X: x, Y: y[1]}) {
					rowV[row]++
					colV[col]++
					total++
				}
			}
		}
	}
	// Per slot, 4 horizontal and 4 vertical stretches.
	right, wrong := true, float64(total) < mapWrongShare*float64(8*len(l.Slots))
	for i := range rowH {
		n := float64(4 * layout.Columns)
		right = right && float64(rowH[i]) >= mapRightShare*n && float64(rowV[i]) >= mapRightShare*n
		wrong = wrong || float64(rowH[i]+rowV[i]) < mapWrongShare*2*n
	}
	for i := range colH {
		n := float64(4 * layout.Rows)
		right = right && float64(colH[i]) >= mapRightShare*n && float64(colV[i]) >= mapRightShare*n
		wrong = wrong || float64(colH[i]+colV[i]) < mapWrongShare*2*n
	}
	switch {
	case right:
		return mapRight
	case wrong && keepsGrey(st.src):
		return mapWrong
	}
	return mapUnchecked
}

// keepsGrey reports whether at least greyShare of im's pixels (sampled
// every 4th of every 4th row) are mid grey: the scan is not bitonal, and
// keeps the sheet's grey lines.
func keepsGrey(im *image.Gray) bool {
	if im == nil {
		return false
	}
	b := im.Rect
	mid, n := 0, 0
	for y := b.Min.Y; y < b.Max.Y; y += 4 {
		row := im.Pix[(y-b.Min.Y)*im.Stride:]
		for x := 0; x < b.Dx(); x += 4 {
			if v := row[x]; v > 40 && v < 215 {
				mid++
			}
			n++
		}
	}
	return n > 0 && float64(mid) >= greyShare*float64(n)
}
