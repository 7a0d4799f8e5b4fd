// Package intake is what the service takes in and what it answers about
// it: an uploaded file (File) and, once its batch is recorded, what became
// of each file (Receipt). The REST layer (package api) and the web
// interface (package ui) make Files from requests and show Receipts; the
// engine (package process) stores and reads the files and writes the
// Receipt. One type each, shared: nothing is copied field by field on the
// way, and the REST layer needs no import of the engine (nor of the
// OpenCV behind it).
package intake

import (
	"io"

	"github.com/regfus/regfus/store"
)

// File is one uploaded file.
type File struct {
	// Name is the file name as uploaded (base name only; shown in results
	// and errors).
	Name string
	// MediaType is what the client declared. Nothing trusts it: the
	// format is sniffed from the bytes, and this is kept only when they
	// are not recognised.
	MediaType string
	// Size is the length in bytes when the request said it (0 when not
	// known); what is stored is measured from the bytes.
	Size int64
	// Body yields the bytes; it is read once, to the end. When Body is nil
	// Open is called and what it returns is read and closed, so a caller
	// with many files (multipart parts spilled to disk) need not hold them
	// all open; Open may be called more than once and gives the same
	// bytes each time.
	Body io.Reader
	Open func() (io.ReadCloser, error)
}

// Receipt is the answer to an upload: the batch as recorded and one
// FileReceipt per uploaded file, in order.
type Receipt struct {
	Batch store.Batch
	Files []FileReceipt
}

// FileReceipt tells what became of one uploaded file (the "files" of the
// API's upload answer).
type FileReceipt struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
	Pages  int    `json:"pages"`
	// Known: the same bytes were uploaded before; their pages, processed
	// once, are shared with this batch.
	Known bool `json:"known"`
	// Repeated: the same bytes appear earlier in this upload.
	Repeated bool `json:"repeated,omitempty"`
	// Error says why the file cannot be read; its pages are in the batch
	// as rejected results with that reason.
	Error string `json:"error,omitempty"`
}
