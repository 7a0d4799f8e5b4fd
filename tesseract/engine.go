package tesseract

// #cgo LDFLAGS: -ltesseract
// #include <malloc.h>
// #include <stdlib.h>
// #include <tesseract/capi.h>
import "C"

import (
	"errors"
	"fmt"
	"image"
	"unsafe"
)

// engine is one Tesseract engine (a TessBaseAPI) driven through
// Tesseract's own C API (tesseract/capi.h), which Tesseract ships and
// keeps stable. It replaces gosseract, whose C++ bridge (v2.4.1) freed
// neither the result iterator nor the text of each symbol after reading a
// line's boxes: about 1 KB of C heap lost per OCR call, so a worker grew
// by a few hundred MB over a few thousand pages. Here every object
// Tesseract hands out is freed before recognize returns, and the pixels go
// in as they are (8-bit grey rows), with no image file to encode and
// decode per call.
//
// An engine is not safe for concurrent use; nor is Tesseract's
// initialisation of two engines at once (see newMu).
type engine struct {
	api  *C.TessBaseAPI
	used Usage // what recognize was given (usage.go)
}

// segMode is Tesseract's page segmentation mode (tesseract::PageSegMode).
type segMode int

const (
	psmSingleLine segMode = 7  // a single text line, located in the crop
	psmSingleWord segMode = 8  // a single word
	psmRawLine    segMode = 13 // the whole crop is the line, no layout analysis
)

// sourcePPI is the resolution given with every line image. A crop carries
// none, and Tesseract then warns and assumes 70; gosseract, which the
// reader was measured with, set 70 explicitly, and so does this.
const sourcePPI = 70

// newEngine loads language lang from the tessdata directory dir.
func newEngine(dir, lang string) (*engine, error) {
	api := C.TessBaseAPICreate()
	if api == nil {
		return nil, errors.New("tesseract: cannot create an engine")
	}
	cdir, clang := C.CString(dir), C.CString(lang)
	defer C.free(unsafe.Pointer(cdir))
	defer C.free(unsafe.Pointer(clang))
	if rc := C.TessBaseAPIInit3(api, cdir, clang); rc != 0 {
		C.TessBaseAPIDelete(api)
		return nil, fmt.Errorf("tesseract: cannot load language %s from %s (Init returned %d)", lang, dir, int(rc))
	}
	return &engine{api: api}, nil
}

// close ends the engine and frees it. It is safe to call twice.
func (e *engine) close() {
	if e.api == nil {
		return
	}
	C.TessBaseAPIEnd(e.api)
	C.TessBaseAPIDelete(e.api)
	e.api = nil
}

// setVariable sets a Tesseract parameter; it fails on an unknown name.
func (e *engine) setVariable(name, value string) error {
	cn, cv := C.CString(name), C.CString(value)
	defer C.free(unsafe.Pointer(cn))
	defer C.free(unsafe.Pointer(cv))
	if C.TessBaseAPISetVariable(e.api, cn, cv) == 0 {
		return fmt.Errorf("tesseract: cannot set %s=%q", name, value)
	}
	return nil
}

// setPageSegMode sets the page segmentation mode. Init resets it, so it
// is set after newEngine.
func (e *engine) setPageSegMode(m segMode) {
	C.TessBaseAPISetPageSegMode(e.api, C.TessPageSegMode(m))
}

// symbolBox is one recognised symbol: its text, Tesseract's confidence
// (0-100) and its box in the image.
type symbolBox struct {
	text       string
	confidence float64
	box        image.Rectangle
}

// recognize reads the w x h 8-bit grey image px (rows of w bytes) and
// returns its symbols in reading order. Nothing Tesseract allocates
// outlives the call: each symbol's text is copied to Go and freed, and so
// is the iterator.
func (e *engine) recognize(px []byte, w, h int) ([]symbolBox, error) {
	if e.api == nil {
		return nil, errors.New("tesseract: engine closed")
	}
	if w <= 0 || h <= 0 || len(px) < w*h {
		return nil, fmt.Errorf("tesseract: %d bytes for a %dx%d image", len(px), w, h)
	}
	e.used.Recognitions++
	e.used.Pixels += int64(w) * int64(h)
	// SetImage copies the pixels into Tesseract's own image: Go memory is
	// used only during the call.
	C.TessBaseAPISetImage(e.api, (*C.uchar)(unsafe.Pointer(&px[0])), C.int(w), C.int(h), 1, C.int(w))
	C.TessBaseAPISetSourceResolution(e.api, sourcePPI)
	if rc := C.TessBaseAPIRecognize(e.api, nil); rc != 0 {
		return nil, fmt.Errorf("tesseract: recognition failed (%d)", int(rc))
	}
	it := C.TessBaseAPIGetIterator(e.api)
	if it == nil {
		return nil, nil // nothing found on the line
	}
	defer C.TessResultIteratorDelete(it)
	const level = C.RIL_SYMBOL
	var out []symbolBox
	for {
		var sb symbolBox
		if t := C.TessResultIteratorGetUTF8Text(it, level); t != nil {
			sb.text = C.GoString(t)
			C.TessDeleteText(t)
		}
		sb.confidence = float64(C.TessResultIteratorConfidence(it, level))
		var x1, y1, x2, y2 C.int
		if C.TessPageIteratorBoundingBox(C.TessResultIteratorGetPageIteratorConst(it), level, &x1, &y1, &x2, &y2) != 0 {
			sb.box = image.Rect(int(x1), int(y1), int(x2), int(y2))
		}
		out = append(out, sb)
		if C.TessResultIteratorNext(it, level) == 0 {
			break
		}
	}
	return out, nil
}

// cHeapInUse is the bytes the C allocator has handed out and not had back
// (glibc's mallinfo2: uordblks): what a leak in Tesseract or in the calls
// into it grows, without the Go heap's and the page cache's noise that a
// resident size carries (TestNoLeak).
func cHeapInUse() int64 { return int64(C.mallinfo2().uordblks) }
