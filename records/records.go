// Package records imports what reconciliation checks the scanned sheets
// against (SPEC section 4): the pharmacy's DCR REGFUS declarations and its
// dispensing records, from CSV (with a header row) or JSON (an array of
// objects with the same keys).
//
// # Strictness
//
// Import is all or nothing. A file is read to the end and every problem
// found on the way (a syntax error, a missing column, a value of the wrong
// type, a failed check digit, a date that does not exist, an unknown
// enumeration value, a duplicate record id or targatura, an inconsistency
// between fields of one row) is collected with its file, line and column
// into a *ValidationError; if there is any, nothing of the file is returned.
// A reconciliation never runs on half a file.
//
// Values are checked one by one, independently, so one bad cell never hides
// another: a user fixes the whole file in one round. Cross-field rules
// (closing date after dispensing date, signature and signed document id) are
// only checked when the fields they relate are themselves valid, so a bad
// date is reported once, not again as a consequence.
//
// Values are trimmed of surrounding spaces and tabs (spreadsheets add them);
// nothing else is normalised except a leading "A" on an AIC, which is how it
// is printed on the label. Column names are fixed by SPEC section 4 and
// matched case-insensitively; extra columns are allowed and ignored.
package records

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/regfus/regfus/fustella"
	"github.com/regfus/regfus/sheet"
)

// Position is where a row came from: the file name it was imported with and
// the 1-based line its row (CSV) or object (JSON) starts on.
type Position struct {
	File string `json:"file"`
	Line int    `json:"line"`
}

func (p Position) String() string { return fmt.Sprintf("%s:%d", p.File, p.Line) }

// Bundle is the DCR bundle (mazzetta) type of a declaration.
type Bundle string

const (
	// REGFUS declares the pharmacy's own register sheets.
	REGFUS Bundle = "REGFUS"
	// REGFUSD declares a dispensario's sheets, numbered apart with a D prefix.
	REGFUSD Bundle = "REGFUS-D"
)

// Dispensario reports whether b counts dispensario sheets.
func (b Bundle) Dispensario() bool { return b == REGFUSD }

// State is the state of the prescription a record belongs to.
type State string

const (
	// Closed: the prescription is fully dispensed on ClosedOn.
	Closed State = "closed"
	// Suspended: partially dispensed (sospeso), not closed yet.
	Suspended State = "suspended"
)

// Signature is how the dispensing form was signed.
type Signature string

const (
	Digital  Signature = "digital" // through the OTP flow
	Manual   Signature = "manual"  // by hand, the fallback
	Unsigned Signature = "none"
)

// Signed reports whether s is a signature that allows accounting.
func (s Signature) Signed() bool { return s == Digital || s == Manual }

// Cents is an amount in euro cents. Amounts are read as decimal text
// ("12.50") and kept as integers so that "0", "0.0" and "0.00" are the same
// zero and nothing is lost to binary floating point.
type Cents int64

// String formats c as euro with two decimals.
func (c Cents) String() string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d", sign, c/100, c%100)
}

// MarshalJSON writes c as a JSON number with two decimals.
func (c Cents) MarshalJSON() ([]byte, error) { return []byte(c.String()), nil }

// ParseCents parses an amount in euro with a dot: an optional minus sign,
// digits, and optionally a dot followed by one or two digits. Thousands
// separators, commas and exponents are refused.
func ParseCents(s string) (Cents, error) {
	t := s
	neg := strings.HasPrefix(t, "-")
	if neg {
		t = t[1:]
	}
	whole, frac, hasDot := strings.Cut(t, ".")
	if whole == "" || !isDigits(whole) || (hasDot && (len(frac) < 1 || len(frac) > 2 || !isDigits(frac))) {
		if strings.Contains(s, ",") {
			return 0, fmt.Errorf("amount %q: want euro with a dot as decimal separator, e.g. 12.50", s)
		}
		return 0, fmt.Errorf("amount %q: want euro with a dot, e.g. 0 or 12.50", s)
	}
	if len(whole) > 13 {
		return 0, fmt.Errorf("amount %q: too large", s)
	}
	w, _ := strconv.ParseInt(whole, 10, 64)
	var f int64
	if hasDot {
		f, _ = strconv.ParseInt(frac, 10, 64)
		if len(frac) == 1 {
			f *= 10
		}
	}
	c := Cents(w*100 + f)
	if neg {
		c = -c
	}
	return c, nil
}

// Declaration is one row of the DCR: the REGFUS (or REGFUS-D) bundle one
// pharmacy declared for one competence month.
type Declaration struct {
	// Key is the pharmacy and the competence month declared; its members
	// are the declaration's region, asl, pharmacy and competence.
	sheet.Key
	Bundle Bundle `json:"bundle"`
	// Sheets is "Numero Ricette": the number of register sheets.
	Sheets int `json:"sheets"`
	// GrossAmount and Ticket must be zero for a REGFUS bundle; reconciliation
	// reports them when they are not.
	GrossAmount Cents    `json:"gross_amount"`
	Ticket      Cents    `json:"ticket"`
	Pos         Position `json:"-"`
}

// Row is what a declaration or a record is to its importer (the API's
// scope check, the stores' duplicate check and replacement by group):
// the pharmacy and month it belongs to, and the line it was read from.
type Row interface {
	Group() sheet.Key
	Line() int
}

// Group implements Row: the pharmacy and competence month declared.
func (d Declaration) Group() sheet.Key { return d.Key }

// Line implements Row.
func (d Declaration) Line() int { return d.Pos.Line }

// Group implements Row: the pharmacy, and the month of the sheet.
func (r Record) Group() sheet.Key { return r.Key }

// Line implements Row.
func (r Record) Line() int { return r.Pos.Line }

// Record is one dispensed pack as the counter software and the signing
// platform know it. It marshals to JSON with the import keys, so what is
// exported imports back unchanged.
type Record struct {
	ID string
	// Key is the pharmacy, and the month of the sheet the fustella goes
	// on (Competence, YYYY-MM).
	sheet.Key
	// DispensedOn is the dispensing date (UTC midnight).
	DispensedOn time.Time
	// Prescription is the prescription id (NRE).
	Prescription string
	AIC          fustella.AIC
	Targatura    fustella.Targatura
	// Sheet and Slot are the position the counter software assigned.
	Sheet sheet.Progressive
	Slot  int
	State State
	// ClosedOn is the date the prescription closed; zero while suspended.
	ClosedOn  time.Time
	Signature Signature
	// SignedDocumentID becomes the attestation code; empty when unsigned.
	SignedDocumentID string
	Pos              Position
}

// MarshalJSON writes r with the keys and value formats of the import.
func (r Record) MarshalJSON() ([]byte, error) {
	closed := ""
	if !r.ClosedOn.IsZero() {
		closed = r.ClosedOn.Format(time.DateOnly)
	}
	return json.Marshal(struct {
		ID               string    `json:"record_id"`
		Region           string    `json:"region"`
		ASL              string    `json:"asl"`
		Pharmacy         string    `json:"pharmacy"`
		DispensedOn      string    `json:"dispensed_on"`
		Competence       string    `json:"competence"`
		Prescription     string    `json:"prescription"`
		AIC              string    `json:"aic"`
		Targatura        string    `json:"targatura"`
		Sheet            string    `json:"sheet"`
		Slot             int       `json:"slot"`
		State            State     `json:"state"`
		ClosedOn         *string   `json:"closed_on"`
		Signature        Signature `json:"signature"`
		SignedDocumentID *string   `json:"signed_document_id"`
	}{r.ID, r.Region, r.ASL, r.Pharmacy, r.DispensedOn.Format(time.DateOnly), r.Competence, r.Prescription,
		string(r.AIC), string(r.Targatura), r.Sheet.String(), r.Slot, r.State, nilIfEmpty(closed), r.Signature, nilIfEmpty(r.SignedDocumentID)})
}

func nilIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// ClosedCompetence returns the month the prescription closed, YYYY-MM, or
// "" while it is suspended.
func (r *Record) ClosedCompetence() string {
	if r.ClosedOn.IsZero() {
		return ""
	}
	return r.ClosedOn.Format("2006-01")
}

// PayableCompetence returns the month the record may be paid in: the later
// of its competence and the month its prescription closed (SPEC rule i: a
// suspended prescription's fustelle are paid in the month it closes), or ""
// while the prescription is still open.
func (r *Record) PayableCompetence() string {
	c := r.ClosedCompetence()
	if c == "" {
		return ""
	}
	if c < r.Competence {
		return r.Competence
	}
	return c
}

// ValidateCompetence checks a competence month written as YYYY-MM (only that
// form: the files are machine-written).
func ValidateCompetence(s string) error {
	if len(s) != 7 || s[4] != '-' || !isDigits(s[:4]) || !isDigits(s[5:]) {
		return fmt.Errorf("competence %q: want YYYY-MM, e.g. 2023-01", s)
	}
	_, _, err := sheet.ParseCompetence(s)
	return err
}

// ParseDate parses YYYY-MM-DD, refusing dates that do not exist (2023-02-30)
// and years outside sheet.MinYear-sheet.MaxYear.
func ParseDate(s string) (time.Time, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' || !isDigits(s[:4]) || !isDigits(s[5:7]) || !isDigits(s[8:]) {
		return time.Time{}, fmt.Errorf("date %q: want YYYY-MM-DD, e.g. 2023-01-31", s)
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("date %q does not exist", s)
	}
	if t.Year() < sheet.MinYear || t.Year() > sheet.MaxYear {
		return time.Time{}, fmt.Errorf("date %q: year out of range %d-%d", s, sheet.MinYear, sheet.MaxYear)
	}
	return t, nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
