package barcode

import "image"

// BandStat is one band's model read in one direction, for the profile
// measurement's safety figures (export for the external test package).
type BandStat struct {
	Text                    string
	RMS, Margin, WorstFit   float64
	Fitted, Valid, Reversed bool // passed the fit's own tests; passed the target's validation
	Passed                  bool // would count as this band's read (thresholds too)
}

// ModelBandStats runs the model fit on every band of img, both ways round,
// as Code 32 (code32) or targatura.
func ModelBandStats(img *image.Gray, code32 bool) []BandStat {
	d := NewDecoder()
	p := planeFromGray(img)
	m, t := targaturaModel, &targaturaTarget
	if code32 {
		m, t = code32Model, &code32Target
	}
	y0, y1 := int(0.12*float64(p.h)), int(0.88*float64(p.h)+0.999)
	var out []BandStat
	for b := 0; b < modelBands; b++ {
		a := y0 + (y1-y0)*b/modelBands
		e := y0 + (y1-y0)*(b+1)/modelBands
		if e <= a {
			continue
		}
		prof := d.bandProfile(p, a, e)
		y, l0, r0, ok := darkness(prof, m, &d.mdark)
		if !ok {
			continue
		}
		for _, rev := range []bool{false, true} {
			yy, l, r := y, l0, r0
			if rev {
				yy = make([]float64, len(y))
				for i, v := range y {
					yy[len(y)-1-i] = v
				}
				l, r = float64(len(y))-r0, float64(len(y))-l0
			}
			rd, fitted := d.mfit.read(m, yy, l, r, false)
			s := BandStat{Text: rd.text, RMS: rd.rms, Margin: rd.margin, WorstFit: rd.worstFit, Fitted: fitted,
				Valid: t.accept(rd.text) == nil, Reversed: rev}
			s.Passed = s.Fitted && s.Valid && rd.rms <= modelMaxRMS && rd.worstFit <= modelMaxSlot && rd.margin >= modelMinMargin
			out = append(out, s)
		}
	}
	return out
}

// RaceEnabled tells the external tests whether the race detector is on
// (race_on_test.go), to reduce their heavy measurements under it.
const RaceEnabled = raceEnabled
