// Package page defines what reading one scanned page produces: the result
// `regfus scan` prints as one NDJSON line, that the service stores and that
// reconciliation consumes. It is a plain data package with no dependency on
// OpenCV or Tesseract, so every consumer can use it without cgo.
//
// A value the reader did not read, or is not sure of, is nil (JSON null),
// never a guess; the reason it is missing goes into Reasons (page level) or
// Flags (slot level).
package page

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/regfus/regfus/sheet"
)

// Status is the outcome of reading a page.
type Status string

const (
	// OK: every value on the page was read and cross-checked.
	OK Status = "ok"
	// Review: the page was identified but something on it needs a person.
	Review Status = "review"
	// Rejected: the page could not be read as a sheet at all.
	Rejected Status = "rejected"
)

// SlotState is what a slot holds.
type SlotState string

const (
	Filled     SlotState = "filled"
	Empty      SlotState = "empty"
	Unreadable SlotState = "unreadable"
)

// Flag is one thing said about a slot: a rule the pharmacy broke
// (overlap, crossing, upside_down: Rule), or why a code is missing or
// doubtful. A result keeps whatever flags it was written with, names no
// reader knows included (any string decodes).
type Flag string

// Slot flags.
const (
	FlagOverlap           Flag = "overlap"          // rule a: overlaps a neighbouring fustella
	FlagCrossing          Flag = "crossing"         // the fustella crosses its slot border
	FlagUpsideDown        Flag = "upside_down"      // rule b: stuck upside down
	FlagAICUnread         Flag = "aic_unread"       // no valid AIC from bars or OCR
	FlagTargaturaUnread   Flag = "targatura_unread" // no valid targatura from bars or OCR
	FlagAICDisagree       Flag = "aic_disagree"     // bars and OCR give different valid AICs
	FlagTargaturaDisagree Flag = "targatura_disagree"
	FlagOCROnly           Flag = "ocr_only"  // bars unreadable, value from OCR alone
	FlagBarsOnly          Flag = "bars_only" // OCR unreadable, value from bars alone
)

// RuleFlags are the flags of the rules a pharmacy can break, in the
// order a page reports them (one rule_broken reason each).
func RuleFlags() []Flag { return []Flag{FlagOverlap, FlagCrossing, FlagUpsideDown} }

// Rule reports whether f records a broken rule (see RuleFlags): the
// fustella was read, the pharmacy stuck it wrongly; reconciliation
// reports it and a reviewer only acknowledges it. Other flags say why a
// code is missing or doubtful.
func (f Flag) Rule() bool { return slices.Contains(RuleFlags(), f) }

// Result is one page read from one input file.
type Result struct {
	Source string `json:"source"`
	// Page is 1-based within Source; 0 on a rejected result for a file that
	// could not be read or identified at all (no page of it was decoded).
	Page    int     `json:"page"`
	Status  Status  `json:"status"`
	Reasons Reasons `json:"reasons"`
	// Orientation is the clockwise rotation, in degrees (0, 90, 180, 270),
	// that the scan had relative to an upright sheet; nil when unknown.
	Orientation *int     `json:"orientation"`
	Sheet       Sheet    `json:"sheet"`
	Slots       []Slot   `json:"slots"`
	Quality     *Quality `json:"quality,omitempty"`
	// LayoutVersion is the layout the page was read against.
	LayoutVersion int `json:"layout_version,omitempty"`
	// Geometry is where the sheet lay on the source page, when its markers
	// were found; nil otherwise, and in results written before it existed.
	Geometry *Geometry `json:"geometry,omitempty"`
}

// Geometry places the layout on the decoded source page, exactly as the
// reader placed it, so that anything drawn or cut from the page later
// (overlays, review crops) lands where the reader looked.
type Geometry struct {
	// ToSource is the 3x3 map, row-major, from layout millimetres (x to
	// the right, y down, origin at the upright sheet's top-left corner, as
	// `regfus layout` gives them) to source pixels: a point (x, y) goes to
	// ((h0 x + h1 y + h2) / w, (h3 x + h4 y + h5) / w) with
	// w = h6 x + h7 y + h8. Pixel coordinates are continuous: pixel (i, j)
	// of the page as decoded (before any rotation) covers [i, i+1) x
	// [j, j+1), so its centre is (i+0.5, j+0.5). Orientation, skew, scale
	// and, on photos, perspective are all in it (h6 = h7 = 0 when the fit
	// was affine).
	ToSource [9]float64 `json:"to_source"`
	// Width and Height are the size in pixels of the decoded source page
	// that ToSource refers to (a PDF page rendered at another resolution
	// scales by the ratio of sizes).
	Width  int `json:"width"`
	Height int `json:"height"`
}

// Sheet is the identity read from the header and footer, and the
// header's fields.
//
// The identity is the sheet code: its region, ASL, pharmacy, month and
// year are not kept apart from it (Key and SheetCode give them). On the
// wire (MarshalJSON) they follow the code as members of their own,
// "region", "asl", "pharmacy", "month" and "year", null when the code is,
// for consumers that do not parse the code.
type Sheet struct {
	// Code is the sheet code decided from the head and tail barcodes and
	// the digits under the head barcode; nil when undecided. On the wire
	// it is its 17 digits, and a result whose code is not a valid one does
	// not decode.
	Code *sheet.Code `json:"code"`
	// TailCode is what the tail barcode read, when it read a valid code;
	// it differs from Code when head and tail disagree.
	TailCode *sheet.Code `json:"tail_code"`
	// Progressive as printed or written: "2" or "D2".
	Progressive *string `json:"progressive"`
	// DeclaredCount is the number of fustelle written on the sheet.
	DeclaredCount *int `json:"declared_count"`
	// Date is the DATA field as YYYY-MM-DD.
	Date *string `json:"date"`
	// Written tells which handwriting boxes hold marks, read or not.
	Written *Written `json:"written,omitempty"`
	// Sources tells, for each of Progressive, DeclaredCount and Date that
	// was read, whether it was printed or handwritten; nil in results
	// written before it existed.
	Sources *Sources `json:"sources,omitempty"`
	// Suggestions are the readings of the progressive, count and date
	// boxes that were not accepted (the field is null, a reason names
	// it): what the reviewer is offered, never a value.
	Suggestions *Suggestions `json:"suggestions,omitempty"`
}

// SheetCode returns the Code; false when there is none.
func (s Sheet) SheetCode() (sheet.Code, bool) {
	if s.Code == nil {
		return sheet.Code{}, false
	}
	return *s.Code, true
}

// Key returns the pharmacy and month the sheet's code names; false when
// the sheet was not identified.
func (s Sheet) Key() (sheet.Key, bool) {
	c, ok := s.SheetCode()
	if !ok {
		return sheet.Key{}, false
	}
	return c.Key(), true
}

// sheetWire is a Sheet on the wire: the code's parts beside the code,
// in the order results have always had.
type sheetWire struct {
	Code     *sheet.Code `json:"code"`
	Region   *string     `json:"region"`
	ASL      *string     `json:"asl"`
	Pharmacy *string     `json:"pharmacy"`
	Month    *int        `json:"month"`
	Year     *int        `json:"year"`
	TailCode *sheet.Code `json:"tail_code"`
	sheetFields
}

// sheetFields is Sheet without its methods; its Code and TailCode are
// shadowed by sheetWire's own.
type sheetFields Sheet

// MarshalJSON writes the sheet with its code's parts (see Sheet).
func (s Sheet) MarshalJSON() ([]byte, error) {
	w := sheetWire{Code: s.Code, TailCode: s.TailCode, sheetFields: sheetFields(s)}
	if c, ok := s.SheetCode(); ok {
		w.Region, w.ASL, w.Pharmacy = &c.Region, &c.ASL, &c.Pharmacy
		w.Month, w.Year = &c.Month, &c.Year
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads what MarshalJSON writes. The code's parts may be
// left out or null; given, they must be the code's: a result whose parts
// contradict its code is refused, not silently taken one way.
func (s *Sheet) UnmarshalJSON(b []byte) error {
	var w sheetWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*s = Sheet(w.sheetFields)
	s.Code, s.TailCode = w.Code, w.TailCode
	if w.Region == nil && w.ASL == nil && w.Pharmacy == nil && w.Month == nil && w.Year == nil {
		return nil
	}
	c, ok := s.SheetCode()
	if !ok {
		return fmt.Errorf("sheet: region, asl, pharmacy, month or year given without a code")
	}
	for _, p := range []struct {
		name      string
		got, want any
		given     bool
	}{
		{"region", deref(w.Region), c.Region, w.Region != nil},
		{"asl", deref(w.ASL), c.ASL, w.ASL != nil},
		{"pharmacy", deref(w.Pharmacy), c.Pharmacy, w.Pharmacy != nil},
		{"month", deref(w.Month), c.Month, w.Month != nil},
		{"year", deref(w.Year), c.Year, w.Year != nil},
	} {
		if p.given && p.got != p.want {
			return fmt.Errorf("sheet: %s %v is not the code %s's (%v)", p.name, p.got, c, p.want)
		}
	}
	return nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// How a header value was put on the sheet.
const (
	SourcePrinted     = "printed"
	SourceHandwritten = "handwritten"
)

// SourceScanOrder is the Source of a suggestion for a progressive that
// was not read from the box at all: reconciliation found the page scanned
// between two read sheets of its bundle with no number missing between
// them (reconcile.ScanOrder), and process offers that on the review item
// when the reader had no suggestion of its own. Never a value.
const SourceScanOrder = "scan_order"

// Sources tells how each value read was put on the sheet (SourcePrinted,
// SourceHandwritten); "" for a field not read.
type Sources struct {
	Progressive string `json:"progressive,omitempty"`
	Count       string `json:"count,omitempty"`
	Date        string `json:"date,omitempty"`
}

// Suggestions holds one suggestion per field left unread; nil fields had
// none (read, or empty box).
type Suggestions struct {
	Progressive *Suggestion `json:"progressive,omitempty"`
	Count       *Suggestion `json:"count,omitempty"`
	Date        *Suggestion `json:"date,omitempty"`
}

// Suggestion is what the reader read in a box without accepting it, or,
// for a progressive with none, what the scan order suggests
// (SourceScanOrder).
type Suggestion struct {
	// Text is the characters read, left to right: digits, "D", and "?"
	// for a mark that is neither; the date as its eight cells, DDMMYYYY,
	// with "_" for an empty cell.
	Text string `json:"text"`
	// Confidence is the least confidence of its characters, 0-1; 0 for
	// a suggestion of the scan order, which reads nothing.
	Confidence float64 `json:"confidence"`
	// Source is SourcePrinted or SourceHandwritten: how it looked; or
	// SourceScanOrder: nothing was read, the order of the scan suggests it.
	Source string `json:"source"`
	// Why is what stopped the value being accepted.
	Why string `json:"why"`
}

// Written tells which handwriting boxes carry ink.
type Written struct {
	Progressive bool `json:"progressive"`
	Count       bool `json:"count"`
	Date        bool `json:"date"`
}

// Slot is what was read in one of the 28 slots.
type Slot struct {
	Slot      int       `json:"slot"`
	State     SlotState `json:"state"`
	AIC       *string   `json:"aic"`
	Targatura *string   `json:"targatura"`
	// Confidence in [0,1] that AIC and Targatura are both right; 0 when empty.
	Confidence float64 `json:"confidence"`
	Flags      []Flag  `json:"flags"`
}

// HasFlag reports whether the slot carries f.
func (s Slot) HasFlag(f Flag) bool { return slices.Contains(s.Flags, f) }

// JoinFlags writes flags as their names separated by sep, for people.
func JoinFlags(fs []Flag, sep string) string {
	var b strings.Builder
	for i, f := range fs {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(string(f))
	}
	return b.String()
}

// Quality holds per-page figures a scanning station can act on.
type Quality struct {
	SkewDeg  float64 `json:"skew_deg"`
	DPI      float64 `json:"dpi"`
	Blur     float64 `json:"blur"`     // variance of the Laplacian; lower is blurrier
	Residual float64 `json:"residual"` // marker fit residual, mm
	Markers  int     `json:"markers"`  // markers found, of 4
	Millis   int64   `json:"millis"`   // time spent on the page
}

// Str returns a pointer to s, for building results.
func Str(s string) *string { return &s }

// CodeOf returns a pointer to c, for building results.
func CodeOf(c sheet.Code) *sheet.Code { return &c }

// Int returns a pointer to n.
func Int(n int) *int { return &n }
