package scanfile

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
)

// A scanner's PDF page is one JPEG drawn over the whole page. Rasterising
// it with pdftoppm decodes the JPEG and then draws it, resampled, at the
// page's resolution: 85 ms of CPU a 200-dpi A4 page, where decoding the
// JPEG alone takes about 13. So a page that is one grey 8-bit JPEG
// (`pdfimages -list`: encoding jpeg, colour gray, one component, 8 bits),
// with no mask, drawn upright over the whole unrotated page at its native
// resolution (see Resolution in pdf.go), is taken out of the file as it is
// by `pdfimages -j` (which copies the DCT stream, no decoding) and decoded
// by the same JPEG decoder as a JPEG file (Options.JPEG, with its pixel
// limit and truncation check). Its pixels are the scan's own, not
// poppler's resampling of them. A run of such pages is taken out by one
// pdfimages (at most maxEmbeddedRun pages, into a temporary folder removed
// after them). Any failure (pdfimages, a missing or undecodable file) falls
// back to pdftoppm for that page. What pdfimages -list does not show, a
// page drawing its image mirrored or through a /Decode that inverts it,
// reads as a mirrored or negative scan: the reader finds no markers or
// bars there and rejects the page, never misreads it.

// maxEmbeddedRun bounds the pages one pdfimages takes out at a time (their
// JPEG files wait on disk until read).
const maxEmbeddedRun = 16

// embeddable reports whether im, the only image of page p, can be taken
// out as it is: a grey 8-bit JPEG over the whole page, upright (its width
// along the page's), on a page without /Rotate.
func (im pdfImageInfo) embeddable(p pdfPage) bool {
	near := func(a, b float64) bool { return math.Abs(a-b) <= 0.02*math.Max(a, b) }
	return im.enc == "jpeg" && im.color == "gray" && im.comp == 1 && im.bpc == 8 && p.rot%360 == 0 &&
		near(im.w*72/im.xppi, p.w) && near(im.h*72/im.yppi, p.h)
}

// pdfImages is the JPEG files of pages first..last taken out by one
// pdfimages run.
type pdfImages struct {
	dir         string
	first, last int
}

// extract takes out the JPEGs of the embedded pages first..last (see
// above) into a new temporary folder.
func (p *pdfFile) extract(ctx context.Context, first, last int, opts Options) (*pdfImages, error) {
	dir, err := os.MkdirTemp("", "regfus-pdf-")
	if err != nil {
		return nil, newError("", 0, KindIO, "", err)
	}
	ctx, cancel := context.WithTimeout(ctx, opts.PageTimeout)
	defer cancel()
	cmd := popplerCmd(ctx, opts, "pdfimages", "-j", "-f", strconv.Itoa(first), "-l", strconv.Itoa(last), p.path, filepath.Join(dir, "p"))
	stderr := &limitedWriter{w: new(bytes.Buffer), n: maxToolStderr}
	cmd.Stderr = stderr
	if err := cmd.Run(); err != nil {
		os.RemoveAll(dir)
		return nil, toolError(ctx, "pdfimages", err, stderr)
	}
	return &pdfImages{dir: dir, first: first, last: last}, nil
}

// page decodes page n's JPEG, the (n-first)th image the run wrote.
func (e *pdfImages) page(n int, opts Options) (*image.Gray, error) {
	if n < e.first || n > e.last {
		return nil, fmt.Errorf("page %d outside the pages taken out (%d-%d)", n, e.first, e.last)
	}
	f, err := os.Open(filepath.Join(e.dir, fmt.Sprintf("p-%03d.jpg", n-e.first)))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, opts.MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > opts.MaxFileBytes {
		return nil, fmt.Errorf("page %d's image is over %d bytes", n, opts.MaxFileBytes)
	}
	return decodeJPEGData(data, opts)
}

func (e *pdfImages) close() {
	if e != nil {
		os.RemoveAll(e.dir)
	}
}

// embeddedRun is the last page of the run of embedded pages from n.
func (p *pdfFile) embeddedRun(n int, opts Options) int {
	last := n
	for last < len(p.pages) && last-n+1 < maxEmbeddedRun && p.pages[last].embedded && p.checkSize(last+1, opts) == nil {
		last++
	}
	return last
}

// embeddedPage returns page n taken out of the file, from *batch when it
// holds it, else from a new run that replaces it; nil when it cannot be
// (the caller rasterises the page instead).
func (p *pdfFile) embeddedPage(ctx context.Context, batch **pdfImages, n int, opts Options) *image.Gray {
	if b := *batch; b == nil || n < b.first || n > b.last {
		b.close()
		*batch = nil
		b, err := p.extract(ctx, n, p.embeddedRun(n, opts), opts)
		if err != nil {
			return nil
		}
		*batch = b
	}
	img, err := (*batch).page(n, opts)
	if err != nil {
		return nil
	}
	return img
}
