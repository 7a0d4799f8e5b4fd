package barcode

import (
	"math"
	"sort"
)

// Model-based reading of blurred two-width symbols.
//
// gozxing decides every element from a binarised line: once blur has
// taken most of the contrast of a narrow bar between two narrow spaces (a
// phone photo at 150 dpi, narrow bars of 1.5 px under a Gaussian of 1 to
// 2 px) no threshold finds it, and a 1-bit scan has already merged or
// broken such elements. But CODE 39 and ITF are two-width symbologies with
// a fixed grid: every CODE 39 character is 6 narrow and 3 wide elements
// plus a narrow gap, every ITF digit pair 6 narrow and 4 wide, so once the
// symbol's ends, the narrow and wide widths and the blur are known, each
// character sits at a known place and only which of its 43 (100)
// patterns it is remains open. Low frequencies survive blur: the
// characters' patterns differ over many pixels, and comparing the whole
// blurred pattern against the profile (template matching) tells them
// apart long after single edges are gone.
//
// The model of a profile p (rows of a band averaged along the bars) is
//
//	p(x) = A(x) * (1 - beta * cov(x)),  cov = bars (*) Gaussian(sigma)
//
// with A the paper level (a line through the two quiet zones: shading),
// beta the ink's darkness, bars the symbol's bars each grown by g pixels
// (ink spread, or a bitonal scanner's threshold) and sigma the blur. The
// geometry is (L, R, ratio): first and last bar edges and the wide:narrow
// ratio, which fix the narrow and wide widths. A decode for given
// parameters picks each character's best pattern (its neighbours drawn as
// decided, three passes); the parameters minimise the total squared
// residual of that decode (a coarse grid, then coordinate descent).
//
// Nothing about it is trusted blindly: a band's read needs the quiet zones
// flat, the fit's residual small against the contrast, every character's
// best pattern clearly better than its second (margin against the
// residual's noise), the start and stop patterns to fit as well as the
// data, the text to pass the target's validation (check digit); and a crop
// read needs two bands sharing no rows to agree, with no band reading a
// different valid value.

// modelSlot is one character position of a symbol: where it starts, in
// narrow and wide counts from the symbol's first bar, and its candidate
// patterns (one for start and stop characters).
type modelSlot struct {
	a, b  int // start = a*narrow + b*wide
	cands []modelPattern
	gapL  bool // a narrow gap before it (CODE 39 inter-character gap)
	// rivals, for a start or stop slot, are the patterns it must beat by
	// the margin: the data characters (CODE 39), every other wide/narrow
	// pattern of its length (ITF). A symbol read the wrong way round, or
	// another symbology, fails here.
	rivals []modelPattern
}

// modelPattern is one character's elements, bar first, true for wide.
type modelPattern struct {
	wide []bool
	text string
}

// modelSymbol is the grid of a symbol of fixed length.
type modelSymbol struct {
	slots        []modelSlot
	na, nb       int // total width = na*narrow + nb*wide
	code39       bool
	data0, dataN int // slots holding data
}

// code39Model is a CODE 39 symbol with n data characters.
func code39Model(n int) *modelSymbol {
	pat := func(p uint16, text string) modelPattern {
		w := make([]bool, 9)
		for i := 0; i < 9; i++ {
			w[i] = p&(1<<(8-i)) != 0
		}
		return modelPattern{wide: w, text: text}
	}
	star := []modelPattern{pat(code39Star, "*")}
	var data []modelPattern
	for i, p := range code39Patterns {
		data = append(data, pat(p, code39Alphabet[i:i+1]))
	}
	m := &modelSymbol{code39: true, data0: 1, dataN: n}
	for k := 0; k < n+2; k++ {
		s := modelSlot{a: 7 * k, b: 3 * k, cands: data, gapL: k > 0}
		if k == 0 || k == n+1 {
			s.cands, s.rivals = star, data
		}
		m.slots = append(m.slots, s)
	}
	m.na, m.nb = 6*(n+2)+(n+1), 3*(n+2)
	return m
}

// itfModel is an ITF symbol of n digits (even).
func itfModel(n int) *modelSymbol {
	var pairs []modelPattern
	for d1 := 0; d1 < 10; d1++ {
		for d2 := 0; d2 < 10; d2++ {
			w := make([]bool, 10)
			for i := 0; i < 5; i++ {
				w[2*i], w[2*i+1] = itfPatterns[d1][i], itfPatterns[d2][i]
			}
			pairs = append(pairs, modelPattern{wide: w, text: string(rune('0'+d1)) + string(rune('0'+d2))})
		}
	}
	m := &modelSymbol{data0: 1, dataN: n / 2}
	// Every other pattern of k elements than want, but those differing
	// only in a last element that is a space (the start's: the next
	// pair's bars are drawn where the grid puts them, so a wider last
	// space changes nothing).
	others := func(k int, want uint) []modelPattern {
		var out []modelPattern
		for v := uint(0); v < 1<<k; v++ {
			if v == want || (k%2 == 0 && v^want == 1) {
				continue
			}
			w := make([]bool, k)
			for i := range w {
				w[i] = v&(1<<(k-1-i)) != 0
			}
			out = append(out, modelPattern{wide: w})
		}
		return out
	}
	m.slots = append(m.slots, modelSlot{cands: []modelPattern{{wide: []bool{false, false, false, false}}}, rivals: others(4, 0)})
	for p := 0; p < n/2; p++ {
		m.slots = append(m.slots, modelSlot{a: 4 + 6*p, b: 4 * p, cands: pairs})
	}
	m.slots = append(m.slots, modelSlot{a: 4 + 6*n/2, b: 4 * n / 2, cands: []modelPattern{{wide: []bool{true, false, false}}}, rivals: others(3, 4)})
	m.na, m.nb = 4+6*n/2+2, 4*n/2+1
	return m
}

var (
	code32Model    = code39Model(6)
	targaturaModel = itfModel(10)
)

// phi is the standard normal CDF, from a table (the fit evaluates it
// millions of times per crop).
var phiTable = func() []float64 {
	t := make([]float64, phiN+2)
	for i := range t {
		x := (float64(i)/phiN)*2*phiMax - phiMax
		t[i] = 0.5 * (1 + math.Erf(x/math.Sqrt2))
	}
	return t
}()

const (
	phiN   = 4096
	phiMax = 5.0
)

func phi(x float64) float64 {
	if !(x > -phiMax) { // NaN too: never an index
		return 0
	}
	if x >= phiMax {
		return 1
	}
	f := (x + phiMax) / (2 * phiMax) * phiN
	i := int(f)
	return phiTable[i] + (phiTable[i+1]-phiTable[i])*(f-float64(i))
}

// modelParams are the geometry and blur of one fit.
type modelParams struct {
	l, r  float64 // first and last bar edges, px
	ratio float64 // wide : narrow
	sigma float64 // blur, px
	g     float64 // bar growth, px
	// tau and nu are a 1-bit scan's threshold and its softness (see
	// modelFit.thresh): the level of blurred coverage at which a pixel
	// turns black, and the spread of that level (noise, rows averaged).
	tau, nu float64
}

// widths returns the narrow and wide widths in px.
func (mp modelParams) widths(m *modelSymbol) (float64, float64) {
	n := (mp.r - mp.l) / (float64(m.na) + float64(m.nb)*mp.ratio)
	return n, n * mp.ratio
}

// modelFit is the state of fitting one profile.
type modelFit struct {
	m     *modelSymbol
	y     []float64 // darkness: 1 - p/A
	w     []float64 // weight per sample (0 outside the fitted span)
	dec   []int     // decided candidate per slot
	cov   []float64 // scratch
	nbr   []float64 // scratch: neighbours' coverage
	phS   [][]float64
	phE   [][]float64
	score []float64 // per slot: best and second-best SSE, samples
	edges []float64 // scratch: edge responses
	beta  float64
	lim   [4]float64 // bounds of the ends: l and r, min and max
	// thresh fits a 1-bit scan (the thresholded model): the blurred
	// coverage is thresholded before it is seen, p = A * (1 - beta *
	// Phi((cov - tau) / nu)), instead of seen as it is. A linear model
	// of such a crop cannot fit it: a scan thresholded high grows the
	// bars until the narrow spaces close to a few specks of white, while
	// the wide spaces keep sharp edges; no single blur and growth draw
	// both. Thresholding the blurred coverage does: where the coverage
	// of two bars' blur stays above the threshold a space closes, where
	// it hovers around it the rows' average is grey, and every edge that
	// crosses it is sharp.
	thresh bool
}

// shape turns blurred coverage into what the scan shows of it: itself,
// or (thresh) its threshold's soft step.
func (f *modelFit) shape(cov []float64, mp modelParams) {
	if !f.thresh {
		return
	}
	inv := 1 / mp.nu
	for i, c := range cov {
		cov[i] = phi((c - mp.tau) * inv)
	}
}

// modelRead is a band's read.
type modelRead struct {
	text     string
	rms      float64 // residual over contrast
	margin   float64 // least (second - best) / noise over the data slots
	worstFit float64 // worst slot's residual RMS over contrast
	l, r     float64 // the fitted first and last bar edges, px
}

// slotSpan returns the pixel span of slot k's elements for candidate c.
func (f *modelFit) slotStart(mp modelParams, k int) float64 {
	n, w := mp.widths(f.m)
	s := f.m.slots[k]
	return mp.l + float64(s.a)*n + float64(s.b)*w
}

func slotWidth(p []bool, n, w float64) float64 {
	var t float64
	for _, wide := range p {
		if wide {
			t += w
		} else {
			t += n
		}
	}
	return t
}

// addBars adds the blurred coverage of pattern p starting at x0 to cov
// over samples [i0, i1).
func addBars(cov []float64, i0 int, p []bool, x0, n, w, sigma, g float64) {
	x := x0
	inv := 1 / sigma
	for e, wide := range p {
		ew := n
		if wide {
			ew = w
		}
		if e%2 == 0 {
			a, b := x-g/2, x+ew+g/2
			lo := max(i0, int(a-4*sigma-1))
			hi := min(i0+len(cov), int(b+4*sigma+2))
			for i := lo; i < hi; i++ {
				c := float64(i) + 0.5
				cov[i-i0] += phi((c-a)*inv) - phi((c-b)*inv)
			}
		}
		x += ew
	}
}

// decode picks each data slot's best pattern for parameters mp, in
// passes over the slots (the first fits the ink's darkness per slot, the
// later ones use the median of those; neighbours are drawn as decided so
// far). With final set it fills f.score with each slot's best and
// second-best SSE and its sample count.
func (f *modelFit) decode(mp modelParams, passes int, final bool) bool {
	m := f.m
	n, w := mp.widths(m)
	if n <= 0.3 || mp.sigma <= 0.05 {
		return false
	}
	if len(f.dec) != len(m.slots) {
		f.dec = make([]int, len(m.slots))
	}
	clear(f.dec)
	f.score = f.score[:0]
	inv := 1 / mp.sigma
	for pass := 0; pass < passes; pass++ {
		globalBeta := pass > 0
		var betas []float64
		for k, s := range m.slots {
			if len(s.cands) == 1 && !(final && pass == passes-1) {
				continue
			}
			x0 := f.slotStart(mp, k)
			cw := slotWidth(s.cands[f.dec[k]].wide, n, w)
			// Window: the slot and half of any gap around it.
			a, b := x0, x0+cw
			if s.gapL {
				a -= n / 2
			}
			if k+1 < len(m.slots) && m.slots[k+1].gapL {
				b += n / 2
			}
			i0, i1 := max(0, int(math.Floor(a))), min(len(f.y), int(math.Ceil(b)))
			if i1-i0 < 2 {
				return false
			}
			L := i1 - i0
			// Neighbours as decided.
			nb := grow(&f.nbr, L)
			for _, j := range []int{k - 1, k + 1} {
				if j >= 0 && j < len(m.slots) {
					addBars(nb, i0, m.slots[j].cands[f.dec[j]].wide, f.slotStart(mp, j), n, w, mp.sigma, mp.g)
				}
			}
			// Edge responses at every boundary a pattern of this slot can
			// have: i narrow and j wide elements after its start.
			nw := len(s.cands[0].wide)
			const maxI, maxJ = 8, 5
			need := (maxI + 1) * (maxJ + 1) * L
			if cap(f.edges) < 2*need {
				f.edges = make([]float64, 2*need)
			}
			es, ee := f.edges[:need], f.edges[need:2*need]
			for i := 0; i <= min(nw, maxI); i++ {
				for j := 0; j <= min(nw-i, maxJ); j++ {
					pos := x0 + float64(i)*n + float64(j)*w
					o := (i*(maxJ+1) + j) * L
					for t := 0; t < L; t++ {
						c := float64(i0+t) + 0.5
						es[o+t] = phi((c - pos + mp.g/2) * inv)
						ee[o+t] = phi((c - pos - mp.g/2) * inv)
					}
				}
			}
			best, second, bi := math.Inf(1), math.Inf(1), 0
			bestBeta := 0.0
			yw := f.y[i0:i1]
			list := s.cands
			fixedCheck := final && pass == passes-1 && len(s.rivals) > 0
			if fixedCheck {
				list = append(s.cands[:1:1], s.rivals...)
			}
			sse0, rival := math.Inf(1), math.Inf(1)
			for ci, c := range list {
				cov := f.cov[:0]
				cov = append(cov, nb...)
				f.cov = cov
				ni, nj := 0, 0
				for e, wide := range c.wide {
					si, sj := ni, nj
					if wide {
						nj++
					} else {
						ni++
					}
					if e%2 == 1 || ni > maxI || nj > maxJ {
						continue
					}
					os, oe := (si*(maxJ+1)+sj)*L, (ni*(maxJ+1)+nj)*L
					st, en := es[os:os+L], ee[oe:oe+L]
					for t := range cov {
						cov[t] += st[t] - en[t]
					}
				}
				f.shape(cov, mp)
				var syc, scc, syy float64
				for t, cv := range cov {
					syc += yw[t] * cv
					scc += cv * cv
					syy += yw[t] * yw[t]
				}
				bt := f.beta
				if !globalBeta {
					if scc == 0 {
						continue
					}
					bt = syc / scc
				}
				sse := syy - 2*bt*syc + bt*bt*scc
				if ci == 0 {
					sse0 = sse
				} else {
					rival = math.Min(rival, sse)
				}
				switch {
				case sse < best:
					second, best, bi, bestBeta = best, sse, ci, bt
				case sse < second:
					second = sse
				}
			}
			if fixedCheck {
				// The known pattern against its best rival: a negative
				// margin when a rival fits better.
				bi, best, second = 0, sse0, rival
			}
			f.dec[k] = bi
			if !globalBeta && len(s.cands) > 1 {
				betas = append(betas, bestBeta)
			}
			if final && pass == passes-1 {
				f.score = append(f.score, best, second, float64(L))
			}
		}
		if !globalBeta {
			if len(betas) == 0 {
				return false
			}
			sort.Float64s(betas)
			f.beta = betas[len(betas)/2]
		}
	}
	return true
}

// cost is the SSE of the decoded symbol under mp over its span and 3
// narrow widths either side, the ink's darkness fitted (f.beta).
func (f *modelFit) cost(mp modelParams, slots []int) float64 {
	m := f.m
	n, w := mp.widths(m)
	if n <= 0.3 || mp.sigma <= 0.05 {
		return math.Inf(1)
	}
	i0 := max(0, int(mp.l-3*n))
	i1 := min(len(f.y), int(mp.r+3*n)+1)
	if i1-i0 < 4 {
		return math.Inf(1)
	}
	cov := grow(&f.cov, i1-i0)
	for _, k := range slots {
		addBars(cov, i0, m.slots[k].cands[f.dec[k]].wide, f.slotStart(mp, k), n, w, mp.sigma, mp.g)
	}
	f.shape(cov, mp)
	var syc, scc, syy float64
	for i, cv := range cov {
		v := f.y[i0+i]
		syc += v * cv
		scc += cv * cv
		syy += v * v
	}
	if scc == 0 || syc <= 0 {
		return math.Inf(1)
	}
	f.beta = syc / scc
	return syy - f.beta*syc
}

// descend minimises cost over the parameters by coordinate descent with
// halving steps, from mp.
func (f *modelFit) descend(mp modelParams, slots []int, rounds int) (modelParams, float64) {
	best, bestC := mp, f.cost(mp, slots)
	n0, _ := mp.widths(f.m)
	steps := [7]float64{0.4, 0.4, 0.1, 0.15 * n0, 0.15 * n0, 0.08, 0.03}
	for round := 0; round < rounds; round++ {
		for k := 0; k < len(steps); k++ {
			// The thresholded model grows bars by its threshold (tau),
			// the linear one by g; neither has the other's.
			if f.thresh && k == 4 || !f.thresh && k > 4 {
				continue
			}
			for _, dir := range []float64{1, -1} {
				for it := 0; it < 8; it++ {
					p := best
					switch k {
					case 0:
						p.l += dir * steps[k]
					case 1:
						p.r += dir * steps[k]
					case 2:
						p.ratio += dir * steps[k]
					case 3:
						p.sigma += dir * steps[k]
					case 4:
						p.g += dir * steps[k]
					case 5:
						p.tau += dir * steps[k]
					case 6:
						p.nu += dir * steps[k]
					}
					if p.ratio < 1.8 || p.ratio > 3.4 || p.sigma < 0.1*n0 || p.sigma > 1.6*n0 || math.Abs(p.g) > 0.9*n0 ||
						p.l < f.lim[0] || p.l > f.lim[1] || p.r < f.lim[2] || p.r > f.lim[3] ||
						f.thresh && (p.tau < 0.15 || p.tau > 0.85 || p.nu < 0.02 || p.nu > 0.4) {
						break
					}
					c := f.cost(p, slots)
					if c >= bestC {
						break
					}
					best, bestC = p, c
				}
			}
		}
		for k := range steps {
			steps[k] /= 2
		}
	}
	return best, bestC
}

func grow(buf *[]float64, n int) []float64 {
	if cap(*buf) < n {
		*buf = make([]float64, n)
	}
	b := (*buf)[:n]
	clear(b)
	return b
}

// read fits symbol m to the darkness profile y (1 - p/A) whose symbol
// spans roughly [l0, r0], and returns the read and whether it passed the
// model's own tests (the caller applies the thresholds). thresh fits the
// thresholded model (a 1-bit scan, see modelFit.thresh).
func (f *modelFit) read(m *modelSymbol, y []float64, l0, r0 float64, thresh bool) (modelRead, bool) {
	f.m = m
	f.thresh = thresh
	f.y = y
	if len(f.dec) != len(m.slots) {
		f.dec = make([]int, len(m.slots))
	}
	clear(f.dec)
	all := make([]int, len(m.slots))
	for k := range all {
		all[k] = k
	}
	// The ends found by threshold are good to a pixel or two (the outer
	// edges of the outer bars, with a quiet zone beyond); ratio and blur
	// are not known: decode on a small grid of them and keep the best.
	span := r0 - l0
	var best modelParams
	bestC := math.Inf(1)
	taus := []float64{0}
	if thresh {
		// Thresholded low (thin bars), midway, high (fat bars).
		taus = []float64{0.3, 0.5, 0.7}
	}
	for _, ratio := range []float64{2.2, 2.6, 3.0} {
		n := span / (float64(m.na) + float64(m.nb)*ratio)
		for _, s := range []float64{0.4, 0.75} {
			for _, tau := range taus {
				mp := modelParams{l: l0, r: r0, ratio: ratio, sigma: s * n, tau: tau, nu: 0.1}
				if !f.decode(mp, 2, false) {
					continue
				}
				if c := f.cost(mp, all); c < bestC {
					best, bestC = mp, c
				}
			}
		}
	}
	if math.IsInf(bestC, 1) {
		return modelRead{}, false
	}
	f.lim = [4]float64{l0 - 2*span/float64(m.na+m.nb*2), l0 + 2*span/float64(m.na+m.nb*2), r0 - 2*span/float64(m.na+m.nb*2), r0 + 2*span/float64(m.na+m.nb*2)}
	// Then alternate: decode with the geometry, refit the geometry to the
	// whole decoded symbol.
	prev := ""
	for it := 0; it < 5; it++ {
		if !f.decode(best, 2, false) {
			return modelRead{}, false
		}
		txt := f.text()
		if txt == prev {
			break
		}
		prev = txt
		best, _ = f.descend(best, all, 3)
	}
	if !f.decode(best, 3, true) {
		return modelRead{}, false
	}
	sse := f.cost(best, all)
	n, _ := best.widths(m)
	i0 := max(0, int(best.l-3*n))
	i1 := min(len(y), int(best.r+3*n)+1)
	noise := math.Sqrt(sse / float64(i1-i0))
	rd := modelRead{rms: noise / math.Max(f.beta, 1e-9), margin: math.Inf(1), text: f.text(), l: best.l, r: best.r}
	if f.beta <= 0.05 || math.IsInf(sse, 1) {
		return rd, false
	}
	for k, s := range m.slots {
		bestS, second, np := f.score[3*k], f.score[3*k+1], f.score[3*k+2]
		rd.worstFit = math.Max(rd.worstFit, math.Sqrt(bestS/np)/f.beta)
		if len(s.cands) > 1 || len(s.rivals) > 0 {
			// Margin: the log-likelihood ratio of the best pattern over
			// the runner-up, were the residual white Gaussian noise (for
			// a start or stop slot, of its known pattern over the best
			// rival).
			rd.margin = math.Min(rd.margin, (second-bestS)/(2*noise*noise+1e-12))
		}
	}
	// Quiet zones: nothing dark within 6 narrow widths of either end.
	for _, q := range [][2]float64{{best.l - 6*n, best.l - 1.5*n}, {best.r + 1.5*n, best.r + 6*n}} {
		for i := max(0, int(q[0])); i < min(len(y), int(q[1])); i++ {
			if y[i] > 0.3*f.beta {
				return rd, false
			}
		}
	}
	return rd, true
}

// text is the data slots' decided patterns.
func (f *modelFit) text() string {
	var b []byte
	for k, s := range f.m.slots {
		if len(s.cands) > 1 {
			b = append(b, s.cands[f.dec[k]].text...)
		}
	}
	return string(b)
}

// Thresholds of a band's read (see modelRead): residual and worst slot's
// residual over the contrast, and the least log-likelihood margin.
//
// The thresholded model (a 1-bit scan) has its own residual bounds: a
// 1-bit page puts every edge on its pixel grid, up to half a pixel from
// where the symbol has it (a third of a narrow bar of 1.5 px at 200 dpi),
// and rows averaged along an upright symbol all see the same, so its
// residual is that quantisation, not noise; the margin, which compares
// each character's patterns under the same residual, stays what tells a
// right read from a wrong one. Measured on crops of every clear symbol of
// the 1-bit pages of the tuning seeds (606, 7070, 4242, 6021, 7412; 11
// designs, thresholds 105 to 149; a sixth of them, about 245 crops):
// band reads of the right value median rms 0.108, 90% under 0.14, median
// margin 49; band reads of a wrong value that passes the check digit
// (own symbology and the other, both ways round) margin at most 0.4 under
// either model. With rms up to 0.16 and worst slot up to 0.25, 626 right
// band reads pass (408 at the linear model's 0.12 and 0.2), no wrong one.
const (
	modelMaxRMS         = 0.12
	modelMaxSlot        = 0.2
	modelMaxRMSBilevel  = 0.16
	modelMaxSlotBilevel = 0.25
	modelMinMargin      = 6.0
	modelBands          = 3
)

// passes applies the thresholds to a band's read of the linear or
// (thresh) the thresholded model.
func (rd modelRead) passes(thresh bool) bool {
	maxRMS, maxSlot := modelMaxRMS, modelMaxSlot
	if thresh {
		maxRMS, maxSlot = modelMaxRMSBilevel, modelMaxSlotBilevel
	}
	return rd.rms <= maxRMS && rd.worstFit <= maxSlot && rd.margin >= modelMinMargin
}

// modelTarget returns the symbol model for a crop target, nil if it has
// none (the model needs a fixed length). It goes by what the target reads,
// so that a quick view's copy of a target has its model too.
func modelTarget(t *target) *modelSymbol {
	switch t.what {
	case code32Target.what:
		return code32Model
	case targaturaTarget.what:
		return targaturaModel
	}
	return nil
}

// bandRead is one band's accepted read.
type bandRead struct {
	text     string
	reversed bool
	rd       modelRead
	span     [2]float64 // first and last bar edges, px of the profile as read forwards
}

// decodeModel reads p as symbol m in modelBands horizontal bands of rows
// (sharing none) and returns the text at least two of them agree on, with
// the number that did and the direction. ok is false when fewer than two
// agree or any band read a different valid text. A 1-bit crop that fewer
// than two bands read is read from all its rows (allRowsRead), its two
// halves agreeing: that read counts as two.
func (d *Decoder) decodeModel(p plane, m *modelSymbol, accept func(string) error) (bandRead, int, bool) {
	y0, y1 := int(0.12*float64(p.h)), int(math.Ceil(0.88*float64(p.h)))
	if y1-y0 < modelBands || p.w < 40 {
		return bandRead{}, 0, false
	}
	d.bilevel = bilevel(p, y0, y1)
	var reads []bandRead
	for b := 0; b < modelBands; b++ {
		if len(reads)+modelBands-b < 2 {
			break // the bands left cannot make two reads
		}
		a := y0 + (y1-y0)*b/modelBands
		e := y0 + (y1-y0)*(b+1)/modelBands
		prof := d.bandProfile(p, a, e)
		if r, ok := d.readBand(prof, m, accept); ok {
			reads = append(reads, r)
		}
	}
	for k := 1; k < len(reads); k++ {
		if reads[k].text != reads[0].text || reads[k].reversed != reads[0].reversed {
			return bandRead{}, 0, false
		}
	}
	if len(reads) < 2 {
		// A 1-bit scan's narrow bars, dotted, need all the rows
		// (allrows.go); a band that passed alone must agree.
		if !d.bilevel {
			return bandRead{}, len(reads), false
		}
		r, ok := d.allRowsRead(p, m, accept, y0, y1)
		if !ok || len(reads) == 1 && (reads[0].text != r.text || reads[0].reversed != r.reversed) {
			return bandRead{}, len(reads), false
		}
		return r, 2, true
	}
	return reads[0], len(reads), true
}

// bandProfile averages rows [a, e) of p into one profile.
func (d *Decoder) bandProfile(p plane, a, e int) []float64 {
	prof := grow(&d.mprof, p.w)
	for y := a; y < e; y++ {
		row := p.pix[y*p.stride : y*p.stride+p.w]
		for x, v := range row {
			prof[x] += float64(v)
		}
	}
	for x := range prof {
		prof[x] /= float64(e - a)
	}
	return prof
}

// readBand reads one band's profile both ways round: over the symbol's
// extent darkness finds first, and when that reads nothing, over the
// other extents a whole symbol could have (symbolExtents).
func (d *Decoder) readBand(prof []float64, m *modelSymbol, accept func(string) error) (bandRead, bool) {
	y, l0, r0, ok := darkness(prof, m, &d.mdark)
	if ok {
		if d.cover.allows(l0, r0) { // else not the symbol sought: no fit
			if r, ok := d.readExtent(y, l0, r0, m, accept); ok {
				return r, true
			}
		}
	} else {
		l0, r0 = -1, -1
	}
	for _, e := range symbolExtents(prof, m, l0, r0) {
		if !d.cover.allows(e[0], e[1]) {
			continue
		}
		y, ok := darknessOver(prof, m, &d.mdark, e[0], e[1])
		if !ok {
			continue
		}
		if r, ok := d.readExtent(y, e[0], e[1], m, accept); ok {
			return r, true
		}
	}
	return bandRead{}, false
}

// flipped is the darkness profile y read right to left, in buf, with its
// span [l, r] mirrored to match.
func flipped(buf *[]float64, y []float64, l, r float64) ([]float64, float64, float64) {
	yy := grow(buf, len(y))
	for i, v := range y {
		yy[len(y)-1-i] = v
	}
	return yy, float64(len(y)) - r, float64(len(y)) - l
}

// readExtent reads the darkness profile y of a symbol spanning roughly
// [l0, r0] both ways round.
func (d *Decoder) readExtent(y []float64, l0, r0 float64, m *modelSymbol, accept func(string) error) (bandRead, bool) {
	var got []bandRead
	for _, rev := range []bool{false, true} {
		yy, l, r := y, l0, r0
		if rev {
			yy, l, r = flipped(&d.mrev, y, l0, r0)
		}
		rd, ok := d.mfit.read(m, yy, l, r, false)
		passed := ok && rd.passes(false)
		if !passed && d.bilevel {
			// A 1-bit scan: the thresholded model.
			rd, ok = d.mfit.read(m, yy, l, r, true)
			passed = ok && rd.passes(true)
		}
		if !passed {
			continue
		}
		if accept(rd.text) != nil {
			continue
		}
		span := [2]float64{rd.l, rd.r}
		if rev {
			span = [2]float64{float64(len(y)) - rd.r, float64(len(y)) - rd.l}
		}
		got = append(got, bandRead{text: rd.text, reversed: rev, rd: rd, span: span})
	}
	if len(got) != 1 {
		return bandRead{}, false // nothing, or both directions: not trusted
	}
	return got[0], true
}

// bilevel tells a crop of a 1-bit scan (resampled: its pixels black or
// white but at the few edges the resampling mixed) from a grey one, by the
// share of rows y0 to y1's pixels between its darkest and lightest (more
// than a tenth of the range from either): 12 to 28% on 300 symbol crops of
// seed 606's 1-bit pages (thresholds 116 and 139), 45 to 85% on its office
// pages' and 57 to 81% on seed 6021's phone pages'.
func bilevel(p plane, y0, y1 int) bool {
	var hist [256]int
	n := 0
	for y := y0; y < y1; y++ {
		for _, v := range p.pix[y*p.stride : y*p.stride+p.w] {
			hist[v]++
		}
		n += p.w
	}
	if n == 0 {
		return false
	}
	lo, hi := percentile(&hist, n, 0.01), percentile(&hist, n, 0.99)
	if hi-lo < minContrast {
		return false
	}
	a, b := lo+(hi-lo)/10, hi-(hi-lo)/10
	mid := 0
	for v := a + 1; v < b; v++ {
		mid += hist[v]
	}
	return float64(mid) < maxBilevelMid*float64(n)
}

// maxBilevelMid is the largest share of grey pixels a crop of a 1-bit
// scan has (see bilevel).
const maxBilevelMid = 0.35
