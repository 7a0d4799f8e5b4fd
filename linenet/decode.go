package linenet

import "math"

// Char is one character read.
type Char struct {
	Rune rune
	// Conf is the calibrated confidence that this character is right and
	// that no character was missed next to it: the highest probability
	// of its class over the columns that read it, lowered by any blank
	// column beside it (up to the next character) where the network gave
	// mass to a character the decoding did not read there.
	Conf float64
	// Unsure is Conf under the model's threshold (Info.Threshold).
	Unsure bool
	// X0, X1 are the character's columns in the crop given to Read
	// (pixels, X1 exclusive), from the output columns that read it.
	X0, X1 int
}

// Line is what Read found in one line crop.
type Line struct {
	// Text is the characters read (Charset and Other, no spaces). Empty
	// when the network read nothing.
	Text  string
	Chars []Char
	// Conf is the lowest Char.Conf; for a line of no characters, the
	// lowest blank probability of its columns (how sure it is that there
	// is nothing to read).
	Conf float64
	// Unsure is Conf under the model's threshold: some character may be
	// wrong, or missing. A caller keeps an unsure line as a suggestion
	// only.
	Unsure bool
}

// classes is the number of output classes: CTC's blank, then alphabet.
const classes = len(alphabet) + 1

// decode reads the network's output for one line: logits[k*cols+t] is
// class k's calibrated logit at column t, for cols columns, of which the
// first used belong to the line (the rest is padding). scale maps output
// columns to the crop's pixels. Greedy CTC decoding: each column's most
// probable class, repeats merged, blanks dropped. linenet/train/train.py's
// decode is the same, for the validation figures and the threshold.
func decode(logits []float32, cols, used int, scale float64, threshold float64) Line {
	probs := make([]float64, classes)
	best := make([]int, used)
	// p[t] holds column t's softmax.
	p := make([][classes]float64, used)
	for t := range used {
		hi := math.Inf(-1)
		for k := range classes {
			hi = max(hi, float64(logits[k*cols+t]))
		}
		var sum float64
		for k := range classes {
			probs[k] = math.Exp(float64(logits[k*cols+t]) - hi)
			sum += probs[k]
		}
		b := 0
		for k := range classes {
			p[t][k] = probs[k] / sum
			if p[t][k] > p[t][b] {
				b = k
			}
		}
		best[t] = b
	}
	type run struct {
		k      int
		conf   float64
		t0, t1 int
	}
	var chars []run
	for t, k := range best {
		if k == 0 {
			continue
		}
		if len(chars) > 0 && t > 0 && best[t-1] == k {
			c := &chars[len(chars)-1]
			c.conf = max(c.conf, p[t][k])
			c.t1 = t
			continue
		}
		chars = append(chars, run{k: k, conf: p[t][k], t0: t, t1: t})
	}
	// A blank column's mass that is neither the blank's nor a neighbouring
	// character's may be a character the decoding missed: it lowers both
	// neighbours' confidence.
	gaps := 1.0
	ci := 0
	for t, k := range best {
		if k != 0 {
			continue
		}
		for ci < len(chars) && chars[ci].t1 < t {
			ci++
		}
		g := p[t][0]
		var left, right *run
		if ci > 0 {
			left = &chars[ci-1]
			g += p[t][left.k]
		}
		if ci < len(chars) {
			right = &chars[ci]
			if left == nil || right.k != left.k {
				g += p[t][right.k]
			}
		}
		gaps = min(gaps, g)
		if left != nil {
			left.conf = min(left.conf, g)
		}
		if right != nil {
			right.conf = min(right.conf, g)
		}
	}
	// A run of Other is one Other (see Other): neighbours merge.
	merged := chars[:0]
	for _, c := range chars {
		if n := len(merged); n > 0 && c.k == classes-1 && merged[n-1].k == c.k {
			merged[n-1].conf = min(merged[n-1].conf, c.conf)
			merged[n-1].t1 = c.t1
			continue
		}
		merged = append(merged, c)
	}
	chars = merged
	l := Line{Conf: gaps}
	if len(chars) > 0 {
		l.Conf = 1
	}
	text := make([]byte, 0, len(chars))
	for _, c := range chars {
		r := alphabet[c.k-1]
		text = append(text, r)
		l.Chars = append(l.Chars, Char{
			Rune: rune(r), Conf: c.conf, Unsure: c.conf < threshold,
			X0: int(float64(c.t0) * scale), X1: int(math.Ceil(float64(c.t1+1) * scale)),
		})
		l.Conf = min(l.Conf, c.conf)
	}
	l.Text = string(text)
	l.Unsure = l.Conf < threshold
	return l
}
