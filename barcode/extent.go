package barcode

import (
	"math"
	"slices"
	"sort"
)

// Where a whole symbol lies in a band's profile: its dark runs, clustered
// into the extents a symbol of the model could have.

// symbolExtents returns the extents, other than [l0, r0], that a whole
// symbol m could have in prof: clusters of dark runs around the middle of
// the profile whose gaps are all no wider than maxInnerGap narrow widths
// (at the widest narrow width the cluster's span allows), with a quiet
// zone beyond both ends inside the profile. darkness's own rule (gaps under twice the widest in
// the middle half) fails on a crop much wider than its symbol, as the
// page reader cuts around a piece of a symbol found in a blurred photo
// (acquisition's decodeWhole): there the middle half holds the quiet
// zones, and the cluster runs over them into whatever lies beyond. At most
// maxExtents are returned, narrowest first.
func symbolExtents(prof []float64, m *modelSymbol, l0, r0 float64) [][2]float64 {
	n := len(prof)
	s := append([]float64(nil), prof...)
	sort.Float64s(s)
	white, black := s[n*95/100], s[n*3/100]
	if white-black < minContrast {
		return nil
	}
	var out [][2]float64
	for _, dark := range extentDarkness {
		for _, e := range clusterExtents(prof, m, white-dark*(white-black)) {
			if e != [2]float64{l0, r0} && !slices.Contains(out, e) {
				out = append(out, e)
			}
		}
	}
	return out
}

// extentDarkness are the levels, as fractions of the contrast below the
// paper, under which symbolExtents takes the profile for a bar: 0.3 as
// darkness does; 0.2 for blurred narrow bars that stay lighter than that
// (an ITF's, between wide spaces, were not seen, and their gaps looked
// wider than any space).
var extentDarkness = []float64{0.3, 0.2}

// clusterExtents is symbolExtents for the dark runs of prof under th.
// A cluster may be a single run: a phone photo's blur can leave no space
// of a symbol of narrow bars back above th (the whole symbol one dark run
// between its quiet zones, where darkness, which needs five runs, finds
// nothing); the fit then reads it from the shape of its darkness alone.
func clusterExtents(prof []float64, m *modelSymbol, th float64) [][2]float64 {
	n := len(prof)
	runs := darkRuns(prof, th)
	if len(runs) == 0 {
		return nil
	}
	mid := 0
	for k, r := range runs {
		if math.Abs(float64(r.a+r.b)/2-float64(n)/2) < math.Abs(float64(runs[mid].a+runs[mid].b)/2-float64(n)/2) {
			mid = k
		}
	}
	var out [][2]float64
	lo, hi := mid, mid
	inner := 0 // widest gap inside [lo, hi]
	for len(out) < maxExtents {
		w := float64(runs[hi].b - runs[lo].a)
		narrowMax := w / (float64(m.na) + 2*float64(m.nb))
		narrowMin := w / (float64(m.na) + 3*float64(m.nb))
		gapL, gapR := runs[lo].a, n-runs[hi].b // to the crop's ends
		if lo > 0 {
			gapL = runs[lo].a - runs[lo-1].b
		}
		if hi+1 < len(runs) {
			gapR = runs[hi+1].a - runs[hi].b
		}
		if float64(inner) > maxInnerGap*float64(n)/(float64(m.na)+2*float64(m.nb)) {
			break // a gap no symbol the profile can hold has
		}
		// The quiet zones: white of quietNarrow narrow widths, and clearly
		// wider than any gap inside.
		quiet := math.Max(quietNarrow*narrowMin, 1.5*float64(inner))
		e := [2]float64{float64(runs[lo].a), float64(runs[hi].b)}
		if float64(inner) <= maxInnerGap*narrowMax && float64(gapL) >= quiet && float64(gapR) >= quiet && narrowMin >= modelMinNarrow {
			out = append(out, e)
		}
		// Grow over the narrower of the two gaps beside the cluster.
		switch {
		case lo == 0 && hi+1 == len(runs):
			return out
		case lo == 0 || hi+1 < len(runs) && gapR <= gapL:
			inner = max(inner, gapR)
			hi++
		default:
			inner = max(inner, gapL)
			lo--
		}
	}
	return out
}

// maxExtents bounds the extents symbolExtents returns (each costs a fit);
// modelMinNarrow (px) is the narrowest narrow width worth a fit.
//
// maxInnerGap (narrow widths) is the widest gap between dark runs inside
// a symbol: a wide space is at most 3, and a blurred narrow bar between a
// wide and a narrow space can stay above the level that makes a run,
// which joins the three.
const (
	maxExtents     = 3
	modelMinNarrow = 0.8
	maxInnerGap    = 5.5
)

// darkness turns a profile into darkness 1 - p/A, A the paper level (a
// line through the quiet zones), and finds the symbol's rough extent: the
// cluster of dark runs around the middle of the profile whose gaps stay
// under twice the widest gap in the middle half (inside a symbol no space
// is wider than a wide one; a quiet zone is at least 3 wide ones).
func darkness(prof []float64, m *modelSymbol, buf *[]float64) ([]float64, float64, float64, bool) {
	n := len(prof)
	s := append([]float64(nil), prof...)
	sort.Float64s(s)
	white, black := s[n*95/100], s[n*3/100]
	if white-black < minContrast {
		return nil, 0, 0, false
	}
	th := white - 0.3*(white-black)
	runs := darkRuns(prof, th)
	if len(runs) < 5 {
		return nil, 0, 0, false
	}
	maxGap := 0
	for k := 1; k < len(runs); k++ {
		if runs[k-1].b >= n/4 && runs[k].a <= 3*n/4 {
			maxGap = max(maxGap, runs[k].a-runs[k-1].b)
		}
	}
	limit := max(2*maxGap, 3)
	// The run nearest the middle, then outwards.
	mid := 0
	for k, r := range runs {
		if math.Abs(float64(r.a+r.b)/2-float64(n)/2) < math.Abs(float64(runs[mid].a+runs[mid].b)/2-float64(n)/2) {
			mid = k
		}
	}
	lo, hi := mid, mid
	for lo > 0 && runs[lo].a-runs[lo-1].b <= limit {
		lo--
	}
	for hi+1 < len(runs) && runs[hi+1].a-runs[hi].b <= limit {
		hi++
	}
	l0, r0 := float64(runs[lo].a), float64(runs[hi].b)
	if r0-l0 < 0.3*float64(n) {
		return nil, 0, 0, false
	}
	y, ok := darknessOver(prof, m, buf, l0, r0)
	return y, l0, r0, ok
}

// darknessOver turns prof into darkness 1 - p/A for a symbol spanning
// [l0, r0], A the paper level: a line through the quiet zones beside it.
func darknessOver(prof []float64, m *modelSymbol, buf *[]float64, l0, r0 float64) ([]float64, bool) {
	n := len(prof)
	s := append([]float64(nil), prof...)
	sort.Float64s(s)
	white := s[n*95/100]
	// Paper level from the quiet zones next to the symbol.
	nw := (r0 - l0) / (float64(m.na) + 2.75*float64(m.nb))
	level := func(a, b float64) (float64, float64, bool) {
		i0, i1 := max(0, int(a)), min(n, int(b))
		if i1-i0 < 3 {
			return 0, 0, false
		}
		v := append([]float64(nil), prof[i0:i1]...)
		sort.Float64s(v)
		return v[len(v)/2], float64(i0+i1) / 2, true
	}
	al, xl, okl := level(l0-9*nw, l0-2*nw)
	ar, xr, okr := level(r0+2*nw, r0+9*nw)
	switch {
	case !okl && !okr:
		al, ar, xl, xr = white, white, 0, 1
	case !okl:
		al, xl = ar, xr-1
	case !okr:
		ar, xr = al, xl+1
	}
	y := grow(buf, n)
	for i := range y {
		a := al + (ar-al)*(float64(i)-xl)/(xr-xl)
		if a <= 0 {
			a = white
		}
		y[i] = 1 - prof[i]/a
	}
	return y, true
}

// run is a dark run [a, b) of a profile: its samples under a threshold.
type run struct{ a, b int }

// darkRuns returns the maximal runs of prof under th, left to right.
func darkRuns(prof []float64, th float64) []run {
	var runs []run
	for i, n := 0, len(prof); i < n; {
		if prof[i] >= th {
			i++
			continue
		}
		j := i
		for j < n && prof[j] < th {
			j++
		}
		runs = append(runs, run{i, j})
		i = j
	}
	return runs
}
