package synth

import (
	"bufio"
	"bytes"
	"context"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/datamatrix"
	"github.com/makiuchi-d/gozxing/oned"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/regfus/regfus/barcode"
	"github.com/regfus/regfus/layout"
)

const corpusDir = "../testdata/scans"

// corpusParams reads the seed and page count `make corpus` uses, so the
// tests regenerate exactly what is committed.
func corpusParams(t *testing.T) (seed uint64, pages int) {
	t.Helper()
	b, err := os.ReadFile("../mk/synth.mk")
	if err != nil {
		t.Fatal(err)
	}
	get := func(name string) string {
		m := regexp.MustCompile(`(?m)^` + name + `\s*\?=\s*(\S+)`).FindSubmatch(b)
		if m == nil {
			t.Fatalf("mk/synth.mk: no %s", name)
		}
		return string(m[1])
	}
	s, err := strconv.ParseUint(get("SYNTH_SEED"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(get("SYNTH_PAGES"))
	if err != nil {
		t.Fatal(err)
	}
	return s, n
}

func loadCorpus(t *testing.T) map[string]*Truth {
	t.Helper()
	ts, _, err := LoadCorpus(corpusDir)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

// TestCorpusCoverage checks the committed corpus against its brief: every
// profile and every defect present, 60-120 pages, under 30 MB.
func TestCorpusCoverage(t *testing.T) {
	t.Parallel()
	ts := loadCorpus(t)
	profiles, defects, styles := map[string]int{}, map[string]int{}, map[string]int{}
	pages, empty, full, hand, orient := 0, 0, 0, 0, map[int]int{}
	for _, tr := range ts {
		for _, p := range tr.Pages {
			pages++
			profiles[p.Profile]++
			orient[p.Scan.Orientation]++
			switch p.Sheet.Fustelle {
			case 0:
				empty++
			case layout.SlotCount:
				full++
			}
			for _, d := range p.Defects {
				defects[d]++
			}
			if p.Sheet.ProgressiveSource == SourceHandwritten && p.Sheet.CountSource == SourceHandwritten && p.Sheet.DateSource == SourceHandwritten {
				hand++
			}
			for _, s := range p.Slots {
				for _, d := range s.Defects {
					defects[d]++
				}
				if s.State == StateFilled {
					styles[s.Style]++
				}
			}
		}
	}
	if pages < 60 || pages > 120 {
		t.Errorf("%d pages, want 60-120", pages)
	}
	for _, n := range ProfileNames() {
		if profiles[n] == 0 {
			t.Errorf("no page of profile %s", n)
		}
	}
	for _, d := range []string{DefectOverlap, DefectUpsideDown, DefectCrossing, DefectLeftEmpty, DefectPenMark, DefectDuplicate,
		DefectPenMarks, DefectCountMismatch, DefectNoDate, DefectNoProgressive, DefectNoCount, DefectFoldedCorner} {
		if defects[d] == 0 {
			t.Errorf("no %s defect", d)
		}
	}
	for _, s := range []string{StyleLinear, StyleDataMatrix, StyleQR} {
		if styles[s] == 0 {
			t.Errorf("no label of style %s", s)
		}
	}
	for _, o := range []int{0, 90, 180, 270} {
		if orient[o] == 0 {
			t.Errorf("no page at %d degrees", o)
		}
	}
	if empty == 0 || full == 0 || hand == 0 {
		t.Errorf("empty sheets %d, full sheets %d, all-handwritten headers %d: want some of each", empty, full, hand)
	}
	var size int64
	entries, _ := os.ReadDir(corpusDir)
	for _, e := range entries {
		fi, _ := e.Info()
		size += fi.Size()
	}
	if size > 30<<20 {
		t.Errorf("corpus is %.1f MB, budget 30 MB", float64(size)/(1<<20))
	}
	t.Logf("%d pages, %.1f MB, profiles %v, defects %v", pages, float64(size)/(1<<20), profiles, defects)
}

// TestCorpusGeometry checks, on every page of every profile, that the
// truth's homography puts the four markers where the image has them: the
// core of each marker is dark and, for head markers, the ring around the
// core is light. A wrong rotation, flip or perspective fails here.
func TestCorpusGeometry(t *testing.T) {
	t.Parallel()
	l := layout.Current()
	for path, tr := range loadCorpus(t) {
		imgs := loadPages(t, ImagePath(path, tr))
		if len(imgs) != len(tr.Pages) {
			t.Fatalf("%s: %d pages in the image, %d in the truth", tr.File, len(imgs), len(tr.Pages))
		}
		for i, p := range tr.Pages {
			img := imgs[i]
			if img.Rect.Dx() != p.Scan.Width || img.Rect.Dy() != p.Scan.Height {
				t.Errorf("%s: image %v, truth %dx%d", pageName(p), img.Rect, p.Scan.Width, p.Scan.Height)
			}
			k := p.Scan.EffectiveDPI / 25.4
			for _, m := range l.Markers {
				if p.Fold != nil && slices.Contains(p.Fold.Hidden, m.Name) {
					continue // under or torn off with a folded corner
				}
				cx, cy := m.Center()
				mod := m.W / float64(m.Modules)
				core := at(img, p.Scan, cx, cy, max(int(k), 1))
				ring := at(img, p.Scan, m.X+1.5*mod, cy, max(int(k*mod/2), 1))
				if m.Kind == layout.Head && !(core+50 < ring) {
					t.Errorf("%s: head marker %s: core %.0f, white ring %.0f", pageName(p), m.Name, core, ring)
				}
				if m.Kind == layout.Tail && !(ring+0 < 128 && core < 128) {
					t.Errorf("%s: tail marker %s: core %.0f, inside %.0f: want solid dark", pageName(p), m.Name, core, ring)
				}
			}
		}
	}
}

// at is the mean gray around page point (x, y) mm.
func at(img *image.Gray, sc Scan, x, y float64, size int) float64 {
	px, py := sc.ToImage(x, y)
	return mean(img, px-0.5, py-0.5, size)
}

// zbar runs zbarimg on an image file and returns what it printed, as
// "CODE-39:TEXT" lines.
func zbar(t *testing.T, path string) map[string]bool {
	t.Helper()
	cmd := exec.Command("zbarimg", "-q", path)
	var out bytes.Buffer
	cmd.Stdout = &out
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 4 {
		err = nil // 4: nothing found; the checks below say what was missing
	}
	if err != nil {
		t.Fatalf("zbarimg %s: %v", path, err)
	}
	got := map[string]bool{}
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		got[strings.TrimSpace(sc.Text())] = true
	}
	return got
}

// TestCleanPagesDecode is the check that the truth matches the pixels: on
// every clean page, every clear Code 32 and ITF symbol decodes to the
// truth's value with zbarimg (whole page), with gozxing and with package
// barcode's Decoder (on the symbol cut out where the truth says it is), and
// every clear Data Matrix and QR code decodes with gozxing.
func TestCleanPagesDecode(t *testing.T) {
	t.Parallel()
	checked := 0
	for path, tr := range loadCorpus(t) {
		if tr.Profile != "clean" {
			continue
		}
		imgPath := ImagePath(path, tr)
		z := zbar(t, imgPath)
		img := loadPages(t, imgPath)[0]
		p := tr.Pages[0]
		if !z["CODE-39:"+p.Sheet.Code] {
			t.Errorf("%s: zbarimg did not read the sheet code %s", pageName(p), p.Sheet.Code)
		}
		dec := barcode.NewDecoder()
		for _, s := range p.Slots {
			if s.State != StateFilled {
				continue
			}
			for _, sym := range s.Label.Symbols {
				if !sym.Clear {
					continue
				}
				where := pageName(p) + " slot " + strconv.Itoa(s.Slot) + " " + sym.Kind
				switch sym.Kind {
				case SymCode32:
					checked++
					if !z["CODE-39:"+sym.Text] {
						t.Errorf("%s: zbarimg did not read %s", where, sym.Text)
					}
					crop := rectify(img, p.Scan, sym.Corners, 3)
					if got := gozxingRead(crop, oned.NewCode39Reader(), nil); got != sym.Text {
						t.Errorf("%s: gozxing read %q, want %q", where, got, sym.Text)
					}
					if aic, _, err := dec.Code32(crop); err != nil || string(aic) != s.AIC {
						t.Errorf("%s: barcode.Decoder read %q (%v), want %s", where, aic, err, s.AIC)
					}
				case SymITF:
					checked++
					if !z["I2/5:"+sym.Text] {
						t.Errorf("%s: zbarimg did not read %s", where, sym.Text)
					}
					crop := rectify(img, p.Scan, sym.Corners, 3)
					if got := gozxingRead(crop, oned.NewITFReader(), map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_ALLOWED_LENGTHS: []int{10}}); got != sym.Text {
						t.Errorf("%s: gozxing read %q, want %q", where, got, sym.Text)
					}
					if tg, _, err := dec.Targatura(crop); err != nil || string(tg) != s.Targatura {
						t.Errorf("%s: barcode.Decoder read %q (%v), want %s", where, tg, err, s.Targatura)
					}
				case SymDataMatrix, SymQR:
					checked++
					// gozxing's Data Matrix detector grows a white rectangle
					// from the centre and is thrown by print nearby, so the
					// crop keeps a 1 mm (2-module) quiet zone and no more.
					crop := whiteOutside(rectify(img, p.Scan, sym.Corners, 3), p.Scan.EffectiveDPI/25.4*2)
					var rd gozxing.Reader = datamatrix.NewDataMatrixReader()
					if sym.Kind == SymQR {
						rd = qrcode.NewQRCodeReader()
					}
					if got := gozxingRead(crop, rd, nil); got != sym.Text {
						t.Errorf("%s: gozxing read %q, want %q", where, got, sym.Text)
					}
				}
			}
		}
	}
	if checked < 100 {
		t.Errorf("only %d symbols checked on clean pages", checked)
	}
}

func gozxingRead(img *image.Gray, rd gozxing.Reader, hints map[gozxing.DecodeHintType]any) string {
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return "error: " + err.Error()
	}
	h := map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true}
	for k, v := range hints {
		h[k] = v
	}
	res, err := rd.Decode(bmp, h)
	if err != nil {
		return "error: " + err.Error()
	}
	return res.GetText()
}

// TestReproducesCommittedCorpus regenerates one file of every profile of
// the committed corpus with the parameters of `make corpus` and compares
// bytes: the corpus is what the code makes, and a change to the generator
// that alters it fails here until the corpus is regenerated.
func TestReproducesCommittedCorpus(t *testing.T) {
	t.Parallel()
	seed, pages := corpusParams(t)
	only := []string{"0001-clean.png", "0003-bitonal.tif", "0006-phone.jpg", "0007-batch-tiff.tif"}
	if !testing.Short() {
		only = append(only, "0002-office.jpg", "0004-upside-down.png", "0005-sideways.jpg", "0008-batch-pdf.pdf")
	}
	profs, _ := ParseProfiles("all")
	dir := t.TempDir()
	if _, err := Generate(context.Background(), Options{Dir: dir, Pages: pages, Seed: seed, Profiles: profs, Workers: 2, Only: only}); err != nil {
		t.Fatal(err)
	}
	for _, f := range only {
		for _, name := range []string{f, truthName(f)} {
			want, err := os.ReadFile(filepath.Join(corpusDir, name))
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the committed corpus (%d vs %d bytes): run `make -f mk/synth.mk corpus`", name, len(got), len(want))
			}
		}
	}
}

// whiteOutside paints white everything farther than border px inside the
// edge of a crop made with a 3 mm margin, leaving a 1 mm margin.
func whiteOutside(img *image.Gray, border float64) *image.Gray {
	b := int(border)
	w, h := img.Rect.Dx(), img.Rect.Dy()
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if x < b || y < b || x >= w-b || y >= h-b {
				img.Pix[y*img.Stride+x] = 255
			}
		}
	}
	return img
}
