package scanfile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
)

// Kind classifies why a file or page could not be decoded. It is a stable,
// machine-readable word (the reader turns it into a page reason); Error.Reason
// carries the human detail.
type Kind string

const (
	KindIO           Kind = "io"             // the file could not be read (missing, permissions, I/O)
	KindEmpty        Kind = "empty"          // zero-byte file
	KindTooBig       Kind = "too_big"        // file over Options.MaxFileBytes
	KindUnsupported  Kind = "unsupported"    // not PNG/JPEG/TIFF/PDF, or a variant no decoder here reads
	KindCorrupt      Kind = "corrupt"        // the bytes contradict the format
	KindTruncated    Kind = "truncated"      // the file ends before the data it announces
	KindTooLarge     Kind = "too_large"      // page over Options.MaxPixels
	KindTooManyPages Kind = "too_many_pages" // file over Options.MaxPages
	KindTimeout      Kind = "timeout"        // page over Options.PageTimeout
	KindCanceled     Kind = "canceled"       // the caller's context was canceled
	KindEncrypted    Kind = "encrypted"      // a PDF that needs a password
)

// Error is every failure this package reports. Its message names the file,
// the page when there is one, and why, e.g.
//
//	scan.tif page 3: corrupt: CCITT: invalid code
//	big.png: page is 50000x50000 pixels, over the 60 MP limit
//
// Page is 0 when the failure concerns the whole file (it could not be opened
// or identified); a per-page failure leaves the other pages readable.
type Error struct {
	Source string
	Page   int
	Kind   Kind
	// Reason is a short human explanation ("corrupt", "zero-byte file",
	// "unsupported format (looks like ZIP archive)", ...).
	Reason string
	// Err is the underlying error, if any.
	Err error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Source)
	if e.Page > 0 {
		fmt.Fprintf(&b, " page %d", e.Page)
	}
	b.WriteString(": ")
	b.WriteString(e.Reason)
	if e.Err != nil {
		msg := e.Err.Error()
		if msg != "" && msg != e.Reason {
			b.WriteString(": ")
			b.WriteString(msg)
		}
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// newError builds an *Error whose Reason defaults to the Kind's wording.
func newError(src string, page int, kind Kind, reason string, err error) *Error {
	if reason == "" {
		reason = kindReason(kind)
	}
	return &Error{Source: src, Page: page, Kind: kind, Reason: reason, Err: err}
}

func kindReason(k Kind) string {
	switch k {
	case KindEmpty:
		return "zero-byte file"
	case KindTooManyPages:
		return "too many pages"
	case KindTimeout:
		return "timed out"
	case KindTruncated:
		return "truncated"
	case KindCorrupt:
		return "corrupt"
	case KindUnsupported:
		return "unsupported format"
	case KindCanceled:
		return "canceled"
	case KindEncrypted:
		return "encrypted (password required)"
	case KindIO:
		return "cannot read"
	}
	return string(k)
}

// classify turns a decoder's error into an *Error, telling truncation (the
// data stops early) from corruption (the data is wrong) and keeping a
// deadline or cancellation recognisable.
func classify(src string, page int, err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return newError(src, page, KindTimeout, "", nil)
	case errors.Is(err, context.Canceled):
		return newError(src, page, KindCanceled, "", nil)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return newError(src, page, KindTruncated, "", err)
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, fs.ErrPermission):
		return newError(src, page, KindIO, "", err)
	}
	// Decoders describe unsupported variants in their own words; keep them
	// apart from plain corruption so a user knows re-scanning will not help
	// but re-saving might.
	msg := strings.ToLower(err.Error())
	if strings.Contains(msg, "unsupported") {
		return newError(src, page, KindUnsupported, "unsupported variant", err)
	}
	// image/jpeg's words for a scan cut short; hhrutter/tiff's for a strip.
	if strings.Contains(msg, "short huffman data") || strings.Contains(msg, "not enough pixel data") {
		return newError(src, page, KindTruncated, "", err)
	}
	return newError(src, page, KindCorrupt, "", err)
}
