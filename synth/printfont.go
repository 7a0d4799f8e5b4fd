package synth

import (
	"fmt"

	"github.com/regfus/regfus/render"
	"github.com/regfus/regfus/typeface"
)

// Printed header values in other faces. Pharmacy software prints the
// progressive and the count in its own face and size; with
// Options.PrintFonts a corpus prints them, page by page, in one of the
// given faces (names of the font catalogue, fontFiles, or GoBold for the
// embedded Go Sans Bold that regfus render uses) at 3.5-5.5 mm. The choice
// comes from its own stream of the page seed, so the rest of the page is
// the same as without it.

// GoBold names the embedded face of regfus render's printed values.
const GoBold = "GoBold"

// PrintFontNames lists the faces Options.PrintFonts may name.
func PrintFontNames() []string {
	out := []string{GoBold}
	for n := range fontFiles {
		out = append(out, n)
	}
	return out
}

// printFace sets the face and size of the printed values of sh for the
// page of seed, from names.
func printFace(sh *render.Sheet, names []string, seed uint64) (string, float64, error) {
	if len(names) == 0 {
		return "", 0, nil
	}
	r := newRNG(derive(seed, "print-font", 0))
	name := pick(r, names)
	f := typeface.SansBold
	if name != GoBold {
		var err error
		if f, err = systemFont(name); err != nil {
			return "", 0, fmt.Errorf("synth: print font: %w", err)
		}
	}
	size := round3(r.uniform(3.5, 5.5))
	sh.FieldFont, sh.FieldSize = &f, size
	return name, size, nil
}
