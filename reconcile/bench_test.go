package reconcile

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/regfus/regfus/fustella"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/records"
	"github.com/regfus/regfus/sheet"
)

// benchInput: 100 pharmacies x 40 sheets x 25 fustelle = 4,000 pages and
// 100,000 records, with a sprinkling of every kind of discrepancy.
func benchInput() Input {
	var in Input
	n := 0
	for ph := 0; ph < 100; ph++ {
		pharmacy := fmt.Sprintf("%05d", 10000+ph)
		c := fmt.Sprintf("120205%s012023", pharmacy)
		for sh := 1; sh <= 40; sh++ {
			r := page.Result{Source: fmt.Sprintf("batch%03d.pdf", ph), Page: sh, Status: page.OK, LayoutVersion: 1,
				Sheet: page.Sheet{Code: page.Str(c), TailCode: page.Str(c), Progressive: page.Str(fmt.Sprint(sh)), DeclaredCount: page.Int(25)}}
			r.Slots = make([]page.Slot, 28)
			for s := 1; s <= 28; s++ {
				r.Slots[s-1] = page.Slot{Slot: s, State: page.Empty}
				if s > 25 {
					continue
				}
				n++
				aic, tg := aicN(n), tgN(n)
				r.Slots[s-1] = page.Slot{Slot: s, State: page.Filled, AIC: &aic, Targatura: &tg, Confidence: 0.99}
				pr, _ := sheet.ParseProgressive(fmt.Sprint(sh))
				rec := records.Record{ID: fmt.Sprintf("R%07d", n), Region: "120", ASL: "205", Pharmacy: pharmacy, DispensedOn: date("2023-01-10"),
					Competence: "2023-01", Prescription: "NRE", AIC: fustella.AIC(aic), Targatura: fustella.Targatura(tg), Sheet: pr, Slot: s,
					State: records.Closed, ClosedOn: date("2023-01-10"), Signature: records.Digital, SignedDocumentID: "SD"}
				switch n % 97 {
				case 1:
					rec.Slot = s%28 + 1 // slot mismatch
				case 2:
					rec.Signature, rec.SignedDocumentID = records.Unsigned, ""
				case 3:
					rec.State, rec.ClosedOn = records.Suspended, time.Time{}
				case 4:
					r.Slots[s-1].State, r.Slots[s-1].AIC, r.Slots[s-1].Targatura = page.Unreadable, nil, nil
				}
				in.Records = append(in.Records, rec)
			}
			in.Pages = append(in.Pages, r)
		}
		in.Declarations = append(in.Declarations, records.Declaration{Region: "120", ASL: "205", Pharmacy: pharmacy, Competence: "2023-01", Bundle: records.REGFUS, Sheets: 40})
	}
	return in
}

func BenchmarkReconcile(b *testing.B) {
	in := benchInput()
	b.ReportAllocs()
	// CPU time (all threads, GC included) next to wall time: on a shared
	// machine the wall time mostly measures the neighbours.
	cpu0 := cpuTime()
	b.ResetTimer()
	for b.Loop() {
		rep, err := Reconcile(in)
		if err != nil {
			b.Fatal(err)
		}
		if len(rep.Groups) != 100 {
			b.Fatalf("%d groups", len(rep.Groups))
		}
	}
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(len(in.Records)), "records")
	b.ReportMetric(float64(len(in.Pages)), "pages")
}

// cpuTime returns the process's user and system CPU time in nanoseconds.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

func TestBenchInputIsSound(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds 100,000 records")
	}
	in := benchInput()
	if len(in.Pages) != 4000 || len(in.Records) != 100000 {
		t.Fatalf("%d pages, %d records", len(in.Pages), len(in.Records))
	}
	rep, err := Reconcile(in)
	if err != nil {
		t.Fatal(err)
	}
	if got := rep.Totals.RecordsMatch[MMatched]; got < 98000 {
		t.Errorf("only %d matched", got)
	}
}
