package reconcile

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/regfus/regfus/fustella"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/records"
	"github.com/regfus/regfus/sheet"
)

// The synthetic corpus testdata/scans/ (issue 3) comes with the ground
// truth of every page. These tests turn the truth into what a perfect
// reader would report, plus the declarations and records a pharmacy would
// have sent for those sheets, then inject one discrepancy at a time and
// check that reconciliation reports exactly it. Only the fields needed are
// decoded, so the truth format may grow freely.

type truthFile struct {
	Pages []struct {
		File  string `json:"file"`
		Page  int    `json:"page"`
		Sheet struct {
			Code          string `json:"code"`
			TailCode      string `json:"tail_code"`
			Progressive   string `json:"progressive"`
			Dispensario   bool   `json:"dispensario"`
			DeclaredCount *int   `json:"declared_count"`
			Date          string `json:"date"`
		} `json:"sheet"`
		Slots []struct {
			Slot      int      `json:"slot"`
			State     string   `json:"state"`
			AIC       string   `json:"aic"`
			Targatura string   `json:"targatura"`
			Defects   []string `json:"defects"`
		} `json:"slots"`
		Defects []string `json:"defects"`
	} `json:"pages"`
}

// corpus is the truth as a reconciliation input, and what it implies.
type corpus struct {
	in Input
	// countMismatch: pages (source#page) labelled count_mismatch.
	countMismatch map[string]bool
	// broken: slots (source#page/slot) labelled overlap, crossing or upside_down.
	broken map[string]bool
	// duplicates: slots labelled duplicate, and the slots they copy.
	duplicates map[string]bool
	// blank: per group, the numbers of the sheets whose progressive was
	// left blank.
	blank map[sheet.Key][]string
	// missing: per group, the progressives a reader cannot see: those left
	// blank and those absent from the numbering.
	missing map[sheet.Key][]string
}

func loadCorpus(t *testing.T) *corpus {
	t.Helper()
	files, _ := filepath.Glob("../testdata/scans/*.truth.json")
	if len(files) == 0 {
		t.Fatal("no ground truth in testdata/scans")
	}
	c := &corpus{countMismatch: map[string]bool{}, broken: map[string]bool{}, duplicates: map[string]bool{}, blank: map[sheet.Key][]string{}, missing: map[sheet.Key][]string{}}
	type assigned struct {
		sheet string
		slot  int
	}
	firstAt := map[string]string{} // targatura -> first slot seen
	var recs []records.Record
	lastProg := map[string]int{}     // sheet code -> last regular progressive seen
	lastD := map[string]int{}        // and dispensario one
	sheets := map[sheet.Key][2]int{} // regular, dispensario pages
	known := map[sheet.Key]map[string]bool{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var tf truthFile
		if err := json.Unmarshal(data, &tf); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, tp := range tf.Pages {
			code, err := sheet.ParseCode(tp.Sheet.Code)
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			key := code.Key()
			res := page.Result{Source: tp.File, Page: tp.Page, Status: page.OK, Reasons: page.Reasons{}, LayoutVersion: 1,
				Sheet: page.Sheet{Code: page.CodeOf(sheet.MustParseCode(tp.Sheet.Code)), TailCode: page.CodeOf(sheet.MustParseCode(tp.Sheet.TailCode)), DeclaredCount: tp.Sheet.DeclaredCount}}
			if tp.Sheet.Date != "" {
				res.Sheet.Date = page.Str(tp.Sheet.Date)
			}
			// The counter software knows the number of a sheet whose
			// progressive was left blank: the one after the previous sheet.
			prog := tp.Sheet.Progressive
			if prog != "" {
				res.Sheet.Progressive = page.Str(prog)
				if p, err := sheet.ParseProgressive(prog); err == nil && !p.Dispensario {
					lastProg[tp.Sheet.Code] = p.N
				} else if err == nil {
					lastD[tp.Sheet.Code] = p.N
				}
			} else if tp.Sheet.Dispensario {
				lastD[tp.Sheet.Code]++
				prog = "D" + strconv.Itoa(lastD[tp.Sheet.Code])
				c.blank[key] = append(c.blank[key], prog)
			} else {
				lastProg[tp.Sheet.Code]++
				prog = strconv.Itoa(lastProg[tp.Sheet.Code])
				c.blank[key] = append(c.blank[key], prog)
			}
			if tp.Sheet.Progressive != "" {
				if known[key] == nil {
					known[key] = map[string]bool{}
				}
				known[key][prog] = true
			}
			n := sheets[key]
			if strings.HasPrefix(prog, "D") {
				n[1]++
			} else {
				n[0]++
			}
			sheets[key] = n
			where := fmt.Sprintf("%s#%d", tp.File, tp.Page)
			if slices.Contains(tp.Defects, "count_mismatch") {
				c.countMismatch[where] = true
			}
			for _, ts := range tp.Slots {
				s := page.Slot{Slot: ts.Slot, State: page.Empty, Flags: []page.Flag{}}
				if ts.State == "filled" {
					s.State, s.AIC, s.Targatura, s.Confidence = page.Filled, page.Str(ts.AIC), page.Str(ts.Targatura), 1
					at := fmt.Sprintf("%s/%d", where, ts.Slot)
					for _, d := range ts.Defects {
						// The truth names a broken rule as its flag.
						if f := page.Flag(d); f.Rule() {
							s.Flags = append(s.Flags, f)
							c.broken[at] = true
						}
					}
					if first, dup := firstAt[ts.Targatura]; dup {
						c.duplicates[at], c.duplicates[first] = true, true
					} else {
						firstAt[ts.Targatura] = at
						pr, _ := sheet.ParseProgressive(prog)
						day := time.Date(code.Year, time.Month(code.Month), 10, 0, 0, 0, 0, time.UTC)
						id := fmt.Sprintf("%s-%s-%02d", code.Pharmacy, prog, ts.Slot)
						recs = append(recs, records.Record{ID: id, Key: code.Key(),
							DispensedOn: day, Prescription: "NRE" + id,
							AIC: fustella.AIC(ts.AIC), Targatura: fustella.Targatura(ts.Targatura), Sheet: pr, Slot: ts.Slot,
							State: records.Closed, ClosedOn: day, Signature: records.Digital, SignedDocumentID: "SD-" + id,
							Pos: records.Position{File: "corpus-records.csv", Line: len(recs) + 2}})
					}
				}
				res.Slots = append(res.Slots, s)
			}
			c.in.Pages = append(c.in.Pages, res)
		}
	}
	c.in.Records = recs
	keys := make([]sheet.Key, 0, len(sheets))
	for k := range sheets {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].Compare(keys[j]) < 0 })
	for _, k := range keys {
		n := sheets[k]
		for _, d := range []string{"", "D"} {
			top := n[0]
			if d == "D" {
				top = n[1]
			}
			for p := range known[k] {
				if pr, err := sheet.ParseProgressive(p); err == nil && pr.Dispensario == (d == "D") {
					top = max(top, pr.N)
				}
			}
			for i := 1; i <= top; i++ {
				if !known[k][d+strconv.Itoa(i)] {
					c.missing[k] = append(c.missing[k], d+strconv.Itoa(i))
				}
			}
		}
		c.in.Declarations = append(c.in.Declarations, records.Declaration{Key: k,
			Bundle: records.REGFUS, Sheets: n[0], Pos: records.Position{File: "corpus-dcr.csv", Line: 2}})
		if n[1] > 0 {
			c.in.Declarations = append(c.in.Declarations, records.Declaration{Key: k,
				Bundle: records.REGFUSD, Sheets: n[1], Pos: records.Position{File: "corpus-dcr.csv", Line: 3}})
		}
	}
	return c
}

// findingSet lists a report's findings as comparable strings.
func findingSet(rep *Report) []string {
	var out []string
	for _, g := range rep.Groups {
		for _, f := range g.Findings {
			out = append(out, fmt.Sprintf("%s %s sheet=%s slot=%d rec=%s src=%s#%d", g.Key, f.Kind, f.Sheet, f.Slot, f.RecordID, f.Source, f.Page))
		}
	}
	for _, f := range rep.Findings {
		out = append(out, fmt.Sprintf("- %s src=%s#%d", f.Kind, f.Source, f.Page))
	}
	sort.Strings(out)
	return out
}

// added returns the findings in b and not in a (as multisets).
func added(a, b []string) []string {
	count := map[string]int{}
	for _, s := range a {
		count[s]++
	}
	var out []string
	for _, s := range b {
		if count[s] > 0 {
			count[s]--
			continue
		}
		out = append(out, s)
	}
	return out
}

// TestCorpusAsRead: the corpus read perfectly, with the declarations and
// records that match it, gives exactly the findings its truth labels
// imply, and every record but the duplicated ones is payable. A sheet
// whose progressive was left blank is one unreadable finding (the
// progressive is required), and no progressive is reported missing that
// such a sheet could be.
func TestCorpusAsRead(t *testing.T) {
	t.Parallel()
	c := loadCorpus(t)
	rep := mustReconcile(t, c.in)
	got := map[Kind]int{}
	for _, g := range rep.Groups {
		var missing []string
		unread := 0
		for _, f := range g.Findings {
			got[f.Kind]++
			at := fmt.Sprintf("%s#%d", f.Source, f.Page)
			switch f.Kind {
			case CountMismatch:
				if !c.countMismatch[at] {
					t.Errorf("count_mismatch on %s, not labelled", at)
				}
			case RuleBroken:
				if !c.broken[fmt.Sprintf("%s/%d", at, f.Slot)] {
					t.Errorf("rule_broken on %s slot %d, not labelled", at, f.Slot)
				}
			case DuplicateTargatura:
				if !c.duplicates[fmt.Sprintf("%s/%d", at, f.Slot)] {
					t.Errorf("duplicate_targatura on %s slot %d, not labelled", at, f.Slot)
				}
			case MissingProgressive:
				// Progressives absent from the corpus's numbering, one
				// finding each; with sheets left blank, one finding for all.
				missing = append(missing, f.Sheet)
				if blank := len(c.blank[g.Key]) > 0; blank != (f.Sheet == "") {
					t.Errorf("missing_progressive %q: %s (%d sheets left blank)", f.Sheet, f.Detail, len(c.blank[g.Key]))
				}
			case Unreadable:
				unread++
				if f.Sheet != "" || f.Slot != 0 || !strings.HasPrefix(f.Detail, "progressive not read: ") {
					t.Errorf("unreadable in %s: sheet %q slot %d: %s", g.Key, f.Sheet, f.Slot, f.Detail)
				}
			default:
				t.Errorf("unexpected %s in %s: sheet %s slot %d: %s", f.Kind, g.Key, f.Sheet, f.Slot, f.Detail)
			}
		}
		slices.Sort(missing)
		want := slices.Clone(c.missing[g.Key])
		slices.Sort(want)
		if blank := len(c.blank[g.Key]); blank > 0 {
			// c.missing holds the blank ones too: a finding only when
			// there are more gaps than blank sheets.
			want = nil
			if len(c.missing[g.Key]) > blank {
				want = []string{""}
			}
		}
		if !slices.Equal(missing, want) {
			t.Errorf("%s: missing progressives %q, want %q (left blank: %v, gaps: %v)", g.Key, missing, want, c.blank[g.Key], c.missing[g.Key])
		}
		if unread != len(c.blank[g.Key]) {
			t.Errorf("%s: %d unreadable findings, want one per sheet left blank (%v)", g.Key, unread, c.blank[g.Key])
		}
	}
	if got[CountMismatch] != len(c.countMismatch) || got[RuleBroken] != len(c.broken) || got[DuplicateTargatura] != len(c.duplicates) {
		t.Errorf("findings %v; truth labels %d count mismatches, %d broken rules, %d duplicated slots",
			got, len(c.countMismatch), len(c.broken), len(c.duplicates))
	}
	dupRecords := len(c.duplicates) / 2
	if rep.Totals.RecordsAccount[APayable] != len(c.in.Records)-dupRecords || rep.Totals.RecordsAccount[AWithheld] != dupRecords {
		t.Errorf("accounts %v for %d records, %d duplicated", rep.Totals.RecordsAccount, len(c.in.Records), dupRecords)
	}
}

// TestCorpusInjected injects each discrepancy into the corpus and checks
// that the findings added are exactly the expected ones.
func TestCorpusInjected(t *testing.T) {
	t.Parallel()
	base := loadCorpus(t)
	baseRep := mustReconcile(t, base.in)
	baseFindings := findingSet(baseRep)
	// A page and record to play with: the first page with a fustella in
	// slot 1 and a known progressive, and that fustella's record.
	// A page with no duplicated fustella and no broken rule.
	pi, ri := -1, -1
pages:
	for i, p := range base.in.Pages {
		if p.Sheet.Progressive == nil || strings.HasPrefix(*p.Sheet.Progressive, "D") || p.Slots[0].State != page.Filled {
			continue
		}
		for _, s := range p.Slots {
			at := fmt.Sprintf("%s#%d/%d", p.Source, p.Page, s.Slot)
			if base.duplicates[at] || base.broken[at] {
				continue pages
			}
		}
		for j, r := range base.in.Records {
			if string(r.Targatura) == *p.Slots[0].Targatura {
				pi, ri = i, j
				break pages
			}
		}
	}
	if pi < 0 {
		t.Fatal("no usable page in the corpus")
	}
	p0 := base.in.Pages[pi]
	r0 := base.in.Records[ri]
	g0 := r0.Key
	src := fmt.Sprintf("%s#%d", p0.Source, p0.Page)
	prog := *p0.Sheet.Progressive
	// Consequences that show only when the base does not already have them.
	ifNew := func(f string) string {
		if slices.Contains(baseFindings, f) {
			return "~"
		}
		return f
	}
	countMismatch := ifNew(fmt.Sprintf("%s sheet_count_mismatch sheet= slot=0 rec= src=#0", g0))
	// The highest regular progressive a reader sees in g0, or declared.
	top := declaredRegular(base.in, g0)
	for _, p := range base.in.Pages {
		if p.Sheet.Progressive != nil && p.Sheet.Code.Key() == g0 {
			if pr, err := sheet.ParseProgressive(*p.Sheet.Progressive); err == nil && !pr.Dispensario {
				top = max(top, pr.N)
			}
		}
	}
	setDeclared := func(in *Input, n int) {
		for i := range in.Declarations {
			if in.Declarations[i].Pharmacy == g0.Pharmacy && in.Declarations[i].Competence == g0.Competence && in.Declarations[i].Bundle == records.REGFUS {
				in.Declarations[i].Sheets = n
			}
		}
	}
	clone := func() Input {
		in := base.in
		in.Pages = slices.Clone(base.in.Pages)
		in.Records = slices.Clone(base.in.Records)
		in.Declarations = slices.Clone(base.in.Declarations)
		p := in.Pages[pi]
		p.Slots = slices.Clone(p.Slots)
		p.Sheet.TailCode = page.CodeOf(*p.Sheet.TailCode)
		in.Pages[pi] = p
		return in
	}
	for _, tc := range []struct {
		kind   Kind
		inject func(in *Input)
		want   []string
	}{
		{SheetCountMismatch, func(in *Input) {
			// Declared far fewer than delivered: no missing progressive.
			setDeclared(in, 1)
		}, []string{countMismatch}},
		{DuplicateProgressive, func(in *Input) {
			other := in.Pages[pi]
			other.Source, other.Slots = "extra.tif", nil
			for n := 1; n <= 28; n++ {
				other.Slots = append(other.Slots, page.Slot{Slot: n, State: page.Empty})
			}
			other.Sheet.DeclaredCount = nil
			in.Pages = append(in.Pages, other)
		}, []string{fmt.Sprintf("%s duplicate_progressive sheet=%s slot=0 rec= src=extra.tif#1", g0, prog), countMismatch}},
		{MissingProgressive, func(in *Input) {
			setDeclared(in, top+1)
		}, []string{countMismatch, fmt.Sprintf("%s missing_progressive sheet=%d slot=0 rec= src=#0", g0, top+1)}},
		{ForeignSheet, func(in *Input) {
			other := in.Pages[pi]
			other.Source = "foreign.tif"
			other.Sheet.Code = page.CodeOf(sheet.MustParseCode("12020599999012023"))
			other.Sheet.TailCode = other.Sheet.Code
			in.Pages = append(in.Pages, other)
		}, []string{fmt.Sprintf("120-205-99999 2023-01 foreign_sheet sheet=%s slot=0 rec= src=foreign.tif#1", prog),
			// Its fustelle are the same packs as on the page it copies.
			"+duplicates"}},
		{HeadTailMismatch, func(in *Input) {
			in.Pages[pi].Sheet.TailCode = page.CodeOf(sheet.MustParseCode("12020599999012023"))
			in.Pages[pi].Status, in.Pages[pi].Reasons = page.Review, because(page.ReasonHeadTailMismatch)
		}, []string{fmt.Sprintf("%s head_tail_mismatch sheet=%s slot=0 rec= src=%s", g0, prog, src),
			// The identity is not certain: the page contributes nothing,
			// and the records of its fustelle wait for a person.
			fmt.Sprintf("%s unreadable sheet=%s slot=0 rec= src=%s", g0, prog, src), "+unverifiable"}},
		{NonzeroAmount, func(in *Input) {
			for i := range in.Declarations {
				if in.Declarations[i].Pharmacy == g0.Pharmacy && in.Declarations[i].Bundle == records.REGFUS {
					in.Declarations[i].Ticket = 200
				}
			}
		}, []string{fmt.Sprintf("%s nonzero_amount sheet= slot=0 rec= src=#0", g0)}},
		{CountMismatch, func(in *Input) {
			in.Pages[pi].Sheet.DeclaredCount = page.Int(29)
		}, []string{fmt.Sprintf("%s count_mismatch sheet=%s slot=0 rec= src=%s", g0, prog, src)}},
		{UnrecordedFustella, func(in *Input) {
			in.Records = slices.Delete(in.Records, ri, ri+1)
		}, []string{fmt.Sprintf("%s unrecorded_fustella sheet=%s slot=1 rec= src=%s", g0, prog, src)}},
		{MissingFustella, func(in *Input) {
			in.Pages[pi].Slots[0] = page.Slot{Slot: 1, State: page.Empty}
		}, []string{fmt.Sprintf("%s missing_fustella sheet=%s slot=1 rec=%s src=#0", g0, prog, r0.ID), "~count_mismatch"}},
		{SlotMismatch, func(in *Input) {
			in.Records[ri].Slot = 28
			if in.Pages[pi].Slots[27].State != page.Empty {
				in.Records[ri].Slot = 27 // any other slot will do
			}
		}, []string{fmt.Sprintf("%s slot_mismatch sheet=%s slot=1 rec=%s src=%s", g0, prog, r0.ID, src)}},
		{AICMismatch, func(in *Input) {
			a, _ := fustella.NewAIC("01234567")
			in.Records[ri].AIC = a
		}, []string{fmt.Sprintf("%s aic_mismatch sheet=%s slot=1 rec=%s src=%s", g0, prog, r0.ID, src)}},
		{DuplicateTargatura, func(in *Input) {
			// Another pharmacy recorded the same pack in another month.
			r := in.Records[ri]
			r.ID, r.Region, r.ASL, r.Pharmacy, r.Competence = "X1", "120", "205", "99999", "2023-01"
			r.DispensedOn, r.ClosedOn = time.Date(2023, 1, 5, 0, 0, 0, 0, time.UTC), time.Date(2023, 1, 5, 0, 0, 0, 0, time.UTC)
			in.Records = append(in.Records, r)
		}, []string{fmt.Sprintf("%s duplicate_targatura sheet=%s slot=1 rec=%s src=%s", g0, prog, r0.ID, src),
			fmt.Sprintf("120-205-99999 2023-01 duplicate_targatura sheet=%s slot=%d rec=X1 src=#0", r0.Sheet, r0.Slot),
			fmt.Sprintf("120-205-99999 2023-01 missing_fustella sheet=%s slot=%d rec=X1 src=#0", r0.Sheet, r0.Slot)}},
		{Suspended, func(in *Input) {
			in.Records[ri].State, in.Records[ri].ClosedOn = records.Suspended, time.Time{}
		}, []string{fmt.Sprintf("%s suspended sheet=%s slot=1 rec=%s src=#0", g0, prog, r0.ID)}},
		{Unsigned, func(in *Input) {
			in.Records[ri].Signature, in.Records[ri].SignedDocumentID = records.Unsigned, ""
		}, []string{fmt.Sprintf("%s unsigned sheet=%s slot=1 rec=%s src=#0", g0, prog, r0.ID)}},
		{Unreadable, func(in *Input) {
			s := &in.Pages[pi].Slots[0]
			s.State, s.Targatura, s.AIC = page.Unreadable, nil, nil
		}, []string{fmt.Sprintf("%s unreadable sheet=%s slot=1 rec=%s src=%s", g0, prog, r0.ID, src)}},
	} {
		t.Run(string(tc.kind), func(t *testing.T) {
			t.Parallel()
			in := clone()
			tc.inject(&in)
			rep := mustReconcile(t, in)
			got := added(baseFindings, findingSet(rep))
			var want []string
			for _, w := range tc.want {
				switch {
				case w == "+unverifiable":
					for _, s := range p0.Slots {
						for _, r := range base.in.Records {
							if s.State == page.Filled && string(r.Targatura) == *s.Targatura {
								want = append(want, fmt.Sprintf("%s unreadable sheet=%s slot=%d rec=%s src=#0", g0, r.Sheet, r.Slot, r.ID))
							}
						}
					}
				case w == "+duplicates":
					// every fustella of the copied page is now a duplicate
					for _, s := range p0.Slots {
						if s.State == page.Filled {
							want = append(want, "dup", "dup") // the original and the copy
						}
					}
				case strings.HasPrefix(w, "~"), w == "":
					// a consequence that depends on the page (e.g. its count)
				default:
					want = append(want, w)
				}
			}
			var gotMain []string
			for _, g := range got {
				switch {
				case strings.Contains(g, " duplicate_targatura ") && slices.Contains(tc.want, "+duplicates"):
					gotMain = append(gotMain, "dup")
				case strings.Contains(g, " rule_broken ") && slices.Contains(tc.want, "+duplicates"):
				case strings.Contains(g, " count_mismatch ") && slices.Contains(tc.want, "~count_mismatch"):
				default:
					gotMain = append(gotMain, g)
				}
			}
			sort.Strings(want)
			sort.Strings(gotMain)
			if strings.Join(gotMain, "\n") != strings.Join(want, "\n") {
				t.Errorf("findings added:\n  %s\nwant:\n  %s", strings.Join(gotMain, "\n  "), strings.Join(want, "\n  "))
			}
			if rep.Totals.Findings[tc.kind] == 0 {
				t.Errorf("no %s finding at all", tc.kind)
			}
		})
	}
}

func mustCode(s string) sheet.Code {
	c, err := sheet.ParseCode(s)
	if err != nil {
		panic(err)
	}
	return c
}

func declaredRegular(in Input, k sheet.Key) int {
	for _, d := range in.Declarations {
		if d.Pharmacy == k.Pharmacy && d.Competence == k.Competence && d.Bundle == records.REGFUS {
			return d.Sheets
		}
	}
	return 0
}
