package linenet

import (
	"math"
	"strings"
	"testing"
)

// logitsFor builds a network output of cols columns (class-major, as
// OpenCV gives it) where column t gives probability p[t] to class cls[t]
// and shares the rest evenly.
func logitsFor(cls []int, p []float64, cols int) []float32 {
	out := make([]float32, classes*cols)
	for t := range cls {
		rest := (1 - p[t]) / float64(classes-1)
		for k := range classes {
			q := rest
			if k == cls[t] {
				q = p[t]
			}
			out[k*cols+t] = float32(math.Log(q))
		}
	}
	return out
}

func class(r byte) int { return strings.IndexByte(Charset, r) + 1 }

func TestDecode(t *testing.T) {
	// "A00" then padding: A A _ 0 _ 0 0 _ | pad pad
	cls := []int{class('A'), class('A'), 0, class('0'), 0, class('0'), class('0'), 0}
	p := []float64{0.9, 0.99, 0.98, 0.97, 0.99, 0.95, 0.96, 0.99}
	l := decode(logitsFor(cls, p, 10), 10, len(cls), 4, 0.9)
	if l.Text != "A00" || len(l.Chars) != 3 {
		t.Fatalf("decoded %q (%d chars), want A00", l.Text, len(l.Chars))
	}
	if l.Unsure {
		t.Errorf("line at conf %.3f marked unsure at threshold 0.9", l.Conf)
	}
	// A's columns 0-1 -> pixels 0-8; the second 0's columns 5-6 -> 20-28.
	if c := l.Chars[0]; c.X0 != 0 || c.X1 != 8 {
		t.Errorf("A at %d-%d, want 0-8", c.X0, c.X1)
	}
	if c := l.Chars[2]; c.X0 != 20 || c.X1 != 28 {
		t.Errorf("second 0 at %d-%d, want 20-28", c.X0, c.X1)
	}
	// Peak confidence: 0.99 for A, 0.96 for the second 0 (its gaps are
	// surer than that: the rest of each blank column is spread over the
	// other classes, (1-0.98)*11/12 at most).
	if math.Abs(l.Chars[0].Conf-0.99) > 0.02 || math.Abs(l.Chars[2].Conf-0.96) > 0.001 {
		t.Errorf("confidences %.4f %.4f, want about 0.99 and 0.96", l.Chars[0].Conf, l.Chars[2].Conf)
	}

	// A blank column between two characters that gives much to a third
	// class: a character may have been missed there; both neighbours are
	// unsure, not only the line.
	cls = []int{class('1'), 0, 0, class('2')}
	p = []float64{0.99, 0.99, 0.55, 0.99}
	l = decode(logitsFor(cls, p, 4), 4, 4, 4, 0.9)
	if l.Text != "12" {
		t.Fatalf("decoded %q, want 12", l.Text)
	}
	for _, c := range l.Chars {
		if !c.Unsure {
			t.Errorf("%c at conf %.3f next to a doubtful gap not marked unsure", c.Rune, c.Conf)
		}
	}
	if !l.Unsure {
		t.Error("line with a doubtful gap not marked unsure")
	}

	// Nothing but blanks: empty text, sure of it.
	l = decode(logitsFor([]int{0, 0, 0}, []float64{0.99, 0.99, 0.99}, 3), 3, 3, 4, 0.9)
	if l.Text != "" || l.Unsure {
		t.Errorf("blank columns: %q unsure %v, want empty and sure", l.Text, l.Unsure)
	}
}

// TestOtherRuns checks that a run of Other symbols reads as one Other,
// in decode and in Transcribe alike, even across a blank column.
func TestOtherRuns(t *testing.T) {
	o := len(alphabet) // Other's class
	cls := []int{class('A'), 0, o, 0, o, o, 0, class('1')}
	p := []float64{0.99, 0.99, 0.98, 0.99, 0.97, 0.99, 0.99, 0.99}
	l := decode(logitsFor(cls, p, len(cls)), len(cls), len(cls), 4, 0.9)
	if l.Text != "A?1" || len(l.Chars) != 3 {
		t.Fatalf("decoded %q (%d chars), want A?1", l.Text, len(l.Chars))
	}
	if c := l.Chars[1]; c.X0 != 8 || c.X1 != 24 || math.Abs(c.Conf-0.98) > 0.001 {
		t.Errorf("Other at %d-%d conf %.3f, want 8-24 and the lower of its runs' peaks, 0.98", c.X0, c.X1, c.Conf)
	}
	for printed, want := range map[string]string{
		"AIC 012345678":      "A?012345678",
		"A.I.C. 012345678":   "A?012345678",
		"Cod. AIC 012345678": "?A?012345678",
		"A 012345678":        "A012345678",
		"01234  56789 Lotto": "0123456789?",
	} {
		if got := Transcribe(printed); got != want {
			t.Errorf("Transcribe(%q) = %q, want %q", printed, got, want)
		}
	}
}
