package synth

import (
	"fmt"
	"image"
	"math"
	"slices"

	"github.com/regfus/regfus/geom"
	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/render"
	"github.com/regfus/regfus/sheet"
)

// sheetSpec is the identity of one sheet, decided by the corpus plan so that
// progressives run in order per pharmacy across the whole corpus.
type sheetSpec struct {
	code        sheet.Code
	vat, name   string
	progressive sheet.Progressive
	regionLabel string
	index       int      // page index in the corpus
	seed        uint64   // page seed
	corpusSeed  uint64   // for targature, unique across the corpus
	hand        *MNIST   // handwritten digits; nil: the pen model's
	printFonts  []string // faces of the printed values; nil: Go Sans Bold
	designs     []Design
	degrade     string // Options.Degrade
}

// placedLabel is a label with its place on the page.
type placedLabel struct {
	slot  int
	label *Label
	at    placement
	z     int
}

// filling is the sheet with everything a person put on it, before scanning.
type filling struct {
	paper  paper
	sheet  render.Sheet
	labels []placedLabel
	hand   []handItem
	pens   []penItem
	page   Page
}

type handItem struct {
	field  string
	text   string
	w      writer
	stroke []stroke
	digits []bitmap // MNIST digits (writer with a digit source)
	mnist  []int    // their MNIST indices
}

type penItem struct {
	mark   PenMark
	w      writer
	stroke []stroke
}

// Probabilities of the labelled defects, per label or per page. They are
// high on purpose: a corpus of a hundred pages must show each of them
// several times.
const (
	pUpsideDown   = 0.02
	pCrossing     = 0.035
	pOverlapPage  = 0.22
	pPenPage      = 0.25
	pDuplicate    = 0.04
	pCountWrong   = 0.1
	pSameProduct  = 0.3
	pInOrder      = 0.7
	pGapsInOrder  = 0.3
	pEmptySheet   = 0.05
	pFullSheet    = 0.15
	maxNormalTilt = 3.5
)

// fill decides what is on the sheet: printed header values, which slots hold
// which fustella where, the handwriting and the pen marks.
func fill(l *layout.Layout, spec sheetSpec, r *rng) (*filling, error) {
	f := &filling{paper: newPaper(r, l)}
	wr := newWriter(r)
	wr.digits = spec.hand
	sh := render.Sheet{
		Code:        spec.code,
		VAT:         spec.vat,
		Name:        spec.name,
		RegionLabel: spec.regionLabel,
		TailDigits:  r.chance(0.5),
	}
	p := &f.page
	// Lists are empty, never null, in the JSON.
	p.Defects, p.PenMarks, p.Handwriting = []string{}, []PenMark{}, []Handwriting{}
	p.LayoutVersion = l.Version
	p.Seed = spec.seed
	p.Index = spec.index
	p.Sheet = Sheet{
		Code: spec.code.String(), Region: spec.code.Region, ASL: spec.code.ASL, Pharmacy: spec.code.Pharmacy,
		Month: spec.code.Month, Year: spec.code.Year, TailCode: spec.code.String(), TailDigits: sh.TailDigits,
		VAT: spec.vat, Name: spec.name, Dispensario: spec.progressive.Dispensario,
	}

	// Which slots are filled.
	filled := chooseSlots(r)
	p.Sheet.Fustelle = len(filled)

	// Progressive, count, date: printed by the software, written by hand or
	// left blank.
	prog := spec.progressive
	switch v := r.Float64(); {
	case v < 0.4:
		sh.Progressive = &prog
		p.Sheet.Progressive, p.Sheet.ProgressiveSource = prog.String(), SourcePrinted
	case v < 0.88:
		p.Sheet.Progressive, p.Sheet.ProgressiveSource = prog.String(), SourceHandwritten
		f.hand = append(f.hand, boxWriting(r, wr, "progressive", prog.String(), l.Progressive.Rect))
	default:
		p.Sheet.ProgressiveSource = SourceAbsent
		p.Defects = append(p.Defects, DefectNoProgressive)
	}
	count := len(filled)
	if r.chance(pCountWrong) {
		for count == len(filled) {
			count = min(max(len(filled)+pick(r, []int{-3, -2, -1, 1, 1, 2}), 0), layout.SlotCount)
		}
		p.Defects = append(p.Defects, DefectCountMismatch)
	}
	switch v := r.Float64(); {
	case v < 0.25:
		sh.Count = &count
		p.Sheet.DeclaredCount, p.Sheet.CountSource = &count, SourcePrinted
	case v < 0.72:
		p.Sheet.DeclaredCount, p.Sheet.CountSource = &count, SourceHandwritten
		f.hand = append(f.hand, boxWriting(r, wr, "count", fmt.Sprint(count), l.Count.Rect))
	default:
		p.Sheet.CountSource = SourceAbsent
		p.Defects = slices.DeleteFunc(p.Defects, func(s string) bool { return s == DefectCountMismatch })
		p.Defects = append(p.Defects, DefectNoCount)
	}
	if r.chance(0.68) {
		day := r.between(1, daysIn(spec.code.Month, spec.code.Year))
		p.Sheet.Date = fmt.Sprintf("%04d-%02d-%02d", spec.code.Year, spec.code.Month, day)
		p.Sheet.DateSource = SourceHandwritten
		f.hand = append(f.hand, dateWriting(r, wr, l, fmt.Sprintf("%02d%02d%04d", day, spec.code.Month, spec.code.Year)))
	} else {
		p.Sheet.DateSource = SourceAbsent
		p.Defects = append(p.Defects, DefectNoDate)
	}
	var err error
	if p.Sheet.PrintFont, p.Sheet.PrintSize, err = printFace(&sh, spec.printFonts, spec.seed); err != nil {
		return nil, err
	}
	f.sheet = sh

	// The labels.
	var prev *Product
	for i, n := range filled {
		prod := newProduct(r)
		if prev != nil && r.chance(pSameProduct) {
			prod = *prev
		}
		prev = &prod
		tg := targaturaFor(spec.corpusSeed, spec.index*32+n)
		lb := newLabel(r, prod, tg)
		if len(spec.designs) > 0 {
			// The design and its draw come from the label's own generator,
			// so the page (its slots, defects and writing) is the same
			// sheet whatever designs the corpus uses; the classic draw
			// above keeps the page's generator where it always was.
			lr := newRNG(derive(spec.seed, "label", n))
			if d := spec.designs[lr.IntN(len(spec.designs))]; d.look != nil {
				var err error
				if lb, err = d.newLabel(lr, prod, tg); err != nil {
					return nil, err
				}
			}
		}
		slot, _ := l.Slot(n)
		f.labels = append(f.labels, placedLabel{slot: n, label: lb, at: placeInSlot(r, lb, slot.Rect), z: i})
	}
	if len(f.labels) >= 2 && r.chance(pDuplicate) {
		a, b := r.IntN(len(f.labels)), r.IntN(len(f.labels))
		if a != b {
			src, dst := f.labels[a].label, f.labels[b].label
			cp := *src
			cp.W, cp.H, cp.Paper, cp.Ink = dst.W, dst.H, dst.Paper, dst.Ink
			if src.Look != nil || dst.Look != nil {
				// A designed label's layout follows its size: the copy
				// is the other label's print with this one's codes.
				cp = *dst
				cp.Product, cp.Targatura = src.Product, src.Targatura
				if cp.Style != StyleLinear {
					cp.MatrixText = MatrixContent(cp.AIC, cp.Targatura)
				}
				if dst.Look != nil {
					k := *dst.Look
					cp.Look = &k
				}
			}
			// The other label's print with this one's name may not fit
			// it (a longer name set smaller, a holder line taller): then
			// no duplicate on this page (seed 5827, staggered: "label is
			// 0.23 mm too short for its elements" ended the corpus).
			if cp.Look == nil || fitsLook(&cp) {
				f.labels[b].label = &cp
			}
		}
	}
	if len(f.labels) >= 2 && r.chance(pOverlapPage) {
		overlapOne(r, l, f.labels)
	}
	visibleOverlaps(l, f.labels)
	slices.SortStableFunc(f.labels, func(a, b placedLabel) int { return a.z - b.z })

	// Pen marks where rule g forbids them.
	if r.chance(pPenPage) {
		pw := newWriter(r)
		for i, n := 0, r.between(1, 3); i < n; i++ {
			f.pens = append(f.pens, penMarkOn(r, pw, l, f.labels))
		}
		p.Defects = append(p.Defects, DefectPenMarks)
	}

	f.page.Slots = slotTruths(l, f)
	f.page.PrintScale = f.paper.scale
	if fd := f.paper.fold; fd != nil {
		tf := &Fold{Corner: fd.corner, A: fd.a, B: fd.b, Hidden: []string{}}
		for _, m := range l.Markers {
			if f.paper.hides(rectQuad(m.Rect)) {
				tf.Hidden = append(tf.Hidden, m.Name)
			}
		}
		f.page.Fold = tf
		f.page.Defects = append(f.page.Defects, DefectFoldedCorner)
	}
	for _, pm := range f.pens {
		f.page.PenMarks = append(f.page.PenMarks, pm.mark)
	}
	for _, h := range f.hand {
		x0, y0, x1, y1 := strokesBounds(h.stroke)
		for _, b := range h.digits {
			bx0, by0, bx1, by1 := b.bounds()
			x0, y0, x1, y1 = math.Min(x0, bx0), math.Min(y0, by0), math.Max(x1, bx1), math.Max(y1, by1)
		}
		f.page.Handwriting = append(f.page.Handwriting, Handwriting{Field: h.field, Text: h.text, Rect: roundRect(layout.Rect{X: x0, Y: y0, W: x1 - x0, H: y1 - y0}), MNIST: h.mnist})
	}
	return f, nil
}

// chooseSlots returns the filled slots in the order they were stuck on.
func chooseSlots(r *rng) []int {
	var n int
	switch v := r.Float64(); {
	case v < pEmptySheet:
		return nil
	case v < pEmptySheet+pFullSheet:
		n = layout.SlotCount
	default:
		n = r.between(1, layout.SlotCount-1)
	}
	all := make([]int, layout.SlotCount)
	for i := range all {
		all[i] = i + 1
	}
	if n < layout.SlotCount && !r.chance(pInOrder) {
		r.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
		out := all[:n]
		slices.Sort(out)
		return out
	}
	out := all[:n]
	if n < layout.SlotCount && r.chance(pGapsInOrder) {
		// One or two positions assigned before the register started stay
		// empty: the labels after them move one slot on.
		gaps := min(r.between(1, 2), layout.SlotCount-n)
		out = nil
		skip := map[int]bool{}
		for len(skip) < gaps {
			skip[r.between(1, n+gaps-1)] = true
		}
		for s := 1; len(out) < n; s++ {
			if !skip[s] {
				out = append(out, s)
			}
		}
	}
	return out
}

// placeInSlot puts a label in its slot with the jitter of a hand: a few
// degrees of tilt and a few mm of shift, inside the slot; sometimes upside
// down, sometimes across the border.
func placeInSlot(r *rng, lb *Label, slot layout.Rect) placement {
	angle := math.Max(-maxNormalTilt, math.Min(maxNormalTilt, r.normal(0, 1.3)))
	a := math.Abs(angle) * math.Pi / 180
	bw := lb.W*math.Cos(a) + lb.H*math.Sin(a)
	bh := lb.W*math.Sin(a) + lb.H*math.Cos(a)
	sx, sy := math.Max(0, (slot.W-bw)/2-0.3), math.Max(0, (slot.H-bh)/2-0.3)
	cx, cy := slot.Center()
	p := placement{cx: cx + r.uniform(-sx, sx), cy: cy + r.uniform(-sy, sy), angle: angle, w: lb.W, h: lb.H}
	if r.chance(pUpsideDown) {
		p.angle += 180
	}
	if r.chance(pCrossing) {
		d := r.uniform(2, 6)
		if r.chance(0.5) {
			p.cx = cx + math.Copysign(sx+d, r.uniform(-1, 1))
		} else {
			p.cy = cy + math.Copysign(sy+d, r.uniform(-1, 1))
		}
	}
	return p
}

// overlapOne moves one label onto a filled neighbour (right or below) so
// that they overlap by several mm, and puts it on top.
func overlapOne(r *rng, l *layout.Layout, labels []placedLabel) {
	at := map[int]int{}
	for i, pl := range labels {
		at[pl.slot] = i
	}
	var cands [][2]int
	for i, pl := range labels {
		if j, ok := at[pl.slot+1]; ok && pl.slot%layout.Columns != 0 {
			cands = append(cands, [2]int{i, j})
		}
		if j, ok := at[pl.slot+layout.Columns]; ok {
			cands = append(cands, [2]int{i, j})
		}
	}
	if len(cands) == 0 {
		return
	}
	c := pick(r, cands)
	mover, other := &labels[c[0]], labels[c[1]]
	if r.chance(0.5) { // either may be the one stuck on top
		mover, other = &labels[c[1]], labels[c[0]]
	}
	d := r.uniform(4, 14)
	dx, dy := other.at.cx-mover.at.cx, other.at.cy-mover.at.cy
	n := math.Hypot(dx, dy)
	gap := n - (math.Abs(dx)/n)*(mover.at.w) - (math.Abs(dy)/n)*(mover.at.h)
	step := gap + d
	mover.at.cx += dx / n * step
	mover.at.cy += dy / n * step
	mover.at.angle += r.normal(0, 2)
	maxZ := 0
	for _, pl := range labels {
		maxZ = max(maxZ, pl.z)
	}
	mover.z = maxZ + 1
}

// minOverlap is the least depth (mm) by which two labels synth draws
// overlap. Labels meeting by less (a label crossing its border just
// reaching its neighbour's) cannot be told from labels that touch: 0.5 mm
// is 4 px at 200 dpi, and a scan blurs a label's edge over about 2; a
// reader cannot see a 0.1 mm overlap, and the truth would mark it all the
// same (seed 5151's compact pages had three pairs overlapping by 0.02 to
// 0.32 mm). So two labels either overlap by minOverlap or more (rule a,
// the truth's overlap) or do not overlap at all (touchGap apart at least,
// or as placed when further), and a reader may count an overlap only from
// some depth under minOverlap. See docs/synth-truth.md.
const (
	minOverlap = 0.5
	touchGap   = 0.1
)

// visibleOverlaps moves apart the labels that overlap by less than
// minOverlap: the one further out of its slot (the one crossing its
// border, as only such a label can reach a neighbour's) goes back along
// the axis of least overlap until touchGap lies between them. It draws no
// random numbers, so every page without such a pair is the same as before
// the rule (the committed corpus has none).
func visibleOverlaps(l *layout.Layout, labels []placedLabel) {
	out := func(pl *placedLabel) float64 {
		s, _ := l.Slot(pl.slot)
		b := pl.at.quad(layout.Rect{W: pl.at.w, H: pl.at.h}).Bounds()
		return max(s.X-b.X, b.Right()-s.Right(), s.Y-b.Y, b.Bottom()-s.Bottom())
	}
	for pass := 0; pass < 3; pass++ {
		moved := false
		for i := range labels {
			for j := i + 1; j < len(labels); j++ {
				a, b := &labels[i], &labels[j]
				qa := a.at.quad(layout.Rect{W: a.at.w, H: a.at.h})
				qb := b.at.quad(layout.Rect{W: b.at.w, H: b.at.h})
				depth, n := penetration(qa, qb)
				if depth <= 0 || depth >= minOverlap {
					continue
				}
				// n points from a to b: the mover goes away from the other.
				mv, sense := a, -1.0
				if out(b) > out(a) {
					mv, sense = b, 1
				}
				mv.at.cx += sense * n.X * (depth + touchGap)
				mv.at.cy += sense * n.Y * (depth + touchGap)
				moved = true
			}
		}
		if !moved {
			return
		}
	}
}

// penetration is how deep (mm) the convex quads a and b overlap, the least
// overlap of their projections on the normals of both (separating axis
// test), and that normal, unit length and pointing from a towards b; depth
// is 0 or less when they do not overlap.
func penetration(a, b Quad) (depth float64, n geom.Point) {
	depth = math.Inf(1)
	for _, poly := range [2]Quad{a, b} {
		for i := 0; i < 4; i++ {
			e := poly[(i+1)%4].Sub(poly[i])
			l := math.Hypot(e.X, e.Y)
			if l == 0 {
				continue
			}
			m := geom.Point{X: -e.Y / l, Y: e.X / l}
			alo, ahi := project(a, m.X, m.Y)
			blo, bhi := project(b, m.X, m.Y)
			d := math.Min(ahi, bhi) - math.Max(alo, blo)
			if d < depth {
				depth, n = d, m
				if (blo+bhi)/2 < (alo+ahi)/2 {
					n = geom.Point{X: -m.X, Y: -m.Y}
				}
			}
		}
	}
	return depth, n
}

// boxWriting writes text by hand inside box, roughly centred.
func boxWriting(r *rng, wr writer, field, text string, box layout.Rect) handItem {
	h := math.Min(box.H*r.uniform(0.55, 0.8), 6)
	pitch := h * r.uniform(0.62, 0.78)
	w := pitch * float64(len(text))
	x := box.X + (box.W-w)/2 + r.normal(0, 1)
	y := box.Bottom() - (box.H-h)/2 + r.normal(0, 0.5)
	hi := wr.write(r, text, x, y, h, pitch)
	return handItem{field: field, text: text, w: wr, stroke: hi.strokes, digits: hi.digits, mnist: hi.mnist}
}

// dateWriting writes one digit per DATA cell.
func dateWriting(r *rng, wr writer, l *layout.Layout, text string) handItem {
	var ss []stroke
	hi := handItem{field: "date", text: text, w: wr}
	h := l.DateCells[0].H * r.uniform(0.6, 0.8)
	for i, ch := range text {
		c := l.DateCells[i]
		if wr.digits != nil { // centred in the cell
			x := c.X + r.normal(0, 0.3)
			y := c.Bottom() - (c.H-h)/2 + r.normal(0, 0.3)
			in := wr.write(r, string(ch), x, y, h, c.W)
			ss = append(ss, in.strokes...)
			hi.digits, hi.mnist = append(hi.digits, in.digits...), append(hi.mnist, in.mnist...)
			continue
		}
		x := c.X + (c.W-h*0.72)/2 + r.normal(0, 0.3)
		y := c.Bottom() - (c.H-h)/2 + r.normal(0, 0.3)
		ss = append(ss, wr.text(r, string(ch), x, y, h, 0)...)
	}
	hi.stroke = ss
	return hi
}

// penMarkOn draws a mark somewhere rule g forbids: over a slot (filled or
// not), in a gutter, in the header's free space or beside the DATA field.
// It stays clear of the markers and the sheet's barcodes, which a person
// rarely scribbles on and without which the page is not a page.
func penMarkOn(r *rng, wr writer, l *layout.Layout, labels []placedLabel) penItem {
	kind := pick(r, penKinds)
	w, h := r.uniform(6, 22), r.uniform(3, 9)
	if kind == PenCircle {
		h = w * r.uniform(0.5, 0.9)
	}
	var x, y float64
	switch z := r.Float64(); {
	case z < 0.55 && len(labels) > 0: // over a label
		pl := pick(r, labels)
		x, y = pl.at.cx+r.uniform(-18, 18-w), pl.at.cy+r.uniform(-12, 12-h)
	case z < 0.8: // anywhere over the slot grid
		s, _ := l.Slot(r.between(1, layout.SlotCount))
		x, y = s.X+r.uniform(0, s.W-w), s.Y+r.uniform(0, s.H-h)
	case z < 0.9: // header free space, right of the count box
		x, y = l.Count.Right()+r.uniform(1, 8), l.Count.Y+r.uniform(-2, 2)
	default: // footer, between DATA and the tail barcode
		x, y = l.DateBox.Right()+r.uniform(2, 10), l.DateBox.Y+r.uniform(-1, 3)
	}
	ss := wr.penMark(r, kind, x, y, w, h)
	x0, y0, x1, y1 := strokesBounds(ss)
	pm := PenMark{Kind: kind, Rect: roundRect(layout.Rect{X: x0, Y: y0, W: x1 - x0, H: y1 - y0})}
	for _, s := range l.Slots {
		if s.Overlaps(pm.Rect) {
			pm.Slot = s.N
			break
		}
	}
	return penItem{mark: pm, w: wr, stroke: ss}
}

// slotTruths computes the per-slot truth from the final placements, so that
// every defect is what the geometry says, whatever the draw intended.
func slotTruths(l *layout.Layout, f *filling) []Slot {
	page := layout.Rect{W: l.Page.W, H: l.Page.H}
	out := make([]Slot, layout.SlotCount)
	lastFilled := 0
	for _, pl := range f.labels {
		lastFilled = max(lastFilled, pl.slot)
	}
	for i := range out {
		out[i] = Slot{Slot: i + 1, State: StateEmpty, Defects: []string{}}
		if i+1 < lastFilled {
			out[i].Defects = append(out[i].Defects, DefectLeftEmpty)
		}
	}
	quads := make([]Quad, len(f.labels))
	for i, pl := range f.labels {
		quads[i] = pl.at.quad(layout.Rect{W: pl.at.w, H: pl.at.h})
	}
	pens := make([]Quad, len(f.pens))
	for i, pm := range f.pens {
		pens[i] = rectQuad(pm.mark.Rect)
	}
	tg := map[string]int{}
	for _, pl := range f.labels {
		tg[string(pl.label.Targatura)]++
	}
	for i, pl := range f.labels {
		lb := pl.label
		s := &out[pl.slot-1]
		s.State = StateFilled
		s.Defects = []string{}
		s.AIC, s.Code32, s.Targatura = string(lb.AIC), lb.AIC.Code32(), string(lb.Targatura)
		s.Product, s.Holder, s.Style = lb.Name, lb.Holder, lb.Style
		slot, _ := l.Slot(pl.slot)
		q := quads[i]
		for j := range quads {
			if j != i && q.Intersects(quads[j]) {
				s.Defects = append(s.Defects, DefectOverlap)
				break
			}
		}
		if a := math.Mod(pl.at.angle+360, 360); a > 90 && a < 270 {
			s.Defects = append(s.Defects, DefectUpsideDown)
		}
		if !q.Inside(slot.Rect) {
			s.Defects = append(s.Defects, DefectCrossing)
		}
		for _, pq := range pens {
			if q.Intersects(pq) {
				s.Defects = append(s.Defects, DefectPenMark)
				break
			}
		}
		if tg[string(lb.Targatura)] > 1 {
			s.Defects = append(s.Defects, DefectDuplicate)
		}
		pd := &Placed{
			Center: geom.Point{X: round3(pl.at.cx), Y: round3(pl.at.cy)}, W: round3(lb.W), H: round3(lb.H), Angle: round3(pl.at.angle),
			Corners: q.rounded(), Rect: roundRect(q.Bounds()), Z: pl.z,
			Paper: lb.Paper, Ink: lb.Ink, Narrow32: round3(lb.Narrow32), NarrowITF: round3(lb.NarrowITF),
		}
		if lb.Look != nil {
			s.Design = lb.Look.Design
			lb.Symbols() // lays the label out: the Look's text rects are filled in
			k := lb.Look.rounded()
			pd.Design, pd.Ratio32, pd.RatioITF = &k, round3(lb.Ratio32), round3(lb.RatioITF)
		}
		for _, sym := range lb.Symbols() {
			sq := pl.at.quad(sym.Rect)
			clear := sq.Inside(page)
			for j := range quads {
				if j != i && f.labels[j].z > pl.z && sq.Intersects(quads[j]) {
					clear = false
				}
			}
			for _, pq := range pens {
				if sq.Intersects(pq) {
					clear = false
				}
			}
			if f.paper.hides(sq) {
				clear = false
			}
			pd.Symbols = append(pd.Symbols, Symbol{Kind: sym.Kind, Text: sym.Text, Corners: sq.rounded(), Clear: clear})
		}
		s.Label = pd
	}
	// Pen marks over an empty slot are marked on the slot too.
	for _, pm := range f.pens {
		if pm.mark.Slot > 0 && out[pm.mark.Slot-1].State == StateEmpty {
			out[pm.mark.Slot-1].Defects = append(out[pm.mark.Slot-1].Defects, DefectPenMark)
		}
	}
	return out
}

func rectQuad(r layout.Rect) Quad {
	return Quad{{X: r.X, Y: r.Y}, {X: r.Right(), Y: r.Y}, {X: r.Right(), Y: r.Bottom()}, {X: r.X, Y: r.Bottom()}}
}

// Truth coordinates are rounded to a micrometre: finer is noise, and the
// files stay small enough to commit.
func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

func roundRect(r layout.Rect) layout.Rect {
	return layout.Rect{X: round3(r.X), Y: round3(r.Y), W: round3(r.W), H: round3(r.H)}
}

func (q Quad) rounded() Quad {
	for i := range q {
		q[i] = geom.Point{X: round3(q[i].X), Y: round3(q[i].Y)}
	}
	return q
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// draw renders the filled sheet at dpi: the printed sheet, then the labels
// bottom to top, then the ink.
func (f *filling) draw(l *layout.Layout, dpi float64, r *rng) (*image.Gray, error) {
	img, err := render.Image(l, f.sheet, dpi)
	if err != nil {
		return nil, err
	}
	// One lamp per scan: every sticker's shadow falls the same way.
	sh := shadow{
		dx: r.uniform(-0.05, 0.12), dy: r.uniform(0.08, 0.25), soft: r.uniform(0.08, 0.2),
		depth: r.uniform(0.12, 0.3), edge: r.uniform(0.05, 0.15), edgeDark: r.uniform(0.05, 0.2),
	}
	for _, pl := range f.labels {
		lr, err := pl.label.Raster(dpi)
		if err != nil {
			return nil, err
		}
		stick(img, lr, dpi, pl.at, sh)
	}
	for _, h := range f.hand {
		ink(img, dpi, h.stroke, h.w.ink)
		inkBitmaps(img, dpi, h.digits, h.w.ink)
	}
	for _, pm := range f.pens {
		ink(img, dpi, pm.stroke, pm.w.ink)
	}
	return img, nil
}

// fitsLook reports whether a designed label's elements fit on it.
func fitsLook(l *Label) bool {
	_, sw, sh := l.lookLayout()
	return sw <= 0 && sh <= 0
}
