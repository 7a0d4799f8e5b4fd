package icr

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"math"
	"slices"

	"github.com/regfus/regfus/vision"
)

// The networks (model/*.onnx) and what training measured of them
// (model/icr.json) are written by `make icr-model` (scripts/train-icr).
//
//go:embed model
var modelFiles embed.FS

// Info is what training measured, stored beside the networks. Every
// figure is on data the networks were not trained on: the held-out slice
// of MNIST's training split (the last 5,000 digits) and glyphs generated
// from seeds training did not use. None is on MNIST's t10k.
//
// The model is an ensemble: Members are networks trained apart (other
// seeds, widths or data), each calibrated on its own, and a glyph's
// probabilities are the mean of theirs. A glyph read for sure must be
// read so by every member: a mean of p needs each of k members at
// 1-k(1-p) or more (0.98 for two at 0.99), and members trained apart
// rarely share a confident mistake. Threshold and HeldOut are the
// ensemble's, as Classify runs it (icr/cmd/icrcal).
type Info struct {
	// Threshold is the lowest confidence at which the held-out error rate
	// of the accepted glyphs stays at or under ThresholdErrorRate: a
	// suggested acceptance threshold.
	Threshold          float64 `json:"threshold"`
	ThresholdErrorRate float64 `json:"threshold_error_rate"`
	// HeldOut holds the held-out figures: accuracy, ECE, coverage and
	// error rate at thresholds, per source and class.
	HeldOut map[string]float64 `json:"held_out"`
	// Temperature calibrates the ensemble: the mean of the members'
	// probabilities is raised to 1/Temperature and normalised (fitted on
	// the held-out set by icrcal; 0 or 1: none). A mean of calibrated
	// members is less sure than its members are right (where they agree,
	// each is at its own calibrated level, and one member's doubt halves
	// into the mean), so the fitted temperature is under 1.
	Temperature float64 `json:"temperature"`
	// Members are the networks, in the order their files are run.
	Members []Member `json:"members"`
	// Consult, when set, makes the ensemble a cascade: the members after
	// the first are run only on the glyphs the first member reads below
	// Consult, and a glyph it reads at Consult or above keeps the first
	// member's own (calibrated) probabilities. A second opinion is worth
	// its CPU only where the first is unsure; Threshold and HeldOut are
	// measured with the cascade as Classify runs it (icrcal). 0: every
	// member runs on every glyph.
	Consult float64 `json:"consult,omitempty"`
	// Agree, when set, makes a two-member ensemble a second opinion
	// rather than a mean: see Agree. Consult and Temperature are then
	// unused, and Threshold is the first member's own.
	Agree *Agree `json:"agree,omitempty"`
}

// Agree is the rule of a second opinion (Info.Agree). The first member
// reads every glyph, and its probabilities stand, except where it reads a
// glyph at First or more but below Below (its own threshold): there the
// second member is run, and when it reads the same class at Second or
// more, that class is given probability Conf (the others scaled down in
// proportion, so the probabilities still sum to 1). Second 0: Classify
// never runs the second member (no glyph is lifted); it is there for
// Confirm alone. First, Second and
// Conf are chosen on the held-out set (icrcal -agree): the glyphs so
// lifted had at most the threshold's error rate there, and Conf is at
// least the threshold. A glyph the two read differently keeps the first
// member's probabilities: no reading is made surer by a disagreement, and
// a reader's rules measured with the first member alone see what they saw.
type Agree struct {
	First  float64 `json:"first"`
	Second float64 `json:"second"`
	Below  float64 `json:"below"`
	Conf   float64 `json:"conf"`
	// Lifted and Errors are what the rule did on the held-out set: the
	// glyphs lifted and how many of them were wrong.
	Lifted int `json:"lifted"`
	Errors int `json:"errors"`
}

// Member is one network of the ensemble and what its training measured.
type Member struct {
	// File is the network's file in model/.
	File string `json:"file"`
	// Width is the channels of its two convolutions and the units of its
	// hidden layer; Seed the training's random seed; Data the icrgen
	// flags of its training set.
	Width string `json:"width"`
	Seed  int    `json:"seed"`
	Data  string `json:"data"`
	// Temperature divides the member's logits (temperature scaling,
	// fitted on its held-out set); it is already folded into the
	// network's last layer, so its softmax is calibrated as it comes.
	Temperature float64 `json:"temperature"`
	// Threshold and HeldOut: the member's own figures on its held-out set,
	// alone.
	Threshold float64            `json:"threshold"`
	HeldOut   map[string]float64 `json:"held_out"`
	// Epochs and Seconds of training; Examples per epoch.
	Epochs   int     `json:"epochs"`
	Seconds  float64 `json:"seconds"`
	Examples int     `json:"examples"`
}

// Prediction is what the model says of one glyph.
type Prediction struct {
	// Class is the most probable class.
	Class Class
	// Conf is Class's probability.
	Conf float64
	// Probs are the calibrated probabilities of every class, indexed by
	// Class (NumClasses of them, summing to 1).
	Probs []float64
	// First are the first member's own calibrated probabilities (Probs
	// with one member, or where a cascade did not consult the others):
	// what that network alone says, for a caller whose rule was
	// measured with it.
	First []float64
	// Second are the second member's own probabilities where it was run
	// (Info.Agree: the glyphs the first read between Agree.First and
	// Agree.Below); nil elsewhere.
	Second []float64
	// Blank is true when the crop held no ink (Normalize found none): the
	// network still ran on the blank input, which it was trained to call
	// Other.
	Blank bool
}

// Model is the handwritten character classifier: the embedded networks in
// OpenCV's dnn (package vision). A Model is safe for concurrent use, but
// calls wait for each other; load one Model per goroutine to classify in
// parallel (Load costs a few milliseconds and about a megabyte).
type Model struct {
	nets    []*vision.Net
	temp    float64 // Info.Temperature, 1 for none
	consult float64 // Info.Consult, 0 for none
	agree   *Agree  // Info.Agree, nil for none
	info    Info
}

// maxBatch bounds the glyphs given to the network at once.
const maxBatch = 256

// Load loads the embedded model.
func Load() (*Model, error) {
	js, err := modelFiles.ReadFile("model/icr.json")
	if err != nil {
		return nil, fmt.Errorf("icr: %w", err)
	}
	var info Info
	if err := json.Unmarshal(js, &info); err != nil {
		return nil, fmt.Errorf("icr: model info: %w", err)
	}
	files := make([][]byte, len(info.Members))
	for i, mb := range info.Members {
		if files[i], err = modelFiles.ReadFile("model/" + mb.File); err != nil {
			return nil, fmt.Errorf("icr: member %d: %w", i, err)
		}
	}
	var m *Model
	if info.Agree != nil {
		m, err = LoadAgree(*info.Agree, files...)
	} else {
		m, err = LoadCascade(info.Temperature, info.Consult, files...)
	}
	if err != nil {
		return nil, err
	}
	m.info = info
	return m, nil
}

// LoadNets loads a model made of the given ONNX networks (input 1×28×28,
// NumClasses calibrated logits out), each a member of the ensemble, their
// mean calibrated with temperature (0 or 1: none), with no Info. Load
// gives the embedded model; this is for measuring candidates
// (icr/cmd/icrcal).
func LoadNets(temperature float64, onnx ...[]byte) (*Model, error) {
	return LoadCascade(temperature, 0, onnx...)
}

// LoadCascade is LoadNets for a cascade (Info.Consult): the networks
// after the first run only on the glyphs the first reads below consult
// (0: on every glyph).
func LoadCascade(temperature, consult float64, onnx ...[]byte) (*Model, error) {
	if consult < 0 || consult > 1 || math.IsNaN(consult) {
		return nil, fmt.Errorf("icr: consult %v, want 0..1", consult)
	}
	if len(onnx) == 0 {
		return nil, errors.New("icr: a model needs at least one network")
	}
	if temperature < 0 || math.IsNaN(temperature) || math.IsInf(temperature, 0) {
		return nil, fmt.Errorf("icr: ensemble temperature %v", temperature)
	}
	if temperature == 0 {
		temperature = 1
	}
	m := &Model{temp: temperature, consult: consult}
	for i, b := range onnx {
		net, err := vision.ReadNetONNX(b, Size, Size)
		if err != nil {
			m.Close()
			return nil, fmt.Errorf("icr: network %d: %w", i, err)
		}
		m.nets = append(m.nets, net)
		if net.Outputs() != NumClasses {
			m.Close()
			return nil, fmt.Errorf("icr: network %d gives %d outputs, want %d", i, net.Outputs(), NumClasses)
		}
	}
	return m, nil
}

// LoadAgree loads two networks as a second opinion (Info.Agree): the
// second runs only on the glyphs the first reads in [a.First, a.Below),
// and a class both read (the second at a.Second or more) gets a.Conf.
func LoadAgree(a Agree, onnx ...[]byte) (*Model, error) {
	if len(onnx) != 2 {
		return nil, fmt.Errorf("icr: a second opinion needs two networks, got %d", len(onnx))
	}
	if !(a.First >= 0 && a.First <= a.Below && a.Below <= 1 && a.Second >= 0 && a.Second <= 1 && a.Conf >= a.Below && a.Conf < 1) || math.IsNaN(a.First+a.Second+a.Below+a.Conf) {
		return nil, fmt.Errorf("icr: agree rule %+v: want 0 <= first <= below <= conf < 1, 0 <= second <= 1", a)
	}
	m, err := LoadCascade(1, 0, onnx...)
	if err != nil {
		return nil, err
	}
	m.agree = &a
	return m, nil
}

// Confirm runs the second member alone on glyphs (as Classify prepares
// them): its own reading, for a caller that wants both members sure of a
// character with no context (a progressive of one digit). A model of one
// member has no second opinion: it is an error.
func (m *Model) Confirm(glyphs []*image.Gray) ([]Prediction, error) {
	if m == nil || len(m.nets) < 2 {
		return nil, errors.New("icr: Confirm needs a model of two members")
	}
	out := make([]Prediction, 0, len(glyphs))
	in := make([]float32, 0, len(glyphs)*Size*Size)
	blank := make([]bool, len(glyphs))
	for i, g := range glyphs {
		if g == nil || g.Rect.Empty() {
			return nil, fmt.Errorf("icr: glyph %d is empty", i)
		}
		n, ok := Normalize(g)
		blank[i] = !ok
		for _, p := range n.Pix {
			in = append(in, float32(p)/255)
		}
	}
	for start := 0; start < len(glyphs); start += maxBatch {
		k := min(len(glyphs)-start, maxBatch)
		logits, err := m.nets[1].Forward(in[start*Size*Size:(start+k)*Size*Size], k)
		if err != nil {
			return nil, fmt.Errorf("icr: %w", err)
		}
		for i, l := range logits {
			p := make([]float64, NumClasses)
			addSoftmax(p, l, 1)
			pr := predict(p, p)
			pr.Blank = blank[start+i]
			out = append(out, pr)
		}
	}
	return out, nil
}

// Info returns what training measured of the model.
func (m *Model) Info() Info { return m.info }

// Classify says what each glyph is. Each glyph is a crop of one
// character, dark ink on light paper, of any size; see Normalize for what
// is done to it. A nil or empty glyph is an error.
func (m *Model) Classify(glyphs []*image.Gray) ([]Prediction, error) {
	if m == nil || len(m.nets) == 0 {
		return nil, errors.New("icr: Classify on a nil Model")
	}
	out := make([]Prediction, 0, len(glyphs))
	in := make([]float32, 0, min(len(glyphs), maxBatch)*Size*Size)
	for start := 0; start < len(glyphs); start += maxBatch {
		batch := glyphs[start:min(start+maxBatch, len(glyphs))]
		in = in[:0]
		blank := make([]bool, len(batch))
		for i, g := range batch {
			if g == nil || g.Rect.Empty() {
				return nil, fmt.Errorf("icr: glyph %d is empty", start+i)
			}
			n, ok := Normalize(g)
			blank[i] = !ok
			for _, p := range n.Pix {
				in = append(in, float32(p)/255)
			}
		}
		probs, first, second, err := m.forward(in, len(batch))
		if err != nil {
			return nil, err
		}
		for i, p := range probs {
			pr := predict(p, first[i])
			pr.Second = second[i]
			pr.Blank = blank[i]
			out = append(out, pr)
		}
	}
	return out, nil
}

// ClassifyNormalized is Classify for images Normalize has already made
// (28×28, white ink on black, as icrgen writes its data sets): the
// networks run on them as they are. Blank is never set.
func (m *Model) ClassifyNormalized(imgs []*image.Gray) ([]Prediction, error) {
	if m == nil || len(m.nets) == 0 {
		return nil, errors.New("icr: Classify on a nil Model")
	}
	out := make([]Prediction, 0, len(imgs))
	for start := 0; start < len(imgs); start += maxBatch {
		batch := imgs[start:min(start+maxBatch, len(imgs))]
		in := make([]float32, 0, len(batch)*Size*Size)
		for i, g := range batch {
			if g == nil || g.Rect.Dx() != Size || g.Rect.Dy() != Size {
				return nil, fmt.Errorf("icr: image %d is not %d×%d", start+i, Size, Size)
			}
			for y := range Size {
				for _, p := range g.Pix[y*g.Stride : y*g.Stride+Size] {
					in = append(in, float32(p)/255)
				}
			}
		}
		ps, first, second, err := m.forward(in, len(batch))
		if err != nil {
			return nil, err
		}
		for i, p := range ps {
			pr := predict(p, first[i])
			pr.Second = second[i]
			out = append(out, pr)
		}
	}
	return out, nil
}

// forward runs every member on n inputs and returns the mean of their
// probabilities, calibrated with the ensemble's temperature. In a
// cascade (consult set) the members after the first see only the inputs
// the first reads below consult; the others keep the first's
// probabilities as they are. It also returns the first member's own
// probabilities (Prediction.First), and the second's where it ran for a
// second opinion (Info.Agree; Prediction.Second).
func (m *Model) forward(in []float32, n int) (probs, first, second [][]float64, err error) {
	if m.agree != nil {
		return m.forwardAgree(in, n)
	}
	second = make([][]float64, n)
	probs, first = make([][]float64, n), make([][]float64, n)
	for i := range probs {
		probs[i] = make([]float64, NumClasses)
	}
	logits0, err := m.nets[0].Forward(in, n)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("icr: %w", err)
	}
	for i, l := range logits0 {
		addSoftmax(probs[i], l, 1)
		first[i] = slices.Clone(probs[i])
	}
	if len(m.nets) == 1 {
		if m.temp != 1 {
			for _, p := range probs {
				temper(p, m.temp)
			}
		}
		return probs, first, second, nil
	}
	// ask: the inputs the other members see.
	ask := make([]int, 0, n)
	for i, p := range probs {
		if m.consult == 0 || slices.Max(p) < m.consult {
			ask = append(ask, i)
		}
	}
	if len(ask) == 0 {
		return probs, first, second, nil
	}
	sub := in
	if len(ask) < n {
		const px = Size * Size
		sub = make([]float32, 0, len(ask)*px)
		for _, i := range ask {
			sub = append(sub, in[i*px:(i+1)*px]...)
		}
	}
	w := 1 / float64(len(m.nets))
	for _, i := range ask {
		for c := range probs[i] {
			probs[i][c] *= w
		}
	}
	for _, net := range m.nets[1:] {
		logits, err := net.Forward(sub, len(ask))
		if err != nil {
			return nil, nil, nil, fmt.Errorf("icr: %w", err)
		}
		for k, l := range logits {
			addSoftmax(probs[ask[k]], l, w)
		}
	}
	if m.temp != 1 {
		for _, i := range ask {
			temper(probs[i], m.temp)
		}
	}
	return probs, first, second, nil
}

// forwardAgree is forward for a second opinion (Info.Agree).
func (m *Model) forwardAgree(in []float32, n int) (probs, first, second [][]float64, err error) {
	a := m.agree
	probs, first, second = make([][]float64, n), make([][]float64, n), make([][]float64, n)
	logits0, err := m.nets[0].Forward(in, n)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("icr: %w", err)
	}
	const px = Size * Size
	var ask []int
	var sub []float32
	for i, l := range logits0 {
		probs[i] = make([]float64, NumClasses)
		addSoftmax(probs[i], l, 1)
		first[i] = slices.Clone(probs[i])
		if c := slices.Max(probs[i]); a.Second > 0 && c >= a.First && c < a.Below {
			ask = append(ask, i)
			sub = append(sub, in[i*px:(i+1)*px]...)
		}
	}
	if len(ask) == 0 {
		return probs, first, second, nil
	}
	logits, err := m.nets[1].Forward(sub, len(ask))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("icr: %w", err)
	}
	for k, l := range logits {
		i := ask[k]
		second[i] = make([]float64, NumClasses)
		addSoftmax(second[i], l, 1)
		c, c2 := argmax(probs[i]), argmax(second[i])
		if c != c2 || second[i][c2] < a.Second {
			continue
		}
		lift(probs[i], c, a.Conf)
	}
	return probs, first, second, nil
}

// argmax returns the index of p's largest value (the first of equals).
func argmax(p []float64) int {
	best := 0
	for i := range p {
		if p[i] > p[best] {
			best = i
		}
	}
	return best
}

// lift gives class c probability conf (above its own) and scales the
// others down in proportion, so p still sums to 1.
func lift(p []float64, c int, conf float64) {
	rest := 1 - p[c]
	for k := range p {
		switch {
		case k == c:
			p[k] = conf
		case rest > 0:
			p[k] *= (1 - conf) / rest
		}
	}
}

// temper raises the probabilities p to 1/t and normalises them again.
func temper(p []float64, t float64) {
	var sum float64
	for i, v := range p {
		p[i] = math.Pow(v, 1/t)
		sum += p[i]
	}
	for i := range p {
		p[i] /= sum
	}
}

// addSoftmax adds w times the softmax of logits to probs.
func addSoftmax(probs []float64, logits []float32, w float64) {
	hi := math.Inf(-1)
	for _, l := range logits {
		hi = math.Max(hi, float64(l))
	}
	var sum float64
	e := make([]float64, len(logits))
	for i, l := range logits {
		e[i] = math.Exp(float64(l) - hi)
		sum += e[i]
	}
	for i := range e {
		probs[i] += w * e[i] / sum
	}
}

// predict turns the ensemble's probabilities into a Prediction.
func predict(probs, first []float64) Prediction {
	best := 0
	for i := range probs {
		if probs[i] > probs[best] {
			best = i
		}
	}
	return Prediction{Class: Class(best), Conf: probs[best], Probs: probs, First: first}
}

// Close frees the networks. It is safe to call more than once.
func (m *Model) Close() error {
	if m == nil {
		return nil
	}
	var errs []error
	for _, n := range m.nets {
		errs = append(errs, n.Close())
	}
	m.nets = nil
	return errors.Join(errs...)
}
