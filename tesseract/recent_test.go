package tesseract

import (
	"reflect"
	"testing"
)

// TestRecentFind holds recent.find to its rule: the same pixels, and a
// reading made under the whitelist asked, or under a wider one with a text
// the narrower allows; anything else is recognised again.
func TestRecentFind(t *testing.T) {
	px := []byte{1, 2, 3, 4, 5, 6}
	other := []byte{1, 2, 3, 4, 5, 7}
	digits, aic := Targatura.whitelist(), AIC.whitelist()
	var r recent
	r.add(px, 3, 2, aic, Line{Text: "0123", Symbols: []Symbol{{Text: "0"}}})
	r.add(other, 3, 2, aic, Line{Text: "A012"})
	for _, c := range []struct {
		name string
		px   []byte
		w, h int
		wl   string
		want string // text found; "-" for none
	}{
		{"same whitelist", px, 3, 2, aic, "0123"},
		{"narrower, text fits", px, 3, 2, digits, "0123"},
		{"narrower, text has an A", other, 3, 2, digits, "-"},
		{"same whitelist, text has an A", other, 3, 2, aic, "A012"},
		{"wider whitelist", px, 3, 2, Any.whitelist(), "-"},
		{"other whitelist", px, 3, 2, Progressive.whitelist(), "-"},
		{"other size, same bytes", px, 2, 3, aic, "-"},
		{"other pixels", []byte{9, 2, 3, 4, 5, 6}, 3, 2, aic, "-"},
	} {
		l, ok := r.find(c.px, c.w, c.h, c.wl)
		got := "-"
		if ok {
			got = l.Text
		}
		if got != c.want {
			t.Errorf("%s: found %q, want %q", c.name, got, c.want)
		}
	}
	// A found line is a copy: changing it leaves the kept reading alone.
	l, _ := r.find(px, 3, 2, aic)
	l.Symbols[0].Text = "9"
	if l2, _ := r.find(px, 3, 2, aic); l2.Symbols[0].Text != "0" {
		t.Error("changing a found line changed the kept reading")
	}
	// Only the last recentReadings are kept.
	for i := range recentReadings {
		r.add([]byte{byte(i)}, 1, 1, aic, Line{})
	}
	if _, ok := r.find(px, 3, 2, aic); ok || len(r) != recentReadings {
		t.Errorf("%d readings kept, the oldest still found: %v", len(r), ok)
	}
}

// TestReadLineRepeat: a targatura line read as an AIC and then as a
// targatura is recognised once, and the second answer is what a fresh
// client reads under the targatura whitelist; an AIC line (its reading
// holds an A) is recognised again.
func TestReadLineRepeat(t *testing.T) {
	t.Parallel()
	c, fresh := mustClient(t), mustClient(t)
	targ, aicLine := renderIn("", "1234567895", 2.5, 1), renderIn("", "A012345676", 2.5, 1)
	if _, err := c.ReadLine(targ, AIC); err != nil {
		t.Fatal(err)
	}
	n := c.recognitions
	got, err := c.ReadLine(targ, Targatura)
	if err != nil {
		t.Fatal(err)
	}
	want, err := fresh.ReadLine(targ, Targatura)
	if err != nil {
		t.Fatal(err)
	}
	if c.recognitions != n {
		t.Errorf("the repeat was recognised again (%d recognitions, want %d)", c.recognitions, n)
	}
	if !reflect.DeepEqual(got, want) || got.Text != "1234567895" {
		t.Errorf("repeat read %+v, a fresh client %+v", got, want)
	}
	a, err := c.ReadLine(aicLine, AIC)
	if err != nil || a.Text != "A012345676" {
		t.Fatalf("AIC line read %q, %v", a.Text, err)
	}
	n = c.recognitions
	got, err = c.ReadLine(aicLine, Targatura)
	if err != nil {
		t.Fatal(err)
	}
	if want, _ = fresh.ReadLine(aicLine, Targatura); c.recognitions != n+1 || !reflect.DeepEqual(got, want) {
		t.Errorf("AIC line as a targatura: %d recognitions (want %d), read %q, a fresh client %q", c.recognitions-n, 1, got.Text, want.Text)
	}
}
