package acquisition

import (
	"fmt"
	"image"
	"slices"
	"strings"
)

// readCuts reads a box some of whose characters were cut from blobs of
// touching characters. Where to cut is a guess (half of one beside half
// of the next can read as a confident other digit, and a touching 12 read
// whole as a confident 2), so every blob is read whole and cut into the
// characters splitWide argues for (or as many as the field can still
// hold, when that is fewer), one fewer and one more (1 to maxSplit). The
// characters' readings are conditioned on the field's grammar (noD). The
// default cut is the one into the target number of characters. The blob
// is taken as read when the default cut reads above the threshold and no
// other cut reads otherwise above it: the other cuts veto. A cut that
// leaves a part under markFrac of the blob's height is never read for
// sure (shortPart: a wide 4's stem top is no 1), though it still vetoes. The blob read
// whole is taken when it alone reads for sure, it is no wider than one
// digit commonly is (oneWide: a 2 with a small 6 touching it, read whole
// as a sure 2 and its cut 6 as other, is 1.4 times as wide as high), and
// no cut of it reads digits at rivalJoint (a touching 22 read whole as a
// sure 2). Otherwise the box keeps the default cut and why says what fell short, unless some
// cuts read want, the value the context expects (readBox), confirmed at
// its threshold (contextConfirms) and vetoed by no other cut of the same
// blob read otherwise for sure: a count's touching 28 cut into 2 and 8
// where splitWide made three pieces.
func (st *pageState) readCuts(s *segmented, gs []glyph, f boxField, want string) ([]glyph, []charRead, string, error) {
	type unit struct {
		hyps [][]glyph
		n    []int // the characters each hypothesis was cut into
		// target: the characters splitWide argues for, no more than
		// the field has room for; the default cut is the likeliest
		// hypothesis of target characters.
		target int
		ambig  bool // one blob splitWide left whole (glyph.ambig)
		blobH  int  // the height of the blob cut
	}
	var units []unit
	for i := 0; i < len(gs); {
		g := gs[i]
		if g.ambig {
			// Read whole and cut in two: taken whole only when no cut
			// reads otherwise (rivalled below).
			u := unit{hyps: [][]glyph{{g}}, n: []int{1}, target: 1, ambig: true, blobH: g.r.Dy()}
			if parts := slices.DeleteFunc(splitInto(g, s.labels, s.mask.w, 2), func(p glyph) bool { return tinyPart(p, g.r.Dy()) }); len(parts) == 2 {
				u.hyps, u.n = append(u.hyps, parts), append(u.n, 2)
			}
			units = append(units, u)
			i++
			continue
		}
		if !g.cut {
			units = append(units, unit{hyps: [][]glyph{{g}}, n: []int{1}, target: 1})
			i++
			continue
		}
		j := i
		for j < len(gs) && gs[j].cut && gs[j].whole == g.whole {
			j++
		}
		whole := *g.whole
		// splitWide's cut (j-i characters), but into no more characters
		// than the field can have beside the box's other marks (a count
		// is 1-2 digits: a wide 28 is two, not three; a 2 with a wide
		// loop beside a 1 is one character).
		u := unit{target: j - i, blobH: whole.r.Dy()}
		if limit := f.maxChars - (len(gs) - (j - i)); limit >= 1 {
			u.target = min(u.target, limit)
		}
		keep := func(parts []glyph) []glyph {
			return slices.DeleteFunc(parts, func(p glyph) bool { return tinyPart(p, whole.r.Dy()) })
		}
		// The cuts next to it: one fewer, one more. (Cutting in two at
		// a few places, to find the best, was tried and dropped: more
		// cuts give more confident misreadings, a touching 28 cut
		// further right reads as a sure 23, and the vetoes they call for
		// cost more than the better cuts gain.)
		for n := max(u.target-1, 1); n <= min(u.target+1, maxSplit); n++ {
			parts := []glyph{whole}
			if n > 1 {
				parts = keep(splitInto(whole, s.labels, s.mask.w, n))
			}
			u.hyps, u.n = append(u.hyps, parts), append(u.n, n)
		}
		units = append(units, u)
		i = j
	}
	var crops []*image.Gray
	for _, u := range units {
		for _, h := range u.hyps {
			for i := range h {
				crops = append(crops, h[i].crop(s))
			}
		}
	}
	all, err := st.r.hand(crops)
	if err != nil {
		return nil, nil, "", err
	}
	minConf := max(st.r.handMin, handThreshold)
	why := ""
	k := 0
	// Every cut of every blob read; picks[u] is the cut taken.
	hrs := make([][][]charRead, len(units))
	sureOf := make([][]bool, len(units)) // per unit and hypothesis: read for sure
	picks := make([]int, len(units))
	pos := 0 // the first character's place in the field (noD)
	textOf := func(rs []charRead) string {
		b := make([]byte, len(rs))
		for i, r := range rs {
			b[i] = r.ch
		}
		return string(b)
	}
	// vetoed: another cut of the blob reads otherwise, for sure or, cut
	// into as many characters elsewhere, at rivalJoint (one blob cut at
	// a few places is one guess: a touching 28 cut further right reads
	// as a confident 23).
	vetoed := func(ui, h int) bool {
		t, n := textOf(hrs[ui][h]), len(units[ui].hyps[h])
		for h2, rs := range hrs[ui] {
			if h2 == h || textOf(rs) == t {
				continue
			}
			if sureOf[ui][h2] || len(units[ui].hyps[h2]) == n && joint(rs) >= rivalJoint {
				return true
			}
		}
		return false
	}
	// rivalled: another cut of the blob reads otherwise, every piece a
	// digit, at rivalJoint (a blob read whole against its cuts).
	rivalled := func(ui, h int) bool {
		t := textOf(hrs[ui][h])
		for h2, rs := range hrs[ui] {
			if h2 != h && textOf(rs) != t && joint(rs) >= rivalJoint {
				return true
			}
		}
		return false
	}
	for ui, u := range units {
		hr := make([][]charRead, len(u.hyps))
		texts := map[string]bool{}
		var sure []int // hypotheses read above the threshold
		for h, parts := range u.hyps {
			hr[h] = all[k : k+len(parts)]
			k += len(parts)
			for i := range hr[h] {
				if !(f.dFirst && pos+i == 0) {
					hr[h][i] = hr[h][i].noD()
				}
			}
			// A blob too wide to be one digit read whole is no reading
			// of it: neither taken nor a rival of its cuts.
			ok := len(parts) > 0 && !(u.n[h] == 1 && tooWide(parts[0]))
			// Nor is a cut with a part shorter than markFrac of the
			// blob (shortPart): it stays a rival of the other cuts.
			ok = ok && !(u.n[h] > 1 && slices.ContainsFunc(parts, func(p glyph) bool { return shortPart(p, u.blobH) }))
			for _, r := range hr[h] {
				ok = ok && r.ch != '?' && r.conf >= minConf
			}
			if ok {
				sure = append(sure, h)
				texts[textOf(hr[h])] = true
			}
		}
		hrs[ui] = hr
		sureOf[ui] = make([]bool, len(u.hyps))
		for _, h := range sure {
			sureOf[ui][h] = true
		}
		// The default: the likeliest cut into target characters (the
		// product of its characters' confidences, a mark read as other
		// counting nothing).
		def, best := -1, -1.0
		for h, parts := range u.hyps {
			if len(parts) != u.target || u.n[h] == 1 && u.target > 1 {
				continue
			}
			p := joint(hr[h])
			if slices.Contains(sure, h) {
				p++ // a cut read for sure first
			}
			if p > best {
				def, best = h, p
			}
		}
		if def < 0 {
			def = min(1, len(u.hyps)-1)
		}
		pick := def
		switch {
		case len(u.hyps) == 1:
			pick = 0
		case u.ambig:
			// One character or two: whole, unless its cut in two reads
			// digits at rivalJoint (a 91 whose 1 leans into the 9, read
			// whole as a sure 9), or reads for sure only cut.
			pick = 0
			switch {
			case sureOf[ui][0] && joint(hr[1]) < ambigRival && !sureOf[ui][1]:
			case sureOf[ui][0] || len(sure) > 0:
				why = fmt.Sprintf("one character or two touching: whole it reads %s, cut %s", textOf(hr[0]), textOf(hr[1]))
			}
		case len(texts) == 1 && slices.Contains(sure, def) && !vetoed(ui, def):
			// The default cut read for sure, and no other cut read
			// otherwise (vetoed). Another cut alone read for sure is
			// not taken: a touching 12 read whole is a confident 2.
		case len(sure) == 1 && u.n[sure[0]] == 1 && oneWide(u.hyps[sure[0]][0]) && !rivalled(ui, sure[0]):
			// Read whole for sure, no wider than one handwritten digit
			// commonly is, and no cut of it reads digits at rivalJoint:
			// one wide digit (a 2, a 5, a 0) that splitWide cut in
			// two, a sliver read as other beside the rest. A touching
			// 15 read whole as a sure 5 is rivalled by its cut, read 1
			// and 5 at 0.98, a touching 22 read whole as a sure 2 by
			// its cut read 26 at 0.59 (seed 7373).
			pick = sure[0]
		case len(texts) <= 1:
			why = "characters touching, cut apart"
			if slices.Contains(sure, def) {
				why = "characters touching, cut apart at other places they read otherwise"
			}
		default:
			var ts []string
			for t := range texts {
				ts = append(ts, t)
			}
			slices.Sort(ts)
			why = fmt.Sprintf("characters touching, cut apart they read %s", strings.Join(ts, " or "))
		}
		picks[ui] = pick
		pos += len(u.hyps[pick])
	}
	collect := func(picks []int) ([]glyph, []charRead) {
		var out []glyph
		var reads []charRead
		for ui, u := range units {
			out = append(out, u.hyps[picks[ui]]...)
			reads = append(reads, hrs[ui][picks[ui]]...)
		}
		return out, reads
	}
	out, reads := collect(picks)
	if want == "" || why == "" && handRead(reads, boxRead{}, minConf).sure {
		return out, reads, why, nil
	}
	// The context: the cuts that read the value it expects, each blob's
	// cut vetoed by another of its cuts read otherwise for sure (a
	// touching 12 read whole as a confident 2 is no 12). One such
	// reading confirmed at the context's threshold is taken.
	var found []int
	var try func(ui int, cur []int)
	try = func(ui int, cur []int) {
		if ui == len(units) {
			o, rs := collect(cur)
			if textOf(rs) == want && len(o) == len(want) && found == nil {
				cp := slices.Clone(rs)
				if st.contextConfirms(cp, want) {
					found = slices.Clone(cur)
				}
			}
			return
		}
		for h := range units[ui].hyps {
			if !vetoed(ui, h) {
				try(ui+1, append(cur, h))
			}
		}
	}
	try(0, nil)
	if found == nil {
		return out, reads, why, nil
	}
	out, reads = collect(found)
	reads = slices.Clone(reads)
	st.contextConfirms(reads, want)
	return out, reads, "", nil
}

// ambigRival is the least probability (joint) at which a blob's cut in
// two that reads two digits keeps the blob, read whole for sure, unread
// (readCuts, glyph.ambig). The model reads the halves of one wide digit
// as two digits at 0.5-0.8 often (a 4 cut into 42 at 0.54, a 2 into 22
// at 0.60), at over 0.9 now and then (a 0 into 67 at 0.97), and a 91
// whose 1 leans into the 9, read whole as a sure 9, cut into 97 at 0.92:
// rivalJoint (0.5) would leave a tenth of the progressives unread for
// that one.
const ambigRival = 0.9

// oneWideAspect is the widest, against its height, a blob read whole as
// one character may be (oneWide): MNIST's training digits are no wider
// than 1.05 times their height in nine of ten, 1.25 in 98 of 100 (2's
// and 5's the widest: a tenth of them over 1.25); splitWide cuts from
// 1.05. A pair of digits touching is mostly wider (two digits of 0.7),
// and reads for sure cut.
const oneWideAspect = 1.25

// tooWideAspect is the width, against its height, of a blob too wide to
// be one digit: 1.43 is MNIST's training digits' 99th percentile.
const tooWideAspect = 1.45

// tooWide reports whether the blob g is too wide to be one digit
// (tooWideAspect): read whole it is never read for sure (readCuts), so
// it is neither taken nor a veto of its cuts (a touching 22 read whole as
// a sure 2 kept its cut, 22, from being taken).
func tooWide(g glyph) bool {
	return float64(g.r.Dx()) > tooWideAspect*float64(g.r.Dy())
}

// oneWide reports whether the blob g is narrow enough to be one digit
// read whole (oneWideAspect).
func oneWide(g glyph) bool {
	return float64(g.r.Dx()) <= oneWideAspect*float64(g.r.Dy())
}

// shortPart reports whether p, a part of a blob blobH pixels high, is
// shorter than markFrac of it: as a mark beside the characters is not a
// character (boxGlyphs), a cut that leaves such a part is not read for
// sure (readCuts). A 4 as wide as two digits, cut at its stem, made a
// crook read as a sure 4 and the stem's top, under half the blob's
// height, a sure 1: 41 for 4 (the stress corpus, seed 2). The cut stays
// a rival of the blob's other readings: the short part may be a light
// digit the threshold left short (a bitonal 16 read whole as a 6, its 1
// short).
func shortPart(p glyph, blobH int) bool {
	return float64(p.r.Dy()) < markFrac*float64(blobH)
}
