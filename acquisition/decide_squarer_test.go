package acquisition

import "testing"

// A Code 32 and an ITF read by OCR alone 2.7 degrees apart, in a slot
// showing a third, unread symbol square to the Code 32: the ITF may be a
// neighbour's label's (seed 6021's compact bitonal page 5, slot 9). With
// the third symbol as turned as the pair, or read from its bars, or too
// narrow to be a symbol, nothing is doubted.
func TestSquarerElsewhere(t *testing.T) {
	c32 := labelRead{angle: -1.19, w: 21.5, ocrOnly: "code32"}
	itf := labelRead{angle: 1.55, w: 19.25, ocrOnly: "itf"}
	for _, tc := range []struct {
		name  string
		third labelRead
		want  bool
	}{
		{"unread symbol square to the Code 32", labelRead{angle: -0.97, w: 21}, true},
		{"unread symbol turned away from both", labelRead{angle: 5, w: 21}, false},
		{"a piece, not a symbol", labelRead{angle: -0.97, w: 9}, false},
		{"judged not bars", labelRead{angle: -0.97, w: 21, ocrOutcome: ocrNotBars}, false},
		{"a third symbol read", labelRead{angle: -0.97, w: 21, kind: "itf"}, false},
	} {
		sr := &slotRead{labels: []labelRead{c32, itf, tc.third}}
		if got := squarerElsewhere(sr, &sr.labels[0], &sr.labels[1]); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	// Both symbols decoded from their bars: their pairing is not doubted.
	a, b := c32, itf
	a.kind, b.kind = "code32", "itf"
	sr := &slotRead{labels: []labelRead{a, b, {angle: -0.97, w: 21}}}
	if squarerElsewhere(sr, &sr.labels[0], &sr.labels[1]) {
		t.Error("decoded pair doubted")
	}
}
