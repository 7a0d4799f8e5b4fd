package acquisition

import (
	"math"
	"testing"

	"github.com/regfus/regfus/geom"
	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/page"
)

// The geometry behind the crossing and overlap flags, on slot 6 of layout
// v1 (x 58-104, y 78-108 mm).

func TestCutBy(t *testing.T) {
	t.Parallel()
	slot := layout.Rect{X: 58, Y: 78, W: 46, H: 30}
	area := slot.Inset(-slotMargin) // x 55-107
	for _, c := range []struct {
		name   string
		center geom.Point
		w, ang float64
		want   bool
	}{
		{"whole symbol in the middle", geom.Point{X: 81, Y: 90}, 33, 0, false},
		{"ends 1 mm inside the crop", geom.Point{X: 89.5, Y: 90}, 33, 0, false},
		{"ends at the right edge", geom.Point{X: 95, Y: 90}, 24, 0, true},
		{"ends at the left edge", geom.Point{X: 67, Y: 90}, 24, 0, true},
		{"tilted, its end at the edge", geom.Point{X: 95.2, Y: 90}, 24, 8, true},
		{"tilted, its end 1 mm inside", geom.Point{X: 93.5, Y: 90}, 24, 8, false},
	} {
		lr := &labelRead{center: c.center, w: c.w, h: 5.6, angle: c.ang}
		if got := cutBy(lr, area); got != c.want {
			t.Errorf("%s: cutBy = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestBarsOutlineCrossing(t *testing.T) {
	t.Parallel()
	slot := layout.Rect{X: 58, Y: 78, W: 46, H: 30}
	for _, c := range []struct {
		name string
		b    barSpan
		want bool
	}{
		{"bars of a label in place", barSpan{center: geom.Point{X: 81, Y: 87}, w: 33, h: 5.6}, false},
		{"bars 0.4 mm past the border (measurement)", barSpan{center: geom.Point{X: 87.9, Y: 87}, w: 33, h: 5.6}, false},
		{"bars 3 mm past the right border", barSpan{center: geom.Point{X: 90.5, Y: 87}, w: 33, h: 5.6}, true},
		{"bars 5 mm past the left border", barSpan{center: geom.Point{X: 69.5, Y: 87}, w: 33, h: 5.6}, true},
		{"bars past the top", barSpan{center: geom.Point{X: 81, Y: 78.5}, w: 33, h: 5.6}, true},
	} {
		if got := barsOutline(&c.b).crosses(slot); got != c.want {
			t.Errorf("%s: crosses = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestBarsIntrusion(t *testing.T) {
	t.Parallel()
	right := layout.Rect{X: 106, Y: 78, W: 46, H: 30} // slot 7
	for _, c := range []struct {
		name string
		x    float64 // bars' middle; 33 mm wide
		deep bool
	}{
		{"label in place", 81, false},
		{"crossing label: bars 1.5 mm into the neighbour", 91, false},
		{"label moved 10 mm onto the neighbour", 100, true},
	} {
		q := barsOutline(&barSpan{center: geom.Point{X: c.x, Y: 87}, w: 33, h: 5.6})
		if got := q.intrudes(right) > 4.5; got != c.deep {
			t.Errorf("%s: intrudes %.1f mm, deep = %v, want %v", c.name, q.intrudes(right), got, c.deep)
		}
	}
}

func TestHoldsBesides(t *testing.T) {
	t.Parallel()
	b := &barSpan{center: geom.Point{X: 100, Y: 87}, w: 33, h: 5.6}
	piece := labelRead{center: geom.Point{X: 110, Y: 87.3}, w: 12}
	own := labelRead{center: geom.Point{X: 129, Y: 87}, w: 30}
	below := labelRead{center: geom.Point{X: 108, Y: 96}, w: 25}
	for _, c := range []struct {
		name   string
		labels []labelRead
		want   bool
	}{
		{"only a piece of the bars", []labelRead{piece}, false},
		{"a piece and the slot's own Code 32", []labelRead{piece, own}, true},
		{"a symbol on another line", []labelRead{below}, true},
	} {
		sr := &slotRead{labels: c.labels}
		if got := sr.holdsBesides(b); got != c.want {
			t.Errorf("%s: holdsBesides = %v, want %v", c.name, got, c.want)
		}
	}
}

// Two symbols are one label's whatever the design puts where, and never
// when they cannot be on one piece of paper.
func TestSameLabel(t *testing.T) {
	t.Parallel()
	c32 := labelRead{center: geom.Point{X: 80, Y: 90}, w: 33, h: 5.6, kind: "code32"}
	itf := func(x, y, ang float64, rev bool) *labelRead {
		return &labelRead{center: geom.Point{X: x, Y: y}, w: 27, h: 5, kind: "itf", angle: ang, reversed: rev}
	}
	line := func(x0, y0, x1, y1 float64) lineSpan {
		return lineSpan{found: true, quad: [4]geom.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}}
	}
	// The Code 32's digits under its bars (y 93-94.7), the ITF's bars at
	// y 96.2-101.2.
	c32ui := c32
	c32ui.text = line(66, 93, 94, 94.7)
	itfOver := itf(80, 98.7, 0, false)
	itfOver.text = line(66, 93, 94, 94.7)
	itfOther := itf(80, 98.7, 0, false)
	itfOther.text = line(66, 93.8, 94, 95.6)
	itfOnBars := itf(80, 98.7, 0, false)
	itfOnBars.text = line(66, 88, 94, 91)
	for _, c := range []struct {
		name string
		a, b *labelRead
		want bool
	}{
		{"ITF under the Code 32", &c32, itf(80, 98.7, 0, false), true},
		{"ITF above the Code 32", &c32, itf(78, 81, 0, false), true},
		{"tall label: ITF 20 mm under", &c32, itf(80, 110, 0, false), true},
		{"side by side, short symbols", &labelRead{center: geom.Point{X: 70, Y: 90}, w: 22, h: 8, kind: "code32"}, &labelRead{center: geom.Point{X: 95, Y: 90}, w: 16, h: 8, kind: "itf"}, true},
		{"tilted together", &labelRead{center: geom.Point{X: 80, Y: 90}, w: 33, h: 5.6, kind: "code32", angle: 3}, itf(79.5, 98.7, 3.5, false), true},
		{"the ITF upside down", &c32, itf(80, 98.7, 0, true), false},
		{"turned 10 degrees from each other", &c32, itf(80, 98.7, 10, false), false},
		{"the ITF of the label under (one slot down)", &c32, itf(80, 122.7, 0, false), false},
		{"the ITF of the label beside (one slot right)", &c32, itf(128, 98.7, 0, false), false},
		{"prints overlapping", &c32, itf(80, 92, 0, false), false},
		{"an unread region", &c32, &labelRead{center: geom.Point{X: 80, Y: 98.7}, w: 27, h: 5}, false},
		// The OCR took the Code 32's digit line, over the ITF's bars, for
		// the ITF's own (seed 7070's bordered bitonal page, slot 4): the
		// two lines are one, the symbols still one label's.
		{"the ITF's line found over it, on the Code 32's", &c32ui, itfOver, true},
		{"the ITF's line found on the Code 32's bars", &c32, itfOnBars, false},
		{"two digit lines overlapping, not one band", &c32ui, itfOther, false},
	} {
		if got := sameLabel(c.a, c.b); got != c.want {
			t.Errorf("%s: sameLabel = %v, want %v", c.name, got, c.want)
		}
	}
}

// A label's centre for attribution is the middle of its print, whichever
// of its symbols it is asked from and however it is turned.
func TestLabelCentre(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name   string
		labels []labelRead
		want   geom.Point
	}{
		{"Code 32 over ITF", []labelRead{
			{center: geom.Point{X: 80, Y: 90}, w: 30, h: 6, kind: "code32"},
			{center: geom.Point{X: 80, Y: 100}, w: 20, h: 6, kind: "itf"}}, geom.Point{X: 80, Y: 95}},
		{"upside down", []labelRead{
			{center: geom.Point{X: 80, Y: 100}, w: 30, h: 6, kind: "code32", reversed: true},
			{center: geom.Point{X: 80, Y: 90}, w: 20, h: 6, kind: "itf", reversed: true}}, geom.Point{X: 80, Y: 95}},
		{"side by side", []labelRead{
			{center: geom.Point{X: 70, Y: 90}, w: 20, h: 6, kind: "code32"},
			{center: geom.Point{X: 92, Y: 90}, w: 16, h: 6, kind: "itf"}}, geom.Point{X: 80, Y: 90}},
		{"one symbol", []labelRead{{center: geom.Point{X: 80, Y: 90}, w: 30, h: 6, kind: "itf", angle: 90}}, geom.Point{X: 80, Y: 90}},
	} {
		sr := &slotRead{labels: c.labels}
		for i := range sr.labels {
			got := sr.labelCentre(&sr.labels[i])
			if math.Abs(got.X-c.want.X) > 1e-9 || math.Abs(got.Y-c.want.Y) > 1e-9 {
				t.Errorf("%s, from symbol %d: labelCentre = %+v, want %+v", c.name, i, got, c.want)
			}
		}
	}
}

// A neighbour's label moved onto the slot: its upright symbols lie near
// the slot's top, the slot's own upside-down Code 32 near its middle. Only
// the slot's own counts (home); with no read on the slot's own label, all
// reads do.
func TestHomeReads(t *testing.T) {
	t.Parallel()
	st := &pageState{r: NewReader(nil)}
	s, _ := st.r.layout.Slot(13)
	cx, cy := s.Rect.Center()
	moved32 := labelRead{center: geom.Point{X: cx, Y: s.Y - 0.4}, kind: "code32"}
	movedITF := labelRead{center: geom.Point{X: cx, Y: s.Y + 8.3}, kind: "itf"}
	own := labelRead{center: geom.Point{X: cx, Y: cy + 5.5}, kind: "code32", reversed: true}
	unread := labelRead{center: geom.Point{X: cx, Y: cy}}
	for _, c := range []struct {
		name   string
		labels []labelRead
		want   []bool
	}{
		{"neighbour's symbols and the slot's own", []labelRead{moved32, movedITF, own, unread}, []bool{false, false, true, false}},
		{"only the neighbour's", []labelRead{moved32, movedITF}, []bool{true, true}},
	} {
		got := st.home(&slotRead{n: 13, labels: c.labels})
		for i := range c.want {
			if got[i] != c.want[i] {
				t.Errorf("%s: home = %v, want %v", c.name, got, c.want)
				break
			}
		}
	}
}

// A label carries one symbol of each kind: a slot showing a neighbour's
// label moved onto its own (the neighbour's ITF 2.7 degrees off, above the
// slot's own Code 32 and ITF) pairs each Code 32 with the squarest ITF, and
// shows two labels (the case of seed 606's compact office page, slot 24,
// where joining the three symbols into one label reported the
// neighbour's Code 32 as the slot's).
func TestGroupOneOfEachKind(t *testing.T) {
	t.Parallel()
	sr := &slotRead{labels: []labelRead{
		{center: geom.Point{X: 178.6, Y: 209.2}, angle: -2.7, w: 28, h: 5, kind: "itf"},
		{center: geom.Point{X: 181, Y: 218.2}, angle: 0, w: 30, h: 5, kind: "code32"},
		{center: geom.Point{X: 178, Y: 226}, angle: 0, w: 23.5, h: 5, kind: "itf"},
	}}
	g := sr.group(&sr.labels[1])
	if len(g) != 2 || g[1] != &sr.labels[2] {
		t.Errorf("the Code 32's label: %d symbols, want it with the square ITF under it", len(g))
	}
	if g := sr.group(&sr.labels[0]); len(g) != 1 {
		t.Errorf("the tilted ITF's label: %d symbols, want 1 (its Code 32 is not here)", len(g))
	}
	if !sr.twoOfAKind() {
		t.Error("two ITFs on different lines: want two labels")
	}
	one := &slotRead{labels: sr.labels[1:]}
	if one.twoOfAKind() {
		t.Error("one Code 32 and one ITF: want one label")
	}
}

// An ITF decoded and an undecoded region read by OCR alone as an ITF of
// the very same value are one symbol's digits read twice (seed 606's zint
// phone page, slot 28: the Code 32 under the ITF took the ITF's digit
// line, printed between them, for its own); another value is a second
// label's.
func TestTwoOfAKindOneValue(t *testing.T) {
	t.Parallel()
	sr := &slotRead{labels: []labelRead{
		{center: geom.Point{X: 174.4, Y: 250.2}, w: 28.6, h: 6.5, kind: "itf", tg: "6413816535"},
		{center: geom.Point{X: 174.1, Y: 260.4}, w: 27.9, h: 6.6, ocrOnly: "itf", ocrTG: "6413816535"},
	}}
	if sr.twoOfAKind() {
		t.Error("one ITF's digits read twice: want one label")
	}
	sr.labels[1].ocrTG = "6490295728"
	if !sr.twoOfAKind() {
		t.Error("two ITFs of different values: want two labels")
	}
	sr.labels[1].ocrTG = ""
	sr.labels[1].kind, sr.labels[1].tg = "itf", "6413816535"
	if !sr.twoOfAKind() {
		t.Error("two ITFs decoded from their bars on two lines: want two labels")
	}
}

// A label moved onto the slot below with its ITF over that slot and its
// Code 32 left above it is one label read in two slots: with the lower
// slot's own Code 32 also there, that slot shows two labels (seed 606's
// zint office page, slot 24, once reported the moved label's targatura
// with its own Code 32); a normal page has no such slot.
func TestSplitLabels(t *testing.T) {
	t.Parallel()
	upper := &slotRead{n: 20, labels: []labelRead{
		{center: geom.Point{X: 177.4, Y: 199.7}, angle: -2.8, w: 34.8, h: 6.4, kind: "code32"},
	}}
	lower := &slotRead{n: 24, labels: []labelRead{
		{center: geom.Point{X: 177.9, Y: 208.6}, angle: -2.76, w: 22.8, h: 5.6, kind: "itf"},
		{center: geom.Point{X: 177.8, Y: 226.6}, angle: 0, w: 24, h: 5.5, kind: "code32"},
	}}
	got := splitLabels([]*slotRead{upper, lower})
	if len(got) != 1 || got[0].a != 1 || got[0].b != 0 {
		t.Fatalf("splitLabels = %v, want the lower slot (1) showing the upper's label (0)", got)
	}
	// The label came from slot 20 (slot 24 shows its own label besides):
	// its bars, both symbols', pass slot 20's bottom border by 7 mm, it
	// crosses it, and reach into slot 24.
	l := layout.Current()
	q := got[0].barsOutline()
	if !q.crosses(l.Slots[19].Rect) {
		t.Errorf("the split label's bars %v: want them crossing slot 20", q.corners)
	}
	if q.intrudes(l.Slots[23].Rect) < 4 {
		t.Errorf("the split label's bars %v: want them reaching into slot 24", q.corners)
	}
	// The lower slot's Code 32 read twice (two pieces on its line) is one
	// symbol with one partner: its second read makes no label with the
	// upper slot's ITF (seed 4747's itf-above phone page, slot 3).
	twice := []*slotRead{
		{n: 3, labels: []labelRead{
			{center: geom.Point{X: 131.2, Y: 57}, angle: 0.36, w: 26.4, h: 5, kind: "itf"},
			{center: geom.Point{X: 129.9, Y: 66.1}, w: 32.6, h: 5.6, kind: "code32"},
			{center: geom.Point{X: 129.9, Y: 66.2}, w: 32.6, h: 5.6, kind: "code32"}}},
		{n: 7, labels: []labelRead{
			{center: geom.Point{X: 128.9, Y: 92.5}, w: 27.9, h: 5, kind: "itf"}}},
	}
	if got := splitLabels(twice); len(got) != 0 {
		t.Errorf("a Code 32 read twice: splitLabels = %v, want none", got)
	}
	// A symbol is on one label: slot 7's ITF makes one with slot 7's
	// Code 32 read in slot 3 (moved 11 mm up), not again with slot 3's
	// own Code 32 (seed 6007's classic bitonal page: a false crossing of
	// slot 3).
	moved := []*slotRead{
		{n: 3, labels: []labelRead{
			{center: geom.Point{X: 129.2, Y: 58}, angle: 0.6, w: 35.4, h: 5.75, kind: "code32"},
			{center: geom.Point{X: 128.6, Y: 65.7}, w: 25, h: 3.4, kind: "itf"},
			{center: geom.Point{X: 129.4, Y: 76}, angle: -0.33, w: 34.25, h: 5.75, kind: "code32"}}},
		{n: 7, labels: []labelRead{
			{center: geom.Point{X: 129.6, Y: 84.7}, angle: -0.53, w: 28.5, h: 5.1, kind: "itf"}}},
	}
	got = splitLabels(moved)
	if len(got) != 1 || got[0].x != &moved[0].labels[2] || got[0].y != &moved[1].labels[0] {
		t.Errorf("a label moved from slot 7 over slot 3: splitLabels = %v, want one, slot 3's third symbol with slot 7's ITF", got)
	}
	if len(got) == 1 && !got[0].barsOutline().crosses(l.Slots[6].Rect) {
		t.Errorf("the moved label's bars %v: want them crossing slot 7", got[0].barsOutline().corners)
	}
	normal := []*slotRead{
		{n: 20, labels: []labelRead{
			{center: geom.Point{X: 177, Y: 185}, w: 33, h: 5.6, kind: "code32"},
			{center: geom.Point{X: 177, Y: 194}, w: 27, h: 5, kind: "itf"}}},
		{n: 24, labels: []labelRead{
			{center: geom.Point{X: 177, Y: 217}, w: 33, h: 5.6, kind: "code32"},
			{center: geom.Point{X: 177, Y: 226}, w: 27, h: 5, kind: "itf"}}},
	}
	if got := splitLabels(normal); len(got) != 0 {
		t.Errorf("two labels in their slots: splitLabels = %v, want none", got)
	}
}

// A label's side in a profile across it (gray levels per 1/8 mm, outward
// from the print at index 0): the thin dark line of its cut edge, the
// step up from a tinted paper to the sheet's, the step down to a darker
// label it meets (an even level that holds), never the step up out of
// its own text (it starts under the label's paper level), and
// past a printed frame (as dark as ink) to the paper's edge beyond it.
func TestLabelEdge(t *testing.T) {
	t.Parallel()
	const n = 120
	flat := func(level float64) []float64 {
		p := make([]float64, n)
		for i := range p {
			p[i] = level
		}
		return p
	}
	set := func(p []float64, from, to int, level float64) []float64 {
		for i := from; i < to && i < len(p); i++ {
			p[i] = level
		}
		return p
	}
	whole := func(p []float64) [4][]float64 { return [4][]float64{p, p, p, p} }
	// ramp goes from a to b between from and to, flat either side.
	ramp := func(a, b float64, from, to int) []float64 {
		p := flat(a)
		for i := range p {
			switch {
			case i >= to:
				p[i] = b
			case i > from:
				p[i] = a + (b-a)*float64(i-from)/float64(to-from)
			}
		}
		return p
	}
	for _, c := range []struct {
		name string
		p    [4][]float64
		at   int // -1: none
	}{
		{"white label, faint cut edge", whole(set(flat(250), 40, 41, 238)), 40},
		{"white label on white paper, no edge", whole(flat(250)), -1},
		{"tinted label, step up to the sheet", whole(set(flat(250), 0, 40, 215)), 40},
		{"tinted label under a darker one", whole(set(flat(240), 40, n, 205)), 40},
		{"a shadow line: the edge, no step down", whole(set(flat(240), 40, 43, 200)), 41},
		{"own text (its rows' 70th percentile) stepping up to the paper, then the edge", whole(set(set(flat(250), 0, 50, 220), 0, 25, 210)), 50},
		{"printed frame, the paper's edge 1 mm past it", whole(set(set(flat(250), 0, 40, 222), 30, 33, 40)), 40},
		{"printed frame, the paper's edge unseen", whole(set(flat(250), 30, 33, 40)), 32 + 2},
		{"a step over a third of the span only", [4][]float64{set(flat(250), 0, 40, 232), set(flat(250), 0, 40, 200), flat(250), flat(250)}, -1},
		{"a phone's dim tinted label: 7 levels under a 165 sheet, blurred over 1 mm", whole(ramp(158, 165, 36, 44)), 40},
		{"a phone's light falling off across the sheet, no label edge", whole(ramp(158, 170, 0, n)), -1},
		{"a phone's dim sheet, a 3-level step", whole(ramp(160, 163, 36, 44)), -1},
	} {
		i, ok := labelEdge(c.p, 1, n-1)
		if !ok {
			i = -1
		}
		if d := i - c.at; d < -1 || d > 1 || (i < 0) != (c.at < 0) {
			t.Errorf("%s: edge at %d (ok %v), want %d", c.name, i, ok, c.at)
		}
	}
}

// pairAt is a label's two symbols read (a Code 32 over an ITF, 8 mm
// apart) with their print's middle near c.
func pairAt(c geom.Point) []labelRead {
	return []labelRead{
		{center: geom.Point{X: c.X, Y: c.Y - 4}, w: 32, h: 5, kind: "code32"},
		{center: geom.Point{X: c.X, Y: c.Y + 4}, w: 30, h: 5, kind: "itf"},
	}
}

// The cross-slot view: a label off its slot's centre is the slot's own,
// pushed across its border, only when the slot it leans towards shows a
// label of its own; a slot that looks empty while its neighbour shows a
// label leaning towards it that cannot be the neighbour's is sent to a
// person with the flags of a moved label.
func TestCrossSlotAttribution(t *testing.T) {
	t.Parallel()
	st := &pageState{r: NewReader(nil)}
	centre := func(n int) geom.Point {
		s, _ := st.r.layout.Slot(n)
		x, y := s.Rect.Center()
		return geom.Point{X: x, Y: y}
	}
	reads := func() []*slotRead {
		out := make([]*slotRead, len(st.r.layout.Slots))
		for i := range out {
			out[i] = &slotRead{n: i + 1, out: page.Slot{Slot: i + 1, State: page.Filled, Flags: []page.Flag{}}}
		}
		return out
	}
	// Slot 10's label pushed 11 mm down towards slot 14.
	pushed := centre(10).Add(geom.Point{Y: 11})
	rs := reads()
	rs[9].labels = pairAt(pushed)
	rs[13].labels = pairAt(centre(14))
	if !st.pushedOwn(rs, 9) {
		t.Error("slot 14 shows its own label: slot 10's label leaning to it is slot 10's")
	}
	rs[13].labels = nil
	if st.pushedOwn(rs, 9) {
		t.Error("slot 14 shows no label of its own: the label on slot 10 may be slot 14's")
	}
	rs[13].labels = pairAt(centre(14).Add(geom.Point{Y: -12}))
	if st.pushedOwn(rs, 9) {
		t.Error("slot 14's label is off its centre too: not a label of its own")
	}
	rs[9].labels = pairAt(centre(10).Add(geom.Point{Y: 3}))
	rs[13].labels = pairAt(centre(14))
	if st.pushedOwn(rs, 9) {
		t.Error("slot 10's label is centred: nothing leans")
	}

	// Slot 14's label moved up over slot 10's: slot 14 looks empty.
	rs = reads()
	rs[9].labels = append(pairAt(centre(10).Add(geom.Point{Y: -6})), pairAt(centre(10).Add(geom.Point{Y: 12}))...)
	rs[13].out.State = page.Empty
	st.lentTo(rs)
	if rs[13].out.State != page.Unreadable || !rs[13].out.HasFlag(page.FlagCrossing) || !rs[13].out.HasFlag(page.FlagOverlap) {
		t.Errorf("slot 14, its label moved onto slot 10 over slot 10's: %v %v, want unreadable, crossing and overlap", rs[13].out.State, rs[13].out.Flags)
	}
	if !rs[9].out.HasFlag(page.FlagOverlap) {
		t.Errorf("slot 10 under a moved label: flags %v, want overlap", rs[9].out.Flags)
	}
	// Slot 10's own label pushed 11 mm towards an empty slot 14: slot 14
	// stays empty.
	rs = reads()
	rs[9].labels = pairAt(pushed)
	rs[13].out.State = page.Empty
	st.lentTo(rs)
	if rs[13].out.State != page.Empty || len(rs[9].out.Flags) != 0 {
		t.Errorf("slot 10's label pushed towards an empty slot 14: slot 14 %v, slot 10 flags %v; want empty and none", rs[13].out.State, rs[9].out.Flags)
	}
	// Alone but 18 mm right of slot 10's centre: no pushed label lies so
	// far.
	rs[9].labels = pairAt(centre(10).Add(geom.Point{X: 18}))
	rs[10].out.State = page.Empty
	st.lentTo(rs)
	if rs[10].out.State != page.Unreadable {
		t.Errorf("a label 18 mm off slot 10's centre towards an empty slot 11: slot 11 %v, want unreadable", rs[10].out.State)
	}
}

// A third symbol's bars within a label's print make its pair two labels'
// (seed 6007's staggered bitonal page, slot 3: slot 7's label moved over
// it, its Code 32 paired with slot 3's ITF around slot 3's own Code 32,
// undecoded; the slot reported slot 7's AIC with its own targatura). A
// narrower region (a small matrix code, a logo), one that is not bar-like
// (a matrix code found with the print around it: a fresh seed's
// matrix-corner and staggered clean pages, false overlaps) and a piece on
// a symbol's line are not a symbol.
func TestForeignBars(t *testing.T) {
	t.Parallel()
	itf := labelRead{center: geom.Point{X: 120.1, Y: 53.9}, w: 18.5, h: 6, kind: "itf"}
	c32 := labelRead{center: geom.Point{X: 122.8, Y: 69.9}, angle: -0.52, w: 25.6, h: 6.9, kind: "code32"}
	third := labelRead{center: geom.Point{X: 135.4, Y: 62.4}, angle: 0.69, w: 24.25, h: 5.5}
	sr := &slotRead{n: 3, labels: []labelRead{itf, third, c32}}
	if !sr.foreignBars() {
		t.Error("undecoded bars 24 mm wide between the pair: want two labels")
	}
	if ok, why := sr.owns(layout.Rect{X: 106, Y: 46, W: 46, H: 30}, attributionMM); ok || why != "two_labels" {
		t.Errorf("owns = %v %q, want false two_labels", ok, why)
	}
	small := third
	small.w = 10.4
	if sr := (&slotRead{n: 3, labels: []labelRead{itf, small, c32}}); sr.foreignBars() {
		t.Error("a region 10.4 mm wide: want no third symbol")
	}
	notBars := third
	notBars.ocrOutcome = ocrNotBars
	if sr := (&slotRead{n: 3, labels: []labelRead{itf, notBars, c32}}); sr.foreignBars() {
		t.Error("a region that is not bar-like (a matrix code): want no third symbol")
	}
	piece := third
	piece.center = geom.Point{X: 140, Y: 69.6}
	if sr := (&slotRead{n: 3, labels: []labelRead{itf, piece, c32}}); sr.foreignBars() {
		t.Error("a region on the Code 32's line: want a piece of it, no third symbol")
	}
	if sr := (&slotRead{n: 3, labels: []labelRead{itf, c32}}); sr.foreignBars() {
		t.Error("a pair alone: want no third symbol")
	}
}
