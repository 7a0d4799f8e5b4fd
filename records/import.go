package records

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/regfus/regfus/fustella"
	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/sheet"
)

// Column names, fixed by SPEC section 4.
var declarationSchema = &schema{kind: "declarations", columns: []column{
	{name: "region"}, {name: "asl"}, {name: "pharmacy"}, {name: "competence"}, {name: "bundle"},
	{name: "sheets", number: true}, {name: "gross_amount", number: true}, {name: "ticket", number: true},
}}

const (
	dRegion = iota
	dASL
	dPharmacy
	dCompetence
	dBundle
	dSheets
	dGross
	dTicket
)

var recordSchema = &schema{kind: "records", columns: []column{
	{name: "record_id"}, {name: "region"}, {name: "asl"}, {name: "pharmacy"}, {name: "dispensed_on"},
	{name: "competence"}, {name: "prescription"}, {name: "aic"}, {name: "targatura"},
	{name: "sheet", number: true}, {name: "slot", number: true}, {name: "state"},
	{name: "closed_on", optional: true}, {name: "signature"}, {name: "signed_document_id", optional: true},
}}

const (
	rID = iota
	rRegion
	rASL
	rPharmacy
	rDispensedOn
	rCompetence
	rPrescription
	rAIC
	rTargatura
	rSheet
	rSlot
	rState
	rClosedOn
	rSignature
	rSignedDoc
)

// DeclarationColumns and RecordColumns list the fixed columns in order.
var (
	DeclarationColumns = columnNames(declarationSchema)
	RecordColumns      = columnNames(recordSchema)
)

func columnNames(s *schema) []string {
	n := make([]string, len(s.columns))
	for i, c := range s.columns {
		n[i] = c.name
	}
	return n
}

// ParseDeclarations validates and imports DCR REGFUS declarations. file
// names the data in problems. On any problem it returns nil and a
// *ValidationError listing every problem.
func ParseDeclarations(data []byte, file string, f Format) ([]Declaration, error) {
	ps := &problems{file: file}
	rows := readTable(data, f, declarationSchema, ps)
	cols := declarationSchema.columns
	out := make([]Declaration, 0, len(rows))
	type key struct {
		sheet.Key
		bundle Bundle
	}
	seen := make(map[key]int, len(rows))
	for _, rw := range rows {
		c := rw.cells
		var d Declaration
		ok := true
		var k bool
		d.Key, k = pharmacy(c, cols, dRegion, ps)
		ok = ok && k
		d.Competence, k = competence(c[dCompetence], cols[dCompetence], ps)
		ok = ok && k
		d.Bundle, k = enum(c[dBundle], cols[dBundle], ps, REGFUS, REGFUSD)
		ok = ok && k
		d.Sheets, k = integer(c[dSheets], cols[dSheets], 0, sheet.MaxProgressive, ps)
		ok = ok && k
		d.GrossAmount, k = amount(c[dGross], cols[dGross], ps)
		ok = ok && k
		d.Ticket, k = amount(c[dTicket], cols[dTicket], ps)
		ok = ok && k
		if !ok {
			continue
		}
		kk := key{d.Key, d.Bundle}
		if prev, dup := seen[kk]; dup {
			ps.add(rw.line, rw.col, "", "second %s declaration for %s (first on line %d)", d.Bundle, d.Key, prev)
			continue
		}
		seen[kk] = rw.line
		d.Pos = Position{File: file, Line: rw.line}
		out = append(out, d)
	}
	if err := ps.err("declarations"); err != nil {
		return nil, err
	}
	return out, nil
}

// ParseRecords validates and imports dispensing records. file names the
// data in problems. On any problem it returns nil and a *ValidationError
// listing every problem.
func ParseRecords(data []byte, file string, f Format) ([]Record, error) {
	ps := &problems{file: file}
	rows := readTable(data, f, recordSchema, ps)
	cols := recordSchema.columns
	out := make([]Record, 0, len(rows))
	ids := make(map[string]int, len(rows))
	targature := make(map[fustella.Targatura]int, len(rows))
	for _, rw := range rows {
		c := rw.cells
		var r Record
		ok := true
		var k bool
		r.ID, k = identifier(c[rID], cols[rID], ps)
		ok = ok && k
		r.Key, k = pharmacy(c, cols, rRegion, ps)
		ok = ok && k
		var dispensedOK, closedOK, competenceOK bool
		r.DispensedOn, dispensedOK = date(c[rDispensedOn], cols[rDispensedOn], ps)
		r.Competence, competenceOK = competence(c[rCompetence], cols[rCompetence], ps)
		r.Prescription, k = identifier(c[rPrescription], cols[rPrescription], ps)
		ok = ok && k && dispensedOK && competenceOK
		r.AIC, k = aic(c[rAIC], cols[rAIC], ps)
		ok = ok && k
		r.Targatura, k = targatura(c[rTargatura], cols[rTargatura], ps)
		ok = ok && k
		r.Sheet, k = progressive(c[rSheet], cols[rSheet], ps)
		ok = ok && k
		r.Slot, k = integer(c[rSlot], cols[rSlot], 1, layout.SlotCount, ps)
		ok = ok && k
		r.State, k = enum(c[rState], cols[rState], ps, Closed, Suspended)
		stateOK := k
		ok = ok && k
		r.ClosedOn, closedOK = date(c[rClosedOn], cols[rClosedOn], ps)
		ok = ok && closedOK
		r.Signature, k = enum(c[rSignature], cols[rSignature], ps, Digital, Manual, Unsigned)
		signatureOK := k
		ok = ok && k
		r.SignedDocumentID, k = identifier(c[rSignedDoc], cols[rSignedDoc], ps)
		docOK := k
		ok = ok && k

		// Rules between fields, checked only on fields that are valid.
		if dispensedOK && competenceOK && r.Competence < r.DispensedOn.Format("2006-01") {
			ps.at(c[rCompetence], "competence", "%s is before the dispensing month (dispensed_on %s)", r.Competence, r.DispensedOn.Format(time.DateOnly))
			ok = false
		}
		if stateOK && closedOK {
			switch {
			case r.State == Closed && r.ClosedOn.IsZero():
				ps.at(c[rClosedOn], "closed_on", "empty, but state is closed: want the closing date")
				ok = false
			case r.State == Suspended && !r.ClosedOn.IsZero():
				ps.at(c[rClosedOn], "closed_on", "%s given, but state is suspended: a suspended prescription has no closing date", r.ClosedOn.Format(time.DateOnly))
				ok = false
			case dispensedOK && !r.ClosedOn.IsZero() && r.ClosedOn.Before(r.DispensedOn):
				ps.at(c[rClosedOn], "closed_on", "%s is before dispensed_on %s", r.ClosedOn.Format(time.DateOnly), r.DispensedOn.Format(time.DateOnly))
				ok = false
			}
		}
		if signatureOK && docOK {
			switch {
			case r.Signature.Signed() && r.SignedDocumentID == "":
				ps.at(c[rSignedDoc], "signed_document_id", "empty, but signature is %s: want the signed document id (the attestation code)", r.Signature)
				ok = false
			case !r.Signature.Signed() && r.SignedDocumentID != "":
				ps.at(c[rSignedDoc], "signed_document_id", "%q given, but signature is none", r.SignedDocumentID)
				ok = false
			}
		}
		if prev, dup := seenOn(ids, r.ID, rw.line); dup {
			ps.at(c[rID], "record_id", "%q already used on line %d", r.ID, prev)
			ok = false
		}
		if prev, dup := seenOn(targature, r.Targatura, rw.line); dup {
			ps.at(c[rTargatura], "targatura", "%s already on line %d: the same pack twice", r.Targatura, prev)
			ok = false
		}
		if !ok {
			continue
		}
		r.Pos = Position{File: file, Line: rw.line}
		out = append(out, r)
	}
	if err := ps.err("records"); err != nil {
		return nil, err
	}
	return out, nil
}

// parsed reads a cell with parse. It is false, the problem recorded, when
// parse refuses the value; an absent value (value has recorded the
// problem if it was required) is the zero value, and true only when
// absentOK.
func parsed[T any](c cell, col column, ps *problems, parse func(string) (T, error), absentOK bool) (T, bool) {
	var zero T
	t, present, ok := value(c, col, ps)
	if !ok || !present {
		return zero, ok && absentOK
	}
	v, err := parse(t)
	if err != nil {
		ps.at(c, col.name, "%v", err)
		return zero, false
	}
	return v, true
}

// pharmacy reads the region, ASL and pharmacy cells, which every schema
// has side by side from index i, as the pharmacy's key (its month left
// to the caller); a cell in error is reported and the key is not ok.
func pharmacy(c []cell, cols []column, i int, ps *problems) (sheet.Key, bool) {
	var k sheet.Key
	var ok [3]bool
	k.Region, ok[0] = digitsCode(c[i], cols[i], 3, ps)
	k.ASL, ok[1] = digitsCode(c[i+1], cols[i+1], 3, ps)
	k.Pharmacy, ok[2] = digitsCode(c[i+2], cols[i+2], 5, ps)
	return k, ok == [3]bool{true, true, true}
}

func competence(c cell, col column, ps *problems) (string, bool) {
	return parsed(c, col, ps, func(t string) (string, error) { return t, ValidateCompetence(t) }, false)
}

// date parses a date; an absent optional date is the zero time and ok.
func date(c cell, col column, ps *problems) (time.Time, bool) {
	return parsed(c, col, ps, ParseDate, true)
}

func amount(c cell, col column, ps *problems) (Cents, bool) {
	return parsed(c, col, ps, ParseCents, false)
}

func aic(c cell, col column, ps *problems) (fustella.AIC, bool) {
	return parsed(c, col, ps, fustella.ParseAIC, false)
}

func targatura(c cell, col column, ps *problems) (fustella.Targatura, bool) {
	return parsed(c, col, ps, fustella.ParseTargatura, false)
}

func progressive(c cell, col column, ps *problems) (sheet.Progressive, bool) {
	return parsed(c, col, ps, sheet.ParseProgressive, false)
}

// ReadDeclarations reads r to the end and imports it (see ParseDeclarations).
func ReadDeclarations(r io.Reader, file string, f Format) ([]Declaration, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return ParseDeclarations(data, file, f)
}

// ReadRecords reads r to the end and imports it (see ParseRecords).
func ReadRecords(r io.Reader, file string, f Format) ([]Record, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return ParseRecords(data, file, f)
}

// LoadDeclarations imports a file; its format comes from the extension
// (.csv, .json) or, failing that, from its content.
func LoadDeclarations(path string) ([]Declaration, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseDeclarations(data, path, formatOf(path))
}

// LoadRecords imports a file; its format comes from the extension (.csv,
// .json) or, failing that, from its content.
func LoadRecords(path string) ([]Record, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseRecords(data, path, formatOf(path))
}

func formatOf(path string) Format {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return CSV
	case ".json":
		return JSON
	}
	return Auto
}

// seenOn tells whether k is already in seen, and on which line; a k not
// seen before is recorded on line. The zero k (a cell left empty, already
// reported as such) is never recorded nor a duplicate.
func seenOn[K comparable](seen map[K]int, k K, line int) (int, bool) {
	var zero K
	if k == zero {
		return 0, false
	}
	if prev, dup := seen[k]; dup {
		return prev, true
	}
	seen[k] = line
	return 0, false
}
