package reconcile

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/regfus/regfus/internal/cputime"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/records"
)

// benchInput: 100 pharmacies x 40 sheets x 25 fustelle = 4,000 pages and
// 100,000 records, with a sprinkling of every kind of discrepancy.
func benchInput() Input {
	var in Input
	n := 0
	for ph := 0; ph < 100; ph++ {
		pharmacy := fmt.Sprintf("%05d", 10000+ph)
		for sh := 1; sh <= 40; sh++ {
			prog := strconv.Itoa(sh)
			filled := map[int]int{}
			var unreadable []int
			for s := 1; s <= 25; s++ {
				n++
				filled[s] = n
				r := rec(fmt.Sprintf("R%07d", n), n, prog, s)
				r.Pharmacy = pharmacy
				switch n % 97 {
				case 1:
					r.Slot = s%28 + 1 // slot mismatch
				case 2:
					r.Signature, r.SignedDocumentID = records.Unsigned, ""
				case 3:
					r.State, r.ClosedOn = records.Suspended, time.Time{}
				case 4:
					unreadable = append(unreadable, s)
				}
				in.Records = append(in.Records, r)
			}
			p := sheetPage(fmt.Sprintf("batch%03d.pdf", ph), code(pharmacy, 1), prog, filled)
			p.Page, p.Sheet.DeclaredCount = sh, page.Int(25)
			for _, s := range unreadable {
				p.Slots[s-1].State, p.Slots[s-1].AIC, p.Slots[s-1].Targatura = page.Unreadable, nil, nil
			}
			in.Pages = append(in.Pages, p)
		}
		d := decl(records.REGFUS, 40)
		d.Pharmacy = pharmacy
		in.Declarations = append(in.Declarations, d)
	}
	return in
}

func BenchmarkReconcile(b *testing.B) {
	in := benchInput()
	b.ReportAllocs()
	// CPU time (all threads, GC included) next to wall time: on a shared
	// machine the wall time mostly measures the neighbours.
	cpu0 := cputime.Self()
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
	b.ReportMetric(float64(cputime.Self()-cpu0)/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(len(in.Records)), "records")
	b.ReportMetric(float64(len(in.Pages)), "pages")
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
