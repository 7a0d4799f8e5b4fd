package barcode_test

import (
	"context"
	"fmt"
	"image"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/regfus/regfus/barcode"
	"github.com/regfus/regfus/fustella"
	"github.com/regfus/regfus/scanfile"
	"github.com/regfus/regfus/synth"
	"github.com/regfus/regfus/vision"
)

// The profile measurement reads fustella bars as the page reader sees
// them: pages are synthesised by package synth (every degradation of a
// scan profile: print gain and blur, optics, perspective, light, noise,
// JPEG, 1-bit threshold), decoded by package scanfile, and each clear
// Code 32 and ITF symbol is cut out of the page through the truth's
// homography the way acquisition's decodeBars crops it: upright in the
// symbol's frame, 3 mm of quiet zone either side, 0.3 mm above and below,
// at the page's resolution clamped to 8-12 px/mm (acquisition's barPx),
// bilinear. The page reader's own geometry is not perfect, so every crop
// is jittered a little (angle, position, height) from a seeded generator.
//
// The seed differs from the committed corpus (testdata/scans, 20230101),
// so the decoder is not measured on the pages it was tuned on.

const profileSeed = 20261123

// profilePages is how many pages per profile the measurement reads:
// REGFUS_BARCODE_PAGES, or 1 (about 35 crops per profile) so that go test
// ./barcode/ stays quick; the figures in commit messages use 12.
func profilePages() int {
	if v, err := strconv.Atoi(os.Getenv("REGFUS_BARCODE_PAGES")); err == nil && v > 0 {
		return v
	}
	return 1
}

var measuredProfiles = []string{"clean", "office", "bitonal", "phone"}

// profileCrop is one symbol crop with its truth.
type profileCrop struct {
	kind string // synth.SymCode32 or synth.SymITF
	text string // the bars' truth: Code 32 characters or targatura digits
	img  *image.Gray
	name string // file, slot
}

var profileCache sync.Map // profile name -> []profileCrop

// profileCrops synthesises (or reuses, from the temp dir) the pages of one
// profile and crops every clear bar symbol.
func profileCrops(t testing.TB, profile string) []profileCrop {
	n := profilePages()
	key := fmt.Sprintf("%s-%d", profile, n)
	if v, ok := profileCache.Load(key); ok {
		return v.([]profileCrop)
	}
	prof, err := synth.ParseProfiles(profile)
	if err != nil {
		t.Fatal(err)
	}
	// Generated once per machine: pages are deterministic in (seed, count,
	// profile), and rendering them costs far more than reading them.
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("regfus-barcode-%d-%s-%d", profileSeed, profile, n))
	// REGFUS_BARCODE_CORPUS reads the pages of another corpus instead (e.g.
	// testdata/scans, to compare with the page reader's figures).
	corpus := os.Getenv("REGFUS_BARCODE_CORPUS")
	if corpus != "" {
		dir = corpus
	}
	if _, err := os.Stat(filepath.Join(dir, "manifest.json")); err != nil && corpus == "" {
		tmp, err := os.MkdirTemp(os.TempDir(), "regfus-barcode-gen-")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := synth.Generate(context.Background(), synth.Options{Dir: tmp, Pages: n, Seed: profileSeed, Profiles: prof, Workers: 2}); err != nil {
			t.Fatalf("synth %s: %v", profile, err)
		}
		if err := os.Rename(tmp, dir); err != nil {
			os.RemoveAll(tmp)
			if _, serr := os.Stat(filepath.Join(dir, "manifest.json")); serr != nil {
				t.Fatal(err)
			}
		}
	}
	truths, paths, err := synth.LoadCorpus(dir)
	if err != nil {
		t.Fatal(err)
	}
	var crops []profileCrop
	for _, p := range paths {
		tr := truths[p]
		if tr.Profile != profile {
			continue
		}
		img := synth.ImagePath(p, tr)
		pages := map[int]synth.Page{}
		for _, pg := range tr.Pages {
			pages[pg.Page] = pg
		}
		// Decoded as the reader decodes them (libjpeg-turbo for JPEG).
		for pg, err := range scanfile.All(context.Background(), []string{img}, scanfile.Options{JPEG: vision.DecodeJPEGGray}) {
			if err != nil {
				t.Fatalf("%s: %v", img, err)
			}
			tp, ok := pages[pg.Index]
			if !ok {
				t.Fatalf("%s page %d: no truth", img, pg.Index)
			}
			rng := rand.New(rand.NewPCG(tp.Seed, 7))
			for _, s := range tp.Slots {
				if s.Label == nil {
					continue
				}
				for _, sym := range s.Label.Symbols {
					if !sym.Clear || (sym.Kind != synth.SymCode32 && sym.Kind != synth.SymITF) {
						continue
					}
					crops = append(crops, profileCrop{
						kind: sym.Kind, text: sym.Text,
						img:  cropSymbol(pg.Image, tp.Scan, sym.Corners, rng),
						name: fmt.Sprintf("%s p%d slot %d %s", filepath.Base(img), pg.Index, s.Slot, sym.Kind),
					})
				}
			}
		}
	}
	if barcode.RaceEnabled && len(crops) > 12 {
		crops = crops[:12]
	}
	profileCache.Store(key, crops)
	return crops
}

// cropSymbol warps the symbol with corners q (page mm, in the label's
// order: top-left, top-right, bottom-right, bottom-left) out of img as
// acquisition does, with a little geometric jitter.
func cropSymbol(img *image.Gray, sc synth.Scan, q synth.Quad, rng *rand.Rand) *image.Gray {
	var cx, cy float64
	for _, p := range q {
		cx += p.X / 4
		cy += p.Y / 4
	}
	w := math.Hypot(q[1].X-q[0].X, q[1].Y-q[0].Y)
	h := math.Hypot(q[3].X-q[0].X, q[3].Y-q[0].Y)
	angle := math.Atan2(q[1].Y-q[0].Y, q[1].X-q[0].X)
	// The page reader's bar block: its angle within half a degree, its
	// centre within 0.25 mm, its extent within 0.3 mm.
	angle += (rng.Float64() - 0.5) * math.Pi / 180
	cx += (rng.Float64() - 0.5) * 0.5
	cy += (rng.Float64() - 0.5) * 0.5
	w += (rng.Float64() - 0.5) * 0.6
	h += (rng.Float64() - 0.5) * 0.6
	native := sc.EffectiveDPI / 25.4
	px := math.Max(8, math.Min(12, native))
	const quiet = 3.0
	fx, fy, fw, fh := -w/2-quiet, -h/2-0.3, w+2*quiet, h+0.6
	ow, oh := int(math.Ceil(fw*px)), int(math.Ceil(fh*px))
	out := image.NewGray(image.Rect(0, 0, ow, oh))
	cs, sn := math.Cos(angle), math.Sin(angle)
	H := sc.Homography
	for v := 0; v < oh; v++ {
		for u := 0; u < ow; u++ {
			a, b := fx+(float64(u)+0.5)/px, fy+(float64(v)+0.5)/px
			mx, my := cx+cs*a-sn*b, cy+sn*a+cs*b
			d := H[6]*mx + H[7]*my + H[8]
			ix := (H[0]*mx+H[1]*my+H[2])/d - 0.5
			iy := (H[3]*mx+H[4]*my+H[5])/d - 0.5
			out.Pix[v*out.Stride+u] = bilinearWhite(img, ix, iy)
		}
	}
	return out
}

// bilinearWhite samples img at pixel-index coordinates, white beyond it
// (OpenCV's constant border as acquisition uses it).
func bilinearWhite(img *image.Gray, x, y float64) uint8 {
	x0, y0 := math.Floor(x), math.Floor(y)
	fx, fy := x-x0, y-y0
	ix, iy := int(x0), int(y0)
	at := func(x, y int) float64 {
		if x < 0 || y < 0 || x >= img.Rect.Dx() || y >= img.Rect.Dy() {
			return 255
		}
		return float64(img.Pix[y*img.Stride+x])
	}
	v := (at(ix, iy)*(1-fx)+at(ix+1, iy)*fx)*(1-fy) + (at(ix, iy+1)*(1-fx)+at(ix+1, iy+1)*fx)*fy
	return uint8(math.Round(v))
}

// profileScore counts the reads of one profile.
type profileScore struct {
	n, read, wrong    [2]int // [0] Code 32, [1] targatura
	cross, crossWrong int    // the other symbology asked of a crop
	misses            []string
	wrongs            []string
	// Band reads of the model fit (both ways round, own and other
	// symbology) that passed the check digit: right ones and wrong ones,
	// and how many of the wrong ones passed every threshold too.
	bandRight, bandWrong, bandWrongPassed int
	wrongMaxMargin, rightMinMargin        float64
}

func scoreProfile(t testing.TB, crops []profileCrop) *profileScore {
	d := barcode.NewDecoder()
	sc := &profileScore{rightMinMargin: math.Inf(1)}
	for _, c := range crops {
		k := 0
		if c.kind == synth.SymITF {
			k = 1
		}
		sc.n[k]++
		var (
			got string
			r   barcode.Result
			err error
		)
		if k == 0 {
			_, r, err = d.Code32(c.img)
			got = r.Text // the bars: compared with the truth's Code 32 characters
		} else {
			var tg fustella.Targatura
			tg, r, err = d.Targatura(c.img)
			got = string(tg)
		}
		switch {
		case err != nil:
			sc.misses = append(sc.misses, fmt.Sprintf("%s: %v", c.name, err))
			dumpCrop(t, c, len(sc.misses))
		case got != c.text:
			sc.wrong[k]++
			sc.wrongs = append(sc.wrongs, fmt.Sprintf("%s: read %q, truth %q (%s)", c.name, got, c.text, r.Attempt))
		default:
			sc.read[k]++
		}
		for _, code32 := range []bool{true, false} {
			for _, b := range barcode.ModelBandStats(c.img, code32) {
				if !b.Fitted || !b.Valid {
					continue
				}
				right := code32 == (k == 0) && b.Text == c.text
				if right {
					sc.bandRight++
					if b.Passed {
						sc.rightMinMargin = math.Min(sc.rightMinMargin, b.Margin)
					}
					continue
				}
				sc.bandWrong++
				sc.wrongMaxMargin = math.Max(sc.wrongMaxMargin, b.Margin)
				if b.Passed {
					sc.bandWrongPassed++
					t.Logf("%s: a band read %q as %s (reversed %v, rms %.3f, margin %.1f, worst slot %.3f)", c.name, b.Text, map[bool]string{true: "Code 32", false: "targatura"}[code32], b.Reversed, b.RMS, b.Margin, b.WorstFit)
				}
			}
		}
		// The page reader asks for the other symbology when the first
		// fails: a value from it is always wrong.
		sc.cross++
		var (
			cerr  error
			ctext string
		)
		if k == 0 {
			var tg fustella.Targatura
			tg, _, cerr = d.Targatura(c.img)
			ctext = string(tg)
		} else {
			var a fustella.AIC
			a, _, cerr = d.Code32(c.img)
			ctext = string(a)
		}
		if cerr == nil {
			sc.crossWrong++
			sc.wrongs = append(sc.wrongs, fmt.Sprintf("%s: read as the other symbology: %q", c.name, ctext))
		}
	}
	return sc
}

// dumpCrop writes a missed crop as PNG to REGFUS_BARCODE_DUMP, if set,
// for looking at what the decoder could not read.
func dumpCrop(t testing.TB, c profileCrop, i int) {
	dir := os.Getenv("REGFUS_BARCODE_DUMP")
	if dir == "" {
		return
	}
	name := strings.NewReplacer(" ", "_", ".", "_").Replace(fmt.Sprintf("%03d %s %s", i, c.name, c.text)) + ".png"
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, c.img); err != nil {
		t.Fatal(err)
	}
}

func pctOf(a, b int) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(a)/float64(b))
}

// TestProfileReadRates measures Code 32 and targatura read rates and wrong
// reads on crops of synthesised pages, per scan profile, and logs them. It
// fails on any wrong value (a read that differs from the truth, or a value
// read as the other symbology) and on read rates below floors set well
// under what the decoder reaches, so that it catches regressions without
// tracking the figures.
func TestProfileReadRates(t *testing.T) {
	t.Parallel()
	// Floors, per profile: [Code 32, targatura].
	floors := map[string][2]float64{
		"clean":   {0.9, 0.9},
		"office":  {0.85, 0.85},
		"bitonal": {0.9, 0.9},
		"phone":   {0.8, 0.8},
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\npages/profile %d, seed %d\n%-8s %5s %7s %5s | %5s %7s %5s | %5s %5s\n", profilePages(), profileSeed,
		"profile", "c32", "read", "wrong", "itf", "read", "wrong", "cross", "wrong")
	var safety strings.Builder
	fmt.Fprintf(&safety, "model band reads passing the check digit: right / wrong, wrong ones passing every threshold, least margin of a right read, greatest of a wrong one\n")
	profiles := measuredProfiles
	if v := os.Getenv("REGFUS_BARCODE_PROFILES"); v != "" {
		profiles = strings.Split(v, ",")
	}
	for _, name := range profiles {
		crops := profileCrops(t, name)
		sc := scoreProfile(t, crops)
		fmt.Fprintf(&b, "%-8s %5d %7s %5d | %5d %7s %5d | %5d %5d\n", name,
			sc.n[0], pctOf(sc.read[0], sc.n[0]), sc.wrong[0], sc.n[1], pctOf(sc.read[1], sc.n[1]), sc.wrong[1], sc.cross, sc.crossWrong)
		fmt.Fprintf(&safety, "%-8s %5d / %4d, %d, %.1f, %.1f\n", name, sc.bandRight, sc.bandWrong, sc.bandWrongPassed, sc.rightMinMargin, sc.wrongMaxMargin)
		for _, w := range sc.wrongs {
			t.Errorf("%s: wrong value: %s", name, w)
		}
		if testing.Verbose() {
			for _, m := range sc.misses {
				t.Logf("%s: missed %s", name, m)
			}
		}
		for k, what := range []string{"Code 32", "targatura"} {
			if sc.n[k] == 0 {
				t.Errorf("%s: no %s crops", name, what)
				continue
			}
			// A dozen crops under the race detector say nothing about a
			// rate: there only wrong values fail.
			if r := float64(sc.read[k]) / float64(sc.n[k]); r < floors[name][k] && !barcode.RaceEnabled {
				t.Errorf("%s: %s read rate %.1f%%, floor %.0f%%", name, what, 100*r, 100*floors[name][k])
			}
		}
	}
	t.Log(b.String() + safety.String())
}
