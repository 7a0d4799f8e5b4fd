// Package tesseract reads single printed lines of digits (with the AIC's
// "A" and a dispensario's "D") with Tesseract, through Tesseract's own C
// API (engine.go). It is the only package that calls Tesseract, and it
// never trusts what Tesseract says: ReadAIC, ReadTargatura and
// ReadSheetCode return a value only when its length and check digit (or
// calendar fields) are right.
//
// # The model
//
// Stock Tesseract models do not read OCR-A (OCR-A's 6 reads as b, digits
// are dropped). model/ocra.traineddata is a small LSTM trained from scratch
// by scripts/train-ocr (make ocr-model) on degraded lines made by package
// ocrtrain/lines in OCR-A, OCR-B, sans, monospace and a little serif (the
// faces labels print their digits in), with some faces held out of
// training to measure it on fonts it never saw (docs/ocr.md). The language
// keeps its first name, "ocra". It is embedded in the binary and written
// once per machine to a private cache directory (see modelDir), whose name
// carries the model's hash, so a rebuilt binary never loads a stale model.
//
// # Input
//
// Crop one printed line with a little paper around it: about a third of
// the character height above and below (0.12-0.6 is fine) and half to one
// character height left and right; paper outside the ink band may be
// whitened. Convert it to grey and scale it, keeping the aspect ratio, so
// that it is LineHeight pixels high. Tesseract reads the whole crop as the
// line (page segmentation mode 13), exactly as the model was trained, so
// the crop must hold that one line and nothing else (no bar ends, no
// neighbouring text).
//
// # Concurrency and threads
//
// A Client is not safe for concurrent use: create one per goroutine (one per
// worker of a pool) with New, and Close it. New is serialised by a package
// mutex (see newMu). A client's memory stays flat however many lines it
// reads (TestNoLeak), so a long-running worker needs no recycling. Tesseract's OpenMP threads must be off
// (OMP_THREAD_LIMIT=1) or every worker's Tesseract spawns threads that fight
// over the cores; OpenMP reads the variable once at process start, so a
// program calls ReexecIfNeeded at the top of main (see env.go).
package tesseract

import (
	"errors"
	"image"
)

// LineHeight is the height in pixels a line crop must be scaled to before
// ReadLine (keep the aspect ratio). Equal to lines.LineHeight, which the
// training lines use.
const LineHeight = 48

// Kind says what a line should contain; it picks the character whitelist
// and, in the Read* helpers, the check.
type Kind int

const (
	// Any line of the model's charset: digits, "A" and "D".
	Any Kind = iota
	// AIC is "A" followed by the 9 digits of the AIC.
	AIC
	// Targatura is the pack's 10-digit progressive number.
	Targatura
	// SheetCode is the 17-digit sheet code.
	SheetCode
	// Digits is a line of digits only, of any length: a printed count, or
	// any run of digits over or under bars.
	Digits
	// Progressive is the sheet's printed progressive: digits, "D" first
	// for a dispensario.
	Progressive
)

func (k Kind) String() string {
	switch k {
	case AIC:
		return "AIC"
	case Targatura:
		return "targatura"
	case SheetCode:
		return "sheet code"
	case Digits:
		return "digits"
	case Progressive:
		return "progressive"
	}
	return "line"
}

// whitelist is the set of characters Tesseract may output for a kind.
func (k Kind) whitelist() string {
	switch k {
	case Targatura, SheetCode, Digits:
		return "0123456789"
	case AIC:
		return "0123456789A"
	case Progressive:
		return "0123456789D"
	}
	return "0123456789AD"
}

// Symbol is one recognised character.
type Symbol struct {
	Text       string
	Confidence float64 // 0..1
	Box        image.Rectangle
}

// Line is Tesseract's reading of one line: unverified.
type Line struct {
	// Text is the recognised text with any spaces removed.
	Text string
	// Confidence is the mean of the symbol confidences, 0..1 (0 when
	// nothing was read).
	Confidence float64
	// MinConfidence is the lowest symbol confidence, 0..1.
	MinConfidence float64
	Symbols       []Symbol
}

// ErrRejected is wrapped by every Read* error whose OCR text failed its
// checks (wrong length, characters or check digit, or nothing read).
var ErrRejected = errors.New("OCR text rejected")

// ErrUnconfirmed is wrapped (with ErrRejected) by a Read* error whose first
// reading passed its check but whose confirming second reading did not
// give the same value.
var ErrUnconfirmed = errors.New("second reading differs")
