package acquisition

import (
	"image"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/regfus/regfus/icr"
	"github.com/regfus/regfus/page"
)

func sure(text string) boxRead { return boxRead{written: true, text: text, conf: 0.99, sure: true} }

func TestAcceptProgressive(t *testing.T) {
	for _, tc := range []struct {
		br   boxRead
		want string // "" when refused
	}{
		{sure("7"), "7"},
		{sure("D12"), "D12"},
		{sure("012"), "12"},
		{boxRead{written: true, source: page.SourceHandwritten, text: "012", conf: 0.999, sure: true}, ""}, // a D read as 0?
		{boxRead{written: true, source: page.SourceHandwritten, text: "D012", conf: 0.999, sure: true}, ""},
		{boxRead{written: true, source: page.SourceHandwritten, text: "D10", conf: 0.999, sure: true}, "D10"},
		{sure("D"), ""},     // a D alone
		{sure("1D2"), ""},   // a D not first
		{sure("DD2"), ""},   // two Ds
		{sure("0"), ""},     // not positive
		{sure("D00"), ""},   // not positive
		{sure("1?2"), ""},   // a mark that is neither
		{sure("12345"), ""}, // too long
		{boxRead{written: true, text: "D12", conf: 0.5, why: "unsure"}, ""},
	} {
		got, why := acceptProgressive(tc.br)
		if got != tc.want || (got == "") == (why == "") {
			t.Errorf("acceptProgressive(%q sure=%v) = %q, %q; want %q", tc.br.text, tc.br.sure, got, why, tc.want)
		}
	}
}

func TestAcceptCount(t *testing.T) {
	for _, tc := range []struct {
		br   boxRead
		want int // -1 when refused
	}{
		{sure("7"), 7}, {sure("28"), 28}, {sure("0"), 0},
		{sure("29"), -1}, {sure("123"), -1}, {sure("D2"), -1}, {sure("?"), -1},
		{boxRead{written: true, text: "12", conf: 0.6, why: "unsure"}, -1},
	} {
		got, why := acceptCount(tc.br)
		if tc.want < 0 && why == "" || tc.want >= 0 && (why != "" || got != tc.want) {
			t.Errorf("acceptCount(%q) = %d, %q; want %d", tc.br.text, got, why, tc.want)
		}
	}
}

func TestAcceptDate(t *testing.T) {
	for _, tc := range []struct {
		br   boxRead
		want string
	}{
		{sure("05022024"), "2024-02-05"},
		{sure("29022024"), "2024-02-29"},
		{sure("29022023"), ""}, // not a calendar date
		{sure("31042024"), ""},
		{sure("0502202_"), ""}, // an empty cell
		{sure("05?22024"), ""},
		{boxRead{written: true, text: "05022024", conf: 0.7, why: "unsure"}, ""},
	} {
		d, why := acceptDate(tc.br)
		got := ""
		if why == "" {
			got = d.Format("2006-01-02")
		}
		if got != tc.want {
			t.Errorf("acceptDate(%q) = %q (%s); want %q", tc.br.text, got, why, tc.want)
		}
	}
}

func TestHandReadThreshold(t *testing.T) {
	reads := []charRead{{ch: 'D', conf: 0.99}, {ch: '1', conf: 0.97}, {ch: '7', conf: handThreshold - 0.01}}
	br := handRead(reads, boxRead{written: true}, handThreshold)
	if br.sure || br.text != "D17" || br.conf != handThreshold-0.01 || !strings.Contains(br.why, "confidence") {
		t.Errorf("one character under the threshold: %+v", br)
	}
	reads[2].conf = handThreshold
	if br := handRead(reads, boxRead{written: true}, handThreshold); !br.sure || br.text != "D17" {
		t.Errorf("every character at the threshold: %+v", br)
	}
	// A character the context confirmed (contextConfirms, the month or
	// year cells, the calendar) needs no more.
	reads[2].conf, reads[2].ctx = 0.6, true
	if br := handRead(reads, boxRead{written: true}, handThreshold); !br.sure {
		t.Errorf("a character the context confirmed: %+v", br)
	}
	reads[2].conf, reads[2].ctx = handThreshold, false
	// A reason found before (too many marks) stands whatever the model says.
	if br := handRead(reads, boxRead{written: true, why: "6 marks"}, handThreshold); br.sure {
		t.Errorf("a box refused before the model is read sure: %+v", br)
	}
}

// TestCalendarDay: the day cells of a date in the competence month are
// weighed with the calendar, and only the probability the calendar rules
// out is moved.
func TestCalendarDay(t *testing.T) {
	probs := func(p map[int]float64) []float64 {
		out := make([]float64, 10)
		for d, v := range p {
			out[d] = v
		}
		return out
	}
	read := func(ch byte, conf float64, p map[int]float64) charRead {
		return charRead{ch: ch, conf: conf, probs: probs(p)}
	}
	const minConf = 0.9888
	for _, tc := range []struct {
		name string
		day  []charRead
		days int
		sure bool
	}{
		// A 2 that might be a 7: no day has a tens digit of 7.
		{"tens 2 or 7", []charRead{read('2', 0.8, map[int]float64{2: 0.8, 7: 0.2}), read('5', 0.999, map[int]float64{5: 0.999, 6: 0.001})}, 31, true},
		// A 0 that might be a 6 in the units: both make a day.
		{"units 0 or 6", []charRead{read('1', 0.999, map[int]float64{1: 0.999}), read('0', 0.8, map[int]float64{0: 0.8, 6: 0.2})}, 31, false},
		// 3 and 1 on a month of 30 days: 31 is not a day, 30 is.
		{"31 in a 30-day month", []charRead{read('3', 0.999, map[int]float64{3: 0.999}), read('1', 0.9, map[int]float64{1: 0.9, 0: 0.1})}, 30, false},
		// Little of the probability on any day at all: not weighed.
		{"no day likely", []charRead{read('3', 0.6, map[int]float64{3: 0.6, 9: 0.4}), read('9', 0.7, map[int]float64{9: 0.7, 0: 0.01})}, 31, false},
		// A cell the model calls other is never made a digit.
		{"other", []charRead{read('?', 0.6, map[int]float64{2: 0.3}), read('5', 0.999, map[int]float64{5: 0.999})}, 31, false},
	} {
		day := slices.Clone(tc.day)
		calendarDay(day, tc.days, minConf)
		got := day[0].ctx && day[1].ctx && day[0].conf >= minConf && day[1].conf >= minConf
		if got != tc.sure {
			t.Errorf("%s: confirmed %v, want %v (%+v)", tc.name, got, tc.sure, day)
		}
	}
}

// modelRead is the model's reading of one character whose class
// probabilities are p (the others 0): its likeliest class, at p's share.
func modelRead(p map[icr.Class]float64) charRead {
	probs := make([]float64, icr.NumClasses)
	best := icr.Class(0)
	for c, v := range p {
		probs[c] = v
		if v > probs[best] {
			best = c
		}
	}
	return charRead{ch: classChar(best), conf: probs[best], probs: probs}
}

// TestNoD: where a field has no place for a D, the model's reading is
// conditioned on "not a D" only while the other classes keep at least
// minAllowedMass; Other stays Other, and the progressive's first
// character may still be a D.
func TestNoD(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   charRead
		ch   byte
		conf float64
	}{
		{"a 0 with a flat side", modelRead(map[icr.Class]float64{icr.D: 0.58, 0: 0.41, 6: 0.01}), '0', 0.41 / 0.42},
		{"a D the model is sure of", modelRead(map[icr.Class]float64{icr.D: 0.9, 0: 0.1}), 'D', 0.9},
		{"other stays other", modelRead(map[icr.Class]float64{icr.Other: 0.6, icr.D: 0.3, 0: 0.1}), '?', 0.6 / 0.7},
		{"a digit", modelRead(map[icr.Class]float64{5: 0.98, icr.D: 0.02}), '5', 1},
	} {
		got := tc.in.noD()
		if got.ch != tc.ch || math.Abs(got.conf-tc.conf) > 1e-9 {
			t.Errorf("%s: noD reads %c %.4f, want %c %.4f", tc.name, got.ch, got.conf, tc.ch, tc.conf)
		}
	}
	// The progressive's grammar: D first only.
	reads := []charRead{
		modelRead(map[icr.Class]float64{icr.D: 0.6, 0: 0.4}),
		modelRead(map[icr.Class]float64{icr.D: 0.6, 0: 0.4}),
	}
	progressiveField.grammar(reads)
	if reads[0].ch != 'D' || reads[1].ch != '0' {
		t.Errorf("progressive: %c%c, want D0 (a D only first)", reads[0].ch, reads[1].ch)
	}
	reads = []charRead{modelRead(map[icr.Class]float64{icr.D: 0.4, 1: 0.6}), modelRead(map[icr.Class]float64{icr.D: 0.45, 0: 0.55})}
	countField.grammar(reads)
	if string([]byte{reads[0].ch, reads[1].ch}) != "10" || reads[1].conf != 1 {
		t.Errorf("count: %c%c %.3f, want 10 at 1.000", reads[0].ch, reads[1].ch, reads[1].conf)
	}
}

// TestContextConfirms: a count that reads the filled slots found needs the
// probability the count's prior leaves, on the whole value; any other
// reading, or none expected, is not confirmed.
func TestContextConfirms(t *testing.T) {
	const minConf = 0.9904
	st := &pageState{r: &Reader{handMin: minConf}}
	cm := contextMin(minConf, countPrior)
	if cm < 0.9 || cm > 0.95 {
		t.Fatalf("contextMin(%.4f, %.2f) = %.4f, want about 0.92", minConf, countPrior, cm)
	}
	// Posterior odds at contextMin are the threshold's.
	if post := cm / (1 - cm) * countPrior / (1 - countPrior); math.Abs(post-minConf/(1-minConf)) > 1e-6 {
		t.Errorf("posterior odds %.3f, want %.3f", post, minConf/(1-minConf))
	}
	if d := contextMin(minConf, datePrior); d < 0.5 || d > 0.52 {
		t.Errorf("contextMin for a date cell = %.4f, want about 0.51", d)
	}
	rd := func(text string, confs ...float64) []charRead {
		out := make([]charRead, len(text))
		for i := range text {
			out[i] = charRead{ch: text[i], conf: confs[i]}
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		reads []charRead
		want  string
		ok    bool
	}{
		{"agrees", rd("18", 0.999, 0.95), "18", true},
		{"agrees, the product under", rd("18", 0.95, 0.95), "18", false},
		{"another value", rd("19", 0.999, 0.999), "18", false},
		{"one digit fewer", rd("8", 0.999), "18", false},
		{"nothing expected", rd("18", 0.999, 0.95), "", false},
	} {
		got := st.contextConfirms(tc.reads, tc.want)
		br := handRead(tc.reads, boxRead{written: true}, minConf)
		if got != tc.ok || br.sure != tc.ok && tc.reads[len(tc.reads)-1].conf < minConf {
			t.Errorf("%s: confirmed %v (sure %v), want %v", tc.name, got, br.sure, tc.ok)
		}
	}
}

// TestDigitOnly: a mark the model calls other or D, in a cell that must
// hold a digit, is read among the digits only while they keep at least
// minDigitMass.
func TestDigitOnly(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   charRead
		ch   byte
		conf float64
	}{
		{"an open 0", modelRead(map[icr.Class]float64{icr.Other: 0.8, 0: 0.18, 6: 0.02}), '0', 0.9},
		{"a flat-sided 0", modelRead(map[icr.Class]float64{icr.D: 0.755, 0: 0.24, 8: 0.005}), '0', 0.24 / 0.245},
		{"other for sure", modelRead(map[icr.Class]float64{icr.Other: 0.95, 4: 0.03, 9: 0.02}), '?', 0.95},
	} {
		got := tc.in.digitOnly()
		if got.ch != tc.ch || math.Abs(got.conf-tc.conf) > 1e-9 {
			t.Errorf("%s: digitOnly reads %c %.4f, want %c %.4f", tc.name, got.ch, got.conf, tc.ch, tc.conf)
		}
	}
}

// TestPrintAgreesFirstMember: with an ensemble, a printed value is
// checked against its first member alone (charRead.alone), the model the
// print rule was measured with, conditioned as the reading is (noD).
func TestPrintAgreesFirstMember(t *testing.T) {
	probs := func(c byte, p float64) []float64 {
		ps := make([]float64, icr.NumClasses)
		for i := range ps {
			ps[i] = (1 - p) / float64(icr.NumClasses-1)
		}
		switch c {
		case 'D':
			ps[icr.D] = p
		default:
			ps[c-'0'] = p
		}
		return ps
	}
	read := func(c byte, p float64) charRead { return charRead{ch: c, conf: p, probs: probs(c, p)} }
	ens := read('5', 0.52)
	alone := read('6', 0.95)
	ens.alone = &alone
	if !printAgrees("6", []charRead{ens}, false) {
		t.Error("a printed 6 the ensemble reads 5, its first member 6: refused")
	}
	if printAgrees("5", []charRead{ens}, false) {
		t.Error("a printed 5 the first member reads 6: taken")
	}
	// A longer value: a character the first member reads otherwise at
	// the acceptance confidence vetoes it, the ensemble's doubt does not.
	one := read('1', 0.999)
	if !printAgrees("16", []charRead{one, ens}, false) || printAgrees("15", []charRead{one, ens}, false) {
		t.Error("16 / 15 against a first member reading 1 and a sure 6")
	}
	// noD conditions the first member's reading too: a D where none may
	// be is read among the rest.
	d := read('D', 0.6)
	d.probs[6] = 0.3
	e := read('6', 0.9)
	e.alone = &d
	if got := e.noD().printRead(); got.ch != '6' {
		t.Errorf("noD of a first member reading D (6 next): %c", got.ch)
	}
	// Without an ensemble the reading is its own.
	if !printAgrees("6", []charRead{alone}, false) || printAgrees("5", []charRead{alone}, false) {
		t.Error("one member: printAgrees does not follow its reading")
	}
}

// TestAgainstContext: a month or year cell that reads a digit other than
// the competence's keeps no more probability than the date's prior leaves
// it; where the model all but rules the competence's digit out the reading
// stands.
func TestAgainstContext(t *testing.T) {
	st := &pageState{r: &Reader{handMin: 0.9904}}
	cell := func(ch byte, p, pWant float64, want byte) charRead {
		ps := make([]float64, icr.NumClasses)
		ps[ch-'0'], ps[want-'0'] = p, pWant
		ps[icr.Other] = max(0, 1-p-pWant)
		return charRead{ch: ch, conf: p, probs: ps}
	}
	// A bitonal 4 read as a sure 1, the 4 at 0.005: refused.
	r := st.cellContext(cell('1', 0.993, 0.005, '4'), '4')
	if r.ctx || r.conf >= st.r.handMin {
		t.Errorf("a 1 at 0.993 where the context expects a 4 (0.005): %.4f ctx %v, want under %.4f", r.conf, r.ctx, st.r.handMin)
	}
	// Weighed again (after recut) it gives the same.
	if again := st.cellContext(r, '4'); again.conf != r.conf {
		t.Errorf("weighed twice: %.6f then %.6f", r.conf, again.conf)
	}
	// A 5 the model reads at 0.99999, the 4 at 1e-6: it stands (a date
	// outside the month, a finding).
	if r := st.cellContext(cell('5', 0.99999, 1e-6, '4'), '4'); r.conf < st.r.handMin {
		t.Errorf("a 5 at 0.99999, the expected 4 at 1e-6: %.4f, want at least %.4f", r.conf, st.r.handMin)
	}
	// The expected digit is untouched.
	if r := st.cellContext(cell('4', 0.6, 0.6, '4'), '4'); !r.ctx || r.conf != 0.6 {
		t.Errorf("the expected 4 at 0.6: %.4f ctx %v", r.conf, r.ctx)
	}
}

// TestConfirmOne checks the rule for a progressive of one handwritten
// character (boxField.confirmOne): it stays sure only when the model's
// second opinion reads the same character at its own threshold, and the
// embedded model, a first member with a second opinion, gives the reader
// that opinion.
func TestConfirmOne(t *testing.T) {
	one := boxRead{written: true, source: page.SourceHandwritten, text: "4", conf: 0.995, sure: true}
	for _, c := range []struct {
		r    charRead
		sure bool
	}{
		{charRead{ch: '4', conf: 0.999}, true},
		{charRead{ch: '4', conf: 0.991}, true},
		{charRead{ch: '4', conf: 0.9}, false},   // the same, not sure
		{charRead{ch: '9', conf: 0.999}, false}, // a 9 with a narrow open loop
	} {
		got := one.confirmedBy(c.r, 0.991)
		if got.sure != c.sure || got.text != "4" || !c.sure && !strings.Contains(got.why, "second model") {
			t.Errorf("second opinion %c at %.3f: sure %v (%q), want %v", c.r.ch, c.r.conf, got.sure, got.why, c.sure)
		}
	}
	if !progressiveField.confirmOne || countField.confirmOne {
		t.Error("only the progressive has no context for one character")
	}
	m, err := icr.Load()
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	var r Reader
	WithHandReader(m)(&r)
	if in := m.Info(); in.Agree != nil {
		if r.confirm == nil || r.confirmMin != max(handThreshold, in.Members[1].Threshold) {
			t.Fatalf("a model with a second opinion: confirm %v at %v", r.confirm != nil, r.confirmMin)
		}
		glyph := image.NewGray(image.Rect(0, 0, 30, 40))
		for i := range glyph.Pix {
			glyph.Pix[i] = 255
		}
		for y := 5; y < 35; y++ {
			glyph.Pix[y*30+14], glyph.Pix[y*30+15] = 0, 0 // a 1
		}
		rs, err := r.confirm([]*image.Gray{glyph})
		if err != nil || len(rs) != 1 || rs[0].ch != '1' {
			t.Errorf("the second opinion of a stroke: %v %v", rs, err)
		}
	} else if r.confirm != nil {
		t.Error("a model of one member: a second opinion")
	}
}
