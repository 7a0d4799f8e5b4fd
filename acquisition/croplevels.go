package acquisition

import "image"

// edgeLevels returns, for each row (rowsOf) or column of g, the 70th
// percentile of its gray levels over the span [from, to) of the other axis
// (clipped to the image), and over each third of that span: the profiles a
// label's edge is looked for in (nearestEdge, labelEdge). It is one pass
// over the pixels: each line's three thirds are counted once, in three
// histograms, and the whole span's histogram is their sum. It gives the
// same numbers as a histogram per line and span (edgeProfiles, kept in the
// tests as the reference: TestEdgeLevelsIsEdgeProfiles), which read every
// pixel twice and cost 14 ms of CPU per page of regfus bench.
func edgeLevels(g *image.Gray, rowsOf bool, from, to int) [4][]float64 {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	n, span := h, w
	if !rowsOf {
		n, span = w, h
	}
	third := (to - from) / 3
	clip := func(a, b int) (int, int) { return max(0, a), min(span, b) }
	// The thirds, clipped; bounds[k] is part k's [start, end).
	var bounds [3][2]int
	bounds[0][0], bounds[0][1] = clip(from, from+third)
	bounds[1][0], bounds[1][1] = clip(from+third, to-third)
	bounds[2][0], bounds[2][1] = clip(to-third, to)
	a0, a1 := clip(from, to)
	var out [4][]float64
	for k := range out {
		out[k] = make([]float64, n)
	}
	if a1 <= a0 {
		return out // every part is empty too (see lineLevels)
	}
	// rank[k] is part k's rank (0 the whole span, 1-3 the thirds), -1
	// for an empty part, whose level stays 0.
	var rank [4]int
	rank[0] = (a1 - a0) * 7 / 10
	for k, b := range bounds {
		rank[k+1] = -1
		if b[1] > b[0] {
			rank[k+1] = (b[1] - b[0]) * 7 / 10
		}
	}
	// size[k] is part k's pixel count. A level is found from the top of
	// the histogram down (the paper of these crops is bright: a few tens
	// of levels to go through, not two hundred): the rank-th level from
	// the bottom is the highest level v with at least size-rank pixels at
	// v or above.
	var size [4]int32
	size[0] = int32(a1 - a0)
	for k, b := range bounds {
		size[k+1] = int32(b[1] - b[0])
	}
	var hist [3][256]int32
	for i := 0; i < n; i++ {
		hist = [3][256]int32{}
		for k, b := range bounds {
			if rank[k+1] < 0 {
				continue
			}
			hk := &hist[k]
			if rowsOf {
				for _, v := range g.Pix[i*g.Stride+b[0] : i*g.Stride+b[1]] {
					hk[v]++
				}
			} else {
				for j := b[0]; j < b[1]; j++ {
					hk[g.Pix[j*g.Stride+i]]++
				}
			}
		}
		for k := range out {
			if rank[k] < 0 {
				continue
			}
			need, c := size[k]-int32(rank[k]), int32(0)
			v := 255
			for ; v > 0; v-- {
				if k == 0 {
					c += hist[0][v] + hist[1][v] + hist[2][v]
				} else {
					c += hist[k-1][v]
				}
				if c >= need {
					break
				}
			}
			out[k][i] = float64(v)
		}
	}
	return out
}
