package acquisition

import (
	"context"
	"fmt"
	"image"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/regfus/regfus/geom"
	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/scanfile"
	"github.com/regfus/regfus/synth"
)

// TestMovedOntoNeighbour moves, on synthetic pages, one label 5-20 mm
// over its neighbouring slot (up, down, left or right), on top of and
// partly covering the neighbour's own label, and reads the page: no slot
// should report a value that is not its own label's, and the slot the
// label was moved from should not be reported empty without a flag
// (targets for now, failing with REGFUS_ACCURACY=strict; issue 11: a
// label moved 13 mm over its neighbour, its print 9 mm from the
// neighbour's centre, gave the neighbour its values and left its own slot
// empty, both silently). The pages are cut and pasted from a rendered
// scan through the truth's map (clean, bitonal and phone pages of several
// designs): the moved label keeps its print, shadow and paper, and where
// it lay is filled with the paper around it. The flags found on the two
// slots and the false flags elsewhere are logged.
//
// REGFUS_MOVED_DESIGNS (default four designs), REGFUS_MOVED_PAGES (pages
// per design, cycled over the profiles; default 3) and REGFUS_MOVED_SEED
// set the corpus; REGFUS_MOVED_OUT, a directory, keeps the pages as read.
func TestMovedOntoNeighbour(t *testing.T) {
	if testing.Short() {
		t.Skip("renders and reads pages")
	}
	designs := []string{"classic", "side-by-side", "compact", "bordered"}
	if s := os.Getenv("REGFUS_MOVED_DESIGNS"); s != "" {
		designs = strings.Split(s, ",")
		if s == "all" {
			designs = synth.DesignNames()
		}
	}
	pages, seed := envPages("REGFUS_MOVED_PAGES", 3), envSeed("REGFUS_MOVED_SEED", 31337)
	rd, err := NewOCRReader(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	// A value reported for a slot that is not its label's, and a slot
	// whose label was moved away reported empty, are silent errors. The
	// reader does not yet avoid them on every page (one move in ten to
	// fifteen: a label moved over a phone picture's slot whose own label
	// shows nothing the reader finds, see docs/flags.md), so they are
	// counted and logged as a target and fail the test with
	// REGFUS_ACCURACY=strict, as TestAccuracyPerDesign's targets do.
	target := belowTarget(t)
	var moved, fromFlagged, ontoFlagged, neg, falseFlags, leftEmpty, wrong int
	for _, d := range designs {
		dir := t.TempDir()
		// Each design its own scan conditions, the same whichever
		// designs are read.
		s := seed*100 + uint64(slices.Index(synth.DesignNames(), d))
		if _, err := synth.DesignCorpus(context.Background(), dir, d, pages, s, "clean,bitonal,phone"); err != nil {
			t.Fatalf("design %s: %v", d, err)
		}
		truths, paths, err := synth.LoadCorpus(dir)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(s, 11))
		for _, p := range paths {
			tr := truths[p]
			img := synth.ImagePath(p, tr)
			for pg, err := range scanfile.All(context.Background(), []string{img}, scanOptions) {
				if err != nil {
					t.Fatalf("%s: %v", img, err)
				}
				tp := tr.Pages[pg.Index-1]
				mv, ok := pickMove(tp, rng)
				if !ok {
					t.Logf("%s %s: no pair of neighbouring labels to move", d, tp.File)
					continue
				}
				moveLabel(pg.Image, tp, mv)
				if out := os.Getenv("REGFUS_MOVED_OUT"); out != "" {
					writePNG(t, filepath.Join(out, d+"-"+strings.TrimSuffix(tp.File, filepath.Ext(tp.File))+".png"), pg.Image)
				}
				res := rd.Read(context.Background(), pg.Image, img, pg.Index)
				where := fmt.Sprintf("%s %s: slot %d's label moved %.1f mm over slot %d", d, tp.File, mv.from, mv.over, mv.onto)
				moved++
				got := map[int]page.Slot{}
				for _, s := range res.Slots {
					got[s.Slot] = s
				}
				for _, ts := range tp.Slots {
					s := got[ts.Slot]
					if s.AIC != nil && *s.AIC != ts.AIC || s.Targatura != nil && *s.Targatura != ts.Targatura {
						wrong++
						target("%s: silent error: slot %d reports %v/%v, truth %q/%q", where, ts.Slot, deref(s.AIC), deref(s.Targatura), ts.AIC, ts.Targatura)
					}
					if ts.State == synth.StateFilled && s.State == page.Empty {
						leftEmpty++
						target("%s: silent error: slot %d (filled) reported empty", where, ts.Slot)
					}
					switch {
					case ts.Slot == mv.from:
						if s.HasFlag(page.FlagOverlap) || s.HasFlag(page.FlagCrossing) {
							fromFlagged++
						}
					case ts.Slot == mv.onto:
						if s.HasFlag(page.FlagOverlap) {
							ontoFlagged++
						}
					case ts.State == synth.StateFilled && len(ts.Defects) == 0:
						neg++
						for _, f := range checkedFlags {
							if s.HasFlag(f) {
								falseFlags++
								t.Logf("%s: false %s on slot %d", where, f, ts.Slot)
							}
						}
					}
				}
				t.Logf("%s (%s): slot %d %s %v, slot %d %s %v", where, res.Status, mv.from, got[mv.from].State, got[mv.from].Flags, mv.onto, got[mv.onto].State, got[mv.onto].Flags)
			}
		}
	}
	t.Logf("%d labels moved: wrong values %d; the slot moved from flagged %d (reported empty %d), the slot moved onto flagged overlap %d; false flags %d of %d untouched labels", moved, wrong, fromFlagged, leftEmpty, ontoFlagged, falseFlags, neg)
	if moved == 0 {
		t.Fatal("no label moved")
	}
}

// belowTarget logs a target not met, "below target: ...", or with
// REGFUS_ACCURACY=strict fails the test with it.
func belowTarget(t *testing.T) func(format string, a ...any) {
	strict := os.Getenv("REGFUS_ACCURACY") == "strict"
	return func(format string, a ...any) {
		t.Helper()
		if strict {
			t.Errorf(format, a...)
		} else {
			t.Logf("below target: "+format, a...)
		}
	}
}

// envPages is the positive number in the environment variable name, def
// when unset or not one.
func envPages(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// envSeed is the seed in the environment variable name, def when unset.
func envSeed(name string, def uint64) uint64 {
	if n, err := strconv.ParseUint(os.Getenv(name), 10, 64); err == nil {
		return n
	}
	return def
}

func writePNG(t *testing.T, path string, img image.Image) {
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}

// move is one label moved: from slot from, by shift (mm), over slot onto
// by over mm past onto's border.
type move struct {
	from, onto int
	shift      geom.Point
	over       float64
}

// pickMove chooses a label with no defect and a neighbour (above, below,
// left or right) holding one too, and how far past the neighbour's border
// (5-20 mm) the label is moved.
func pickMove(tp synth.Page, rng *rand.Rand) (move, bool) {
	l := layout.Current()
	ok := func(n int) bool {
		return n >= 1 && n <= layout.SlotCount && tp.Slots[n-1].State == synth.StateFilled && len(tp.Slots[n-1].Defects) == 0
	}
	var cands [][2]int
	for n := 1; n <= layout.SlotCount; n++ {
		if !ok(n) {
			continue
		}
		for _, m := range []int{n - layout.Columns, n + layout.Columns, n - 1, n + 1} {
			sameRow := (m-1)/layout.Columns == (n-1)/layout.Columns
			if ok(m) && (m == n-layout.Columns || m == n+layout.Columns || sameRow) {
				cands = append(cands, [2]int{n, m})
			}
		}
	}
	if len(cands) == 0 {
		return move{}, false
	}
	// Moves up and down two times in three: only they can bring the
	// label's middle near the neighbour's centre (slots are 30 mm high,
	// 46 mm wide).
	vertical := rng.Float64() < 2.0/3
	if vs := slices.DeleteFunc(slices.Clone(cands), func(c [2]int) bool { return (c[1] == c[0]-layout.Columns || c[1] == c[0]+layout.Columns) != vertical }); len(vs) > 0 {
		cands = vs
	}
	c := cands[rng.IntN(len(cands))]
	from, onto := tp.Slots[c[0]-1], c[1]
	os, _ := l.Slot(onto)
	r := from.Label.Rect
	over := 5 + 15*rng.Float64()
	var sh geom.Point
	switch {
	case onto == c[0]-layout.Columns: // up: the label's top to over above onto's bottom
		sh.Y = os.Rect.Bottom() - over - r.Y
	case onto == c[0]+layout.Columns:
		sh.Y = os.Rect.Y + over - r.Bottom()
	case onto == c[0]-1:
		sh.X = os.Rect.Right() - over - r.X
	default:
		sh.X = os.Rect.X + over - r.Right()
	}
	return move{from: c[0], onto: onto, shift: sh, over: over}, true
}

// moveLabel moves mv's label on img (a page rendered as tp says): the
// label, its edge and shadow (0.6 mm around it) are pasted mv.shift
// further, over whatever lies there, and where it lay is filled, row by
// row, from the paper either side of it.
func moveLabel(img *image.Gray, tp synth.Page, mv move) {
	h := tp.Scan.Homography
	inv := h.Inverse()
	q := [4]geom.Point(tp.Slots[mv.from-1].Label.Corners)
	src := image.NewGray(img.Rect)
	copy(src.Pix, img.Pix)
	bounds := func(q [4]geom.Point, m float64, s geom.Point) image.Rectangle {
		x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
		for _, p := range q {
			for _, d := range []geom.Point{{X: -m, Y: -m}, {X: m, Y: -m}, {X: m, Y: m}, {X: -m, Y: m}} {
				a := h.Apply(p.Add(s).Add(d))
				x0, y0, x1, y1 = math.Min(x0, a.X), math.Min(y0, a.Y), math.Max(x1, a.X), math.Max(y1, a.Y)
			}
		}
		return image.Rect(int(x0)-2, int(y0)-2, int(x1)+3, int(y1)+3).Intersect(img.Rect)
	}
	mm := func(x, y int) geom.Point { return inv.Apply(geom.Point{X: float64(x) + 0.5, Y: float64(y) + 0.5}) }
	// Where it lay: each row's span over the label, filled between the
	// paper just left and right of it.
	er := bounds(q, 0.9, geom.Point{})
	for y := er.Min.Y; y < er.Max.Y; y++ {
		x0, x1 := -1, -1
		for x := er.Min.X; x < er.Max.X; x++ {
			if inside(q, mm(x, y), 0.9) {
				if x0 < 0 {
					x0 = x
				}
				x1 = x
			}
		}
		if x0 < 0 {
			continue
		}
		a, b := float64(src.GrayAt(max(x0-2, 0), y).Y), float64(src.GrayAt(min(x1+2, img.Rect.Max.X-1), y).Y)
		for x := x0; x <= x1; x++ {
			f := float64(x-x0) / math.Max(1, float64(x1-x0))
			img.Pix[img.PixOffset(x, y)] = uint8(math.Round(a + (b-a)*f))
		}
	}
	// The label where it goes.
	dr := bounds(q, 0.6, mv.shift)
	for y := dr.Min.Y; y < dr.Max.Y; y++ {
		for x := dr.Min.X; x < dr.Max.X; x++ {
			p := mm(x, y).Sub(mv.shift)
			if !inside(q, p, 0.6) {
				continue
			}
			s := h.Apply(p)
			sx, sy := int(math.Floor(s.X)), int(math.Floor(s.Y))
			if (image.Point{X: sx, Y: sy}).In(src.Rect) {
				img.Pix[img.PixOffset(x, y)] = src.Pix[src.PixOffset(sx, sy)]
			}
		}
	}
}
