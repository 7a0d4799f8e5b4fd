// Package linenet reads the printed digit lines of fustella labels (the
// AIC under a Code 32, the targatura under an ITF, and any line of the
// digits, A and D) in well under a millisecond a line: a fast first
// reading that the scan reader sets against the bars, with Tesseract as
// the arbiter (issue 17).
//
// The reader is a small fully convolutional network with a CTC output
// over columns: the crop is scaled to 32 px high at any width, four 3×3
// convolutions and a 2×3 one turn it into one column of 14 scores (CTC's
// blank, 0-9, A, D, and Other for any other symbol) per 4 input columns,
// and a greedy CTC decoding in Go reads the text. No character is
// segmented, so touching and broken characters, any pitch and any face
// are read alike. About 39,000 weights; the ONNX model (159 KB) is
// embedded and run by OpenCV's dnn module through package vision, which
// keeps all cgo.
//
// Training (make linenet-model, scripts/train-linenet) draws its lines
// from package ocrtrain/lines: the trained faces of its catalogue under
// its five training degradation families. The held-out faces and the
// evaluation profiles are only measured on, by this package's tests.
// The scores are calibrated (temperature scaling on validation lines of
// the trained faces): a character's Conf is the chance it is right and
// that none was missed beside it, and Line.Unsure / Char.Unsure mark what
// falls under the threshold fitted on the validation lines. A caller
// takes a sure line as a reading, and an unsure one as a suggestion only.
//
// docs/linenet.md gives the figures, the comparison with Tesseract and
// how to retrain.
package linenet
