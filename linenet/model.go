package linenet

import (
	_ "embed"
	"encoding/json"
	"strings"
)

// The network (model/linenet.onnx) and what training measured of it
// (model/linenet.json) are written by `make linenet-model`
// (scripts/train-linenet).
var (
	//go:embed model/linenet.onnx
	onnxModel []byte
	//go:embed model/linenet.json
	modelInfo []byte
)

// Charset is what the network reads, in the order of its classes after
// CTC's blank (class 0), before Other. Spaces are not read: a gap in a
// printed code is no character.
const Charset = "0123456789AD"

// Other is read for any other printed symbols: the letters and marks of
// a prefix such as "AIC" or "A.I.C.". One Other stands for a run of one
// or more of them (how many dots and letters a word has is no part of a
// code): "AIC 012345678" reads "A?012345678", so that no letter is taken
// for a digit.
const Other = '?'

// alphabet is the network's classes after the blank.
const alphabet = Charset + string(Other)

// Transcribe returns what Read should read from a printed text: spaces
// dropped, Charset kept, each run of other symbols one Other.
func Transcribe(printed string) string {
	var b strings.Builder
	last := rune(0)
	for _, r := range printed {
		switch {
		case r == ' ':
			continue
		case strings.ContainsRune(Charset, r):
		case last == Other:
			continue
		default:
			r = Other
		}
		b.WriteRune(r)
		last = r
	}
	return b.String()
}

// stride is how many input columns make one output column.
const stride = 4

// Info is what the training run measured, stored beside the network.
// Every figure is on the validation lines: the trained faces and the
// training degradations, drawn from a seed training did not use. None is
// on the held-out faces or the evaluation profiles (the tests measure
// those).
type Info struct {
	// Temperature divides the logits (temperature scaling, fitted on the
	// validation lines by CTC loss); it is folded into the network's last
	// layer, so the probabilities are calibrated as they come.
	Temperature float64 `json:"temperature"`
	// Threshold is the lowest line confidence at which the validation
	// lines accepted held at most ThresholdErrorRate wrong lines (as a
	// fraction of all validation lines). Line.Unsure and Char.Unsure are
	// measured against it.
	Threshold          float64 `json:"threshold"`
	ThresholdErrorRate float64 `json:"threshold_error_rate"`
	// Validation holds the validation figures: line accuracy overall and
	// per training profile, character calibration error, what the
	// threshold accepts.
	Validation map[string]float64 `json:"validation"`
	// Epochs and Seconds of training; Lines in the training set;
	// Channels of the network's layers.
	Epochs   int     `json:"epochs"`
	Seconds  float64 `json:"seconds"`
	Lines    int     `json:"lines"`
	Channels string  `json:"channels"`
}

func loadInfo() (Info, error) {
	var info Info
	err := json.Unmarshal(modelInfo, &info)
	return info, err
}
