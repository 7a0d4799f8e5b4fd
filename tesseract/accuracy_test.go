package tesseract

import (
	"flag"
	"fmt"
	"strings"
	"testing"

	"github.com/regfus/regfus/ocrtrain/lines"
)

var evalLines = flag.Int("ocr.lines", 250, "lines per held-out evaluation profile in TestAccuracyOnUnseenLines")

// evalSeed seeds the held-out lines. scripts/train-ocr trains on seed 1001
// and checks on 2002; keep this one different from both. The profiles
// themselves (lines.EvalProfiles) use scanner settings that training never
// draws (150/200/300 dpi, JPEG quality 75) and a different supersampling.
// The default seed was also used to choose ReadLine's softening blur, so
// report accuracy from a fresh seed (-ocr.seed) too.
var evalSeed = flag.Uint64("ocr.seed", 910_001, "seed of the held-out lines in TestAccuracyOnUnseenLines")

// evalCase is one held-out set and the exact-line accuracy it must reach.
type evalCase struct {
	gen      lines.Generator
	minExact float64
}

// evalCases are the font-rendered held-out profiles, plus extraEval.
func evalCases() []evalCase {
	min := map[string]float64{"clean": 0.99, "office": 0.99, "bitonal": 0.95, "phone": 0.95}
	var cs []evalCase
	for _, p := range lines.EvalProfiles() {
		cs = append(cs, evalCase{lines.FontGenerator{Profile: p}, min[p.Name]})
	}
	return append(cs, extraEval...)
}

// extraEval holds other line sources to measure, such as crops of the
// project's fustella renderer: add them from an init function in another
// _test.go file of this package (their generator's Name names the subtest).
var extraEval []evalCase

func kindOf(k lines.Kind) Kind {
	switch k {
	case lines.KindAIC:
		return AIC
	case lines.KindTargatura:
		return Targatura
	case lines.KindSheetCode:
		return SheetCode
	}
	return Any
}

// tally counts, for one kind, what its Check* helper did with the OCR text.
type tally struct{ accepted, rejected, silent int }

type report struct {
	n, exact       int
	chars, edits   int
	byKind         map[Kind]*tally
	confWrong      []float64
	failures       []string
	minConfCorrect float64
}

func (r *report) String() string {
	s := fmt.Sprintf("exact %d/%d = %.2f%%, CER %.3f%%", r.exact, r.n, 100*float64(r.exact)/float64(r.n), 100*float64(r.edits)/float64(r.chars))
	for _, k := range []Kind{AIC, Targatura, SheetCode} {
		if t := r.byKind[k]; t != nil {
			s += fmt.Sprintf("; %s accepted %d rejected %d silent %d", k, t.accepted, t.rejected, t.silent)
		}
	}
	return s
}

// measure reads every line of set with one client and checks each reading
// as the kind's Read* helper does (check, then the confirming second
// reading), as the scan reader does.
func measure(t *testing.T, set lines.Set) *report {
	t.Helper()
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := &report{byKind: map[Kind]*tally{}, minConfCorrect: 1}
	err = set.Each(func(i int, s lines.Sample) error {
		k := kindOf(s.Kind)
		l, err := c.ReadLine(s.Image, k)
		if err != nil {
			return fmt.Errorf("line %d %q: %w", i, s.Text, err)
		}
		r.n++
		r.chars += len(s.Text)
		r.edits += levenshtein(l.Text, s.Text)
		if l.Text == s.Text {
			r.exact++
			r.minConfCorrect = min(r.minConfCorrect, l.Confidence)
		} else {
			r.confWrong = append(r.confWrong, l.Confidence)
			if len(r.failures) < 8 {
				r.failures = append(r.failures, fmt.Sprintf("#%d %q read %q (conf %.2f)", i, s.Text, l.Text, l.Confidence))
			}
		}
		tl := r.byKind[k]
		if tl == nil {
			tl = &tally{}
			r.byKind[k] = tl
		}
		var got, want string
		var cerr error
		switch k {
		case AIC:
			a, _, e := confirm(c, s.Image, k, l, CheckAIC)
			got, want, cerr = string(a), strings.TrimPrefix(s.Text, "A"), e
		case Targatura:
			tg, _, e := confirm(c, s.Image, k, l, CheckTargatura)
			got, want, cerr = string(tg), s.Text, e
		case SheetCode:
			sc, _, e := confirm(c, s.Image, k, l, CheckSheetCode)
			got, want, cerr = sc.String(), s.Text, e
		}
		switch {
		case cerr != nil:
			tl.rejected++
		case got != want:
			tl.silent++
			r.failures = append(r.failures, fmt.Sprintf("SILENT #%d %s %q accepted as %q", i, k, s.Text, got))
		default:
			tl.accepted++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestAccuracyOnUnseenLines measures the model on held-out lines of every
// evaluation profile: exact-line accuracy, character error rate, and what
// the check helpers make of the readings. No wrong AIC or targatura may pass
// its check (zero silent errors).
func TestAccuracyOnUnseenLines(t *testing.T) {
	t.Parallel()
	for i, ec := range evalCases() {
		name := ec.gen.Name()
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			set := lines.Set{Gen: ec.gen, Seed: *evalSeed + uint64(i), N: *evalLines}
			r := measure(t, set)
			t.Logf("%-8s %s", name, r)
			for _, f := range r.failures {
				t.Logf("  %s", f)
			}
			if acc := float64(r.exact) / float64(r.n); acc < ec.minExact {
				t.Errorf("%s: exact-line accuracy %.2f%% < %.1f%%", name, 100*acc, 100*ec.minExact)
			}
			for _, k := range []Kind{AIC, Targatura} {
				if tl := r.byKind[k]; tl != nil && tl.silent > 0 {
					t.Errorf("%s: %d wrong %s readings passed the check", name, tl.silent, k)
				}
			}
		})
	}
}

// levenshtein is the edit distance between a and b (bytes; the charset is
// ASCII).
func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
