package synth

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMagickDegrade writes one office page through ImageMagick twice and
// once without: the degraded page records its convert command line, is
// the same bytes for the same seed (convert's -seed), and differs from
// the page without it while its geometry (the truth's homography) stays
// the same. convert is installed by scripts/setup: missing, the test fails.
func TestMagickDegrade(t *testing.T) {
	t.Parallel()
	profs, _ := ParseProfiles("office")
	root := t.TempDir()
	gen := func(name, degrade string) ([]byte, *Truth) {
		dir := filepath.Join(root, name)
		if _, err := Generate(context.Background(), Options{Dir: dir, Pages: 1, Seed: 77, Profiles: profs, Workers: 1, Degrade: degrade}); err != nil {
			t.Fatal(err)
		}
		img, err := os.ReadFile(filepath.Join(dir, "0001-office.jpg"))
		if err != nil {
			t.Fatal(err)
		}
		tr, err := LoadTruth(filepath.Join(dir, "0001-office"+TruthSuffix))
		if err != nil {
			t.Fatal(err)
		}
		return img, tr
	}
	a, ta := gen("a", DegradeMagick)
	b, _ := gen("b", DegradeMagick)
	plain, tp := gen("plain", "")
	if d := ta.Pages[0].Scan.Degrade; !strings.HasPrefix(d, "convert ") || !strings.Contains(d, "+noise Gaussian") {
		t.Errorf("degrade %q in the truth", d)
	}
	if tp.Pages[0].Scan.Degrade != "" {
		t.Errorf("undegraded page records %q", tp.Pages[0].Scan.Degrade)
	}
	if !bytes.Equal(a, b) {
		t.Error("two degraded runs with the same seed differ")
	}
	if bytes.Equal(a, plain) {
		t.Error("the degraded page is the plain one")
	}
	if ta.Pages[0].Scan.Homography != tp.Pages[0].Scan.Homography {
		t.Error("the degradation moved the page")
	}
	if _, err := ParseDegrade("gimp"); err == nil {
		t.Error("unknown degradation accepted")
	}
}
