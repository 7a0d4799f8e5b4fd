// Package layout is the single source of truth for the geometry of a
// Registro delle Fustelle sheet. Every coordinate is in millimetres on an A4
// portrait page (210 x 297), origin at the top-left corner, x to the right and
// y downwards. The renderer draws from it and the reader measures against it;
// no other package hard-codes a coordinate.
//
// # Versioning
//
// A layout carries a Version. A sheet printed with one version must be read
// with the same version, so a change that moves anything is a new version
// and the old one stays here, read-only, for as long as sheets printed with it
// can arrive. Version 1 is the only one today.
//
// # Markers
//
// Four square markers, 8 mm a side, sit in the page corners just inside an
// 8 mm printable margin. They are of two kinds so that a scan in any of the
// four right-angle orientations can be told apart from the others:
//
//   - the two head markers (top-left, top-right) are finder patterns like a QR
//     code's: a 7x7-module square made of a black ring one module thick, a
//     white ring one module thick and a black 3x3-module core. In a contour
//     tree that is an outer contour, a hole, and a contour inside the hole.
//   - the two tail markers (bottom-left, bottom-right) are solid black squares
//     of the same size: one outer contour, no hole.
//
// The four centres form a rectangle of known size (186 x 273 mm), so the
// reader gets the page's corners, its scale (hence the scan's dpi), its skew
// and, from which side the head markers are on, its orientation. With all four
// found it fits a homography; with one damaged or covered the remaining three
// still include at least one head and one tail marker, which fixes the
// orientation, and three points fix an affine transform (scale, skew, shear),
// which is all a flatbed scan needs. The marker kinds differ in topology, not
// in fine detail, so they survive 150-dpi phone photos, JPEG and 1-bit
// thresholding; nothing else on the sheet is a solid or nested square of that
// size (the DATA boxes are thin-lined and 5 mm wide).
//
// # Barcodes
//
// The head and tail barcodes are CODE 39 with a 0.33 mm narrow bar and a 3:1
// wide-to-narrow ratio: 2.6 px per narrow bar at 200 dpi, which a 200-dpi
// document scanner resolves, with a 5 mm quiet zone (15 narrow bars) each
// side. The 17 digits plus start and stop characters take 19 x 16 - 1 = 303
// modules, exactly 99.99 mm.
//
// # Slots
//
// 28 slots, 7 rows by 4 columns numbered 1-28 row by row, each 46 x 30 mm with
// 2 mm gutters: a 40 x 25 mm fustella fits with 3 mm and 2.5 mm to spare.
package layout

import "fmt"

// Rect is an axis-aligned rectangle in millimetres.
type Rect struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
	W float64 `json:"w"`
	H float64 `json:"h"`
}

// Center returns the centre of r.
func (r Rect) Center() (x, y float64) { return r.X + r.W/2, r.Y + r.H/2 }

// Right returns the x of the right edge.
func (r Rect) Right() float64 { return r.X + r.W }

// Bottom returns the y of the bottom edge.
func (r Rect) Bottom() float64 { return r.Y + r.H }

// Inset returns r shrunk by d on every side (grown when d is negative).
func (r Rect) Inset(d float64) Rect { return Rect{r.X + d, r.Y + d, r.W - 2*d, r.H - 2*d} }

// Overlaps reports whether r and o share any area.
func (r Rect) Overlaps(o Rect) bool {
	return r.X < o.Right() && o.X < r.Right() && r.Y < o.Bottom() && o.Y < r.Bottom()
}

// Contains reports whether o lies entirely inside r.
func (r Rect) Contains(o Rect) bool {
	return o.X >= r.X && o.Y >= r.Y && o.Right() <= r.Right() && o.Bottom() <= r.Bottom()
}

// Size is a page size in millimetres.
type Size struct {
	W float64 `json:"w"`
	H float64 `json:"h"`
}

// MarkerKind tells head markers from tail markers.
type MarkerKind string

const (
	// Head markers are nested-square finder patterns at the top of the page.
	Head MarkerKind = "head"
	// Tail markers are solid squares at the bottom of the page.
	Tail MarkerKind = "tail"
)

// Marker is one of the four corner markers.
type Marker struct {
	Name string     `json:"name"`
	Kind MarkerKind `json:"kind"`
	Rect
	// Modules is the number of modules a side (7 for both kinds); a head
	// marker is black 7x7, white 5x5, black 3x3.
	Modules int `json:"modules"`
}

// Slot is one of the 28 boxes a fustella is stuck on.
type Slot struct {
	N int `json:"n"`
	Rect
}

// Field is a labelled header field.
type Field struct {
	Name  string `json:"name"`
	Label string `json:"label"`
	Rect
}

// Barcode describes how a CODE 39 symbol is drawn.
type Barcode struct {
	Narrow    float64 `json:"narrow"`     // narrow bar width, mm
	Ratio     float64 `json:"ratio"`      // wide / narrow
	QuietZone float64 `json:"quiet_zone"` // minimum blank each side, mm
}

// Layout is one version of the sheet geometry.
type Layout struct {
	Version int  `json:"version"`
	Page    Size `json:"page"`
	// Margin is the printable margin every mark stays inside.
	Margin  float64  `json:"margin"`
	Markers []Marker `json:"markers"`

	Title       Rect    `json:"title"`
	HeadBarcode Rect    `json:"head_barcode"`
	HeadDigits  Rect    `json:"head_digits"`
	TailBarcode Rect    `json:"tail_barcode"`
	Barcode     Barcode `json:"barcode"`

	// Fields are the printed header fields: asl_pharmacy, vat, name, competence.
	Fields []Field `json:"fields"`
	// Progressive and Count are the boxes that may be filled by hand.
	Progressive Field `json:"progressive"`
	Count       Field `json:"count"`

	DateBox   Rect   `json:"date_box"`
	DateCells []Rect `json:"date_cells"`

	Slots []Slot `json:"slots"`
}

// Slot returns slot n (1-28).
func (l *Layout) Slot(n int) (Slot, bool) {
	if n < 1 || n > len(l.Slots) {
		return Slot{}, false
	}
	return l.Slots[n-1], true
}

// Field returns the header field with the given name.
func (l *Layout) Field(name string) (Field, bool) {
	for _, f := range l.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// Marker returns the marker with the given name.
func (l *Layout) Marker(name string) (Marker, bool) {
	for _, m := range l.Markers {
		if m.Name == name {
			return m, true
		}
	}
	return Marker{}, false
}

// Numbers of slots, rows and columns.
const (
	SlotCount = 28
	Rows      = 7
	Columns   = 4
)

// CurrentVersion is the version new sheets are printed with.
const CurrentVersion = 1

// Current returns the layout new sheets are printed with.
func Current() *Layout { return v1() }

// Version returns the layout with the given version number.
func Version(v int) (*Layout, error) {
	switch v {
	case 1:
		return v1(), nil
	}
	return nil, fmt.Errorf("layout: unknown version %d (known: 1)", v)
}

func v1() *Layout {
	const (
		margin  = 8.0
		marker  = 8.0
		pageW   = 210.0
		pageH   = 297.0
		slotW   = 46.0
		slotH   = 30.0
		gutter  = 2.0
		slotsX  = 10.0
		slotsY  = 46.0
		narrow  = 0.33
		codeLen = 17
	)
	// CODE 39: each character is 6 narrow + 3 wide elements plus a narrow
	// inter-character gap; 17 digits plus start and stop.
	modules := float64((codeLen+2)*(6+3*3+1) - 1)
	barW := modules * narrow

	l := &Layout{
		Version: 1,
		Page:    Size{pageW, pageH},
		Margin:  margin,
		Markers: []Marker{
			{Name: "head-left", Kind: Head, Rect: Rect{margin, margin, marker, marker}, Modules: 7},
			{Name: "head-right", Kind: Head, Rect: Rect{pageW - margin - marker, margin, marker, marker}, Modules: 7},
			{Name: "tail-left", Kind: Tail, Rect: Rect{margin, pageH - margin - marker, marker, marker}, Modules: 7},
			{Name: "tail-right", Kind: Tail, Rect: Rect{pageW - margin - marker, pageH - margin - marker, marker, marker}, Modules: 7},
		},
		Title:       Rect{20, 8, 170, 8},
		HeadBarcode: Rect{15, 19, barW, 11},
		HeadDigits:  Rect{15, 30.5, barW, 4.5},
		Barcode:     Barcode{Narrow: narrow, Ratio: 3, QuietZone: 5},
		Fields: []Field{
			{Name: "asl_pharmacy", Label: "ASL / Farmacia", Rect: Rect{124, 18, 78, 5.5}},
			{Name: "vat", Label: "P.IVA / C.F.", Rect: Rect{124, 23.5, 78, 5.5}},
			{Name: "name", Label: "Farmacia", Rect: Rect{124, 29, 78, 5.5}},
			{Name: "competence", Label: "Competenza", Rect: Rect{124, 34.5, 78, 5.5}},
		},
		Progressive: Field{Name: "progressive", Label: "Progressivo", Rect: Rect{38, 36.5, 26, 8}},
		Count:       Field{Name: "count", Label: "N. fustelle", Rect: Rect{92, 36.5, 20, 8}},
	}

	for i := 0; i < SlotCount; i++ {
		row, col := i/Columns, i%Columns
		l.Slots = append(l.Slots, Slot{N: i + 1, Rect: Rect{
			X: slotsX + float64(col)*(slotW+gutter),
			Y: slotsY + float64(row)*(slotH+gutter),
			W: slotW, H: slotH,
		}})
	}

	// Footer. The DATA field (GG MM AAAA, 8 boxes) sits under slot 25 and the
	// tail barcode is centred under slot 27.
	s25, s27 := l.Slots[24], l.Slots[26]
	footerY := s25.Bottom() + 4.5
	cell, groupGap := 5.0, 2.0
	x := s25.X + 1
	for i := 0; i < 8; i++ {
		if i == 2 || i == 4 {
			x += groupGap
		}
		l.DateCells = append(l.DateCells, Rect{x, footerY, cell, 7})
		x += cell
	}
	first, last := l.DateCells[0], l.DateCells[7]
	l.DateBox = Rect{first.X, first.Y, last.Right() - first.X, first.H}
	cx, _ := s27.Center()
	l.TailBarcode = Rect{cx - barW/2, footerY - 1, barW, 9}
	// The tail barcode is wider than a slot; keep it inside the page's
	// printable area and clear of the DATA field's quiet zone.
	if r := pageW - margin - marker - l.Barcode.QuietZone; l.TailBarcode.Right() > r {
		l.TailBarcode.X = r - barW
	}
	return l
}
