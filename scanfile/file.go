package scanfile

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"iter"
	"os"
)

// Page is one decoded page of an input file.
type Page struct {
	// Source is the path as it was given to Open.
	Source string
	// Index is the page number within Source, from 1; Count is how many
	// pages Source has.
	Index, Count int
	Format       Format
	// Image is the page in 8-bit grayscale, origin (0, 0), square pixels.
	Image *image.Gray
	// DPI is the resolution of Image: from the file's metadata when it has
	// any (PNG pHYs, JPEG JFIF/Exif, TIFF XResolution), the rasterising
	// resolution for PDF, else 0. Metadata can lie (72 dpi is a common
	// placeholder); the reader measures the real scale from the markers.
	DPI float64
}

// File is an opened input: its format is known and its pages counted, but
// no page is decoded until asked for. Page may be called from several
// goroutines at once, so a worker pool can share the pages of one PDF.
type File struct {
	source string
	format Format
	opts   Options
	f      *os.File
	size   int64
	tiff   *tiffFile
	pdf    *pdfFile
	count  int
	// trailer is an error found after the last readable page (a TIFF whose
	// page chain breaks); Pages reports it once the pages before are out.
	trailer *Error
}

// Open identifies the file at path by its content and counts its pages. It
// fails, with an *Error, only when nothing in the file can be read: missing
// or unreadable, empty, over a size or page limit, not a supported format,
// or a PDF poppler cannot open. Close the File when done.
func Open(ctx context.Context, path string, opts Options) (*File, error) {
	opts = opts.withDefaults()
	// Stat before opening: opening a FIFO would block until a writer came.
	st, err := os.Stat(path)
	if err != nil {
		return nil, newError(path, 0, KindIO, "", err)
	}
	if err := regularFile(path, st); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, newError(path, 0, KindIO, "", err)
	}
	file, err := open(ctx, path, f, opts)
	if err != nil {
		f.Close()
		return nil, err
	}
	return file, nil
}

// regularFile refuses a directory, a device, a FIFO or a socket: only a
// regular file is read.
func regularFile(path string, st os.FileInfo) error {
	if st.IsDir() {
		return newError(path, 0, KindIO, "is a directory", nil)
	}
	if !st.Mode().IsRegular() {
		return newError(path, 0, KindUnsupported, "not a regular file", nil)
	}
	return nil
}

func open(ctx context.Context, path string, f *os.File, opts Options) (*File, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, newError(path, 0, KindIO, "", err)
	}
	if err := regularFile(path, st); err != nil {
		return nil, err
	}
	size := st.Size()
	if size == 0 {
		return nil, newError(path, 0, KindEmpty, "", nil)
	}
	if size > opts.MaxFileBytes {
		return nil, newError(path, 0, KindTooBig,
			fmt.Sprintf("file is %d bytes, over the %d-byte limit", size, opts.MaxFileBytes), nil)
	}
	head := make([]byte, min(size, sniffLen))
	if _, err := io.ReadFull(f, head); err != nil {
		return nil, newError(path, 0, KindIO, "", err)
	}
	format, looks := sniff(head)
	file := &File{source: path, format: format, opts: opts, f: f, size: size, count: 1}
	switch format {
	case PNG, JPEG:
	case TIFF:
		t, err := openTIFF(f, size, opts)
		if err != nil {
			return nil, withSource(path, err)
		}
		file.tiff, file.count = t, len(t.pages)
		if t.chainErr != nil {
			file.trailer = classify(path, len(t.pages)+1, t.chainErr)
			file.trailer.Reason = fmt.Sprintf("page chain broken after page %d: %s", len(t.pages), file.trailer.Reason)
		}
		if file.count == 0 {
			if file.trailer != nil {
				file.trailer.Page = 0
				file.trailer.Reason = "no readable page: " + kindReason(file.trailer.Kind)
				return nil, file.trailer
			}
			return nil, newError(path, 0, KindCorrupt, "corrupt: TIFF has no pages", nil)
		}
	case PDF:
		p, err := openPDF(ctx, path, opts)
		if err != nil {
			return nil, withSource(path, err)
		}
		file.pdf, file.count = p, len(p.pages)
	default:
		return nil, newError(path, 0, KindUnsupported, fmt.Sprintf("unsupported format (looks like %s)", looks), nil)
	}
	return file, nil
}

// withSource completes an *Error built without the path, or classifies err.
func withSource(path string, err error) error {
	var e *Error
	if errors.As(err, &e) {
		if e.Source == "" {
			e.Source = path
		}
		return e
	}
	return classify(path, 0, err)
}

// Source returns the path the file was opened with.
func (f *File) Source() string { return f.source }

// Format returns the format found by content sniffing.
func (f *File) Format() Format { return f.format }

// Count returns the number of pages.
func (f *File) Count() int { return f.count }

// Close releases the file.
func (f *File) Close() error { return f.f.Close() }

// Page decodes page n (from 1). Any failure is an *Error naming the page;
// it says nothing about the other pages. It is safe for concurrent use.
func (f *File) Page(ctx context.Context, n int) (Page, error) {
	if n < 1 || n > f.count {
		return Page{}, newError(f.source, n, KindIO, fmt.Sprintf("no page %d (the file has %d)", n, f.count), nil)
	}
	if err := ctx.Err(); err != nil {
		return Page{}, classify(f.source, n, err)
	}
	ctx, cancel := context.WithTimeout(ctx, f.opts.PageTimeout)
	defer cancel()
	img, dpi, err := guard(ctx, func(ctx context.Context) (*image.Gray, float64, error) {
		switch f.format {
		case PNG:
			return decodePNG(f.reader(ctx), f.opts)
		case JPEG:
			return decodeJPEG(f.reader(ctx), f.opts)
		case TIFF:
			return f.tiff.decode(ctx, n, f.opts)
		case PDF:
			return f.pdf.render(ctx, n, f.opts)
		}
		return nil, 0, fmt.Errorf("no decoder for %q", f.format)
	})
	if err != nil {
		return Page{}, withPage(classify(f.source, n, err), f.source, n)
	}
	return Page{Source: f.source, Index: n, Count: f.count, Format: f.format, Image: img, DPI: dpi}, nil
}

// ReadPage opens the file at path, decodes its page n (from 1) and closes
// it: for a program that wants one page of a file (a stored page shown
// again). Its errors are Open's and Page's.
func ReadPage(ctx context.Context, path string, opts Options, n int) (Page, error) {
	f, err := Open(ctx, path, opts)
	if err != nil {
		return Page{}, err
	}
	defer f.Close()
	return f.Page(ctx, n)
}

func withPage(e *Error, src string, n int) *Error {
	if e.Source == "" {
		e.Source = src
	}
	if e.Page == 0 {
		e.Page = n
	}
	return e
}

// reader gives a decoder its own view of the file that fails as soon as
// ctx is done, so an abandoned decode stops at its next read.
func (f *File) reader(ctx context.Context) *io.SectionReader {
	return io.NewSectionReader(ctxReaderAt{ctx, f.f}, 0, f.size)
}

// Pages yields every page in order. A page that fails yields its *Error and
// the iteration goes on with the next page; a broken TIFF page chain is one
// last error after the pages before the break. Stop early by breaking out.
func (f *File) Pages(ctx context.Context) iter.Seq2[Page, error] {
	return func(yield func(Page, error) bool) {
		if f.format == PDF {
			// One pdftoppm for all the pages (see pdf.go).
			f.pdf.pagesInOrder(ctx, f.opts, func(n int, img *image.Gray, dpi float64, err error) bool {
				if err != nil {
					return yield(Page{}, withPage(classify(f.source, n, err), f.source, n)) && ctx.Err() == nil
				}
				return yield(Page{Source: f.source, Index: n, Count: f.count, Format: f.format, Image: img, DPI: dpi}, nil) && ctx.Err() == nil
			})
			return
		}
		for n := 1; n <= f.count; n++ {
			p, err := f.Page(ctx, n)
			if !yield(p, err) {
				return
			}
			if ctx.Err() != nil {
				return
			}
		}
		if f.trailer != nil {
			yield(Page{}, f.trailer)
		}
	}
}

// All expands paths (see Expand), opens every file and yields its pages in
// order. Every problem is yielded as an error and the walk goes on: a path
// that cannot be listed, a file that cannot be opened, a page that cannot be
// decoded. It is the simplest way to read a batch; a worker pool that wants
// to spread one file's pages over several workers uses Open and Page.
func All(ctx context.Context, paths []string, opts Options) iter.Seq2[Page, error] {
	return func(yield func(Page, error) bool) {
		files, err := Expand(paths)
		if err != nil {
			for _, e := range unjoin(err) {
				if !yield(Page{}, e) {
					return
				}
			}
		}
		for _, path := range files {
			if ctx.Err() != nil {
				yield(Page{}, classify(path, 0, ctx.Err()))
				return
			}
			f, err := Open(ctx, path, opts)
			if err != nil {
				if !yield(Page{}, err) {
					return
				}
				continue
			}
			for p, err := range f.Pages(ctx) {
				if !yield(p, err) {
					f.Close()
					return
				}
			}
			f.Close()
		}
	}
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// guard runs one page decode so that nothing in it can take the process
// down or hold the caller past the deadline: a panic in a decoder (they
// are written for well-formed input) becomes a KindCorrupt error, and when
// ctx is done the caller gets KindTimeout at once while the decode, which
// reads through a ctx-aware reader, stops at its next read.
func guard(ctx context.Context, fn func(context.Context) (*image.Gray, float64, error)) (*image.Gray, float64, error) {
	type result struct {
		img *image.Gray
		dpi float64
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- result{err: newError("", 0, KindCorrupt, "corrupt (decoder crashed)", fmt.Errorf("%v", r))}
			}
		}()
		img, dpi, err := fn(ctx)
		done <- result{img, dpi, err}
	}()
	select {
	case r := <-done:
		if r.err != nil && ctx.Err() != nil {
			return nil, 0, ctx.Err()
		}
		return r.img, r.dpi, r.err
	case <-ctx.Done():
		return nil, 0, ctx.Err()
	}
}

// ctxReaderAt fails every read once ctx is done.
type ctxReaderAt struct {
	ctx context.Context
	r   io.ReaderAt
}

func (c ctxReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.ReadAt(p, off)
}

// checkPixels refuses a page whose header announces more than maxPixels,
// before anything is allocated for it.
func checkPixels(w, h int, maxPixels int64) error {
	if w <= 0 || h <= 0 {
		return newError("", 0, KindCorrupt, fmt.Sprintf("corrupt: page is %dx%d pixels", w, h), nil)
	}
	if int64(w)*int64(h) > maxPixels {
		return newError("", 0, KindTooLarge, fmt.Sprintf("page is %dx%d pixels, %s", w, h, overLimit(maxPixels)), nil)
	}
	return nil
}
