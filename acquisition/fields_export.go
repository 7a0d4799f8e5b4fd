package acquisition

import (
	"errors"
	"fmt"
	"image"

	"github.com/regfus/regfus/geom"
	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/vision"
)

// Header fields cut again from a page already read, for the handwriting
// data set (issue 12.4: a person's answer to an unread progressive, count
// or date, with what the model saw, is a labelled example for fine-tuning
// on the users' own hands). Nothing is stored for it: the page's original
// and the geometry its result keeps (page.Result.Geometry) give the same
// crops the reader made, at any later time.

// The header fields CropField cuts.
const (
	FieldProgressive = "progressive"
	FieldCount       = "count"
	FieldDate        = "date"
)

// FieldCrop is a header field of a page cut as the handwriting step cut
// it.
type FieldCrop struct {
	// Box is the field (the box, or the eight DATA cells) with a margin
	// of paper and its printed lines, upright, at 10 pixels per mm.
	Box *image.Gray
	// Glyphs are its characters as the model was given them, left to
	// right: for the progressive and count the characters found (touching
	// ones cut as the reader first cuts them); for the date one per cell,
	// nil for an empty cell.
	Glyphs []*image.Gray
}

// CropField cuts field (FieldProgressive, FieldCount or FieldDate) from
// src, the page as decoded from its original, with the geometry of res,
// the page's stored result. A result without geometry (the sheet's
// markers were not found) cannot be cut.
func CropField(src *image.Gray, res *page.Result, field string) (FieldCrop, error) {
	if res == nil || res.Geometry == nil {
		return FieldCrop{}, errors.New("acquisition: the page has no geometry (markers not found): its fields cannot be cut")
	}
	l := layout.Current()
	if res.LayoutVersion > 0 {
		v, err := layout.Version(res.LayoutVersion)
		if err != nil {
			return FieldCrop{}, err
		}
		l = v
	}
	to := geom.Homography(res.Geometry.ToSource)
	b := src.Bounds()
	if g := res.Geometry; g.Width > 0 && g.Height > 0 && (g.Width != b.Dx() || g.Height != b.Dy()) {
		// The original decoded at another size (a PDF page rendered at
		// another resolution): scale the map with it.
		sx, sy := float64(b.Dx())/float64(g.Width), float64(b.Dy())/float64(g.Height)
		to = geom.Homography{sx, 0, 0, 0, sy, 0, 0, 0, 1}.Mul(to)
	}
	img, err := vision.NewImage(src)
	if err != nil {
		return FieldCrop{}, err
	}
	defer img.Close()
	st := &pageState{r: &Reader{layout: l}, src: src, img: img, geo: &Geometry{ToSource: to}}
	switch field {
	case FieldProgressive, FieldCount:
		box := l.Progressive.Rect
		if field == FieldCount {
			box = l.Count.Rect
		}
		area := box.Inset(-fieldMarginMM)
		s, err := st.segmentArea(area, boxRules(box, area, boxLineMM, fieldPx))
		if err != nil {
			return FieldCrop{}, err
		}
		fc := FieldCrop{Box: s.gray}
		if s.labels == nil {
			return fc, nil
		}
		gs, _, _ := boxGlyphs(s, mmToCrop(box.Inset(boxLineMM), area, fieldPx), fieldPx)
		for i := range gs {
			fc.Glyphs = append(fc.Glyphs, gs[i].crop(s))
		}
		return fc, nil
	case FieldDate:
		area := dateArea(l)
		s, err := st.segmentArea(area, dateRules(l.DateCells, area, fieldPx))
		if err != nil {
			return FieldCrop{}, err
		}
		fc := FieldCrop{Box: s.gray, Glyphs: make([]*image.Gray, len(l.DateCells))}
		if s.labels == nil {
			return fc, nil
		}
		cells := make([]image.Rectangle, len(l.DateCells))
		for i, c := range l.DateCells {
			cells[i] = mmToCrop(c, area, fieldPx)
		}
		for i, g := range cellGlyphs(s.comps, s.labels, s.mask.w, cells, fieldPx) {
			if g != nil {
				fc.Glyphs[i] = g.crop(s)
			}
		}
		return fc, nil
	}
	return FieldCrop{}, fmt.Errorf("acquisition: no header field %q (progressive, count, date)", field)
}
