package acquisition

import "slices"

// Strokes cut by an erased line.
//
// removeRulings erases a printed line's ink run in every column (row)
// where the run is no thicker than the line can be with a stroke along
// it. A stroke that crosses the line steeply leaves a longer run and stays
// whole; a thin one that crosses it at a slant has no column where its
// ink lies on both sides of the line, so the erasure cuts it in two. A 7
// whose bar runs beyond the box's top line then loses its bar: a
// component of its own, centred outside the box, left out of the field,
// while the stem left inside reads as a sure 1 (a silent error on the
// lead's acceptance pages). lineBridges finds such cuts: two components
// that touch the same erased line from its two sides, at places along it
// close enough for one stroke to have crossed there, are one stroke; the
// one outside the field joins the one inside.

// bridgeAlong is how far apart along an erased line, in the line's
// thicknesses (plus bridgeSlack pixels), two components touching it from
// its two sides may be for one stroke to have crossed it between them: a
// stroke crossing a line of thickness T at an angle θ to it leaves it
// about T/tan θ further along, plus its own width's worth of run erased
// with the line on each side; three thicknesses take crossings down to
// about 25° from the line.
const (
	bridgeAlong = 3
	bridgeSlack = 4
)

// lineBridges returns, for every component outside the field (inside
// false) that touches an erased printed line from one side where a
// component of the field touches it from the other, that component of the
// field: indices into comps, the nearest touch along the line when there
// are several.
func lineBridges(m *inkMask, comps []component, labels []int32, inside func(component) bool) map[int]int {
	if m.line == nil || len(comps) < 2 {
		return nil
	}
	out := map[int]int{}
	for _, bd := range m.bands {
		o := uint8(lineV)
		if bd.horizontal {
			o = lineH
		}
		thick := bd.b - bd.a + 1
		reach := 2*thick + bridgeSlack // erased runs reach past the line's rows by a stroke's width
		mid := float64(bd.a+bd.b) / 2
		// touches[id][side]: the places along the line where the
		// component touches the erased pixels from that side.
		touches := map[int][2][]int{}
		for t := bd.from; t < bd.to; t++ {
			for s := bd.a - reach; s <= bd.b+reach; s++ {
				x, y := t, s
				if !bd.horizontal {
					x, y = s, t
				}
				if x < 0 || y < 0 || x >= m.w || y >= m.h || m.line[y*m.w+x] != o {
					continue
				}
				for dy := -1; dy <= 1; dy++ {
					for dx := -1; dx <= 1; dx++ {
						xx, yy := x+dx, y+dy
						if xx < 0 || yy < 0 || xx >= m.w || yy >= m.h {
							continue
						}
						l := labels[yy*m.w+xx]
						if l <= 0 {
							continue
						}
						across := yy
						if !bd.horizontal {
							across = xx
						}
						side := 0
						if float64(across) > mid {
							side = 1
						}
						tt := touches[int(l-1)]
						if n := len(tt[side]); n == 0 || tt[side][n-1] != t {
							tt[side] = append(tt[side], t)
						}
						touches[int(l-1)] = tt
					}
				}
			}
		}
		tol := bridgeAlong*thick + bridgeSlack
		var ids []int
		for id := range touches {
			ids = append(ids, id)
		}
		slices.Sort(ids) // a deterministic choice between equal touches
		for _, a := range ids {
			if inside(comps[a]) {
				continue
			}
			best, bestD := -1, tol+1
			for _, b := range ids {
				if !inside(comps[b]) {
					continue
				}
				for side := range 2 {
					if d := nearestAlong(touches[a][side], touches[b][1-side]); d < bestD {
						best, bestD = b, d
					}
				}
			}
			if best >= 0 {
				if _, ok := out[a]; !ok {
					out[a] = best
				}
			}
		}
	}
	return out
}

// nearestAlong is the least distance between a place in p and one in q
// (both ascending); a large number when either is empty.
func nearestAlong(p, q []int) int {
	best := 1 << 30
	i, j := 0, 0
	for i < len(p) && j < len(q) {
		best = min(best, abs(p[i]-q[j]))
		if p[i] < q[j] {
			i++
		} else {
			j++
		}
	}
	return best
}

// alongMM is how far past a character's columns the erased line may run
// thickened (alongLine) before the character is taken to have lost a
// stroke that lay on the line.
const alongMM = 1.0

// alongRunMM is the longest the erased line may run thickened from where
// a character touches it, within the character's columns or not, before
// the character is taken to have lost a stroke that lay on the line (a 7
// whose bar lay on the top line, its foot as far left as the bar: its
// stem read as a sure 1).
const alongRunMM = 1.5

// alongLine reports whether a character of a box (g) touches one of the
// box's horizontal lines where the erasure took more than the line: a
// stretch of the line whose erased run is thicker than the line by two
// pixels or more (a stroke lay along it and went with it), running from
// where g touches it to over alongMM past g's columns. A 7 whose bar lay
// on the top line keeps only its stem, read as a sure 1; such a box is
// not read. So is one where that stretch is alongRunMM long or more,
// within g's columns or not. (The same test over any line, 1.2 mm, tried before on every
// field, cost 12 dates and 3 counts for nothing: here only the box
// fields' horizontal lines, and only from a character's touch.)
func alongLine(m *inkMask, g glyph, labels []int32, px float64) bool {
	if m.line == nil {
		return false
	}
	past := int(alongMM * px)
	for _, bd := range m.bands {
		if !bd.horizontal {
			continue
		}
		thick := bd.b - bd.a + 1
		reach := 2*thick + bridgeSlack
		run := func(x int) int { // erased pixels across the line at column x
			n := 0
			for y := max(bd.a-reach, 0); y <= min(bd.b+reach, m.h-1); y++ {
				if x >= 0 && x < m.w && m.line[y*m.w+x] == lineH {
					n++
				}
			}
			return n
		}
		touched := -1
		for x := max(g.r.Min.X-1, 0); x <= min(g.r.Max.X, m.w-1) && touched < 0; x++ {
			for y := max(bd.a-reach, 0); y <= min(bd.b+reach, m.h-1); y++ {
				if m.line[y*m.w+x] != lineH {
					continue
				}
				for dy := -1; dy <= 1 && touched < 0; dy++ {
					for dx := -1; dx <= 1; dx++ {
						xx, yy := x+dx, y+dy
						if xx >= 0 && yy >= 0 && xx < m.w && yy < m.h && g.has(labels, m.w, xx, yy) {
							touched = x
							break
						}
					}
				}
				if touched >= 0 {
					break
				}
			}
		}
		if touched < 0 || run(touched) < thick+2 {
			continue
		}
		lo, hi := touched, touched
		for lo-1 >= 0 && run(lo-1) >= thick+2 {
			lo--
		}
		for hi+1 < m.w && run(hi+1) >= thick+2 {
			hi++
		}
		if g.r.Min.X-lo > past || hi-(g.r.Max.X-1) > past {
			return true
		}
		if float64(hi-lo+1) >= alongRunMM*px {
			return true
		}
	}
	return false
}
