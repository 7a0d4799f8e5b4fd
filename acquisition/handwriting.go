package acquisition

import (
	"image"

	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/vision"
)

// minWritten is the ink fraction above which a handwriting box is taken to
// carry a mark (its printed border is left out of the measure).
const minWritten = 0.01

// handwriting tells which of the progressive, count and DATA boxes carry
// ink. Their values are not read by machine yet (no handwriting model), so
// a box with ink leaves its value null with a review reason, and an empty
// progressive box is a reason too: reconciliation needs the progressive.
// An empty count or date box is allowed (both are optional).
func (st *pageState) handwriting() error {
	l := st.r.layout
	const px = 8.0
	boxes := []layout.Rect{l.Progressive.Rect, l.Count.Rect, l.DateBox}
	w := &page.Written{}
	for i, b := range boxes {
		img, err := st.geo.Crop(st.img, b, px)
		if err != nil {
			return err
		}
		var rects []image.Rectangle
		if i == 2 {
			for _, c := range l.DateCells {
				rects = append(rects, mmRect(c.Inset(0.7), b, px))
			}
		} else {
			rects = append(rects, mmRect(b.Inset(0.8), b, px))
		}
		fr, err := vision.InkFraction(img, 10*px, 0.6, rects)
		if err != nil {
			return err
		}
		ink := false
		for _, f := range fr {
			ink = ink || f > minWritten
		}
		switch i {
		case 0:
			w.Progressive = ink
		case 1:
			w.Count = ink
		case 2:
			w.Date = ink
		}
	}
	st.res.Sheet.Written = w
	if w.Progressive {
		st.res.Reasons = append(st.res.Reasons, page.ReasonProgressiveUnread)
	} else {
		st.res.Reasons = append(st.res.Reasons, page.ReasonProgressiveUnread+": box empty")
	}
	if w.Count {
		st.res.Reasons = append(st.res.Reasons, page.ReasonCountUnread)
	}
	if w.Date {
		st.res.Reasons = append(st.res.Reasons, page.ReasonDateUnread)
	}
	return nil
}

// mmRect converts r (mm) to pixels of a crop of area at px per mm.
func mmRect(r, area layout.Rect, px float64) image.Rectangle {
	return image.Rect(int((r.X-area.X)*px), int((r.Y-area.Y)*px), int((r.Right()-area.X)*px), int((r.Bottom()-area.Y)*px))
}
