package icr

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"math"

	"github.com/regfus/regfus/vision"
)

// The network (model/icr.onnx) and what training measured of it
// (model/icr.json) are written by `make icr-model` (scripts/train-icr).
var (
	//go:embed model/icr.onnx
	onnxModel []byte
	//go:embed model/icr.json
	modelInfo []byte
)

// Info is what the training run measured, stored beside the network.
// Every figure is on data the network was not trained on: the held-out
// slice of MNIST's training split (the last 5,000 digits) and glyphs
// generated from seeds training did not use. None is on MNIST's t10k.
type Info struct {
	// Temperature divides the logits (temperature scaling, fitted on the
	// held-out slice); it is already folded into the network's last
	// layer, so Classify's probabilities are calibrated as they come.
	Temperature float64 `json:"temperature"`
	// Threshold is the lowest confidence at which the held-out error rate
	// of the accepted glyphs stays at or under ThresholdErrorRate: a
	// suggested acceptance threshold.
	Threshold          float64 `json:"threshold"`
	ThresholdErrorRate float64 `json:"threshold_error_rate"`
	// HeldOut holds the held-out figures: accuracy, ECE, coverage and
	// error rate at thresholds.
	HeldOut map[string]float64 `json:"held_out"`
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
	// Blank is true when the crop held no ink (Normalize found none): the
	// network still ran on the blank input, which it was trained to call
	// Other.
	Blank bool
}

// Model is the handwritten character classifier: the embedded network in
// OpenCV's dnn (package vision). A Model is safe for concurrent use, but
// calls wait for each other; load one Model per goroutine to classify in
// parallel (Load costs about a millisecond and a few hundred KB).
type Model struct {
	net  *vision.Net
	info Info
}

// maxBatch bounds the glyphs given to the network at once.
const maxBatch = 256

// Load loads the embedded model.
func Load() (*Model, error) {
	var info Info
	if err := json.Unmarshal(modelInfo, &info); err != nil {
		return nil, fmt.Errorf("icr: model info: %w", err)
	}
	net, err := vision.ReadNetONNX(onnxModel, Size, Size)
	if err != nil {
		return nil, fmt.Errorf("icr: %w", err)
	}
	if net.Outputs() != NumClasses {
		net.Close()
		return nil, fmt.Errorf("icr: model gives %d outputs, want %d", net.Outputs(), NumClasses)
	}
	return &Model{net: net, info: info}, nil
}

// Info returns what training measured of the model.
func (m *Model) Info() Info { return m.info }

// Classify says what each glyph is. Each glyph is a crop of one
// character, dark ink on light paper, of any size; see Normalize for what
// is done to it. A nil or empty glyph is an error.
func (m *Model) Classify(glyphs []*image.Gray) ([]Prediction, error) {
	if m == nil || m.net == nil {
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
		logits, err := m.net.Forward(in, len(batch))
		if err != nil {
			return nil, fmt.Errorf("icr: %w", err)
		}
		for i, l := range logits {
			p := predict(l)
			p.Blank = blank[i]
			out = append(out, p)
		}
	}
	return out, nil
}

// predict turns calibrated logits into a Prediction.
func predict(logits []float32) Prediction {
	probs := make([]float64, len(logits))
	hi := math.Inf(-1)
	for _, l := range logits {
		hi = math.Max(hi, float64(l))
	}
	var sum float64
	for i, l := range logits {
		probs[i] = math.Exp(float64(l) - hi)
		sum += probs[i]
	}
	best := 0
	for i := range probs {
		probs[i] /= sum
		if probs[i] > probs[best] {
			best = i
		}
	}
	return Prediction{Class: Class(best), Conf: probs[best], Probs: probs}
}

// Close frees the network. It is safe to call more than once.
func (m *Model) Close() error {
	if m == nil || m.net == nil {
		return nil
	}
	return m.net.Close()
}
