package acquisition

import (
	"math"
	"sort"

	"github.com/regfus/regfus/geom"
)

// A label model that comes from the image.
//
// Fustelle come from many manufacturers' printers: the Code 32 above,
// below or beside the ITF, labels 30-50 x 18-35 mm, bars 4-15 mm high,
// digits under or over the bars in any font. Nothing here assumes one
// design: a label is what its symbols and its paper show.
//
//   - Two symbols belong to one label when they read in the same direction
//     (within maxTurn), do not overlap, and together fit on the largest
//     label (maxLabelW x maxLabelH); see sameLabel.
//   - A label's print (the bars of its symbols read, and the digit lines
//     read with them) bounds it from inside; its paper edges, searched
//     outward from that print as far as the largest label reaches, fix its
//     sides where they show (labelOutline). A side whose edge does not show
//     is put just outside the print: it can understate the label, never
//     invent a crossing or an overlap.
//   - Which slot a label belongs to is judged on the middle of its print
//     (labelCentre), not on where one design puts its symbols.
const (
	// maxLabelW and maxLabelH are the largest label (mm), with a
	// millimetre for measurement.
	maxLabelW = 51.0
	maxLabelH = 36.0
	// maxTurn is the largest angle (degrees) between two symbols of one
	// label: both are printed square to the label.
	maxTurn = 4.0
	// inkMargin is the least paper (mm) a label shows around its print:
	// where no edge shows, the side is put that far outside the print.
	inkMargin = 0.3
)

// frame is a label's own frame: origin c (page mm), turned by ang degrees
// clockwise (the reading direction, plus 180 when the label is upside
// down); u runs along the symbols' reading direction, v down the label.
type frame struct {
	c   geom.Point
	ang float64
}

// frameOf is the frame of lr's label: centred on its bars, turned as they
// read.
func frameOf(lr *labelRead) frame {
	ang := lr.angle
	if lr.reversed {
		ang += 180
	}
	return frame{c: lr.center, ang: ang}
}

// point is the page point at (u, v) in f.
func (f frame) point(u, v float64) geom.Point { return framePoint(f.c, f.ang, u, v) }

// local is p (page mm) in f's coordinates.
func (f frame) local(p geom.Point) (u, v float64) {
	a := f.ang * math.Pi / 180
	d := p.Sub(f.c)
	return d.X*math.Cos(a) + d.Y*math.Sin(a), -d.X*math.Sin(a) + d.Y*math.Cos(a)
}

// box is an axis-aligned box in a frame (mm); empty until a point is
// added.
type box struct {
	u0, v0, u1, v1 float64
	set            bool
}

func (b *box) add(u, v float64) {
	if !b.set {
		*b = box{u, v, u, v, true}
		return
	}
	b.u0, b.v0 = math.Min(b.u0, u), math.Min(b.v0, v)
	b.u1, b.v1 = math.Max(b.u1, u), math.Max(b.v1, v)
}

func (b box) w() float64 { return b.u1 - b.u0 }
func (b box) h() float64 { return b.v1 - b.v0 }

// meets reports whether b and o overlap by more than d mm on both axes
// (never when either is empty).
func (b box) meets(o box, d float64) bool {
	if !b.set || !o.set {
		return false
	}
	return math.Min(b.u1, o.u1)-math.Max(b.u0, o.u0) > d && math.Min(b.v1, o.v1)-math.Max(b.v0, o.v0) > d
}

// barQuad is the quadrilateral (page mm) of lr's bars: the whole bars when
// the slot crop cut them (wholeBars), else the region found.
func (lr *labelRead) barQuad() [4]geom.Point {
	c, ang, w, h := lr.center, lr.angle, lr.w, lr.h
	if b := lr.uncut; b != nil {
		c, ang, w, h = b.center, b.angle, b.w, b.h
	}
	at := func(u, v float64) geom.Point { return framePoint(c, ang, u, v) }
	return [4]geom.Point{at(-w/2, -h/2), at(w/2, -h/2), at(w/2, h/2), at(-w/2, h/2)}
}

// inkIn is the box in f of lr's print: its bars, and its digit line when
// the OCR found one.
func (lr *labelRead) inkIn(f frame) box {
	b := lr.barsIn(f)
	if t := lr.textIn(f); t.set {
		b.add(t.u0, t.v0)
		b.add(t.u1, t.v1)
	}
	return b
}

// oneBand reports whether two digit lines found are one band of ink: the
// same line, found from two symbols.
func oneBand(a, b box) bool {
	const tol = 0.4 // mm
	return a.set && b.set && math.Abs(a.v0-b.v0) < tol && math.Abs(a.v1-b.v1) < tol && a.meets(b, 0.5)
}

// barsIn is the box in f of lr's bars.
func (lr *labelRead) barsIn(f frame) box {
	var b box
	for _, p := range lr.barQuad() {
		b.add(f.local(p))
	}
	return b
}

// textIn is the box in f of lr's digit line, empty (not set) when the
// OCR found none.
func (lr *labelRead) textIn(f frame) box {
	var b box
	if lr.text.found {
		for _, p := range lr.text.quad {
			b.add(f.local(p))
		}
	}
	return b
}

// sameLabel reports whether two symbols read (from their bars or by OCR)
// can be printed on one label: they read the same way up and square to
// each other, their print does not overlap, and together it fits on the
// largest label. Where the label puts them (above, below, beside) is not
// assumed.
func sameLabel(a, b *labelRead) bool {
	if a.readAs() == "" || b.readAs() == "" {
		return false
	}
	fa, fb := frameOf(a), frameOf(b)
	d := math.Mod(fb.ang-fa.ang+540, 360) - 180
	if math.Abs(d) > maxTurn {
		return false
	}
	// Two symbols' prints never overlap on one label, but for one case:
	// the line over a symbol's bars can be the other's digit line, read
	// as its own by the OCR (a misread the values' cross-check catches;
	// seed 7070's bordered bitonal page, slot 4): both symbols' lines are
	// then the same band, and their bars still apart.
	ia, ib := a.inkIn(fa), b.inkIn(fa)
	if ia.meets(ib, 0.5) {
		ta, tb := a.textIn(fa), b.textIn(fa)
		ba, bb := a.barsIn(fa), b.barsIn(fa)
		if !oneBand(ta, tb) || ba.meets(bb, 0.5) || ta.meets(bb, 0.5) || tb.meets(ba, 0.5) {
			return false
		}
	}
	u := box{math.Min(ia.u0, ib.u0), math.Min(ia.v0, ib.v0), math.Max(ia.u1, ib.u1), math.Max(ia.v1, ib.v1), true}
	return u.w() <= maxLabelW && u.h() <= maxLabelH
}

// group is lr with the other symbol of the slot on its label, if any. A
// label carries one symbol of each kind, so a symbol has at most one
// partner: of the pairs sameLabel allows, the squarest to each other go
// together first (then the nearest). A label moved onto its neighbour
// shows its symbols beside the neighbour's, often within sameLabel's
// tolerance of them: taking every symbol that fits with lr would join the
// two labels into one.
func (sr *slotRead) group(lr *labelRead) []*labelRead {
	type pair struct {
		a, b  *labelRead
		score float64
	}
	var pairs []pair
	for i := range sr.labels {
		for j := i + 1; j < len(sr.labels); j++ {
			a, b := &sr.labels[i], &sr.labels[j]
			if sc, ok := pairScore(a, b); ok {
				pairs = append(pairs, pair{a, b, sc})
			}
		}
	}
	sort.Slice(pairs, func(i, j int) bool { return pairs[i].score < pairs[j].score })
	taken := map[*labelRead]bool{}
	for _, p := range pairs {
		if taken[p.a] || taken[p.b] {
			continue
		}
		taken[p.a], taken[p.b] = true, true
		switch lr {
		case p.a:
			return []*labelRead{lr, p.b}
		case p.b:
			return []*labelRead{lr, p.a}
		}
	}
	return []*labelRead{lr}
}

// pairScore is how well two symbols make one label, lower better (their
// turn from each other in degrees, then a tenth of their distance in mm);
// ok is false when they cannot (same kind, or not sameLabel).
func pairScore(a, b *labelRead) (score float64, ok bool) {
	if a.readAs() == b.readAs() || !sameLabel(a, b) {
		return 0, false
	}
	return turn(a, b) + 0.1*a.center.Sub(b.center).Len(), true
}

// turn is the angle (degrees, 0-180) between two symbols' reading
// directions.
func turn(a, b *labelRead) float64 {
	return math.Abs(math.Mod(b.angle-a.angle+540, 360) - 180)
}

// partner is the other symbol of lr's label in its slot (group), nil if
// none.
func (sr *slotRead) partner(lr *labelRead) *labelRead {
	if g := sr.group(lr); len(g) > 1 {
		return g[1]
	}
	return nil
}

// splitLabel is a label whose two symbols were read in two slots: x in
// slot a (the one that shows another label besides), y in slot b.
type splitLabel struct {
	a, b int
	x, y *labelRead
}

// splitLabels finds labels whose two symbols were read in two slots (a
// label moved across its border, its symbols' middles on either side):
// a symbol of one slot and one of another that make one label better than
// either does with its own slot's partner. A slot that shows such a
// symbol and another besides shows two labels: it returns those labels,
// each with the slot it shows them in (a) and the slot the other symbol
// came from (b). A symbol read twice (two pieces of one symbol on one
// line, see twoOfAKind) is one symbol: its second read, left without a
// partner, does not make a label with another slot's symbol (seed
// 4747's itf-above phone page, slot 3: its Code 32 read twice, the
// second read paired with slot 7's ITF, a false overlap).
func splitLabels(reads []*slotRead) []splitLabel {
	type cand struct {
		splitLabel
		score float64
	}
	var cands []cand
	for i, a := range reads {
		for k := range a.labels {
			x := &a.labels[k]
			if a.readTwice(x) {
				continue
			}
			pairsElsewhere(reads, i, x, func(j int, y *labelRead, sc float64) {
				if a.better(x, sc) && a.holdsOther(x) {
					cands = append(cands, cand{splitLabel{a: i, b: j, x: x, y: y}, sc})
				}
			})
		}
	}
	// A symbol is on one label: of the pairings, the best go first, as
	// in group (seed 6007's classic bitonal page: slot 7's ITF made a
	// label with slot 7's Code 32, read in slot 3, and again with slot
	// 3's own Code 32, a false crossing of slot 3).
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].score < cands[j].score })
	taken := map[*labelRead]bool{}
	var out []splitLabel
	for _, c := range cands {
		if taken[c.x] || taken[c.y] {
			continue
		}
		taken[c.x], taken[c.y] = true, true
		out = append(out, c.splitLabel)
	}
	return out
}

// pairsElsewhere calls fn for every symbol y read in a slot other than
// slot i that makes a label with x (read in slot i) better than with its
// own partner in its slot (pairScore, better): j is y's slot, sc the
// pair's score.
func pairsElsewhere(reads []*slotRead, i int, x *labelRead, fn func(j int, y *labelRead, sc float64)) {
	for j, b := range reads {
		if j == i {
			continue
		}
		for m := range b.labels {
			y := &b.labels[m]
			if sc, ok := pairScore(x, y); ok && b.better(y, sc) {
				fn(j, y, sc)
			}
		}
	}
}

// readTwice reports whether the slot shows another read of lr's kind on
// lr's line (within twoOfAKind's apart): lr is a second read of one
// symbol.
func (sr *slotRead) readTwice(lr *labelRead) bool {
	for i := range sr.labels {
		if o := &sr.labels[i]; o != lr && o.readAs() != "" && o.readAs() == lr.readAs() && o.center.Sub(lr.center).Len() <= pieceApart {
			return true
		}
	}
	return false
}

// barsOutline is the quadrilateral of the split label's bars, both
// symbols', every side seen: bars lie inside their label, so where they
// reach the label reaches.
func (s splitLabel) barsOutline() *outline {
	f := frameOf(s.x)
	var b box
	for _, lr := range []*labelRead{s.x, s.y} {
		m := lr.barsIn(f)
		b.add(m.u0, m.v0)
		b.add(m.u1, m.v1)
	}
	return &outline{
		corners: [4]geom.Point{f.point(b.u0, b.v0), f.point(b.u1, b.v0), f.point(b.u1, b.v1), f.point(b.u0, b.v1)},
		across:  true,
	}
}

// better reports whether a pairing of lr scoring sc beats lr's partner in
// its own slot.
func (sr *slotRead) better(lr *labelRead, sc float64) bool {
	p := sr.partner(lr)
	if p == nil {
		return true
	}
	own, _ := pairScore(lr, p)
	return sc < own
}

// holdsOther reports whether the slot shows a read symbol other than lr:
// with lr's label elsewhere, another label.
func (sr *slotRead) holdsOther(lr *labelRead) bool {
	for i := range sr.labels {
		if o := &sr.labels[i]; o != lr && o.readAs() != "" {
			return true
		}
	}
	return false
}

// printBox is the box, in the frame of lr's label, of the print of every
// symbol on that label.
func (sr *slotRead) printBox(lr *labelRead) (frame, box) {
	f := frameOf(lr)
	var b box
	for _, m := range sr.group(lr) {
		mb := m.inkIn(f)
		b.add(mb.u0, mb.v0)
		b.add(mb.u1, mb.v1)
	}
	return f, b
}

// labelCentre is the middle (page mm) of the print of the label lr sits
// on: with both its symbols read, within a few mm of the label's centre
// whatever the design; with one, that symbol's middle.
func (sr *slotRead) labelCentre(lr *labelRead) geom.Point {
	f, b := sr.printBox(lr)
	return f.point((b.u0+b.u1)/2, (b.v0+b.v1)/2)
}
