package barcode

import (
	"image"

	"github.com/regfus/regfus/fustella"
)

// Candidate reads of a 1-bit scan's symbol: what the model draws, every
// band of rows alike, where no read passes.
//
// A 1-bit scan thresholded dark closes narrow spaces to specks of white
// (and one thresholded light breaks narrow bars): the model then fits
// the right text in every band, with a residual a read may have, but one
// character's best pattern beats its runner-up by a margin of 0.5 to 5
// where a read needs modelMinMargin (6): on seed 4201's side-by-side
// 1-bit page 1 (threshold 134), three targature whose bands all drew
// the right digits that way were left unread, and two of them had their
// digits printed under the bars. Such a fit is no read (the margin is
// what tells a right read from a wrong one: wrong reads passing the check
// digit had margins up to 0.4), but it is a candidate that an
// independent read of the same value can confirm: the page reader's OCR
// of the digit line, which must then read exactly the candidate's text.
// A candidate is reported with Candidate set and a Confidence of
// candidateConfidence, far under what the page reader needs of bars
// alone, so it never makes a value by itself; and when the OCR reads
// anything else, bars and OCR disagree and the value stays unread.
//
// Its conditions: a 1-bit crop (bilevel); the read over all the rows and
// at least two of the modelBands bands (sharing no rows) draw the same
// text the same way round, as their best patterns everywhere (margin
// above zero), with a fit within the 1-bit residual bound
// (modelMaxRMSBilevel), under either model, that passes the target's
// validation (check digit); no band or the read over all rows draws any
// other valid text so, either way round.

// candidateConfidence is a candidate's Confidence.
const candidateConfidence = 0.3

// Code32Candidate returns the Code 32 candidate of a 1-bit crop (see
// above), for a crop that Code32 did not read; ok is false when there is
// none.
func (d *Decoder) Code32Candidate(img *image.Gray) (fustella.AIC, Result, bool) {
	r, ok := d.candidate(img, &code32Target)
	if !ok {
		return "", Result{}, false
	}
	a, err := fustella.AICFromCode32(r.Text)
	if err != nil { // cannot happen: accept checked it
		return "", Result{}, false
	}
	return a, r, true
}

// TargaturaCandidate is Code32Candidate for the targatura.
func (d *Decoder) TargaturaCandidate(img *image.Gray) (fustella.Targatura, Result, bool) {
	r, ok := d.candidate(img, &targaturaTarget)
	if !ok {
		return "", Result{}, false
	}
	t, err := fustella.ParseTargatura(r.Text)
	if err != nil { // cannot happen: accept checked it
		return "", Result{}, false
	}
	return t, r, true
}

// candidate is Code32Candidate's and TargaturaCandidate's reading for t.
func (d *Decoder) candidate(img *image.Gray, t *target) (Result, bool) {
	d.init()
	m := modelTarget(t)
	if img == nil || m == nil {
		return Result{}, false
	}
	p := planeFromGray(img)
	y0, y1 := int(0.12*float64(p.h)), int(0.88*float64(p.h)+0.999)
	if y1-y0 < 2*modelBands || p.w < 40 || !bilevel(p, y0, y1) {
		return Result{}, false
	}
	type draw struct {
		text string
		rev  bool
		span [2]float64
	}
	// draws returns what rows [a, e) draw, each text and way round once.
	draws := func(a, e int) []draw {
		prof := d.bandProfile(p, a, e)
		y, l0, r0, ok := darkness(prof, m, &d.mdark)
		if !ok || !d.cover.allows(l0, r0) {
			return nil
		}
		var out []draw
		for _, rev := range []bool{false, true} {
			yy, l, r := y, l0, r0
			if rev {
				yy, l, r = flipped(&d.mrev, y, l0, r0)
			}
			for _, thresh := range []bool{false, true} {
				rd, ok := d.mfit.read(m, yy, l, r, thresh)
				if !ok || rd.margin <= 0 || rd.rms > modelMaxRMSBilevel || t.accept(rd.text) != nil {
					continue
				}
				dr := draw{text: rd.text, rev: rev, span: [2]float64{rd.l, rd.r}}
				if rev {
					dr.span = [2]float64{float64(len(y)) - rd.r, float64(len(y)) - rd.l}
				}
				if len(out) == 0 || out[len(out)-1].text != dr.text || out[len(out)-1].rev != rev {
					out = append(out, dr)
				}
			}
		}
		return out
	}
	all := draws(y0, y1)
	if len(all) != 1 {
		return Result{}, false
	}
	want := all[0]
	agree := 0
	for b := 0; b < modelBands; b++ {
		a := y0 + (y1-y0)*b/modelBands
		e := y0 + (y1-y0)*(b+1)/modelBands
		for _, dr := range draws(a, e) {
			if dr.text != want.text || dr.rev != want.rev {
				return Result{}, false
			}
			agree++
		}
	}
	if agree < 2 {
		return Result{}, false
	}
	return Result{Format: t.format, Text: want.text, Lines: agree, Candidate: true, Attempt: Attempt{
		Index: len(cropPlan), Binarizer: Model, Reversed: want.rev, Scale: 1, Band: (y1 - y0) / modelBands,
	}, Span: want.span}, true
}
