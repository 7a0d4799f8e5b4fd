//go:build tesscompare

package linenet

import (
	"strings"

	"github.com/regfus/regfus/fustella"
	"github.com/regfus/regfus/ocrtrain/lines"
	"github.com/regfus/regfus/tesseract"
)

// With -tags tesscompare, TestAccuracy reads every line with package
// tesseract too (about 40 ms of CPU a line), for docs/linenet.md's
// comparison; the tesseract columns are reported, not asserted.
func init() {
	c, err := tesseract.New()
	if err != nil {
		panic(err)
	}
	compare = tessCompare{c}
}

// tessCompare reads lines with a tesseract.Client.
type tessCompare struct{ *tesseract.Client }

// readTess reads the line as package tesseract does for the scan reader:
// one ReadLine (exact), then ReadAIC or ReadTargatura (the value, with
// its confirmation and second opinion).
func (tc tessCompare) read(smp lines.Sample, want string, tl *tally) {
	k := tesseract.AIC
	if smp.Kind == lines.KindTargatura {
		k = tesseract.Targatura
	}
	if l, err := tc.Client.ReadLine(smp.Image, k); err == nil && l.Text == want {
		tl.tessExact++
	}
	var got string
	var err error
	if smp.Kind == lines.KindAIC {
		var a fustella.AIC
		a, _, err = tc.ReadAIC(smp.Image)
		got = a.Printed()
	} else {
		var tg fustella.Targatura
		tg, _, err = tc.ReadTargatura(smp.Image)
		got = string(tg)
	}
	if err != nil {
		return
	}
	if got == want || (smp.Kind == lines.KindAIC && strings.TrimPrefix(got, "A") == strings.TrimPrefix(want, "A")) {
		tl.tessRead++
	} else {
		tl.tessSilent++
	}
}
