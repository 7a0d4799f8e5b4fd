package main

import (
	"math/rand/v2"
	"strings"

	"github.com/regfus/regfus/ocrtrain/lines"
)

// prefixed makes AIC and targatura lines of the training mixture with
// words printed before (sometimes after) the code: "AIC", "A.I.C.",
// "Cod. AIC", random short words. A label may print them, and the
// network must read their letters as linenet.Other rather than as digits
// (an I is not a 1, a C not a 0). Letters that a face draws like a digit
// (O, o, I's twin l, S, B, Z, G, Q, g, q, b) are left out of the random
// words: they could only be guessed; the I of "AIC" is kept, as labels
// print it.
type prefixed struct{ base lines.Mix }

// fixedWords are the prefixes labels print; random words make the rest.
var fixedWords = []string{"AIC", "AIC:", "A.I.C.", "AIC n.", "Cod. AIC", "AIC N."}

const wordLetters = "ACDEFHIJKLMNPRTUVWXYcdefhjkmnprtuvwxy"

func (g prefixed) Name() string { return "prefixed" }

func (g prefixed) Line(rng *rand.Rand) (lines.Sample, error) {
	// The training families by their weights in lines.Train.
	total := 0.0
	for _, p := range g.base.Parts {
		total += p.Weight
	}
	x := rng.Float64() * total
	part := g.base.Parts[len(g.base.Parts)-1]
	for _, p := range g.base.Parts {
		if x < p.Weight {
			part = p
			break
		}
		x -= p.Weight
	}
	prof := part.Gen.(lines.FontGenerator).Profile
	prof.Kinds = []lines.KindWeight{{Kind: lines.KindAIC, Weight: 1}, {Kind: lines.KindTargatura, Weight: 1}}
	p, err := prof.Draw(rng)
	if err != nil {
		return lines.Sample{}, err
	}
	word := fixedWords[rng.IntN(len(fixedWords))]
	if rng.IntN(2) == 0 {
		var b strings.Builder
		for range 1 + rng.IntN(5) {
			b.WriteByte(wordLetters[rng.IntN(len(wordLetters))])
		}
		if rng.IntN(3) == 0 {
			b.WriteByte(".:-#"[rng.IntN(4)])
		}
		word = b.String()
	}
	sep := []string{" ", "  ", ""}[rng.IntN(3)]
	if rng.IntN(6) == 0 {
		p.Text = p.Text + sep + word
	} else {
		p.Text = word + sep + p.Text
	}
	img, ink, err := lines.Render(p, rng)
	if err != nil {
		return lines.Sample{}, err
	}
	return lines.Sample{Text: p.Text, Kind: p.Kind, Source: part.Gen.Name(), Image: img, Ink: ink, Params: &p}, nil
}
