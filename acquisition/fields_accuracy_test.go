package acquisition

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/scanfile"
	"github.com/regfus/regfus/synth"
)

// fieldScore counts, for one profile, the header fields read against the
// truth: per field (progressive, count, date) and source (printed,
// handwritten), how many there were, how many were read right, and the
// wrong values, silent when no page reason names the field.
type fieldScore struct {
	pages  int
	n, ok  map[string]int // by "field/source"
	wrong  []string       // named in a reason
	missed []string       // unread, with the suggestion
	silent []string
	falseV []string // a value read from an empty box
}

func newFieldScore() *fieldScore {
	return &fieldScore{n: map[string]int{}, ok: map[string]int{}}
}

// fieldReasons maps each field to the page reasons that name it.
var fieldReasons = map[string][]string{
	"progressive": {page.ReasonProgressiveUnread},
	"count":       {page.ReasonCountUnread, page.ReasonCountMismatch},
	"date":        {page.ReasonDateUnread, page.ReasonDateOutsideMonth},
}

func (fs *fieldScore) add(tp synth.Page, res *page.Result, where string) {
	fs.pages++
	sh := res.Sheet
	named := func(field string) bool {
		for _, r := range fieldReasons[field] {
			if hasReason(res.Reasons, r) {
				return true
			}
		}
		return false
	}
	check := func(field, source, want string, got *string) {
		if source == synth.SourceAbsent {
			if got != nil {
				fs.falseV = append(fs.falseV, fmt.Sprintf("%s: %s read %q from an empty box", where, field, *got))
			}
			return
		}
		k := field + "/" + source
		fs.n[k]++
		switch {
		case got == nil:
			var sg *page.Suggestion
			if ss := sh.Suggestions; ss != nil {
				sg = map[string]*page.Suggestion{"progressive": ss.Progressive, "count": ss.Count, "date": ss.Date}[field]
			}
			m := fmt.Sprintf("%s: %s %s %q unread", where, source, field, want)
			if sg != nil {
				m += fmt.Sprintf(" (suggested %q %.2f %s: %s)", sg.Text, sg.Confidence, sg.Source, sg.Why)
			}
			fs.missed = append(fs.missed, m)
		case *got == want:
			fs.ok[k]++
		case named(field):
			fs.wrong = append(fs.wrong, fmt.Sprintf("%s: %s %s read %q, truth %q (reasons %v)", where, source, field, *got, want, res.Reasons))
		default:
			fs.silent = append(fs.silent, fmt.Sprintf("%s: %s %s read %q, truth %q", where, source, field, *got, want))
		}
	}
	check("progressive", tp.Sheet.ProgressiveSource, tp.Sheet.Progressive, sh.Progressive)
	var wantCount string
	if tp.Sheet.DeclaredCount != nil {
		wantCount = fmt.Sprint(*tp.Sheet.DeclaredCount)
	}
	var gotCount *string
	if sh.DeclaredCount != nil {
		gotCount = page.Str(fmt.Sprint(*sh.DeclaredCount))
	}
	check("count", tp.Sheet.CountSource, wantCount, gotCount)
	check("date", tp.Sheet.DateSource, tp.Sheet.Date, sh.Date)
}

// readCorpusFields reads every page of the corpus in dir with the full
// reader and scores its header fields per profile.
func readCorpusFields(t *testing.T, dir string, newReader func() (*Reader, error)) map[string]*fieldScore {
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
	pool := &Pool{Workers: 2, NewReader: newReader}
	var mu sync.Mutex
	scores := map[string]*fieldScore{}
	err = pool.Run(context.Background(), scanfile.All(context.Background(), files, scanfile.Options{}), func(res *page.Result, derr error) {
		mu.Lock()
		defer mu.Unlock()
		tp, ok := want[res.Source][res.Page]
		if !ok {
			t.Errorf("%s page %d: no truth (decode error %v)", res.Source, res.Page, derr)
			return
		}
		fs := scores[tp.Profile]
		if fs == nil {
			fs = newFieldScore()
			scores[tp.Profile] = fs
		}
		fs.add(tp, res, fmt.Sprintf("%s p%d", filepath.Base(res.Source), res.Page))
	})
	if err != nil {
		t.Fatal(err)
	}
	return scores
}

func fieldTable(scores map[string]*fieldScore) string {
	var names []string
	for n := range scores {
		names = append(names, n)
	}
	sort.Strings(names)
	keys := []string{"progressive/printed", "count/printed", "progressive/handwritten", "count/handwritten", "date/handwritten"}
	var b strings.Builder
	fmt.Fprintf(&b, "\n%-10s %5s", "profile", "pages")
	for _, k := range keys {
		fmt.Fprintf(&b, " %22s", k)
	}
	fmt.Fprintf(&b, " %6s %6s %6s\n", "named", "silent", "false")
	for _, n := range names {
		s := scores[n]
		fmt.Fprintf(&b, "%-10s %5d", n, s.pages)
		for _, k := range keys {
			fmt.Fprintf(&b, " %22s", fmt.Sprintf("%d/%d %s", s.ok[k], s.n[k], pct(s.ok[k], s.n[k])))
		}
		fmt.Fprintf(&b, " %6d %6d %6d\n", len(s.wrong), len(s.silent), len(s.falseV))
	}
	return b.String()
}

// TestFieldsOnCorpus reads the committed corpus (or REGFUS_CORPUS) and
// prints the header fields' table. It fails on a wrong value no reason
// names and on a value read from an empty box.
func TestFieldsOnCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("reads the whole corpus")
	}
	dir := corpusDir
	if d := os.Getenv("REGFUS_CORPUS"); d != "" {
		dir = d
	}
	scores := readCorpusFields(t, dir, func() (*Reader, error) { return NewOCRReader(nil) })
	t.Log(fieldTable(scores))
	for _, s := range scores {
		for _, w := range s.wrong {
			t.Log("named: " + w)
		}
		for _, w := range s.silent {
			t.Error("silent: " + w)
		}
		for _, w := range s.falseV {
			t.Error(w)
		}
	}
}

// fieldsOnly runs f with the pipeline cut to the steps the header fields
// need (no slot reading): for measuring the fields quickly. The count is
// then compared with no slot found, so count_mismatch names every count.
func fieldsOnly(f func()) {
	saved := steps
	defer func() { steps = saved }()
	steps = nil
	for _, s := range saved {
		if s.name != "slots" {
			steps = append(steps, s)
		}
	}
	f()
}

// TestFieldsQuick is TestFieldsOnCorpus without the slots (REGFUS_FIELDS_QUICK=1).
func TestFieldsQuick(t *testing.T) {
	if os.Getenv("REGFUS_FIELDS_QUICK") == "" {
		t.Skip("set REGFUS_FIELDS_QUICK=1")
	}
	dir := corpusDir
	if d := os.Getenv("REGFUS_CORPUS"); d != "" {
		dir = d
	}
	fieldsOnly(func() {
		scores := readCorpusFields(t, dir, func() (*Reader, error) { return NewOCRReader(nil) })
		t.Log(fieldTable(scores))
		for _, s := range scores {
			for _, w := range s.wrong {
				t.Log("named: " + w)
			}
			for _, w := range s.silent {
				t.Log("silent: " + w)
			}
			for _, w := range s.falseV {
				t.Log(w)
			}
			for _, w := range s.missed {
				t.Log("missed: " + w)
			}
		}
	})
}
