// Package report renders a reconciliation report (package reconcile) for
// people and programs: JSON with the keys of SPEC section 5 (and more),
// CSV of the findings, CSV of what may be paid, and a self-contained HTML
// page a regional validator can read offline or attach to an email.
//
// Rendering is deterministic: the same report gives the same bytes, so
// outputs can be compared and cached.
package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/regfus/regfus/reconcile"
	"github.com/regfus/regfus/sheet"
)

// Format is an output format.
type Format string

const (
	JSON       Format = "json"
	CSV        Format = "csv"         // the findings, one per line
	PayableCSV Format = "payable-csv" // the payable lists, one record per line
	HTML       Format = "html"
)

// Formats lists every format.
var Formats = []Format{JSON, CSV, PayableCSV, HTML}

// ParseFormat parses a format name.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if string(f) == strings.ToLower(s) {
			return f, nil
		}
	}
	names := make([]string, len(Formats))
	for i, f := range Formats {
		names[i] = string(f)
	}
	return "", fmt.Errorf("unknown report format %q: want %s", s, strings.Join(names, ", "))
}

// Write renders rep in format f.
func Write(w io.Writer, rep *reconcile.Report, f Format) error {
	switch f {
	case JSON:
		return WriteJSON(w, rep)
	case CSV:
		return WriteCSV(w, rep)
	case PayableCSV:
		return WritePayableCSV(w, rep)
	case HTML:
		return WriteHTML(w, rep, HTMLOptions{})
	}
	return fmt.Errorf("unknown report format %q", f)
}

// WriteJSON writes rep as indented JSON: {"groups":[...], "findings":[...],
// "totals":{...}}, each group with the SPEC section 5 keys (region, asl,
// pharmacy, competence, declared_sheets, scanned_sheets, findings, payable)
// and the outcome of every record and slot.
func WriteJSON(w io.Writer, rep *reconcile.Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

// FindingColumns is the header of the findings CSV.
var FindingColumns = []string{"region", "asl", "pharmacy", "competence", "kind", "sheet", "slot", "targatura", "record_id", "detail", "source", "page"}

// WriteCSV writes every finding, group by group, then the findings about
// pages that belong to no group (with empty group columns).
func WriteCSV(w io.Writer, rep *reconcile.Report) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(FindingColumns); err != nil {
		return err
	}
	row := func(k sheet.Key, f reconcile.Finding) error {
		return cw.Write([]string{k.Region, k.ASL, k.Pharmacy, k.Competence, string(f.Kind), f.Sheet, itoa0(f.Slot),
			f.Targatura, f.RecordID, f.Detail, f.Source, itoa0(f.Page)})
	}
	for _, g := range rep.Groups {
		for _, f := range g.Findings {
			if err := row(g.Key, f); err != nil {
				return err
			}
		}
	}
	for _, f := range rep.Findings {
		if err := row(sheet.Key{}, f); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// PayableColumns is the header of the payable CSV.
var PayableColumns = []string{"region", "asl", "pharmacy", "competence", "record_id", "aic", "targatura", "attestation", "signature", "sheet", "slot", "carried_from"}

// WritePayableCSV writes what may be paid: one line per payable record,
// under the month it is payable in, with its attestation code.
func WritePayableCSV(w io.Writer, rep *reconcile.Report) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(PayableColumns); err != nil {
		return err
	}
	for _, g := range rep.Groups {
		for _, p := range g.Payable {
			if err := cw.Write([]string{g.Region, g.ASL, g.Pharmacy, g.Competence, p.RecordID, p.AIC, p.Targatura, p.Attestation,
				p.Signature, p.Sheet, itoa0(p.Slot), p.CarriedFrom}); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

func itoa0(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}
