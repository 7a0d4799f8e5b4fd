package acquisition

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/scanfile"
	"github.com/regfus/regfus/synth"
)

// TestNoSilentErrorOnKnownPages renders pages that once made silent
// errors (a value reported for a slot that is not its label's, or a
// filled slot reported empty) and reads them: none may. Each page is
// rendered again from its corpus's options, so it is the same bytes as
// when it was found.
//   - seed 7853's side-by-side phone page 8: slot 7's label moved 13 mm
//     up over slot 3's, its print 9.0 mm from slot 3's centre, slot 3's
//     own label showing its name and a 2.7 mm sliver of its bars; slot 3
//     reported slot 7's codes and slot 7 was reported empty (overAnother:
//     both must also be flagged overlap);
//   - seed 6601's bitonal page 19: slot 8's label moved onto slot 12's,
//     its symbols read one in each slot (straddles);
//   - seed 6101's classic phone page 4 and seed 4414's bordered phone
//     page 2: the page mapped a row or more off (checkMap, mapWrong);
//   - seed 61617's zint phone page 4: slot 12's label moved 15 mm up over
//     slot 8's ITF, its ITF read in slot 8 and paired with slot 8's Code
//     32 (nearHidden).
func TestNoSilentErrorOnKnownPages(t *testing.T) {
	if testing.Short() {
		t.Skip("renders and reads pages")
	}
	rd, err := NewOCRReader(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	for _, tc := range []struct {
		designs, profiles string
		seed              uint64
		pages             int
		file              string
		flagged           map[int]page.Flag // slot: a flag it must carry
	}{
		{"side-by-side", "clean,office,bitonal,phone", 7853, 8, "0008-phone.jpg", map[int]page.Flag{3: page.FlagOverlap, 7: page.FlagOverlap}},
		{"all", "clean,office,bitonal,phone", 6601, 40, "0019-bitonal.tif", nil},
		{"classic", "clean,office,bitonal,phone", 6101, 12, "0004-phone.jpg", nil},
		{"bordered", "bitonal,phone", 4414, 8, "0002-phone.jpg", nil},
		{"zint", "clean,office,bitonal,phone", 61617, 8, "0004-phone.jpg", nil},
	} {
		t.Run(tc.file, func(t *testing.T) {
			dir := t.TempDir()
			ds, err := synth.ParseDesigns(tc.designs)
			if err != nil {
				t.Fatal(err)
			}
			ps, err := synth.ParseProfiles(tc.profiles)
			if err != nil {
				t.Fatal(err)
			}
			o := synth.Options{Dir: dir, Pages: tc.pages, Seed: tc.seed, Profiles: ps, Designs: ds, Workers: 1, Only: []string{tc.file}}
			if _, err := synth.Generate(context.Background(), o); err != nil {
				t.Fatal(err)
			}
			truth := filepath.Join(dir, strings.TrimSuffix(tc.file, filepath.Ext(tc.file))+synth.TruthSuffix)
			tr, err := synth.LoadTruth(truth)
			if err != nil {
				t.Fatal(err)
			}
			pg, err := scanfile.ReadPage(context.Background(), synth.ImagePath(truth, tr), scanOptions, 1)
			if err != nil {
				t.Fatal(err)
			}
			res := rd.Read(context.Background(), pg.Image, tc.file, 1)
			for i, want := range tr.Pages[0].Slots {
				got := res.Slots[i]
				if want.State == synth.StateFilled && got.State == page.Empty {
					t.Errorf("slot %d: filled, reported empty (flags %v)", i+1, got.Flags)
				}
				if got.AIC != nil && *got.AIC != want.AIC || got.Targatura != nil && *got.Targatura != want.Targatura {
					t.Errorf("slot %d reports %s/%s, truth %q/%q", i+1, deref(got.AIC), deref(got.Targatura), want.AIC, want.Targatura)
				}
			}
			for n, f := range tc.flagged {
				if !res.Slots[n-1].HasFlag(f) {
					t.Errorf("slot %d not flagged %s: %v", n, f, res.Slots[n-1].Flags)
				}
			}
		})
	}
}
