// Package icr reads single handwritten characters: the digits 0-9 and the
// letter D of a dispensario's progressive, and says "other" for anything
// else a box may hold (pieces of its lines, dots, scribbles, letters).
//
// A Model is a small convolutional network (two 5×5 convolutions, two
// fully connected layers; about 58,000 weights, 235 KB as ONNX) embedded
// in the binary and run by OpenCV's dnn module through package vision,
// which keeps all cgo. Its input is the glyph normalised the way MNIST's
// digits were (see Normalize), so a crop of any size, from any scan
// resolution, is read the way the training digits were.
//
// Training (make icr-model, scripts/train-icr) uses MNIST's training split
// (the last 5,000 held out for early stopping, temperature scaling and
// thresholds) plus glyphs from package handgen; MNIST's t10k split is
// only measured on, by this package's tests. The probabilities are
// calibrated (temperature scaling): Conf is the chance the class is right
// on glyphs like the held-out ones, and Model.Info gives the threshold at
// which the held-out error rate was 0.1%. A caller accepts a value only
// above such a threshold and when the context agrees, and keeps anything
// else as a suggestion: a digit misread with confidence is still
// possible, on handwriting unlike anything trained on.
//
// The embedded model has a second network (Info.Agree), trained apart,
// that Classify does not run: Model.Confirm asks it alone, for a
// character with no context (a progressive of one digit), which a caller
// takes only when both networks read it for sure.
//
// docs/handwriting.md gives the data, the figures and how to retrain.
package icr
