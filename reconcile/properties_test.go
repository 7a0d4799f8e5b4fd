package reconcile

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/regfus/regfus/fustella"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/records"
	"github.com/regfus/regfus/sheet"
)

// randomInput builds a messy input: a few pharmacies and months, pages in
// every status with misreads, rescans and foreign sheets, records sharing
// targature, suspended and unsigned records, and known targature.
func randomInput(rng *rand.Rand) Input {
	pharmacies := []string{"99999", "11111", "22222"}
	pool := 20 + rng.IntN(60) // fustella numbers; small pools collide
	pick := func(pct int) bool { return rng.IntN(100) < pct }
	var in Input
	progs := []string{"1", "2", "3", "4", "D1", "D2"}

	for n := rng.IntN(14); n > 0; n-- {
		ph, month := pharmacies[rng.IntN(len(pharmacies))], 1+rng.IntN(3)
		c := code(ph, month)
		filled := map[int]int{}
		for s := 1; s <= 28; s++ {
			if pick(30) {
				filled[s] = rng.IntN(pool)
			}
		}
		p := sheetPage(fmt.Sprintf("f%d.tif", rng.IntN(5)), c, progs[rng.IntN(len(progs))], filled)
		p.Page = 1 + rng.IntN(40)
		if pick(5) {
			p.Sheet.Code = nil
		}
		if pick(5) {
			p.Sheet.TailCode = page.CodeOf(sheet.MustParseCode(code(ph, 1+rng.IntN(3))))
		}
		if pick(5) {
			p.Sheet.TailCode = nil
		}
		switch {
		case pick(10):
			p.Sheet.Progressive = nil
		case pick(3):
			p.Sheet.Progressive = page.Str("X")
		}
		if pick(30) {
			p.Sheet.DeclaredCount = page.Int(rng.IntN(8))
		}
		switch r := rng.IntN(100); {
		case r < 15:
			p.Status = page.Review
			p.Reasons = because(page.ReasonUnreadableSlot)
		case r < 35:
			// As the reader reports most real pages: the handwriting is
			// not read, sometimes with an identity problem as well.
			p.Status = page.Review
			p.Sheet.Progressive, p.Sheet.DeclaredCount = nil, nil
			p.Sheet.Written = &page.Written{Progressive: pick(90), Count: pick(50), Date: pick(50)}
			p.Reasons = because(page.ReasonProgressiveUnread)
			if p.Sheet.Written.Count {
				p.Reasons = append(p.Reasons, page.Reason{Kind: page.ReasonCountUnread})
			}
			switch x := rng.IntN(100); {
			case x < 10:
				p.Reasons = append(p.Reasons, page.Reason{Kind: page.ReasonTailUnread})
				p.Sheet.TailCode = nil
			case x < 20:
				p.Reasons = append(p.Reasons, page.Reason{Kind: page.ReasonHeadTailMismatch})
				p.Sheet.TailCode = page.CodeOf(sheet.MustParseCode(code(ph, 1+(month%3))))
			case x < 25:
				p.Reasons = append(p.Reasons, page.Reason{Kind: page.ReasonTimeout, Detail: "slots"})
			}
		case r < 42:
			p.Status = page.Rejected
			p.Reasons = because(page.ReasonNoMarkers)
			if pick(50) {
				p.Slots = nil
			}
		}
		for i := range p.Slots {
			s := &p.Slots[i]
			switch {
			case pick(4):
				s.State, s.AIC, s.Targatura = page.Unreadable, nil, nil
			case s.State == page.Filled && pick(3):
				s.Targatura = nil
			case s.State == page.Filled && pick(3):
				s.AIC = page.Str("000000000" + "1")
			}
			if s.State == page.Filled && pick(5) {
				s.Flags = []page.Flag{page.FlagOverlap}
			}
			if s.State == page.Filled && pick(4) {
				s.Flags = append(s.Flags, []page.Flag{page.FlagAICDisagree, page.FlagTargaturaUnread, page.FlagOCROnly}[rng.IntN(3)])
			}
		}
		if pick(5) && len(p.Slots) > 3 {
			p.Slots = p.Slots[:len(p.Slots)-2]
			p.Slots = append(p.Slots, page.Slot{Slot: 2, State: page.Empty}, page.Slot{Slot: 0, State: page.Empty})
		}
		in.Pages = append(in.Pages, p)
		if pick(8) {
			again := p
			again.Source = "rescan-" + p.Source
			in.Pages = append(in.Pages, again)
		}
	}

	usedTg := map[int]bool{}
	for n := rng.IntN(40); n > 0; n-- {
		f := rng.IntN(pool)
		if usedTg[f] && !pick(10) {
			continue // mostly distinct targature, as one file guarantees
		}
		usedTg[f] = true
		ph, month := pharmacies[rng.IntN(len(pharmacies))], 1+rng.IntN(3)
		pr, _ := sheet.ParseProgressive(progs[rng.IntN(len(progs))])
		disp := time.Date(2023, time.Month(month), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
		r := records.Record{ID: fmt.Sprintf("R%03d", rng.IntN(500)), Key: sheet.Key{Region: "120", ASL: "205", Pharmacy: ph, Competence: disp.Format("2006-01")}, DispensedOn: disp, Prescription: "NRE", AIC: fustella.AIC(aicN(f)), Targatura: fustella.Targatura(tgN(f)),
			Sheet: pr, Slot: 1 + rng.IntN(28), State: records.Closed, ClosedOn: disp, Signature: records.Digital, SignedDocumentID: "SD"}
		if pick(10) {
			r.AIC = fustella.AIC(aicN(f + 1))
		}
		switch x := rng.IntN(100); {
		case x < 10:
			r.State, r.ClosedOn = records.Suspended, time.Time{}
		case x < 25:
			r.ClosedOn = disp.AddDate(0, 1, 0)
		}
		switch x := rng.IntN(100); {
		case x < 10:
			r.Signature, r.SignedDocumentID = records.Unsigned, ""
		case x < 30:
			r.Signature = records.Manual
		}
		r.Pos = records.Position{File: "r.csv", Line: len(in.Records) + 2}
		in.Records = append(in.Records, r)
	}

	for _, ph := range pharmacies {
		for month := 1; month <= 3; month++ {
			for _, b := range []records.Bundle{records.REGFUS, records.REGFUSD} {
				if !pick(30) {
					continue
				}
				d := records.Declaration{Key: sheet.Key{Region: "120", ASL: "205", Pharmacy: ph, Competence: fmt.Sprintf("2023-%02d", month)}, Bundle: b,
					Sheets: rng.IntN(5), Pos: records.Position{File: "d.csv", Line: len(in.Declarations) + 2}}
				if pick(10) {
					d.Ticket = 100
				}
				in.Declarations = append(in.Declarations, d)
			}
		}
	}
	if pick(30) {
		k := KnownMap{}
		for i := 0; i < 5; i++ {
			k[fustella.Targatura(tgN(rng.IntN(pool)))] = []Sighting{{Key: key("33333", "2022-12"), RecordID: "OLD"}}
		}
		in.Known = k
	}
	return in
}

// TestOutcomeProperties checks the invariants of checkInvariants on many
// random inputs. A failure names the seed; rerun it with -run and -seed.
func TestOutcomeProperties(t *testing.T) {
	t.Parallel()
	n := 400
	if testing.Short() {
		n = 50
	}
	for seed := uint64(1); seed <= uint64(n); seed++ {
		in := randomInput(rand.New(rand.NewPCG(seed, 7)))
		rep, err := Reconcile(in)
		if err != nil {
			t.Fatal(err)
		}
		ok := t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) { checkInvariants(t, in, rep) })
		if !ok {
			break
		}
	}
}
