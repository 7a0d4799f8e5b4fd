package reconcile

import (
	"fmt"
	"strconv"
	"time"

	"github.com/regfus/regfus/records"
)

func (r *run) accounting() {
	for _, ri := range r.recs {
		rec := ri.r
		g := ri.g
		payIn := payableIn(rec)
		if rec.Signature == records.Unsigned {
			d := "the dispensing form is not signed: not payable"
			if ri.foundS != nil {
				d += fmt.Sprintf(" (fustella on %s slot %d)", ri.foundP.where(), ri.foundS.n)
			}
			r.add(g, Finding{Kind: Unsigned, Sheet: rec.Sheet.String(), Slot: rec.Slot, Targatura: string(rec.Targatura), RecordID: rec.ID, Detail: d}, nil, nil)
			ri.markSlot(Unsigned)
		}
		switch {
		case rec.State == records.Suspended:
			r.add(g, Finding{Kind: Suspended, Sheet: rec.Sheet.String(), Slot: rec.Slot, Targatura: string(rec.Targatura), RecordID: rec.ID,
				Detail: fmt.Sprintf("prescription %s is suspended (not closed): payable in the month it closes", rec.Prescription)}, nil, nil)
			ri.markSlot(Suspended)
		case payIn != rec.Competence:
			r.add(g, Finding{Kind: Suspended, Sheet: rec.Sheet.String(), Slot: rec.Slot, Targatura: string(rec.Targatura), RecordID: rec.ID,
				Detail: fmt.Sprintf("prescription %s closed on %s: carried to %s, accounted there", rec.Prescription, rec.ClosedOn.Format(time.DateOnly), payIn)}, nil, nil)
			ri.markSlot(Suspended)
		}
		switch {
		case ri.match != MMatched:
			ri.account = AUnmatched
		case ri.dup:
			ri.account = AWithheld
		case !rec.Signature.Signed():
			ri.account = AUnsigned
		case rec.State == records.Suspended:
			ri.account = ASuspended
		default:
			ri.account = APayable
			if payIn != rec.Competence {
				ri.account = ACarried
			}
			ri.payIn = payIn
			pg := g
			if payIn != rec.Competence {
				k := rec.Key
				k.Competence = payIn
				pg = r.group(k)
			}
			p := Payable{RecordID: rec.ID, AIC: string(rec.AIC), Targatura: string(rec.Targatura), Attestation: rec.SignedDocumentID,
				Signature: string(rec.Signature), Sheet: ri.foundP.label(), Slot: ri.foundS.n}
			if ri.account == ACarried {
				p.CarriedFrom = rec.Competence
			}
			if pg.payable == nil {
				pg.payable = make([]Payable, 0, len(pg.recs))
			}
			pg.payable = append(pg.payable, p)
		}
	}
}

// markSlot lists a record finding among the issues of the slot its
// fustella was matched on, for the pictures.
func (ri *recInfo) markSlot(k Kind) {
	if ri.foundS != nil {
		ri.foundS.issues = append(ri.foundS.issues, k)
	}
}

// payableIn is rec.PayableCompetence without formatting a date for the
// common case of a prescription closed in its own month.
func payableIn(rec *records.Record) string {
	if rec.ClosedOn.IsZero() {
		return ""
	}
	y, m, _ := rec.ClosedOn.Date()
	c := rec.Competence
	if len(c) == 7 {
		cy, err1 := strconv.Atoi(c[:4])
		cm, err2 := strconv.Atoi(c[5:])
		if err1 == nil && err2 == nil && (y < cy || y == cy && int(m) <= cm) {
			return c
		}
	}
	return rec.PayableCompetence()
}
