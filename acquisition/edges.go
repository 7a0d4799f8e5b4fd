package acquisition

import (
	"math"
	"sort"
)

// The label's paper edge in a crop's profiles (edgeLevels): the thin dark
// line of a cut edge and its shadow, a tinted label's step in gray level.
// labelOutline (outline.go) looks outward from the print with these.

// nearestEdge returns the index nearest from, going towards to, where the
// profiles p (edgeLevels) show a label edge: a thin dark line (the cut
// edge, its shadow) at least minEdgeDip gray levels under the profile 0.4
// mm either side over the whole span, and half that in each third within
// 0.25 mm. ok is false when nothing stands out (a white sticker on a
// bitonal scan, say).
func nearestEdge(p [4][]float64, from, to int) (int, bool) {
	step := 1
	if to < from {
		step = -1
	}
	n := len(p[0])
	for i := from; i != to; i += step {
		if i < 1 || i >= n-1 {
			if (step > 0 && i >= n-1) || (step < 0 && i < 1) {
				break
			}
			continue
		}
		if dip(p[0], i) < minEdgeDip {
			continue
		}
		ok := true
		for _, q := range p[1:] {
			best := 0.0
			for j := i - 2; j <= i+2; j++ {
				best = math.Max(best, dip(q, j))
			}
			ok = ok && best >= minEdgeDip/2
		}
		if ok {
			return i, true
		}
	}
	return 0, false
}

// labelEdge returns the index nearest from, going towards to, where the
// profiles p (edgeLevels) show the label's edge: its cut edge's thin
// dark line (nearestEdge), or the step up from a tinted label's paper to
// the brighter paper beyond it (stepEdge), whichever comes first.
//
// A line as dark as ink (inkDip) is print, not paper's edge: a printed
// frame lies inside the label's paper. The edge is then looked for again
// up to frameReach past it; where none shows, the side is inkMargin past
// the frame, as past any print.
func labelEdge(p [4][]float64, from, to int) (int, bool) {
	s := sign(to - from)
	i, ok := nearestEdge(p, from, to)
	j, okS := stepEdge(p, from, to)
	switch {
	case okS && (!ok || (j-i)*s < 0):
		return j, true
	case !ok:
		return 0, false
	}
	if dip(p[0], i) < inkDip {
		return i, true
	}
	past := int(math.Round(inkMargin * outlinePx))
	end := i + s*int(math.Round(frameReach*outlinePx))
	if (end-to)*s > 0 {
		end = to
	}
	if (end-i)*s > past {
		if k, ok := labelEdge(p, i+s*2, end); ok {
			return k, true
		}
	}
	return i + s*past, true
}

// A printed frame's line is at least inkDip gray levels under the paper
// either side (a cut edge and its shadow, 5-30% darker over a fraction of
// a millimetre, stay well above ink), and the paper's edge lies within
// frameReach (mm) outside it.
const (
	inkDip     = 90
	frameReach = 1.5
)

// A tinted label's edge is a step in gray level more than a line: its
// paper (a few tens of levels under the sheet's) ends where the sheet, or
// a whiter label, begins. The step is told from the print's by where it
// starts: on the label's own paper, as seen just outside its print
// (labelPaper), never on ink (a line of text, the name over the bars,
// ends in a step up to the label's paper too).
const (
	// minStep is the least rise (gray levels) from the label's paper to
	// what lies beyond it, over stepSpan either side; half that in each
	// third of the span.
	minStep  = 14
	stepSpan = 4 // px, 0.5 mm at outlinePx
	// paperTol is how far (gray levels) under its paper level the
	// profile may lie on the label's side of a step.
	paperTol = 8
)

// stepEdge returns the index nearest from, going towards to, where the
// profiles p step from the label's paper (its level just past from) by
// minStep: up (the sheet, a whiter label), or down to a darker level that
// holds (a tinted label over or under it); the middle of the step, where
// it is steepest.
func stepEdge(p [4][]float64, from, to int) (int, bool) {
	if i, ok := stepEdgeOver(p, from, to, stepSpan, minStep, 0); ok {
		return i, true
	}
	// A phone's picture spreads the step over a millimetre and shrinks
	// it with its paper's level (seed 606's digits-over phone page, slot
	// 20: a tinted label crossing by 3.6 mm, its paper 7 levels under the
	// sheet's 165, no side found): a step up is looked for again over
	// twice the span, at least blurStep of the paper's level.
	return stepEdgeOver(p, from, to, 2*stepSpan, 0, blurStep)
}

// plain reports whether the profile p stays at or over level for span px
// before i (against the sense s): the label's paper only, no line in it.
// A sheet line just past a label's side, and the paper beyond it, make a
// step up over a wide span (seed 5151's compact office page, slot 18: its
// bottom put past the slot's border line, a false crossing).
func plain(p []float64, i, span, s int, level float64) bool {
	for k := 1; k <= span; k++ {
		if j := i - s*k; j >= 0 && j < len(p) && p[j] < level {
			return false
		}
	}
	return true
}

// blurStep is the least rise, as a fraction of the label paper's level,
// of a tinted label's edge on a blurred, dim picture.
const blurStep = 0.035

// stepEdgeOver is stepEdge with the step measured over stepSpan px
// either side, rising by least gray levels or rel of the paper's level,
// whichever is more; a step down is looked for only when rel is 0.
func stepEdgeOver(p [4][]float64, from, to, stepSpan int, least, rel float64) (int, bool) {
	s := sign(to - from)
	if s == 0 {
		return 0, false
	}
	n := len(p[0])
	paper := labelPaper(p[0], from, s)
	if paper < 0 {
		return 0, false
	}
	least = math.Max(least, rel*paper)
	// rise is the step at i in q: the mean beyond it less the mean
	// before it, and the mean before it.
	rise := func(q []float64, i int) (float64, float64) {
		var in, out float64
		for k := 1; k <= stepSpan; k++ {
			in += q[i-s*k]
			out += q[i+s*k]
		}
		return (out - in) / float64(stepSpan), in / float64(stepSpan)
	}
	ok := func(i int) bool { return i-stepSpan >= 0 && i+stepSpan < n }
	// A step down is another label's edge (the label's paper meets a
	// darker one, over it or under it) when the darker level holds, even,
	// for plateau px beyond: a shadow or a line is thinner, and rows of
	// text (the name over the bars) vary from one to the next.
	const plateau, even = int(outlinePx), 10.0
	holds := func(q []float64, i int, in float64) bool {
		lo, hi := math.Inf(1), math.Inf(-1)
		for k := 1; k <= plateau; k++ {
			j := i + s*k
			if j < 0 || j >= n || q[j] > in-minStep/2 {
				return false
			}
			lo, hi = math.Min(lo, q[j]), math.Max(hi, q[j])
		}
		return hi-lo <= even
	}
	for i := from + s*stepSpan; i != to && ok(i); i += s {
		r, in := rise(p[0], i)
		if math.Abs(r) < least || in < paper-paperTol || r < 0 && (rel > 0 || !holds(p[0], i, in)) {
			continue
		}
		if rel > 0 && !plain(p[0], i, stepSpan, s, paper-paperTol) {
			continue
		}
		// The steepest point of the step.
		for ok(i+s) && i+s != to {
			if r2, _ := rise(p[0], i+s); math.Abs(r2) > math.Abs(r) && r2*r > 0 {
				r, i = r2, i+s
				continue
			}
			break
		}
		all := true
		for _, q := range p[1:] {
			best := 0.0
			for j := i - 2; j <= i+2; j++ {
				if ok(j) {
					rq, _ := rise(q, j)
					if r < 0 {
						rq = -rq
					}
					best = math.Max(best, rq)
				}
			}
			all = all && best >= least/2
		}
		if all {
			return i, true
		}
	}
	return 0, false
}

// labelPaper is the label's paper level just outside its print, going
// from from in the sense s: the median of the profile over 1 mm, -1 when
// the profile is too short.
func labelPaper(p []float64, from, s int) float64 {
	var vs []float64
	for k := 0; k < int(outlinePx); k++ {
		if i := from + s*k; i >= 0 && i < len(p) {
			vs = append(vs, p[i])
		}
	}
	if len(vs) < 3 {
		return -1
	}
	sort.Float64s(vs)
	return vs[len(vs)/2]
}

func sign(x int) int {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}

// dip is how far p[i], a local minimum, lies under the profile 0.4 mm
// either side; 0 when it is not a local minimum.
func dip(p []float64, i int) float64 {
	const k = 3 // 0.4 mm at outlinePx
	if i < 1 || i >= len(p)-1 || p[i] > p[i-1] || p[i] > p[i+1] {
		return 0
	}
	return math.Min(p[max(0, i-k)], p[min(len(p)-1, i+k)]) - p[i]
}

// minEdgeDip is the least depth (gray levels) of a label's edge line.
const minEdgeDip = 6
