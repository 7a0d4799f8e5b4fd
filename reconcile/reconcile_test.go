package reconcile

import (
	"errors"
	"strings"
	"testing"

	"github.com/regfus/regfus/fustella"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/records"
	"github.com/regfus/regfus/sheet"
)

func TestCleanMonth(t *testing.T) {
	t.Parallel()
	rep := mustReconcile(t, cleanMonth())
	if len(rep.Groups) != 1 || len(rep.Findings) != 0 {
		t.Fatalf("groups %d, top findings %v", len(rep.Groups), rep.Findings)
	}
	g := &rep.Groups[0]
	wantFindings(t, g)
	if g.Key != jan || *g.DeclaredSheets != 2 || g.ScannedSheets != 2 || *g.DeclaredDispensarioSheets != 1 || g.ScannedDispensarioSheets != 1 {
		t.Errorf("group header: %+v", g)
	}
	if got := strings.Join(payableIDs(g), ","); got != "R1,R2,R3,R4,R5,R6" {
		t.Errorf("payable = %s", got)
	}
	if g.Payable[0].Attestation != "SD-R1" || g.Payable[0].Sheet != "1" || g.Payable[0].Slot != 1 || g.Payable[5].Sheet != "D1" {
		t.Errorf("payable entries: %+v", g.Payable)
	}
	if g.Summary.Fustelle[FMatched] != 6 || g.Summary.RecordsAccount[APayable] != 6 {
		t.Errorf("summary: %+v", g.Summary)
	}
	if s := slotOutcome(g, "1", 3); s.Outcome != "matched" || s.RecordID != "R3" {
		t.Errorf("slot 1/3 = %+v", s)
	}
	if s := slotOutcome(g, "1", 4); s.Outcome != SlotEmpty {
		t.Errorf("slot 1/4 = %+v", s)
	}
}

// Each test below injects one discrepancy into the clean month.

func TestSheetCountMismatch(t *testing.T) {
	t.Parallel()
	in := cleanMonth()
	in.Declarations[0].Sheets = 3
	in.Declarations[1].Sheets = 0
	rep := mustReconcile(t, in)
	g := rep.Group(jan)
	// Sheet 3 is declared and absent: the progressive is missing too.
	// One finding tells both bundles, as the report's table does.
	wantFindings(t, g, "sheet_count_mismatch", "missing_progressive@3/0/")
	if !strings.Contains(findingsString(g), "REGFUS 3 declared, 2 delivered; REGFUS-D 0 declared, 1 delivered") {
		t.Errorf("details:\n%s", findingsString(g))
	}
	// No declaration at all for delivered sheets.
	in = cleanMonth()
	in.Declarations = in.Declarations[1:]
	g = mustReconcile(t, in).Group(jan)
	wantFindings(t, g, "sheet_count_mismatch")
	if g.DeclaredSheets != nil || !strings.Contains(g.Findings[0].Detail, "REGFUS not declared, 2 delivered") {
		t.Errorf("declared %v, detail %q", g.DeclaredSheets, g.Findings[0].Detail)
	}
}

func TestDuplicateProgressive(t *testing.T) {
	t.Parallel()
	in := cleanMonth()
	// A second, different sheet also numbered 2 with one more fustella.
	in.Pages = append(in.Pages, sheetPage("s2bis.tif", code("99999", 1), "2", map[int]int{1: 7}))
	in.Records = append(in.Records, rec("R7", 7, "2", 1))
	in.Declarations[0].Sheets = 3
	g := mustReconcile(t, in).Group(jan)
	// R7 sits in slot 1 of the second "sheet 2": the record says sheet 2
	// slot 1, so it matches without a slot finding.
	// Three sheets were declared and three delivered, but two say "2":
	// the third progressive is missing.
	wantFindings(t, g, "duplicate_progressive@2/0/", "missing_progressive@3/0/")
	if f := findingOf(g, DuplicateProgressive); f.Source != "s2bis.tif" || !strings.Contains(f.Detail, "s2.tif p.1") {
		t.Errorf("finding %+v", f)
	}
	if g.ScannedSheets != 3 {
		t.Errorf("scanned %d", g.ScannedSheets)
	}
}

func TestRescannedSheet(t *testing.T) {
	t.Parallel()
	in := cleanMonth()
	again := in.Pages[0]
	again.Source = "s1-again.tif"
	in.Pages = append(in.Pages, again)
	g := mustReconcile(t, in).Group(jan)
	// Scanned twice: one duplicate_progressive, counted once, no duplicate
	// targature, everything still payable.
	wantFindings(t, g, "duplicate_progressive@1/0/")
	if g.ScannedSheets != 2 || g.Summary.Fustelle[FRescanned] != 3 || len(g.Payable) != 6 {
		t.Errorf("scanned %d, summary %+v, payable %d", g.ScannedSheets, g.Summary.Fustelle, len(g.Payable))
	}
	if f := g.Findings[0]; !strings.Contains(f.Detail, "scanned twice") || f.Source+f.Detail == "" ||
		!strings.Contains(f.Source+" "+f.Detail, "s1-again.tif") || !strings.Contains(f.Source+" "+f.Detail, "s1.tif") {
		t.Errorf("finding %+v", f)
	}
}

func TestMissingProgressive(t *testing.T) {
	t.Parallel()
	in := cleanMonth()
	in.Pages[1].Sheet.Progressive = page.Str("3")
	in.Declarations[0].Sheets = 3
	g := mustReconcile(t, in).Group(jan)
	// Sheet 2 is missing; its fustelle were found on "sheet 3", so they are
	// matched in another slot than the one recorded.
	wantFindings(t, g, "missing_progressive@2/0/", "sheet_count_mismatch", "slot_mismatch@3/1/R4", "slot_mismatch@3/2/R5")
	if f := findingOf(g, SlotMismatch); !strings.Contains(f.Detail, "recorded on sheet 2 slot 1, found on sheet 3 slot 1") {
		t.Errorf("detail %q", f.Detail)
	}
}

func TestForeignSheet(t *testing.T) {
	t.Parallel()
	in := cleanMonth()
	in.Pages = append(in.Pages, sheetPage("x.tif", code("11111", 1), "1", map[int]int{1: 50, 2: 51}))
	rep := mustReconcile(t, in)
	wantFindings(t, rep.Group(jan))
	other := rep.Group(key("11111", "2023-01"))
	if other == nil {
		t.Fatal("no group for the foreign sheet")
	}
	wantFindings(t, other, "foreign_sheet@1/0/")
	if other.Summary.Fustelle[FForeign] != 2 || !other.Sheets[0].Foreign {
		t.Errorf("foreign summary %+v", other.Summary)
	}
	// Another month of the same pharmacy is foreign too.
	in = cleanMonth()
	in.Pages = append(in.Pages, sheetPage("feb.tif", code("99999", 2), "1", map[int]int{1: 60}))
	rep = mustReconcile(t, in)
	wantFindings(t, rep.Group(key("99999", "2023-02")), "foreign_sheet@1/0/")
}

func TestHeadTailMismatch(t *testing.T) {
	t.Parallel()
	in := cleanMonth()
	in.Pages[1].Sheet.TailCode = page.CodeOf(sheet.MustParseCode(code("99999", 2)))
	in.Pages[1].Status = page.Review
	in.Pages[1].Reasons = because(page.ReasonHeadTailMismatch)
	g := mustReconcile(t, in).Group(jan)
	// The page is in review: its fustelle wait for a person, and so do the
	// records assigned to it.
	wantFindings(t, g, "head_tail_mismatch@2/0/", "unreadable@2/0/", "unreadable@2/1/R4", "unreadable@2/2/R5")
	if f := findingOf(g, HeadTailMismatch); !strings.Contains(f.Detail, "tail code 12020599999022023") {
		t.Errorf("detail %q", f.Detail)
	}
	if r := recordOf(g, "R4"); r.Match != MUnverifiable || r.Account != AUnmatched {
		t.Errorf("R4 = %+v", r)
	}
}

func TestNonzeroAmount(t *testing.T) {
	t.Parallel()
	in := cleanMonth()
	in.Declarations[0].GrossAmount = 1250
	g := mustReconcile(t, in).Group(jan)
	wantFindings(t, g, "nonzero_amount")
	wantDetail(t, g, "gross amount 12.50 and ticket 0.00")
}

func TestCountMismatch(t *testing.T) {
	t.Parallel()
	in := cleanMonth()
	in.Pages[0].Sheet.DeclaredCount = page.Int(4)
	in.Pages[1].Sheet.DeclaredCount = page.Int(2) // right
	g := mustReconcile(t, in).Group(jan)
	wantFindings(t, g, "count_mismatch@1/0/")
	wantDetail(t, g, "4 fustelle written on the sheet, 3 found")
}

func TestUnrecordedFustella(t *testing.T) {
	t.Parallel()
	in := cleanMonth()
	in.Pages[0] = sheetPage("s1.tif", code("99999", 1), "1", map[int]int{1: 1, 2: 2, 3: 3, 4: 9})
	g := mustReconcile(t, in).Group(jan)
	wantFindings(t, g, "unrecorded_fustella@1/4/")
	if f := g.Findings[0]; f.Targatura != tgN(9) {
		t.Errorf("finding %+v", f)
	}
	if s := slotOutcome(g, "1", 4); s.Outcome != string(FUnrecorded) {
		t.Errorf("slot = %+v", s)
	}
}

func TestMissingFustella(t *testing.T) {
	t.Parallel()
	in := cleanMonth()
	in.Records = append(in.Records, rec("R9", 9, "2", 3), rec("R10", 10, "4", 1))
	g := mustReconcile(t, in).Group(jan)
	wantFindings(t, g, "missing_fustella@2/3/R9", "missing_fustella@4/1/R10")
	if r := recordOf(g, "R9"); r.Match != MMissing || r.Account != AUnmatched {
		t.Errorf("R9 = %+v", r)
	}
	if !strings.Contains(g.Findings[1].Detail, "sheet 4 was not delivered") {
		t.Errorf("detail %q", g.Findings[1].Detail)
	}
}

func TestSlotMismatch(t *testing.T) {
	t.Parallel()
	in := cleanMonth()
	in.Pages[0] = sheetPage("s1.tif", code("99999", 1), "1", map[int]int{1: 1, 2: 2, 5: 3})
	g := mustReconcile(t, in).Group(jan)
	wantFindings(t, g, "slot_mismatch@1/5/R3")
	if r := recordOf(g, "R3"); r.Match != MMatched || r.Account != APayable || r.FoundSlot != 5 {
		t.Errorf("R3 = %+v", r)
	}
}

func TestAICMismatch(t *testing.T) {
	t.Parallel()
	in := cleanMonth()
	in.Records[1].AIC = fustella.AIC(aicN(77))
	g := mustReconcile(t, in).Group(jan)
	wantFindings(t, g, "aic_mismatch@1/2/R2")
	wantDetail(t, g, "AIC read "+aicN(2)+", recorded "+aicN(77))
}

func TestDuplicateTargatura(t *testing.T) {
	t.Parallel()
	t.Run("two slots of one month", func(t *testing.T) {
		t.Parallel()
		in := cleanMonth()
		in.Pages[1] = sheetPage("s2.tif", code("99999", 1), "2", map[int]int{1: 4, 2: 5, 3: 1})
		g := mustReconcile(t, in).Group(jan)
		wantFindings(t, g, "duplicate_targatura@1/1/R1", "duplicate_targatura@2/3/")
		if s := slotOutcome(g, "2", 3); s.Outcome != string(FDuplicate) {
			t.Errorf("second copy: %+v", s)
		}
		if r := recordOf(g, "R1"); r.Account != AWithheld {
			t.Errorf("R1 = %+v, want withheld", r)
		}
	})
	t.Run("another pharmacy's record", func(t *testing.T) {
		t.Parallel()
		in := cleanMonth()
		other := rec("X1", 2, "1", 1)
		other.Pharmacy = "11111"
		in.Records = append(in.Records, other)
		rep := mustReconcile(t, in)
		wantFindings(t, rep.Group(jan), "duplicate_targatura@1/2/R2")
		og := rep.Group(key("11111", "2023-01"))
		wantFindings(t, og, "duplicate_targatura@1/1/X1", "missing_fustella@1/1/X1")
		if !strings.Contains(og.Findings[0].Detail+og.Findings[1].Detail, "sheet 1 slot 2 of 120-205-99999 2023-01") {
			t.Errorf("details %s", findingsString(og))
		}
	})
	t.Run("known to the system", func(t *testing.T) {
		t.Parallel()
		in := cleanMonth()
		in.Known = KnownMap{
			fustella.Targatura(tgN(5)): {{Key: key("22222", "2022-11"), Sheet: "4", Slot: 7}},
			// A sighting inside a group of the input is the input itself.
			fustella.Targatura(tgN(6)): {{Key: jan, Sheet: "D1", Slot: 1}},
		}
		g := mustReconcile(t, in).Group(jan)
		wantFindings(t, g, "duplicate_targatura@2/2/R5")
		wantDetail(t, g, "sheet 4 slot 7 of 120-205-22222 2022-11 (known)")
		if len(g.Payable) != 5 {
			t.Errorf("payable %v", payableIDs(g))
		}
	})
}

type failingKnown struct{}

func (failingKnown) Sightings([]fustella.Targatura) (map[fustella.Targatura][]Sighting, error) {
	return nil, errors.New("store down")
}

func TestKnownLookupError(t *testing.T) {
	t.Parallel()
	in := cleanMonth()
	in.Known = failingKnown{}
	if _, err := Reconcile(in); err == nil || !strings.Contains(err.Error(), "store down") {
		t.Errorf("err = %v", err)
	}
}

func TestSuspended(t *testing.T) {
	t.Parallel()
	in := cleanMonth()
	in.Records[2].State, in.Records[2].ClosedOn = records.Suspended, records.Record{}.ClosedOn // still open
	in.Records[3].ClosedOn = date("2023-02-03")                                                // closed in February
	rep := mustReconcile(t, in)
	g := rep.Group(jan)
	wantFindings(t, g, "suspended@1/3/R3", "suspended@2/1/R4")
	if got := strings.Join(payableIDs(g), ","); got != "R1,R2,R5,R6" {
		t.Errorf("January payable %s", got)
	}
	if r := recordOf(g, "R3"); r.Account != ASuspended || r.Match != MMatched {
		t.Errorf("R3 = %+v", r)
	}
	if r := recordOf(g, "R4"); r.Account != ACarried || r.PayableIn != "2023-02" {
		t.Errorf("R4 = %+v", r)
	}
	feb := rep.Group(key("99999", "2023-02"))
	if feb == nil || len(feb.Payable) != 1 || feb.Payable[0].RecordID != "R4" || feb.Payable[0].CarriedFrom != "2023-01" || feb.Payable[0].Sheet != "2" {
		t.Fatalf("February group: %+v", feb)
	}
	wantFindings(t, feb)
	if !strings.Contains(findingOf(g, Suspended).Detail, "suspended (not closed)") {
		t.Errorf("detail %s", findingsString(g))
	}
}

func TestUnsigned(t *testing.T) {
	t.Parallel()
	in := cleanMonth()
	in.Records[4].Signature, in.Records[4].SignedDocumentID = records.Unsigned, ""
	g := mustReconcile(t, in).Group(jan)
	wantFindings(t, g, "unsigned@2/2/R5")
	if r := recordOf(g, "R5"); r.Account != AUnsigned {
		t.Errorf("R5 = %+v", r)
	}
	if len(g.Payable) != 5 {
		t.Errorf("payable %v", payableIDs(g))
	}
}

func TestUnreadable(t *testing.T) {
	t.Parallel()
	t.Run("slot", func(t *testing.T) {
		t.Parallel()
		in := cleanMonth()
		s := &in.Pages[0].Slots[1] // slot 2, R2's
		s.State, s.AIC, s.Targatura, s.Flags = page.Unreadable, nil, nil, []page.Flag{page.FlagTargaturaUnread}
		in.Pages[0].Status, in.Pages[0].Reasons = page.OK, page.Reasons{}
		g := mustReconcile(t, in).Group(jan)
		// One finding, naming the record that is not reported missing.
		wantFindings(t, g, "unreadable@1/2/R2")
		if f := g.Findings[0]; !strings.Contains(f.Detail, "targatura_unread") || !strings.Contains(f.Detail, "not reported missing") {
			t.Errorf("detail %q", f.Detail)
		}
		if r := recordOf(g, "R2"); r.Match != MUnverifiable {
			t.Errorf("R2 = %+v", r)
		}
		if s := slotOutcome(g, "1", 2); s.Outcome != string(FUnreadable) || s.RecordID != "" {
			t.Errorf("slot = %+v", s)
		}
	})
	t.Run("slot on a coarse scan", func(t *testing.T) {
		t.Parallel()
		// low_resolution explains the unread slot; it doubts no identity,
		// so the page's other fustelle are matched as before.
		in := cleanMonth()
		s := &in.Pages[0].Slots[1]
		s.State, s.AIC, s.Targatura, s.Flags = page.Unreadable, nil, nil, []page.Flag{page.FlagTargaturaUnread}
		in.Pages[0].Status = page.Review
		in.Pages[0].Reasons = page.Reasons{{Kind: page.ReasonUnreadableSlot, Slots: []int{2}}, {Kind: page.ReasonLowResolution, Detail: "137 dpi"}}
		g := mustReconcile(t, in).Group(jan)
		wantFindings(t, g, "unreadable@1/2/R2")
		if g.Summary.Fustelle[FMatched] != 5 || recordOf(g, "R2").Match != MUnverifiable {
			t.Errorf("summary %+v, R2 %+v", g.Summary, recordOf(g, "R2"))
		}
	})
	t.Run("check digit", func(t *testing.T) {
		t.Parallel()
		in := cleanMonth()
		in.Pages[0].Slots[0].Targatura = page.Str("1000000010") // fails its check digit
		g := mustReconcile(t, in).Group(jan)
		wantFindings(t, g, "unreadable@1/1/R1")
		wantDetail(t, g, "check digit")
	})
	t.Run("page in review", func(t *testing.T) {
		t.Parallel()
		// The count is written and not read: its fustelle are matched, the
		// count is not checked, and one finding says so.
		in := cleanMonth()
		in.Pages[0].Status, in.Pages[0].Reasons = page.Review, because(page.ReasonCountUnread)
		g := mustReconcile(t, in).Group(jan)
		wantFindings(t, g, "unreadable@1/0/")
		if g.Summary.Fustelle[FMatched] != 6 || len(g.Payable) != 6 || g.Summary.RecordsMatch[MUnverifiable] != 0 {
			t.Errorf("summary %+v", g.Summary)
		}
		if d := findingOf(g, Unreadable).Detail; d != "count written but not read: not checked against the 3 fustelle found" {
			t.Errorf("detail %q", d)
		}
	})
	t.Run("unread progressive", func(t *testing.T) {
		t.Parallel()
		// Sheet 2's progressive is not read: it is the one gap, and the
		// one sheet that could be it, so nothing is missing; R4 and R5
		// are found by targatura in the slots they are assigned to.
		in := cleanMonth()
		in.Pages[1].Sheet.Progressive = nil
		in.Pages[1].Status, in.Pages[1].Reasons = page.Review, because(page.ReasonProgressiveUnread)
		g := mustReconcile(t, in).Group(jan)
		wantFindings(t, g, "unreadable")
		if f := g.Findings[0]; f.Source != "s2.tif" || !strings.HasPrefix(f.Detail, "progressive not read: slot assignment not checked against the sheet number") {
			t.Errorf("finding %+v", f)
		}
		if r := recordOf(g, "R5"); r.Match != MMatched || r.Account != APayable || r.FoundSheet != "" || r.FoundSlot != 2 {
			t.Errorf("R5 = %+v", r)
		}
		if g.ScannedSheets != 2 || len(g.Payable) != 6 {
			t.Errorf("scanned %d, payable %v", g.ScannedSheets, payableIDs(g))
		}
	})
	t.Run("unidentified page", func(t *testing.T) {
		t.Parallel()
		in := cleanMonth()
		in.Pages[2].Sheet.Code, in.Pages[2].Sheet.TailCode = nil, nil
		in.Pages[2].Status, in.Pages[2].Reasons = page.Rejected, because(page.ReasonHeadUnread, page.ReasonTailUnread)
		rep := mustReconcile(t, in)
		if len(rep.Findings) != 1 || rep.Findings[0].Kind != Unreadable || rep.Findings[0].Source != "d1.tif" {
			t.Fatalf("top findings %+v", rep.Findings)
		}
		// D1 is declared but not delivered, and R6 is missing: an
		// unidentified page is listed apart and the missing record says so
		// nowhere else, because nothing ties that page to this pharmacy.
		wantFindings(t, rep.Group(jan), "sheet_count_mismatch", "missing_progressive@D1/0/", "missing_fustella@D1/1/R6")
	})
	t.Run("head code unread, tail read", func(t *testing.T) {
		t.Parallel()
		in := cleanMonth()
		in.Pages[2].Sheet.Code = nil
		in.Pages[2].Status, in.Pages[2].Reasons = page.Review, because(page.ReasonHeadUnread)
		g := mustReconcile(t, in).Group(jan)
		wantFindings(t, g, "unreadable@D1/0/", "unreadable@D1/1/R6")
	})
}

func TestRuleBrokenAndDuplicateDeclaration(t *testing.T) {
	t.Parallel()
	in := cleanMonth()
	in.Pages[0].Slots[0].Flags = []page.Flag{page.FlagUpsideDown, page.FlagOCROnly}
	d := decl(records.REGFUS, 5)
	d.Pos = records.Position{File: "e.csv", Line: 9}
	in.Declarations = append(in.Declarations, d)
	g := mustReconcile(t, in).Group(jan)
	wantFindings(t, g, "rule_broken@1/1/", "duplicate_declaration")
	if f := findingOf(g, RuleBroken); f.Detail != "the fustella is upside down (rule b)" {
		t.Errorf("detail %q", f.Detail)
	}
	if *g.DeclaredSheets != 2 {
		t.Errorf("declared %d: the first declaration must be used", *g.DeclaredSheets)
	}
}

func TestDuplicateRecordsInOneMonth(t *testing.T) {
	t.Parallel()
	in := cleanMonth()
	// Two records of the same pack (from two files), one fustella.
	twin := rec("R1b", 1, "1", 1)
	twin.Pos = records.Position{File: "other.csv", Line: 2}
	in.Records = append(in.Records, twin)
	g := mustReconcile(t, in).Group(jan)
	wantFindings(t, g, "duplicate_targatura@1/1/R1", "duplicate_targatura@1/1/R1b")
	if r := recordOf(g, "R1b"); r.Match != MDuplicate {
		t.Errorf("R1b = %+v", r)
	}
}

func TestSlotMissingFromResult(t *testing.T) {
	t.Parallel()
	in := cleanMonth()
	in.Pages[1].Slots = in.Pages[1].Slots[2:] // the result lists slots 3-28 only
	in.Pages[1].Slots = append(in.Pages[1].Slots, page.Slot{Slot: 40, State: page.Empty})
	g := mustReconcile(t, in).Group(jan)
	wantFindings(t, g, "unreadable@2/0/", "unreadable@2/1/R4", "unreadable@2/2/R5")
	if s := slotOutcome(g, "2", 1); s.Outcome != SlotUnknown {
		t.Errorf("slot = %+v", s)
	}
}

func TestEmptyInput(t *testing.T) {
	t.Parallel()
	rep := mustReconcile(t, Input{})
	if len(rep.Groups) != 0 || len(rep.Findings) != 0 {
		t.Errorf("report %+v", rep)
	}
}

// TestRecordsNotFromTheImporter: records built by hand (a store, a test)
// may break the importer's rules; reconciliation must not fall over.
func TestRecordsNotFromTheImporter(t *testing.T) {
	t.Parallel()
	in := cleanMonth()
	odd := rec("R99", 99, "1", 1)
	odd.Slot = 0
	odd2 := rec("R98", 98, "2", 40)
	in.Records = append(in.Records, odd, odd2)
	g := mustReconcile(t, in).Group(jan)
	wantFindings(t, g, "missing_fustella@1/0/R99", "missing_fustella@2/40/R98")
}

// asRead turns a clean page into what the reader reports for most real
// pages: in review, the handwritten progressive (and count and date, when
// written) not read.
func asRead(p *page.Result, count, date bool) {
	p.Status = page.Review
	p.Sheet.Progressive, p.Sheet.DeclaredCount, p.Sheet.Date = nil, nil, nil
	p.Sheet.Written = &page.Written{Progressive: true, Count: count, Date: date}
	p.Reasons = because(page.ReasonProgressiveUnread)
	if count {
		p.Reasons = append(p.Reasons, page.Reason{Kind: page.ReasonCountUnread})
	}
	if date {
		p.Reasons = append(p.Reasons, page.Reason{Kind: page.ReasonDateUnread})
	}
}

// TestValueLevelDoubt: on a page whose identity is certain, what was read
// for sure is reconciled whatever the page's status; what was not is an
// unreadable finding, and the checks that need it are not made.
func TestValueLevelDoubt(t *testing.T) {
	t.Parallel()
	t.Run("progressive unread: matched and payable, no slot_mismatch", func(t *testing.T) {
		t.Parallel()
		in := cleanMonth()
		asRead(&in.Pages[0], false, false)
		g := mustReconcile(t, in).Group(jan)
		// The one gap (sheet 1) is the one unnumbered page: nothing missing.
		wantFindings(t, g, "unreadable")
		if f := g.Findings[0]; f.Source != "s1.tif" || f.Slot != 0 || !strings.HasPrefix(f.Detail, "progressive not read:") {
			t.Errorf("finding %+v", f)
		}
		if got := strings.Join(payableIDs(g), ","); got != "R1,R2,R3,R4,R5,R6" {
			t.Errorf("payable %s", got)
		}
		if r := recordOf(g, "R2"); r.Match != MMatched || r.FoundSlot != 2 || r.FoundSheet != "" {
			t.Errorf("R2 = %+v", r)
		}
		if g.Summary.Fustelle[FMatched] != 6 || g.Sheets[len(g.Sheets)-1].Status != page.Review {
			t.Errorf("summary %+v, sheets %+v", g.Summary, g.Sheets)
		}
	})
	t.Run("progressive unread: the slot number is still compared", func(t *testing.T) {
		t.Parallel()
		in := cleanMonth()
		asRead(&in.Pages[0], false, false)
		in.Records[2].Slot = 9    // R3 is in slot 3
		in.Records[1].Sheet.N = 2 // R2: the sheet number cannot be checked
		in.Records[1].Slot = 2
		g := mustReconcile(t, in).Group(jan)
		wantFindings(t, g, "unreadable", "slot_mismatch@/3/R3")
		if f := findingOf(g, SlotMismatch); f.Detail != "recorded on sheet 1 slot 9, found on the sheet at s1.tif p.1 (progressive not read) slot 3" {
			t.Errorf("detail %q", f.Detail)
		}
		if len(g.Payable) != 6 {
			t.Errorf("payable %v", payableIDs(g))
		}
	})
	t.Run("head_tail_mismatch: matches nothing", func(t *testing.T) {
		t.Parallel()
		in := cleanMonth()
		asRead(&in.Pages[0], false, false)
		in.Pages[0].Sheet.TailCode = page.CodeOf(sheet.MustParseCode(code("99999", 2)))
		in.Pages[0].Reasons = append(in.Pages[0].Reasons, page.Reason{Kind: page.ReasonHeadTailMismatch})
		g := mustReconcile(t, in).Group(jan)
		wantFindings(t, g, "head_tail_mismatch", "unreadable", "unreadable@1/1/R1", "unreadable@1/2/R2", "unreadable@1/3/R3")
		if got := strings.Join(payableIDs(g), ","); got != "R4,R5,R6" {
			t.Errorf("payable %s", got)
		}
		if g.Summary.Fustelle[FUnreadable] != 3 || g.Summary.Fustelle[FMatched] != 3 || g.Summary.RecordsMatch[MUnverifiable] != 3 {
			t.Errorf("summary %+v", g.Summary)
		}
		// The page's own finding says why; no finding per slot or field.
		for _, f := range g.Findings {
			if f.Kind == Unreadable && f.Source == "s1.tif" && !strings.Contains(f.Detail, "sheet identity not certain: head code 12020599999012023 and tail code 12020599999022023 disagree") {
				t.Errorf("detail %q", f.Detail)
			}
		}
	})
	t.Run("identity doubted by the head digits, or by a reason not about values", func(t *testing.T) {
		t.Parallel()
		for _, reason := range []page.Reason{{Kind: page.ReasonHeadTailMismatch, Detail: "head digits read 12020599999022023"}, {Kind: page.ReasonInvalidCode}, {Kind: page.ReasonTimeout, Detail: "slots"}} {
			in := cleanMonth()
			in.Pages[1].Status, in.Pages[1].Reasons = page.Review, page.Reasons{reason}
			g := mustReconcile(t, in).Group(jan)
			if g.Summary.Fustelle[FUnreadable] != 2 || len(g.Payable) != 4 {
				t.Errorf("%s: summary %+v, payable %v", reason, g.Summary, payableIDs(g))
			}
		}
	})
	t.Run("tail barcode unread: the head code is enough", func(t *testing.T) {
		t.Parallel()
		in := cleanMonth()
		in.Pages[1].Status, in.Pages[1].Reasons = page.Review, because(page.ReasonTailUnread)
		in.Pages[1].Sheet.TailCode = nil
		g := mustReconcile(t, in).Group(jan)
		wantFindings(t, g)
		if len(g.Payable) != 6 {
			t.Errorf("payable %v", payableIDs(g))
		}
	})
	t.Run("one unreadable slot: the others are matched", func(t *testing.T) {
		t.Parallel()
		in := cleanMonth()
		p := &in.Pages[0]
		p.Status, p.Reasons = page.Review, page.Reasons{{Kind: page.ReasonUnreadableSlot, Slots: []int{2}}}
		// Slot 2: the targatura read by bars alone, the AICs disagree.
		p.Slots[1].State, p.Slots[1].AIC = page.Unreadable, nil
		p.Slots[1].Flags = []page.Flag{page.FlagAICDisagree, page.FlagBarsOnly}
		// Slot 3: both codes given, but the targatura reads disagree.
		p.Slots[2].Flags = []page.Flag{page.FlagTargaturaDisagree}
		g := mustReconcile(t, in).Group(jan)
		wantFindings(t, g, "unreadable@1/2/R2", "unreadable@1/3/R3")
		if got := strings.Join(payableIDs(g), ","); got != "R1,R4,R5,R6" {
			t.Errorf("payable %s", got)
		}
		if f := g.Findings[0]; !strings.Contains(f.Detail, "slot unreadable (aic_disagree, bars_only); record R2 could be this fustella") {
			t.Errorf("detail %q", f.Detail)
		}
		if f := g.Findings[1]; !strings.Contains(f.Detail, "codes read with doubt (targatura_disagree)") {
			t.Errorf("detail %q", f.Detail)
		}
		if r := recordOf(g, "R3"); r.Match != MUnverifiable {
			t.Errorf("R3 = %+v", r)
		}
		if s := slotOutcome(g, "1", 2); s.Outcome != string(FUnreadable) || s.Targatura != tgN(2) {
			t.Errorf("slot 2 = %+v", s)
		}
	})
	t.Run("a targatura read on an unreadable slot elsewhere", func(t *testing.T) {
		t.Parallel()
		// R9 is assigned to sheet 2 slot 9, read empty, but its targatura
		// was read on an unreadable slot of sheet 1: not missing.
		in := cleanMonth()
		in.Records = append(in.Records, rec("R9", 9, "2", 9))
		p := &in.Pages[0]
		p.Status, p.Reasons = page.Review, because(page.ReasonUnreadableSlot)
		p.Slots[9] = page.Slot{Slot: 10, State: page.Unreadable, Targatura: page.Str(tgN(9)), Flags: []page.Flag{page.FlagAICUnread}}
		g := mustReconcile(t, in).Group(jan)
		wantFindings(t, g, "unreadable@1/10/R9")
		if r := recordOf(g, "R9"); r.Match != MUnverifiable {
			t.Errorf("R9 = %+v", r)
		}
	})
	t.Run("count and date: only a written box that was not read", func(t *testing.T) {
		t.Parallel()
		in := cleanMonth()
		in.Pages[0].Sheet.Written = &page.Written{Progressive: true} // empty count and date boxes
		in.Pages[1].Sheet.Written = &page.Written{Progressive: true, Count: true, Date: true}
		in.Pages[1].Status, in.Pages[1].Reasons = page.Review, because(page.ReasonCountUnread, page.ReasonDateUnread)
		in.Pages[2].Sheet.DeclaredCount, in.Pages[2].Sheet.Date = page.Int(1), page.Str("2023-01-20")
		in.Pages[2].Sheet.Written = &page.Written{Progressive: true, Count: true, Date: true}
		g := mustReconcile(t, in).Group(jan)
		wantFindings(t, g, "unreadable@2/0/") // one line for the page's fields
		if d := findingsString(g); !strings.Contains(d, "count written but not read: not checked against the 2 fustelle found") ||
			!strings.Contains(d, "date written but not read") {
			t.Errorf("details:\n%s", d)
		}
		if len(g.Payable) != 6 {
			t.Errorf("payable %v", payableIDs(g))
		}
	})
	t.Run("every progressive unread: missing and unverifiable records", func(t *testing.T) {
		t.Parallel()
		in := cleanMonth()
		for i := range in.Pages {
			asRead(&in.Pages[i], false, false)
		}
		// R9's sheet 2 slot 5 is read for sure (empty) on every page
		// that could be sheet 2: missing. R10's slot 6 is unreadable on
		// one of them: unverifiable, named by that slot's finding.
		in.Records = append(in.Records, rec("R9", 9, "2", 5), rec("R10", 10, "2", 6))
		in.Pages[2].Slots[5] = page.Slot{Slot: 6, State: page.Unreadable, Flags: []page.Flag{page.FlagAICUnread, page.FlagTargaturaUnread}}
		g := mustReconcile(t, in).Group(jan)
		wantFindings(t, g, "unreadable", "unreadable", "unreadable", "missing_fustella@2/5/R9", "unreadable@/6/R10")
		if f := findingOf(g, MissingFustella); !strings.HasSuffix(f.Detail, "none was read as 2, and slot 5 is read for sure on the 3 whose progressive was not read") {
			t.Errorf("detail %q", f.Detail)
		}
		if r := recordOf(g, "R10"); r.Match != MUnverifiable {
			t.Errorf("R10 = %+v", r)
		}
		if len(g.Payable) != 6 {
			t.Errorf("payable %v", payableIDs(g))
		}
	})
	t.Run("more gaps than unnumbered pages", func(t *testing.T) {
		t.Parallel()
		in := cleanMonth()
		asRead(&in.Pages[0], false, false)
		asRead(&in.Pages[1], false, false)
		in.Declarations[0].Sheets = 4
		g := mustReconcile(t, in).Group(jan)
		wantFindings(t, g, "sheet_count_mismatch", "missing_progressive", "unreadable", "unreadable")
		if f := findingOf(g, MissingProgressive); f.Sheet != "" ||
			f.Detail != "no delivered sheet was read as 1, 2, 3, 4; 2 delivered sheets have an unread progressive and may be 2 of these: at least 2 are missing" {
			t.Errorf("finding %+v", f)
		}
	})
}
