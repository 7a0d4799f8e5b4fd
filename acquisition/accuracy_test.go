package acquisition

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/scanfile"
	"github.com/regfus/regfus/synth"
	"github.com/regfus/regfus/vision"
)

// scanOptions decodes pages as the programs that read them do (JPEG with
// libjpeg-turbo, see scanfile.Options.JPEG), so that what is measured here
// is what `regfus scan` and the workers read.
var scanOptions = scanfile.Options{JPEG: vision.DecodeJPEGGray}

// corpusDir is the synthetic corpus with its ground truth (package synth).
const corpusDir = "../testdata/scans"

// profileScore accumulates what issue 4 checks, for one scan profile.
type profileScore struct {
	pages, ok, review, rejected  int
	codeRead, codeWrong          int
	slotsFilled, aicRead, tgRead int
	aicReadable, tgReadable      int // filled slots whose symbols are clear
	// The same over filled slots without an overlap defect in the truth:
	// overlapping labels go to review by design (which slot a label moved
	// onto its neighbour belongs to is a person's call, see attributionMM),
	// so their values are not expected.
	aicReadClean, tgReadClean         int
	aicReadableClean, tgReadableClean int
	filledAsEmpty, emptyAsFilled      int
	flagCases, flagFound              int
	flagNeg, flagFalse                int
	silent                            []string
	misses                            []string // flags missed or false, for the log
	orientWrong                       int
	// unread counts the causes (why.go) of the readable values left
	// unread, "aic: cause" and "targatura: cause".
	unread map[string]int
	// flagBy counts, per defect flag, labelled cases, found, false.
	flagBy map[page.Flag]*[3]int
}

// slotWhy is the cause, per slot, of each unread value of one page (see
// Reader.trace): [slot-1][0 AIC, 1 targatura].
type slotWhy map[int][2]string

// bars are issue 4's targets per profile.
type bars struct {
	code, slots float64
	// flagsTarget makes false defect flags a logged target instead of a
	// failure (see TestAccuracyPerDesign).
	flagsTarget bool
}

func barsFor(profile string) bars {
	switch profile {
	case "phone":
		return bars{code: 0.98, slots: 0.95}
	case "clean", "office", "bitonal":
		return bars{code: 1, slots: 0.995}
	}
	return bars{code: 1, slots: 0} // upside-down, sideways, batch-*: sheet code only
}

// TestAccuracyOnCorpus reads every page of testdata/scans with the full
// reader (bars and OCR), compares with the truth and prints a table per
// profile: aic and targ are the read rates over filled slots whose symbol
// is clear (what issue 4's targets count), aic-ov and targ-ov the same
// over those of them without an overlap in the truth (overlapping labels
// go to review by design). It always fails on what must never happen: a value reported
// that differs from the truth (on any page, whatever its status), a filled
// slot reported empty or the reverse, a sheet code not read where issue 4
// wants 100%, false defect flags at 1% or more. The rate targets not met
// yet (slot codes on bitonal, office and phone scans, defect-flag recall)
// are logged as "below target" and fail the test only with
// REGFUS_ACCURACY=strict. Set REGFUS_CORPUS to read another corpus (one
// made by regfus synth) and REGFUS_NO_OCR=1 to read bars only.
func TestAccuracyOnCorpus(t *testing.T) {
	dir := corpusDir
	if d := os.Getenv("REGFUS_CORPUS"); d != "" {
		dir = d
	}
	ocr := os.Getenv("REGFUS_NO_OCR") == ""
	scores := measureCorpus(t, dir, ocr, func(tp synth.Page) string { return tp.Profile })
	report(t, scores, ocr, barsFor)
}

// TestAccuracyPerDesign reads a small corpus of every label design synth
// draws (synth.DesignCorpus: seeded, clean, office, bitonal and phone
// pages) and prints the table per design and profile. Nothing in the
// reader is tuned to a design (see label.go): each design is measured as
// one the reader never saw, the independent ones (their bars drawn by zint
// or GNU barcode, their digits in system fonts) included. It fails on
// what must never happen (a wrong value, a filled slot reported empty or
// the reverse, 1% or more false defect flags over a design's pages); the
// read rates are logged against issue 11's targets and fail only with
// REGFUS_ACCURACY=strict. REGFUS_DESIGN_PAGES sets the pages per design
// (default 4), REGFUS_DESIGN_SEED the seed (default 20261205).
func TestAccuracyPerDesign(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and reads a corpus per design")
	}
	pages := envPages("REGFUS_DESIGN_PAGES", 4)
	// The seed the reader's label model was last adjusted against
	// (compact labels' false overlaps); REGFUS_DESIGN_SEED measures on
	// pages it never saw.
	seed := envSeed("REGFUS_DESIGN_SEED", 20261205)
	all := map[string]*profileScore{}
	for _, d := range synth.DesignNames() {
		dir := t.TempDir()
		if _, err := synth.DesignCorpus(context.Background(), dir, d, pages, seed, "clean,office,bitonal,phone"); err != nil {
			t.Fatalf("design %s: %v", d, err)
		}
		for k, v := range measureCorpus(t, dir, true, func(tp synth.Page) string { return d + "/" + tp.Profile }) {
			all[k] = v
		}
	}
	report(t, all, true, func(name string) bars {
		_, profile, _ := strings.Cut(name, "/")
		b := barsFor(profile)
		// False defect flags on designed labels are a target here, not yet
		// a rule (the committed corpus holds the rule): compact, itf-above
		// and matrix-corner clean pages show 4-8% on seed 20261205.
		b.flagsTarget = true
		return b
	})
}

// measureCorpus reads every page of the corpus in dir and scores it
// against its truth, by the key group gives a page.
func measureCorpus(t *testing.T, dir string, ocr bool, group func(synth.Page) string) map[string]*profileScore {
	t.Helper()
	truths, paths, err := synth.LoadCorpus(dir)
	if err != nil {
		t.Fatalf("corpus: %v", err)
	}
	want := map[string]map[int]synth.Page{}
	var files []string
	for _, p := range paths {
		tr := truths[p]
		img := synth.ImagePath(p, tr)
		files = append(files, img)
		want[img] = map[int]synth.Page{}
		for _, pg := range tr.Pages {
			want[img][pg.Page] = pg
		}
	}
	pool := &Pool{Workers: 2}
	var mu sync.Mutex
	whys := map[string]slotWhy{} // by source and page
	trace := func(res *page.Result, reads []*slotRead) {
		w := slotWhy{}
		for _, r := range reads {
			w[r.n] = r.why
		}
		mu.Lock()
		whys[fmt.Sprintf("%s#%d", res.Source, res.Page)] = w
		mu.Unlock()
	}
	var readers []*Reader
	defer func() {
		// How often the fast reader settled a line and Tesseract ran
		// (issue 17 asks for it).
		var ls LineStats
		for _, r := range readers {
			s := r.LineStats()
			ls.Fast, ls.Confirmed, ls.Alone, ls.Tesseract = ls.Fast+s.Fast, ls.Confirmed+s.Confirmed, ls.Alone+s.Alone, ls.Tesseract+s.Tesseract
		}
		if len(readers) > 0 {
			t.Logf("digit lines: fast reader read %d, confirmed %d decoded symbols alone, made %d values with the field reader; Tesseract asked %d times", ls.Fast, ls.Confirmed, ls.Alone, ls.Tesseract)
		}
	}()
	pool.NewReader = func() (*Reader, error) {
		if !ocr {
			r := NewReader(nil)
			r.trace = trace
			return r, nil
		}
		r, err := NewOCRReader(nil)
		if err == nil {
			r.trace = trace
			mu.Lock()
			readers = append(readers, r)
			mu.Unlock()
		}
		return r, err
	}
	scores := map[string]*profileScore{}
	err = pool.Run(context.Background(), scanfile.All(context.Background(), files, scanOptions), func(res *page.Result, derr error) {
		mu.Lock()
		defer mu.Unlock()
		tp, ok := want[res.Source][res.Page]
		if !ok {
			t.Errorf("%s page %d: no truth (decode error %v)", res.Source, res.Page, derr)
			return
		}
		key := group(tp)
		sc := scores[key]
		if sc == nil {
			sc = &profileScore{unread: map[string]int{}, flagBy: map[page.Flag]*[3]int{}}
			scores[key] = sc
		}
		score(sc, tp, res, fmt.Sprintf("%s p%d", filepath.Base(res.Source), res.Page), whys[fmt.Sprintf("%s#%d", res.Source, res.Page)])
	})
	if err != nil {
		t.Fatal(err)
	}
	return scores
}

// report logs the table of scores and fails on what must never happen
// (see TestAccuracyOnCorpus); targets gives each row's issue targets.
func report(t *testing.T, scores map[string]*profileScore, ocr bool, targets func(string) bars) {
	t.Helper()
	var names []string
	for n := range scores {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	fmt.Fprintf(&b, "\n%-24s %5s %4s %6s %4s | %6s %5s | %6s %7s %7s %7s %7s | %4s %4s | %7s %6s | %6s %s\n",
		"profile", "pages", "ok", "review", "rej", "code", "wrong", "filled", "aic", "targ", "aic-ov", "targ-ov", "f>e", "e>f", "flags", "false", "orient", "silent")
	for _, n := range names {
		s := scores[n]
		fmt.Fprintf(&b, "%-24s %5d %4d %6d %4d | %6s %5d | %6d %7s %7s %7s %7s | %4d %4d | %7s %6s | %6d %d\n",
			n, s.pages, s.ok, s.review, s.rejected,
			pct(s.codeRead, s.pages), s.codeWrong,
			s.slotsFilled, pct(s.aicRead, s.aicReadable), pct(s.tgRead, s.tgReadable),
			pct(s.aicReadClean, s.aicReadableClean), pct(s.tgReadClean, s.tgReadableClean),
			s.filledAsEmpty, s.emptyAsFilled,
			pct(s.flagFound, s.flagCases), pct(s.flagFalse, s.flagNeg), s.orientWrong, len(s.silent))
	}
	// Why the readable values left unread were not read, and each
	// defect flag's recall and false flags.
	for _, n := range names {
		s := scores[n]
		fmt.Fprintf(&b, "%-24s flags:", n)
		for _, f := range checkedFlags {
			if c := s.flagBy[f]; c != nil {
				fmt.Fprintf(&b, " %s %d/%d (false %d)", f, c[1], c[0], c[2])
			}
		}
		var causes []string
		for c := range s.unread {
			causes = append(causes, c)
		}
		sort.Slice(causes, func(i, j int) bool {
			if s.unread[causes[i]] != s.unread[causes[j]] {
				return s.unread[causes[i]] > s.unread[causes[j]]
			}
			return causes[i] < causes[j]
		})
		fmt.Fprintf(&b, "\n%-24s unread:", "")
		if len(causes) == 0 {
			b.WriteString(" none")
		}
		for _, c := range causes {
			fmt.Fprintf(&b, " %s %d;", c, s.unread[c])
		}
		b.WriteString("\n")
	}
	t.Log(b.String())
	if f := os.Getenv("REGFUS_SCORES_JSON"); f != "" {
		writeCounts(t, f, scores)
	}
	for _, n := range names {
		for _, m := range scores[n].misses {
			t.Log(m)
		}
	}
	target := belowTarget(t)
	for _, n := range names {
		s, bar := scores[n], targets(n)
		if r := ratio(s.codeRead, s.pages); r < bar.code {
			t.Errorf("%s: sheet code read on %.1f%% of pages, want >= %.1f%%", n, 100*r, 100*bar.code)
		}
		if s.codeWrong > 0 {
			t.Errorf("%s: %d sheet codes read wrong", n, s.codeWrong)
		}
		if bar.slots > 0 && ocr {
			if r := math.Min(ratio(s.aicRead, s.aicReadable), ratio(s.tgRead, s.tgReadable)); r < bar.slots {
				target("%s: slot codes read on %.2f%% of filled slots, want >= %.1f%%", n, 100*r, 100*bar.slots)
			}
		}
		if s.filledAsEmpty+s.emptyAsFilled > 0 {
			t.Errorf("%s: %d filled slots reported empty, %d empty reported filled", n, s.filledAsEmpty, s.emptyAsFilled)
		}
		if s.flagCases > 0 && ratio(s.flagFound, s.flagCases) < 0.95 {
			target("%s: defect flags found on %d of %d labelled cases, want >= 95%%", n, s.flagFound, s.flagCases)
		}
		if s.flagNeg > 0 && ratio(s.flagFalse, s.flagNeg) >= 0.01 {
			if bar.flagsTarget {
				target("%s: %d false defect flags of %d clean cases, want < 1%%", n, s.flagFalse, s.flagNeg)
			} else {
				t.Errorf("%s: %d false defect flags of %d clean cases, want < 1%%", n, s.flagFalse, s.flagNeg)
			}
		}
		for _, e := range s.silent {
			t.Errorf("%s: silent error: %s", n, e)
		}
	}
}

// writeCounts writes the raw counts behind the table to file f as JSON
// (REGFUS_SCORES_JSON), so that corpora read one by one (a design each)
// can be summed exactly rather than averaged from percentages.
func writeCounts(t *testing.T, f string, scores map[string]*profileScore) {
	t.Helper()
	out := map[string]map[string]int{}
	for n, s := range scores {
		c := map[string]int{
			"pages": s.pages, "ok": s.ok, "review": s.review, "rejected": s.rejected,
			"code": s.codeRead, "code_wrong": s.codeWrong, "filled": s.slotsFilled,
			"aic": s.aicRead, "aic_readable": s.aicReadable, "tg": s.tgRead, "tg_readable": s.tgReadable,
			"aic_clean": s.aicReadClean, "aic_readable_clean": s.aicReadableClean,
			"tg_clean": s.tgReadClean, "tg_readable_clean": s.tgReadableClean,
			"filled_as_empty": s.filledAsEmpty, "empty_as_filled": s.emptyAsFilled,
			"flag_cases": s.flagCases, "flag_found": s.flagFound, "flag_neg": s.flagNeg, "flag_false": s.flagFalse,
			"orient_wrong": s.orientWrong, "silent": len(s.silent),
		}
		for fl, v := range s.flagBy {
			c["flag:"+string(fl)+":cases"], c["flag:"+string(fl)+":found"], c["flag:"+string(fl)+":false"] = v[0], v[1], v[2]
		}
		for cause, v := range s.unread {
			c["unread:"+cause] = v
		}
		out[n] = c
	}
	b, err := json.MarshalIndent(out, "", " ")
	if err == nil {
		err = os.WriteFile(f, b, 0o644)
	}
	if err != nil {
		t.Errorf("REGFUS_SCORES_JSON: %v", err)
	}
}

func pct(a, b int) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(a)/float64(b))
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// clear reports whether either of the two symbols of one code (its bars,
// its printed line) is fully visible on the label.
func clear(ts synth.Slot, kinds ...string) bool {
	if ts.Label == nil {
		return false
	}
	for _, sym := range ts.Label.Symbols {
		for _, k := range kinds {
			if sym.Kind == k && sym.Clear {
				return true
			}
		}
	}
	return false
}

// checkedFlags are the defect flags issue 4 scores.
var checkedFlags = []page.Flag{page.FlagOverlap, page.FlagUpsideDown, page.FlagCrossing}

func score(sc *profileScore, tp synth.Page, res *page.Result, where string, whys slotWhy) {
	sc.pages++
	switch res.Status {
	case page.OK:
		sc.ok++
	case page.Review:
		sc.review++
	default:
		sc.rejected++
	}
	// A value differing from the truth is counted as a silent error on
	// every page, not only on pages reported ok: values are reported only
	// when cross-checked, so a wrong one is wrong wherever it appears.
	silent := func(format string, a ...any) {
		sc.silent = append(sc.silent, where+": "+fmt.Sprintf(format, a...))
	}
	if res.Sheet.Code != nil {
		if res.Sheet.Code.String() == tp.Sheet.Code {
			sc.codeRead++
		} else {
			sc.codeWrong++
			silent("sheet code %s, truth %s", *res.Sheet.Code, tp.Sheet.Code)
		}
	}
	if res.Orientation != nil && *res.Orientation != tp.Scan.Orientation {
		sc.orientWrong++
	}
	got := map[int]page.Slot{}
	for _, s := range res.Slots {
		got[s.Slot] = s
	}
	for _, ts := range tp.Slots {
		s, ok := got[ts.Slot]
		if ts.State == synth.StateFilled {
			sc.slotsFilled++
		}
		if !ok {
			continue
		}
		switch {
		case ts.State == synth.StateFilled && s.State == page.Empty:
			sc.filledAsEmpty++
		case ts.State == synth.StateEmpty && s.State == page.Filled:
			sc.emptyAsFilled++
		}
		if ts.State == synth.StateFilled {
			// Issue 4 counts the codes a reader can be expected to read:
			// the truth marks a symbol not clear when another label, a pen
			// mark or the page edge covers part of it.
			aicOK, tgOK := clear(ts, synth.SymCode32, synth.SymAICText), clear(ts, synth.SymITF, synth.SymTargaturaText)
			noOverlap := !slices.Contains(ts.Defects, synth.DefectOverlap)
			if aicOK {
				sc.aicReadable++
				if noOverlap {
					sc.aicReadableClean++
				}
			}
			if tgOK {
				sc.tgReadable++
				if noOverlap {
					sc.tgReadableClean++
				}
			}
			why := func(i int) string {
				if w := whys[ts.Slot][i]; w != "" {
					return w
				}
				if s.State == page.Empty {
					return "reported_empty"
				}
				return "unknown"
			}
			if s.AIC != nil && *s.AIC == ts.AIC && aicOK {
				sc.aicRead++
				if noOverlap {
					sc.aicReadClean++
				}
			} else if aicOK {
				sc.unread["aic: "+why(0)]++
				sc.misses = append(sc.misses, fmt.Sprintf("%s slot %d: AIC unread: %s (%s, flags %v)", where, ts.Slot, why(0), s.State, s.Flags))
			}
			if s.Targatura != nil && *s.Targatura == ts.Targatura && tgOK {
				sc.tgRead++
				if noOverlap {
					sc.tgReadClean++
				}
			} else if tgOK {
				sc.unread["targatura: "+why(1)]++
				sc.misses = append(sc.misses, fmt.Sprintf("%s slot %d: targatura unread: %s (%s, flags %v)", where, ts.Slot, why(1), s.State, s.Flags))
			}
		}
		if s.AIC != nil && *s.AIC != ts.AIC {
			silent("slot %d AIC %s, truth %q", ts.Slot, *s.AIC, ts.AIC)
		}
		if s.Targatura != nil && *s.Targatura != ts.Targatura {
			silent("slot %d targatura %s, truth %q", ts.Slot, *s.Targatura, ts.Targatura)
		}
		if ts.State != synth.StateFilled {
			continue
		}
		for _, f := range checkedFlags {
			has, want := s.HasFlag(f), slices.Contains(ts.Defects, string(f))
			by := sc.flagBy[f]
			if by == nil {
				by = &[3]int{}
				sc.flagBy[f] = by
			}
			switch {
			case want:
				sc.flagCases++
				by[0]++
				if has {
					sc.flagFound++
					by[1]++
				} else {
					sc.misses = append(sc.misses, fmt.Sprintf("%s slot %d: %s missed", where, ts.Slot, f))
				}
			default:
				sc.flagNeg++
				if has {
					sc.flagFalse++
					by[2]++
					sc.misses = append(sc.misses, fmt.Sprintf("%s slot %d: false %s (truth %v)", where, ts.Slot, f, ts.Defects))
				}
			}
		}
	}
}
