package lines

import (
	"bytes"
	"encoding/binary"
	"image"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/hhrutter/tiff"
	"github.com/regfus/regfus/fustella"
	"github.com/regfus/regfus/sheet"
)

func TestRandomTextIsValid(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		for _, k := range []Kind{KindAIC, KindTargatura, KindSheetCode, KindProgressive, KindCount, KindRandom} {
			s, err := RandomText(rng, k)
			if err != nil {
				t.Fatal(err)
			}
			switch k {
			case KindAIC:
				if _, err := fustella.ParseAIC(strings.Replace(s, " ", "", 1)); err != nil || !strings.HasPrefix(s, "A") || len(strings.TrimPrefix(strings.TrimPrefix(s, "A"), " ")) != 9 {
					t.Fatalf("AIC %q: %v", s, err)
				}
			case KindTargatura:
				if _, err := fustella.ParseTargatura(s); err != nil {
					t.Fatalf("targatura %q: %v", s, err)
				}
			case KindSheetCode:
				if _, err := sheet.ParseCode(s); err != nil {
					t.Fatalf("sheet code %q: %v", s, err)
				}
			case KindProgressive:
				n, err := strconv.Atoi(strings.TrimPrefix(s, "D"))
				if err != nil || n < 1 || n > 999 || strings.TrimLeft(s, "D0123456789") != "" {
					t.Fatalf("progressive %q", s)
				}
			case KindCount:
				if n, err := strconv.Atoi(s); err != nil || n < 0 || n > 28 {
					t.Fatalf("count %q", s)
				}
			case KindRandom:
				if len(s) < 1 || len(s) > 17 || strings.Trim(s, Charset+" ") != "" || strings.TrimSpace(s) != s || strings.Contains(s, "  ") {
					t.Fatalf("random %q", s)
				}
			}
		}
	}
	if _, err := RandomText(rng, "nope"); err == nil {
		t.Error("RandomText accepted an unknown kind")
	}
}

// TestSetIsDeterministic: a line depends only on (seed, index), whatever
// the order or parallelism of generation.
func TestSetIsDeterministic(t *testing.T) {
	t.Parallel()
	set := Set{Gen: Train(), Seed: 42, N: 12}
	var all []Sample
	if err := set.Each(func(i int, s Sample) error { all = append(all, s); return nil }); err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{11, 3, 0} {
		again, err := set.Line(i)
		if err != nil {
			t.Fatal(err)
		}
		if again.Text != all[i].Text || !bytes.Equal(again.Image.Pix, all[i].Image.Pix) || again.Ink != all[i].Ink {
			t.Errorf("line %d differs between runs", i)
		}
	}
	// A part drawn with EachFrom is the same lines, numbered as in the whole.
	part := Set{Gen: set.Gen, Seed: set.Seed, N: 4}
	if err := part.EachFrom(8, func(i int, s Sample) error {
		if s.Text != all[i].Text || !bytes.Equal(s.Image.Pix, all[i].Image.Pix) {
			t.Errorf("EachFrom(8): line %d differs from Each's", i)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	other, err := Set{Gen: Train(), Seed: 43, N: 1}.Line(0)
	if err != nil {
		t.Fatal(err)
	}
	if other.Text == all[0].Text {
		t.Errorf("seeds 42 and 43 gave the same first line %q", other.Text)
	}
}

// TestLinesLookLikeReaderCrops checks every profile's geometry: the reader's
// height, a box inside the image that holds the ink, dark ink on light paper.
func TestLinesLookLikeReaderCrops(t *testing.T) {
	t.Parallel()
	profiles := append(TrainProfiles(), EvalProfiles()...)
	for _, p := range ScanProfiles() {
		p.Name = "scan/" + p.Name
		profiles = append(profiles, p)
	}
	for _, p := range profiles {
		t.Run(p.Name, func(t *testing.T) {
			t.Parallel()
			set := Set{Gen: FontGenerator{p}, Seed: 5, N: 20}
			err := set.Each(func(i int, s Sample) error {
				img, pr := s.Image, s.Params
				h := img.Rect.Dy()
				if want := int(LineHeight*pr.ScaleJitter + 0.5); h != want {
					t.Errorf("#%d height %d, want %d", i, h, want)
				}
				if s.Ink.Empty() || !s.Ink.In(img.Rect) {
					t.Errorf("#%d ink box %v not inside %v", i, s.Ink, img.Rect)
				}
				// The ink inside its box is darker than the margin's mean.
				in, out, nout := 255, 0, 0
				for y := img.Rect.Min.Y; y < img.Rect.Max.Y; y++ {
					for x := img.Rect.Min.X; x < img.Rect.Max.X; x++ {
						v := int(img.Pix[y*img.Stride+x])
						if (image.Point{x, y}).In(s.Ink) {
							in = min(in, v)
						} else {
							out += v
							nout++
						}
					}
				}
				if nout > 0 && in >= out/nout-20 {
					t.Errorf("#%d %q: darkest ink %d, margin mean %d", i, s.Text, in, out/nout)
				}
				if pr.DPI < p.DPI.Min || pr.DPI > p.DPI.Max {
					t.Errorf("#%d dpi %.1f outside %v", i, pr.DPI, p.DPI)
				}
				for _, hd := range p.HoldoutDPI {
					if hd.contains(pr.DPI) {
						t.Errorf("#%d dpi %.1f is held out", i, pr.DPI)
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestEvalConditionsAreHeldOut: the exact scanner settings of evaluation
// are never drawn in training.
func TestEvalConditionsAreHeldOut(t *testing.T) {
	t.Parallel()
	for _, ev := range EvalProfiles() {
		for _, tr := range append(TrainProfiles(), ScanProfiles()...) {
			held := false
			for _, h := range tr.HoldoutDPI {
				held = held || (h.contains(ev.DPI.Min) && h.contains(ev.DPI.Max))
			}
			if !held {
				t.Errorf("%s dpi %v is not held out of %s", ev.Name, ev.DPI, tr.Name)
			}
			if ev.JPEGProb > 0 {
				held := false
				for _, h := range tr.HoldoutJPEG {
					held = held || (h.contains(ev.JPEGQuality.Min) && h.contains(ev.JPEGQuality.Max))
				}
				if !held {
					t.Errorf("%s JPEG quality %v is not held out of %s", ev.Name, ev.JPEGQuality, tr.Name)
				}
			}
			if ev.Supersample == tr.Supersample {
				t.Errorf("%s and %s render with the same supersampling", ev.Name, tr.Name)
			}
		}
	}
}

// TestShardIsAMultiPageTIFF writes a shard and reads every page back.
func TestShardIsAMultiPageTIFF(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	base := filepath.Join(dir, "s")
	sh, err := CreateShard(base)
	if err != nil {
		t.Fatal(err)
	}
	var want []Sample
	set := Set{Gen: FontGenerator{EvalProfiles()[0]}, Seed: 9, N: 3}
	if err := set.Each(func(i int, s Sample) error { want = append(want, s); return sh.Add(s) }); err != nil {
		t.Fatal(err)
	}
	if err := sh.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(base + ".tif")
	if err != nil {
		t.Fatal(err)
	}
	// Walk the IFD chain, decoding each page with an independent decoder.
	var pages []image.Image
	for off := binary.LittleEndian.Uint32(raw[4:]); off != 0; {
		p, err := tiff.DecodeAt(bytes.NewReader(raw), int64(off))
		if err != nil {
			t.Fatalf("page %d at %d: %v", len(pages), off, err)
		}
		pages = append(pages, p)
		n := uint32(binary.LittleEndian.Uint16(raw[off:]))
		off = binary.LittleEndian.Uint32(raw[off+2+12*n:])
	}
	if len(pages) != len(want) {
		t.Fatalf("%d pages, want %d", len(pages), len(want))
	}
	for i, p := range pages {
		b := p.Bounds()
		if b.Dx() != want[i].Image.Rect.Dx() || b.Dy() != want[i].Image.Rect.Dy() {
			t.Errorf("page %d is %v, want %v", i, b, want[i].Image.Rect)
			continue
		}
		for y := 0; y < b.Dy(); y++ {
			for x := 0; x < b.Dx(); x++ {
				r, _, _, _ := p.At(b.Min.X+x, b.Min.Y+y).RGBA()
				if uint8(r>>8) != want[i].Image.Pix[y*want[i].Image.Stride+x] {
					t.Fatalf("page %d pixel (%d,%d) differs", i, x, y)
				}
			}
		}
	}
	box, err := os.ReadFile(base + ".box")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(box), "\n"), "\n")
	if len(lines) != 2*len(want) {
		t.Fatalf("box file has %d lines, want %d", len(lines), 2*len(want))
	}
	for i, s := range want {
		if !strings.HasPrefix(lines[2*i], "WordStr ") || !strings.HasSuffix(lines[2*i], " "+strconv.Itoa(i)+" #"+s.Text) {
			t.Errorf("box line %q for page %d %q", lines[2*i], i, s.Text)
		}
		if !strings.HasPrefix(lines[2*i+1], "\t ") || !strings.HasSuffix(lines[2*i+1], " "+strconv.Itoa(i)) {
			t.Errorf("end-of-line box %q for page %d", lines[2*i+1], i)
		}
	}
}
