package synth

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/regfus/regfus/fustella"
	"github.com/regfus/regfus/layout"
)

// TestLabelLayout draws many labels and checks that every element is on
// the label, that no two elements overlap, that the bars keep their quiet
// zones and sizes, and that the codes are valid.
func TestLabelLayout(t *testing.T) {
	t.Parallel()
	r := newRNG(42)
	styles := map[string]int{}
	for i := 0; i < 2000; i++ {
		lb := newLabel(r, newProduct(r), targaturaFor(9, i))
		styles[lb.Style]++
		if _, err := fustella.ParseAIC(string(lb.AIC)); err != nil {
			t.Fatal(err)
		}
		if _, err := fustella.ParseTargatura(string(lb.Targatura)); err != nil {
			t.Fatal(err)
		}
		if lb.Narrow32 < 0.25 || lb.Narrow32 > 0.30 || lb.NarrowITF < 0.2 || lb.NarrowITF > 0.30 {
			t.Fatalf("label %d: narrow bars %.3f / %.3f mm", i, lb.Narrow32, lb.NarrowITF)
		}
		syms := lb.Symbols()
		box := layout.Rect{W: lb.W, H: lb.H}
		for a, s := range syms {
			if !box.Contains(s.Rect) {
				t.Fatalf("label %d (%s): %s %+v leaves the %gx%g label", i, lb.Style, s.Kind, s.Rect, lb.W, lb.H)
			}
			for _, o := range syms[a+1:] {
				if s.Rect.Overlaps(o.Rect) {
					t.Fatalf("label %d (%s): %s overlaps %s", i, lb.Style, s.Kind, o.Kind)
				}
			}
			quiet := 0.0
			switch s.Kind {
			case SymCode32:
				quiet = quietFactor * lb.Narrow32
			case SymITF:
				quiet = quietFactor * lb.NarrowITF * 0.6 // the label edge and sheet beyond make up the rest
			}
			if quiet > 0 {
				zone := layout.Rect{X: s.Rect.X - quiet, Y: s.Rect.Y, W: s.Rect.W + 2*quiet, H: s.Rect.H}
				if zone.X < -1e-9 || zone.Right() > lb.W+1e-9 {
					t.Fatalf("label %d: %s quiet zone %+v leaves the label", i, s.Kind, zone)
				}
				for _, o := range syms {
					if o.Kind != s.Kind && zone.Overlaps(o.Rect) {
						t.Fatalf("label %d (%s): %s in the quiet zone of %s", i, lb.Style, o.Kind, s.Kind)
					}
				}
			}
		}
	}
	for _, s := range []string{StyleLinear, StyleDataMatrix, StyleQR} {
		if styles[s] == 0 {
			t.Errorf("no %s label in 2000", s)
		}
	}
}

func TestTargatureUnique(t *testing.T) {
	t.Parallel()
	seen := map[fustella.Targatura]int{}
	for k := 0; k < 200_000; k++ {
		tg := targaturaFor(20230101, k)
		if j, dup := seen[tg]; dup {
			t.Fatalf("labels %d and %d share targatura %s", j, k, tg)
		}
		seen[tg] = k
	}
}

// filledPages plans the corpus o describes and fills every page of it
// without rendering: the truths.
func filledPages(t *testing.T, o Options) []Page {
	t.Helper()
	files, err := plan(o)
	if err != nil {
		t.Fatal(err)
	}
	l := layout.Current()
	var out []Page
	for _, fp := range files {
		for _, spec := range fp.pages {
			f, err := fill(l, spec, newRNG(spec.seed))
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, f.page)
		}
	}
	return out
}

// TestTruthGeometryConsistent fills many sheets (no rendering) and checks
// that the defects in the truth are what the recorded geometry says.
func TestTruthGeometryConsistent(t *testing.T) {
	t.Parallel()
	l := layout.Current()
	counts := map[string]int{}
	for _, p := range filledPages(t, Options{Pages: 300, Seed: 3, Profiles: []Profile{Profiles["clean"]}}) {
		filled := 0
		for _, s := range p.Slots {
			for _, d := range s.Defects {
				counts[d]++
			}
			if s.State != StateFilled {
				if s.Label != nil || s.AIC != "" {
					t.Fatalf("page %d slot %d: empty with a label", p.Index, s.Slot)
				}
				continue
			}
			filled++
			slot, _ := l.Slot(s.Slot)
			crossing := !s.Label.Corners.Inside(slot.Rect)
			if has(s.Defects, DefectCrossing) != crossing {
				t.Fatalf("page %d slot %d: crossing %v, defects %v", p.Index, s.Slot, crossing, s.Defects)
			}
			a := math.Mod(s.Label.Angle+360, 360)
			if has(s.Defects, DefectUpsideDown) != (a > 90 && a < 270) {
				t.Fatalf("page %d slot %d: angle %.1f, defects %v", p.Index, s.Slot, s.Label.Angle, s.Defects)
			}
			if s.Code32 != fustella.AIC(s.AIC).Code32() {
				t.Fatalf("page %d slot %d: code32 %s for AIC %s", p.Index, s.Slot, s.Code32, s.AIC)
			}
		}
		if filled != p.Sheet.Fustelle {
			t.Fatalf("page %d: %d filled slots, fustelle %d", p.Index, filled, p.Sheet.Fustelle)
		}
		if d := p.Sheet.DeclaredCount; d != nil && (*d != filled) != has(p.Defects, DefectCountMismatch) {
			t.Fatalf("page %d: declared %d, filled %d, defects %v", p.Index, *d, filled, p.Defects)
		}
	}
	for _, d := range []string{DefectOverlap, DefectUpsideDown, DefectCrossing, DefectLeftEmpty, DefectPenMark, DefectDuplicate} {
		if counts[d] == 0 {
			t.Errorf("no %s in 300 sheets", d)
		}
	}
}

func has(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// TestSameSeedSameBytes renders a small corpus twice, with one and with
// two workers, and once with another seed.
func TestSameSeedSameBytes(t *testing.T) {
	t.Parallel()
	profs, _ := ParseProfiles("bitonal,batch-pdf,phone")
	gen := func(seed uint64, workers int) string {
		dir := t.TempDir()
		if _, err := Generate(context.Background(), Options{Dir: dir, Pages: 5, Seed: seed, Profiles: profs, Workers: workers}); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	a, b, c := gen(11, 1), gen(11, 2), gen(12, 2)
	entries, err := os.ReadDir(a)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) < 7 {
		t.Fatalf("%d files written", len(entries))
	}
	differ := 0
	for _, e := range entries {
		x, _ := os.ReadFile(filepath.Join(a, e.Name()))
		y, err := os.ReadFile(filepath.Join(b, e.Name()))
		if err != nil || !bytes.Equal(x, y) {
			t.Errorf("%s differs between runs with the same seed (%v)", e.Name(), err)
		}
		if z, err := os.ReadFile(filepath.Join(c, e.Name())); err != nil || !bytes.Equal(x, z) {
			differ++
		}
	}
	if differ < len(entries)-1 {
		t.Errorf("only %d of %d files differ with another seed", differ, len(entries))
	}
}

func TestGenerateErrors(t *testing.T) {
	t.Parallel()
	profs, _ := ParseProfiles("clean")
	for _, o := range []Options{
		{Dir: t.TempDir(), Pages: -1, Profiles: profs},
		{Dir: t.TempDir(), Pages: 1},
		{Dir: t.TempDir(), Pages: 1, Profiles: profs, Only: []string{"nope.png"}},
		{Dir: t.TempDir(), Pages: 1, Profiles: profs, ASL: "1"},
	} {
		if _, err := Generate(context.Background(), o); err == nil {
			t.Errorf("Generate(%+v) succeeded", o)
		}
	}
	if _, err := ParseProfiles("clean,fax"); err == nil {
		t.Error("ParseProfiles accepted fax")
	}
}

func TestLoadTruthErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, body := range map[string]string{
		"bad.truth.json":    "{",
		"format.truth.json": `{"format":99,"file":"x.png","pages":[{}]}`,
		"slots.truth.json":  `{"format":1,"file":"x.png","pages":[{"page":1,"slots":[]}]}`,
	} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o644)
		if _, err := LoadTruth(p); err == nil {
			t.Errorf("LoadTruth(%s) succeeded", name)
		}
	}
	if _, _, err := LoadCorpus(t.TempDir()); err == nil {
		t.Error("LoadCorpus of an empty directory succeeded")
	}
}
