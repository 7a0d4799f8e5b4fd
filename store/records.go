package store

import (
	"fmt"
	"time"

	"github.com/regfus/regfus/fustella"
	"github.com/regfus/regfus/records"
	"github.com/regfus/regfus/sheet"
)

// The store keeps declarations and records as plain columns (text, integer
// cents) so both databases hold them the same way; package records holds
// the validated domain values. These functions are the mapping between the
// two. Validation is records' job: the store's CHECK constraints are only a
// last line of defence.

const dateLayout = "2006-01-02"

// DeclarationFrom maps a validated records.Declaration to its row.
func DeclarationFrom(d records.Declaration) Declaration {
	return Declaration{
		Region: d.Region, ASL: d.ASL, Pharmacy: d.Pharmacy, Competence: d.Competence,
		Bundle: string(d.Bundle), Sheets: d.Sheets,
		GrossCents: int64(d.GrossAmount), TicketCents: int64(d.Ticket),
		Line: d.Pos.Line,
	}
}

// Declaration returns the row as a records.Declaration.
func (d Declaration) Declaration() records.Declaration {
	return records.Declaration{
		Region: d.Region, ASL: d.ASL, Pharmacy: d.Pharmacy, Competence: d.Competence,
		Bundle: records.Bundle(d.Bundle), Sheets: d.Sheets,
		GrossAmount: records.Cents(d.GrossCents), Ticket: records.Cents(d.TicketCents),
		Pos: records.Position{Line: d.Line},
	}
}

// RecordFrom maps a validated records.Record to its row: dates as
// YYYY-MM-DD ("" for a zero ClosedOn), the progressive as printed ("" when
// the counter software assigned none).
func RecordFrom(r records.Record) Record {
	row := Record{
		RecordID: r.ID, Region: r.Region, ASL: r.ASL, Pharmacy: r.Pharmacy,
		DispensedOn: r.DispensedOn.Format(dateLayout), Competence: r.Competence,
		Prescription: r.Prescription, AIC: string(r.AIC), Targatura: string(r.Targatura),
		Slot: r.Slot, State: string(r.State), Signature: string(r.Signature),
		SignedDocumentID: r.SignedDocumentID, Line: r.Pos.Line,
	}
	if r.Sheet != (sheet.Progressive{}) {
		row.Sheet = r.Sheet.String()
	}
	if !r.ClosedOn.IsZero() {
		row.ClosedOn = r.ClosedOn.Format(dateLayout)
	}
	return row
}

// Record returns the row as a records.Record. It fails only on a row the
// store could not have written from a valid record.
func (r Record) Record() (records.Record, error) {
	out := records.Record{
		ID: r.RecordID, Region: r.Region, ASL: r.ASL, Pharmacy: r.Pharmacy, Competence: r.Competence,
		Prescription: r.Prescription, AIC: fustella.AIC(r.AIC), Targatura: fustella.Targatura(r.Targatura),
		Slot: r.Slot, State: records.State(r.State), Signature: records.Signature(r.Signature),
		SignedDocumentID: r.SignedDocumentID, Pos: records.Position{Line: r.Line},
	}
	var err error
	if out.DispensedOn, err = time.Parse(dateLayout, r.DispensedOn); err != nil {
		return out, fmt.Errorf("record %s: dispensed_on: %w", r.RecordID, err)
	}
	if r.ClosedOn != "" {
		if out.ClosedOn, err = time.Parse(dateLayout, r.ClosedOn); err != nil {
			return out, fmt.Errorf("record %s: closed_on: %w", r.RecordID, err)
		}
	}
	if r.Sheet != "" {
		if out.Sheet, err = sheet.ParseProgressive(r.Sheet); err != nil {
			return out, fmt.Errorf("record %s: sheet: %w", r.RecordID, err)
		}
	}
	return out, nil
}
