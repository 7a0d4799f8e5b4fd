package synth

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/regfus/regfus/geom"
	"github.com/regfus/regfus/layout"
)

// TruthFormat is the version of the ground-truth JSON written next to every
// image. It changes only when a field changes meaning.
const TruthFormat = 1

// TruthSuffix ends the name of every ground-truth file: "0007-office.jpg"
// has its truth in "0007-office.truth.json".
const TruthSuffix = ".truth.json"

// Truth is the ground truth of one image file: one entry per page (several
// for batch-tiff and batch-pdf files).
type Truth struct {
	Format  int    `json:"format"`
	File    string `json:"file"` // image file name, relative to the truth file
	Profile string `json:"profile"`
	Pages   []Page `json:"pages"`
}

// Page is the truth of one scanned sheet.
type Page struct {
	File    string `json:"file"`
	Page    int    `json:"page"` // 1-based page in the file
	Profile string `json:"profile"`
	// Seed regenerates this page alone (same profile, same corpus options).
	Seed          uint64 `json:"seed"`
	Index         int    `json:"index"` // page number within the corpus, 0-based
	LayoutVersion int    `json:"layout_version"`
	Sheet         Sheet  `json:"sheet"`
	Scan          Scan   `json:"scan"`
	Slots         []Slot `json:"slots"` // always 28, in slot order
	// Defects are page-level: count_mismatch, pen_marks, no_date,
	// no_progressive, ...
	Defects     []string      `json:"defects"`
	PenMarks    []PenMark     `json:"pen_marks"`
	Handwriting []Handwriting `json:"handwriting"`
	// PrintScale is the printer's scale of the layout on the paper (1, or
	// 0.94-0.985 when printed "fit to page"); the homography includes it.
	PrintScale float64 `json:"print_scale"`
	// Fold is a dog-eared corner, nil if none.
	Fold *Fold `json:"fold"`
}

// Sources of a header value.
const (
	SourcePrinted     = "printed"
	SourceHandwritten = "handwritten"
	SourceAbsent      = "absent"
)

// Sheet is what the header and footer of the sheet say.
type Sheet struct {
	Code       string `json:"code"` // 17 digits, head barcode
	Region     string `json:"region"`
	ASL        string `json:"asl"`
	Pharmacy   string `json:"pharmacy"`
	Month      int    `json:"month"`
	Year       int    `json:"year"`
	TailCode   string `json:"tail_code"` // tail barcode (always the head code on synthetic sheets)
	TailDigits bool   `json:"tail_digits"`
	VAT        string `json:"vat"`
	Name       string `json:"name"`
	// Progressive as printed or written ("2", "D2"); "" when absent.
	Progressive       string `json:"progressive"`
	ProgressiveSource string `json:"progressive_source"`
	Dispensario       bool   `json:"dispensario"`
	// DeclaredCount is the count in the N. fustelle box; nil when absent.
	DeclaredCount *int   `json:"declared_count"`
	CountSource   string `json:"count_source"`
	// Date in the DATA boxes as YYYY-MM-DD; "" when absent.
	Date       string `json:"date"`
	DateSource string `json:"date_source"`
	// PrintFont and PrintSize (mm) are the face and size the progressive
	// and count are printed in, when a corpus chose them (PrintFonts).
	PrintFont string  `json:"print_font,omitempty"`
	PrintSize float64 `json:"print_size,omitempty"`
	// Fustelle is the number of labels actually on the sheet.
	Fustelle int `json:"fustelle"`
}

// Scan says how the page became the image.
type Scan struct {
	// DPI is the resolution the file declares (PNG pHYs, JPEG JFIF, TIFF
	// tags, PDF page size); for phone photos it is the camera's nominal 72.
	DPI float64 `json:"dpi"`
	// EffectiveDPI is the true pixels per inch at the page centre.
	EffectiveDPI float64 `json:"effective_dpi"`
	// Orientation is the right-angle part of the rotation of the page
	// content in the image, clockwise: 0, 90, 180 or 270.
	Orientation int `json:"orientation"`
	// Skew is the remaining small rotation, degrees clockwise.
	Skew float64 `json:"skew"`
	// FeedScale is the sheet-fed scanner's scale error along the feed
	// direction (the image's y before rotation), 1 on a flatbed.
	FeedScale float64 `json:"feed_scale"`
	// Rotation = Orientation + Skew.
	Rotation float64 `json:"rotation"`
	// Homography maps layout millimetres (x, y, 1), the coordinates of
	// package layout, to image pixels (pixel centres at +0.5), row-major.
	// It includes the print scale and offset, the scan geometry and the
	// perspective.
	Homography  geom.Homography `json:"homography"`
	Perspective bool            `json:"perspective"`
	Width       int             `json:"width"`
	Height      int             `json:"height"`
	Color       string          `json:"color"`    // gray, rgb, bilevel
	Encoding    string          `json:"encoding"` // png, jpeg, tiff-g4, pdf-jpeg
	JPEGQuality int             `json:"jpeg_quality,omitempty"`
	// Threshold is the bilevel cut (0-255) for bitonal encodings.
	Threshold int `json:"threshold,omitempty"`
	// Degrade is the command line of another tool's degradation the page
	// went through after the scan (Options.Degrade), "" for none.
	Degrade string `json:"degrade,omitempty"`
}

// ToImage maps page mm to image pixels.
func (s Scan) ToImage(x, y float64) (float64, float64) {
	p := s.Homography.Apply(geom.Point{X: x, Y: y})
	return p.X, p.Y
}

// Slot states.
const (
	StateFilled = "filled"
	StateEmpty  = "empty"
)

// Slot defects.
const (
	DefectOverlap    = "overlap"     // rule a: the label overlaps another
	DefectUpsideDown = "upside_down" // rule b: rotated about 180 degrees
	DefectCrossing   = "crossing"    // the label crosses its slot's border
	DefectLeftEmpty  = "left_empty"  // empty while a later slot is filled
	DefectPenMark    = "pen_mark"    // a pen mark touches the label or slot
	DefectDuplicate  = "duplicate"   // the same targatura as another label
)

// Page defects.
const (
	DefectPenMarks      = "pen_marks"      // marks outside the allowed fields
	DefectCountMismatch = "count_mismatch" // declared count differs from fustelle
	DefectNoDate        = "no_date"
	DefectNoProgressive = "no_progressive"
	DefectNoCount       = "no_count"
	DefectFoldedCorner  = "folded_corner" // a corner folded over, maybe hiding a marker
)

// Slot is the truth of one of the 28 slots.
type Slot struct {
	Slot      int    `json:"slot"`
	State     string `json:"state"`
	AIC       string `json:"aic,omitempty"`
	Code32    string `json:"code32,omitempty"`
	Targatura string `json:"targatura,omitempty"`
	Product   string `json:"product,omitempty"`
	Holder    string `json:"holder,omitempty"`
	Style     string `json:"style,omitempty"`
	// Design is the label's design (see Design); "" for the classic one.
	Design  string   `json:"design,omitempty"`
	Defects []string `json:"defects"`
	Label   *Placed  `json:"label,omitempty"`
}

// Placed is where a label is on the page, in page mm.
type Placed struct {
	Center  geom.Point  `json:"center"`
	W       float64     `json:"w"`
	H       float64     `json:"h"`
	Angle   float64     `json:"angle"` // clockwise degrees; about 180 when upside down
	Corners Quad        `json:"corners"`
	Rect    layout.Rect `json:"rect"` // axis-aligned bounds
	// Z is the stacking order on the page: higher is on top.
	Z       int      `json:"z"`
	Symbols []Symbol `json:"symbols"`
	// Print parameters, for error analysis.
	Paper     uint8   `json:"paper"`
	Ink       uint8   `json:"ink"`
	Narrow32  float64 `json:"narrow32"`
	NarrowITF float64 `json:"narrow_itf"`
	// Design is the print design of a label of a design other than the
	// classic one (font, arrangement, bar heights, digit and text
	// positions, encoder); the ratios are the symbols' wide:narrow. All
	// three are absent on classic labels.
	Design   *Look   `json:"design,omitempty"`
	Ratio32  float64 `json:"ratio32,omitempty"`
	RatioITF float64 `json:"ratio_itf,omitempty"`
}

// DesignName returns the name of the slot's label design: classic when
// the truth names none.
func (s Slot) DesignName() string {
	if s.Design == "" {
		return ClassicDesign
	}
	return s.Design
}

// Symbol is one readable element of a label on the page.
type Symbol struct {
	Kind    string `json:"kind"` // code32, itf, aic_text, targatura_text, datamatrix, qr
	Text    string `json:"text"` // what a perfect reader returns
	Corners Quad   `json:"corners"`
	// Clear is false when another label covers part of it, a pen mark
	// crosses it or it leaves the page: a reader is not expected to read it.
	Clear bool `json:"clear"`
}

// PenMark is a mark made where rule g forbids it.
type PenMark struct {
	Kind string      `json:"kind"`
	Rect layout.Rect `json:"rect"`
	Slot int         `json:"slot,omitempty"` // slot it touches, 0 if none
}

// Handwriting is a value written by hand on the sheet.
type Handwriting struct {
	Field string      `json:"field"` // progressive, count, date
	Text  string      `json:"text"`  // as written, e.g. "D3", "12", "05022023"
	Rect  layout.Rect `json:"rect"`
	// MNIST are the indices in MNIST's training split of the digits
	// written, in order, when the handwriting came from MNIST.
	MNIST []int `json:"mnist,omitempty"`
}

// LoadTruth reads and checks one ground-truth file.
func LoadTruth(path string) (*Truth, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var t Truth
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("synth: truth %s: %w", path, err)
	}
	if t.Format != TruthFormat {
		return nil, fmt.Errorf("synth: truth %s: format %d, this build reads %d", path, t.Format, TruthFormat)
	}
	if t.File == "" || len(t.Pages) == 0 {
		return nil, fmt.Errorf("synth: truth %s: no file or no pages", path)
	}
	for i, p := range t.Pages {
		if p.Page != i+1 || len(p.Slots) != layout.SlotCount {
			return nil, fmt.Errorf("synth: truth %s: page %d: page number %d, %d slots (want %d)", path, i+1, p.Page, len(p.Slots), layout.SlotCount)
		}
	}
	return &t, nil
}

// ImagePath returns the path of the image a truth file describes.
func ImagePath(truthPath string, t *Truth) string {
	return filepath.Join(filepath.Dir(truthPath), t.File)
}

// LoadCorpus reads every truth file in dir, sorted by file name.
func LoadCorpus(dir string) (map[string]*Truth, []string, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*"+TruthSuffix))
	if err != nil {
		return nil, nil, err
	}
	if len(paths) == 0 {
		return nil, nil, fmt.Errorf("synth: no %s files in %s", TruthSuffix, dir)
	}
	sort.Strings(paths)
	out := map[string]*Truth{}
	for _, p := range paths {
		t, err := LoadTruth(p)
		if err != nil {
			return nil, nil, err
		}
		out[p] = t
	}
	return out, paths, nil
}

// truthName returns the truth file name of an image file name.
func truthName(image string) string {
	return strings.TrimSuffix(image, filepath.Ext(image)) + TruthSuffix
}
