package reconcile

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/regfus/regfus/fustella"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/records"
	"github.com/regfus/regfus/sheet"
)

// aicN and tgN return the n-th valid AIC and targatura.
func aicN(n int) string {
	a, err := fustella.NewAIC(fmt.Sprintf("%08d", 1000000+n))
	if err != nil {
		panic(err)
	}
	return string(a)
}

func tgN(n int) string {
	t, err := fustella.NewTargatura(fmt.Sprintf("%09d", 100000000+n))
	if err != nil {
		panic(err)
	}
	return string(t)
}

func code(pharmacy string, month int) string {
	return fmt.Sprintf("120205%s%02d2023", pharmacy, month)
}

// sheetPage builds an ok page: all 28 slots, filled[n] holds the fustella
// number (for aicN/tgN) of slot n, the others empty.
func sheetPage(src string, codeStr, prog string, filled map[int]int) page.Result {
	r := page.Result{Source: src, Page: 1, Status: page.OK, Reasons: page.Reasons{}, LayoutVersion: 1,
		Sheet: page.Sheet{Code: page.CodeOf(sheet.MustParseCode(codeStr)), TailCode: page.CodeOf(sheet.MustParseCode(codeStr))}}
	if prog != "" {
		r.Sheet.Progressive = page.Str(prog)
	}
	for n := 1; n <= 28; n++ {
		s := page.Slot{Slot: n, State: page.Empty, Flags: []page.Flag{}}
		if f, ok := filled[n]; ok {
			s.State, s.AIC, s.Targatura, s.Confidence = page.Filled, page.Str(aicN(f)), page.Str(tgN(f)), 0.99
		}
		r.Slots = append(r.Slots, s)
	}
	return r
}

func date(s string) time.Time {
	t, err := records.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return t
}

// rec builds a closed, digitally signed record of fustella n in January.
func rec(id string, n int, prog string, slot int) records.Record {
	p, err := sheet.ParseProgressive(prog)
	if err != nil {
		panic(err)
	}
	return records.Record{ID: id, Key: sheet.Key{Region: "120", ASL: "205", Pharmacy: "99999", Competence: "2023-01"}, DispensedOn: date("2023-01-10"),
		Prescription: "NRE" + id, AIC: fustella.AIC(aicN(n)), Targatura: fustella.Targatura(tgN(n)), Sheet: p, Slot: slot,
		State: records.Closed, ClosedOn: date("2023-01-10"), Signature: records.Digital, SignedDocumentID: "SD-" + id}
}

func decl(bundle records.Bundle, sheets int) records.Declaration {
	return records.Declaration{Key: sheet.Key{Region: "120", ASL: "205", Pharmacy: "99999", Competence: "2023-01"}, Bundle: bundle, Sheets: sheets,
		Pos: records.Position{File: "d.csv", Line: 2}}
}

// key is the key of a pharmacy of region 120, ASL 205.
func key(pharmacy, competence string) sheet.Key {
	return sheet.Key{Region: "120", ASL: "205", Pharmacy: pharmacy, Competence: competence}
}

var jan = key("99999", "2023-01")

// cleanMonth is January 2023 for pharmacy 99999: sheets 1 and 2 and
// dispensario sheet D1, six fustelle, six matching payable records.
func cleanMonth() Input {
	return Input{
		Pages: []page.Result{
			sheetPage("s1.tif", code("99999", 1), "1", map[int]int{1: 1, 2: 2, 3: 3}),
			sheetPage("s2.tif", code("99999", 1), "2", map[int]int{1: 4, 2: 5}),
			sheetPage("d1.tif", code("99999", 1), "D1", map[int]int{1: 6}),
		},
		Declarations: []records.Declaration{decl(records.REGFUS, 2), decl(records.REGFUSD, 1)},
		Records: []records.Record{
			rec("R1", 1, "1", 1), rec("R2", 2, "1", 2), rec("R3", 3, "1", 3),
			rec("R4", 4, "2", 1), rec("R5", 5, "2", 2), rec("R6", 6, "D1", 1),
		},
	}
}

func mustReconcile(t *testing.T, in Input) *Report {
	t.Helper()
	rep, err := Reconcile(in)
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, in, rep)
	return rep
}

// kinds returns "kind@sheet/slot/record" strings of g's findings.
func kinds(g *Group) []string {
	var out []string
	for _, f := range g.Findings {
		s := string(f.Kind)
		if f.Sheet != "" || f.Slot != 0 || f.RecordID != "" {
			s += fmt.Sprintf("@%s/%d/%s", f.Sheet, f.Slot, f.RecordID)
		}
		out = append(out, s)
	}
	return out
}

func findingsString(g *Group) string {
	var b strings.Builder
	for _, f := range g.Findings {
		fmt.Fprintf(&b, "  %s sheet=%q slot=%d rec=%q tg=%q: %s\n", f.Kind, f.Sheet, f.Slot, f.RecordID, f.Targatura, f.Detail)
	}
	return b.String()
}

func wantFindings(t *testing.T, g *Group, want ...string) {
	t.Helper()
	got := kinds(g)
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings of %s:\n%swant:\n  %s", g.Key, findingsString(g), strings.Join(want, "\n  "))
	}
}

// wantDetail checks that the group's first finding says substr.
func wantDetail(t *testing.T, g *Group, substr string) {
	t.Helper()
	if !strings.Contains(g.Findings[0].Detail, substr) {
		t.Errorf("detail %q, want it to say %q", g.Findings[0].Detail, substr)
	}
}

func recordOf(g *Group, id string) RecordResult {
	for _, r := range g.Records {
		if r.RecordID == id {
			return r
		}
	}
	return RecordResult{}
}

func payableIDs(g *Group) []string {
	var ids []string
	for _, p := range g.Payable {
		ids = append(ids, p.RecordID)
	}
	return ids
}

func slotOutcome(g *Group, sheetLabel string, slot int) SlotView {
	for _, s := range g.Sheets {
		if s.Sheet == sheetLabel {
			return s.Slots[slot-1]
		}
	}
	return SlotView{}
}

func findingOf(g *Group, k Kind) *Finding {
	for i := range g.Findings {
		if g.Findings[i].Kind == k {
			return &g.Findings[i]
		}
	}
	return nil
}

// because returns reasons of these kinds, with no detail.
func because(kinds ...page.ReasonKind) page.Reasons {
	rs := make(page.Reasons, len(kinds))
	for i, k := range kinds {
		rs[i] = page.Reason{Kind: k}
	}
	return rs
}
