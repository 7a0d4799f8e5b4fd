package scanfile

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"math"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// PDF pages are rasterised by poppler's pdftoppm, streaming 8-bit PGMs to
// a pipe: no page is held on disk, and a 300-page PDF costs one page of
// memory at a time, or one per worker when a pool renders pages
// concurrently. pdfinfo, run once at Open, gives the page count and every
// page's size, so a page that would rasterise over MaxPixels is refused
// before poppler allocates it.
//
// Reading a file's pages in order (File.Pages, so All and `regfus scan`)
// starts one pdftoppm for each run of consecutive pages rendered at the
// same resolution (all of a scanner's PDF, as a rule) and reads its pages
// off the pipe one after the other: starting poppler and parsing the file
// cost about as much as rendering a page, and were paid per page. The
// pixels are the same bytes a process per page gives. A page the run
// fails on (a timeout, poppler giving up) is that page's error, and the
// pages after it are rendered by a new run. File.Page, for random access
// from a pool, renders the one page it is asked for.
//
// Poppler is C code reading hostile input, so each process runs with a
// deadline (killed at PageTimeout) and a cap on its address space
// (PDFMemoryLimit, through the shell's ulimit -v), and its output is parsed
// with the same pixel limit as everything else.
//
// # Resolution
//
// A scanner's "scan to PDF" wraps one image per page, drawn over the whole
// page. Rasterising it at any resolution but its own resamples it: below,
// thin bars and strokes are lost; above, the reader pays for pixels that
// carry nothing. So with Options.PDFDPI zero, `pdfimages -list` (run once
// at Open, with pdfinfo) tells which pages are such a single full-page
// image, and those are rasterised at the image's own resolution (when its
// horizontal and vertical ppi agree and lie in [minNativeDPI,
// maxNativeDPI]); every other page (vector content, several images, an
// image drawn over part of the page) at DefaultPDFDPI. A page's resolution
// depends only on the file, so every reader of the same file (the scan
// pipeline, the API drawing an overlay) gets the same pixels.

type pdfFile struct {
	path  string // absolute, so it can never be mistaken for a flag
	pages []pdfPage
}

// pdfPage is a page's size in points (1/72 in), the larger of its media
// box and crop box, and the resolution of the scanned image it consists of
// (0 when it is not one full-page image). rot is its /Rotate (degrees);
// embedded is set when its image can be taken out of the file as it is
// rather than rasterised (see pdfimage.go).
type pdfPage struct {
	w, h, native float64
	rot          int
	embedded     bool
}

// The native resolutions trusted for a scanned page; outside them (a
// thumbnail, a 1200-dpi archive scan) the page is rasterised at the default.
const (
	minNativeDPI = 100
	maxNativeDPI = 600
)

// maxToolStderr bounds how much of a poppler process's error output is kept.
const maxToolStderr = 4 << 10

func openPDF(ctx context.Context, path string, opts Options) (*pdfFile, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, newError("", 0, KindIO, "", err)
	}
	ctx, cancel := context.WithTimeout(ctx, opts.PageTimeout)
	defer cancel()
	var out bytes.Buffer
	cmd := popplerCmd(ctx, opts, "pdfinfo", "-box", "-f", "1", "-l", strconv.Itoa(opts.MaxPages), abs)
	cmd.Stdout = &limitedWriter{w: &out, n: 4 << 20}
	stderr := &limitedWriter{w: new(bytes.Buffer), n: maxToolStderr}
	cmd.Stderr = stderr
	if err := cmd.Run(); err != nil {
		return nil, toolError(ctx, "pdfinfo", err, stderr)
	}
	count, pages, err := parsePDFInfo(out.String())
	if err != nil {
		return nil, newError("", 0, KindCorrupt, "", err)
	}
	switch {
	case count == 0:
		return nil, newError("", 0, KindCorrupt, "corrupt: PDF has no pages", nil)
	case count > opts.MaxPages:
		return nil, newError("", 0, KindTooManyPages,
			fmt.Sprintf("too many pages (%d, over the %d-page limit)", count, opts.MaxPages), nil)
	case len(pages) < count:
		return nil, newError("", 0, KindCorrupt, fmt.Sprintf("corrupt: pdfinfo gave sizes for %d of %d pages", len(pages), count), nil)
	}
	pages = pages[:count]
	if opts.PDFDPI == 0 {
		if err := nativeResolutions(ctx, abs, opts, pages); err != nil {
			return nil, err
		}
	}
	return &pdfFile{path: abs, pages: pages}, nil
}

// nativeResolutions sets the native resolution of every page that is one
// scanned image drawn over the whole page, from `pdfimages -list`.
func nativeResolutions(ctx context.Context, abs string, opts Options, pages []pdfPage) error {
	var out bytes.Buffer
	cmd := popplerCmd(ctx, opts, "pdfimages", "-list", "-f", "1", "-l", strconv.Itoa(len(pages)), abs)
	cmd.Stdout = &limitedWriter{w: &out, n: 4 << 20}
	stderr := &limitedWriter{w: new(bytes.Buffer), n: maxToolStderr}
	cmd.Stderr = stderr
	if err := cmd.Run(); err != nil {
		return toolError(ctx, "pdfimages", err, stderr)
	}
	for n, ims := range parsePDFImages(out.String()) {
		if n < 1 || n > len(pages) {
			continue
		}
		var images []pdfImageInfo
		for _, im := range ims {
			if !im.mask {
				images = append(images, im)
			}
		}
		if len(images) != 1 {
			continue
		}
		p := &pages[n-1]
		p.native = images[0].nativeOn(*p)
		p.embedded = p.native > 0 && len(ims) == 1 && images[0].embeddable(*p)
	}
	return nil
}

// pdfImageInfo is one line of `pdfimages -list`: an image's size in pixels,
// its resolution as drawn on the page, its colour space, components, bits
// per component and encoding (as pdfimages names them: gray, jpeg, ...),
// and whether it is a mask (smask, stencil) rather than an image.
type pdfImageInfo struct {
	w, h, xppi, yppi float64
	color, enc       string
	comp, bpc        int
	mask             bool
}

// parsePDFImages reads `pdfimages -list` output into the images drawn on
// each page (by page number), masks (smask, stencil) included and marked;
// lines that do not parse are ignored.
//
//	page   num  type   width height color comp bpc  enc interp  object ID x-ppi y-ppi size ratio
//	--------------------------------------------------------------------------------------------
//	   1     0 image    1654  2339  gray    1   8  jpeg   no         5  0   200   200  266K 7.0%
func parsePDFImages(s string) map[int][]pdfImageInfo {
	out := map[int][]pdfImageInfo{}
	for _, l := range strings.Split(s, "\n") {
		f := strings.Fields(l)
		if len(f) < 14 {
			continue
		}
		switch f[2] {
		case "image", "mask", "smask", "stencil":
		default:
			continue
		}
		n, err := strconv.Atoi(f[0])
		if err != nil {
			continue
		}
		var v [4]float64
		ok := true
		for i, col := range []int{3, 4, 12, 13} {
			if v[i], err = strconv.ParseFloat(f[col], 64); err != nil || v[i] <= 0 {
				ok = false
			}
		}
		comp, e1 := strconv.Atoi(f[6])
		bpc, e2 := strconv.Atoi(f[7])
		if ok && e1 == nil && e2 == nil {
			out[n] = append(out[n], pdfImageInfo{w: v[0], h: v[1], xppi: v[2], yppi: v[3],
				color: f[5], comp: comp, bpc: bpc, enc: f[8], mask: f[2] != "image"})
		}
	}
	return out
}

// nativeOn returns the image's resolution if it is a scan of page p: equal
// resolution across and down (within 2 %, pdfimages rounds), within the
// trusted range, and drawn over the whole page (within 2 %, either way
// round: a page may be rotated). Otherwise 0.
func (im pdfImageInfo) nativeOn(p pdfPage) float64 {
	near := func(a, b float64) bool { return math.Abs(a-b) <= 0.02*math.Max(a, b) }
	if !near(im.xppi, im.yppi) || im.xppi < minNativeDPI || im.xppi > maxNativeDPI {
		return 0
	}
	w, h := im.w*72/im.xppi, im.h*72/im.yppi
	if !(near(w, p.w) && near(h, p.h)) && !(near(w, p.h) && near(h, p.w)) {
		return 0
	}
	return math.Round(im.xppi)
}

// parsePDFInfo reads `pdfinfo -box -f 1 -l N` output. Document metadata
// (a title, say) comes first and could contain anything, so only lines
// after the last "Pages:" line are trusted.
func parsePDFInfo(s string) (int, []pdfPage, error) {
	lines := strings.Split(s, "\n")
	start := -1
	for i, l := range lines {
		if strings.HasPrefix(l, "Pages:") {
			start = i
		}
	}
	if start < 0 {
		return 0, nil, errors.New("pdfinfo printed no page count")
	}
	count, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(lines[start], "Pages:")))
	if err != nil || count < 0 {
		return 0, nil, fmt.Errorf("pdfinfo page count %q", lines[start])
	}
	var pages []pdfPage
	grow := func(n int, w, h float64) {
		if n < 1 || n > len(pages)+1 {
			return
		}
		if n == len(pages)+1 {
			pages = append(pages, pdfPage{})
		}
		p := &pages[n-1]
		p.w, p.h = max(p.w, w), max(p.h, h)
	}
	for _, l := range lines[start+1:] {
		f := strings.Fields(l)
		// "Page    1 size:  595.28 x 841.89 pts (A4)"
		// "Page    1 MediaBox:      0.00     0.00   595.28   841.89"
		if len(f) < 4 || f[0] != "Page" {
			continue
		}
		n, err := strconv.Atoi(f[1])
		if err != nil {
			continue
		}
		switch {
		case f[2] == "rot:" && n >= 1 && n <= len(pages):
			if r, err := strconv.Atoi(f[3]); err == nil {
				pages[n-1].rot = r
			}
		case f[2] == "size:" && len(f) >= 6 && f[4] == "x":
			w, e1 := strconv.ParseFloat(f[3], 64)
			h, e2 := strconv.ParseFloat(f[5], 64)
			if e1 == nil && e2 == nil {
				grow(n, w, h)
			}
		case (f[2] == "MediaBox:" || f[2] == "CropBox:") && len(f) >= 7:
			var v [4]float64
			ok := true
			for i := range v {
				var err error
				if v[i], err = strconv.ParseFloat(f[3+i], 64); err != nil {
					ok = false
				}
			}
			if ok {
				grow(n, math.Abs(v[2]-v[0]), math.Abs(v[3]-v[1]))
			}
		}
	}
	return count, pages, nil
}

// dpi is the resolution page n is rasterised at: opts.PDFDPI or, with
// that zero, the page's native resolution (see Resolution above).
func (p *pdfFile) dpi(n int, opts Options) float64 {
	pg := p.pages[n-1]
	switch {
	case opts.PDFDPI > 0:
		return float64(opts.PDFDPI)
	case pg.native > 0:
		return pg.native
	}
	return DefaultPDFDPI
}

// checkSize refuses page n if it would rasterise over the pixel limit.
func (p *pdfFile) checkSize(n int, opts Options) error {
	pg, dpi := p.pages[n-1], p.dpi(n, opts)
	w, h := math.Ceil(pg.w*dpi/72), math.Ceil(pg.h*dpi/72)
	if w > math.MaxInt32 || h > math.MaxInt32 {
		return checkPixels(math.MaxInt32, math.MaxInt32, opts.MaxPixels)
	}
	return checkPixels(int(w), int(h), opts.MaxPixels)
}

// render returns page n alone: taken out of the file when it is one
// embedded scan (pdfimage.go), else rasterised by a pdftoppm of its own.
func (p *pdfFile) render(ctx context.Context, n int, opts Options) (*image.Gray, float64, error) {
	if err := p.checkSize(n, opts); err != nil {
		return nil, 0, err
	}
	if p.pages[n-1].embedded {
		var batch *pdfImages
		img := p.embeddedPage(ctx, &batch, n, opts)
		batch.close()
		if img != nil {
			return img, p.dpi(n, opts), nil
		}
	}
	return p.rasterise(ctx, n, opts)
}

// rasterise renders page n alone, in a pdftoppm process of its own.
func (p *pdfFile) rasterise(ctx context.Context, n int, opts Options) (*image.Gray, float64, error) {
	dpi := p.dpi(n, opts)
	r, err := p.startRun(ctx, n, n, dpi, opts)
	if err != nil {
		return nil, 0, err
	}
	img, err := r.next(ctx, opts)
	if err == nil {
		err = r.finish(ctx)
	}
	r.close()
	if err != nil {
		return nil, 0, err
	}
	return img, dpi, nil
}

// pdfRun is one pdftoppm process rendering pages first..last, all at the
// same resolution, to a pipe that next reads them from.
type pdfRun struct {
	cmd    *exec.Cmd
	cancel context.CancelFunc
	out    io.ReadCloser
	r      *bufio.Reader
	stderr *limitedWriter
	// page is the number of the page next reads; last the run's last.
	page, last int
	dpi        float64
	done       bool // the process has been waited for
}

// startRun starts pdftoppm on pages first..last at dpi. The process lives
// until close (or ctx ends); each page read from it has its own deadline
// (see next).
func (p *pdfFile) startRun(ctx context.Context, first, last int, dpi float64, opts Options) (*pdfRun, error) {
	rctx, cancel := context.WithCancel(ctx)
	cmd := popplerCmd(rctx, opts, "pdftoppm", "-r", strconv.FormatFloat(dpi, 'f', -1, 64), "-gray",
		"-f", strconv.Itoa(first), "-l", strconv.Itoa(last), p.path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		return nil, err
	}
	stderr := &limitedWriter{w: new(bytes.Buffer), n: maxToolStderr}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		cancel()
		return nil, newError("", 0, KindIO, "cannot run pdftoppm", err)
	}
	return &pdfRun{cmd: cmd, cancel: cancel, out: out, r: bufio.NewReaderSize(out, readBuf),
		stderr: stderr, page: first, last: last, dpi: dpi}, nil
}

// next reads the run's next page. ctx bounds this page only: when it ends
// first, the process is killed and the page's error is ctx's. After an
// error the run is over (close it); the pages after need a new run.
func (r *pdfRun) next(ctx context.Context, opts Options) (*image.Gray, error) {
	stop := context.AfterFunc(ctx, r.cancel)
	img, perr := readPGM(r.r, opts.MaxPixels)
	stopped := stop()
	if !stopped || ctx.Err() != nil {
		// The deadline killed poppler mid-page.
		r.close()
		return nil, ctx.Err()
	}
	if perr != nil {
		// Poppler failed (its exit status and stderr tell why: the
		// output ended early), or wrote what readPGM refuses (then it is
		// stopped).
		if !errors.Is(perr, io.ErrUnexpectedEOF) {
			r.cancel()
		}
		if err := r.finish(ctx); err != nil {
			return nil, err
		}
		return nil, perr
	}
	r.page++
	return img, nil
}

// finish waits for the process to exit, after its last page or a failed
// read, and explains a failure.
func (r *pdfRun) finish(ctx context.Context) error {
	if r.done {
		return nil
	}
	r.done = true
	io.Copy(io.Discard, r.out)
	if err := r.cmd.Wait(); err != nil {
		return toolError(ctx, "pdftoppm", err, r.stderr)
	}
	return nil
}

// close stops the process if it is still running and reaps it.
func (r *pdfRun) close() {
	r.cancel()
	if !r.done {
		r.done = true
		r.cmd.Wait()
	}
}

// pages yields every page in order (see File.Pages), taking embedded scans
// out of the file in runs with one pdfimages each (pdfimage.go) and
// rendering runs of other pages at one resolution with one pdftoppm each.
// A page over the pixel limit is refused on its own, between runs.
func (p *pdfFile) pagesInOrder(ctx context.Context, opts Options, yield func(n int, img *image.Gray, dpi float64, err error) bool) {
	var run *pdfRun
	var batch *pdfImages
	defer func() {
		if run != nil {
			run.close()
		}
		batch.close()
	}()
	for n := 1; n <= len(p.pages); n++ {
		if err := ctx.Err(); err != nil {
			yield(n, nil, 0, err)
			return
		}
		if run != nil && run.page != n {
			run.close()
			run = nil
		}
		if err := p.checkSize(n, opts); err != nil {
			if !yield(n, nil, 0, err) {
				return
			}
			continue
		}
		if p.pages[n-1].embedded {
			if run != nil {
				run.close()
				run = nil
			}
			img, dpi, err := p.embeddedPage(ctx, &batch, n, opts), p.dpi(n, opts), error(nil)
			if img == nil {
				pctx, cancel := context.WithTimeout(ctx, opts.PageTimeout)
				img, dpi, err = p.rasterise(pctx, n, opts)
				cancel()
			}
			if !yield(n, img, dpi, err) {
				return
			}
			continue
		}
		if run == nil {
			last, dpi := n, p.dpi(n, opts)
			for last < len(p.pages) && p.dpi(last+1, opts) == dpi && p.checkSize(last+1, opts) == nil && !p.pages[last].embedded {
				last++
			}
			var err error
			if run, err = p.startRun(ctx, n, last, dpi, opts); err != nil {
				run = nil
				if !yield(n, nil, 0, err) {
					return
				}
				continue
			}
		}
		pctx, cancel := context.WithTimeout(ctx, opts.PageTimeout)
		img, err := run.next(pctx, opts)
		cancel()
		dpi := run.dpi
		if err == nil && run.page > run.last {
			err = run.finish(ctx)
		}
		if err != nil || run.page > run.last {
			run.close()
			run = nil
		}
		if err != nil {
			img = nil
		}
		if !yield(n, img, dpi, err) {
			return
		}
	}
}

// popplerCmd runs a poppler tool under ctx with its address space capped.
// The arguments go to the shell as positional parameters, never through
// its parser.
func popplerCmd(ctx context.Context, opts Options, name string, args ...string) *exec.Cmd {
	script := fmt.Sprintf(`ulimit -v %d || exit 126; exec "$@"`, opts.PDFMemoryLimit>>10)
	cmd := exec.CommandContext(ctx, "/bin/sh", append([]string{"-c", script, "sh", name}, args...)...)
	cmd.WaitDelay = 2 * time.Second
	return cmd
}

// toolError explains a failed poppler run: a deadline, a password, a
// memory cap, or what poppler said about the file.
func toolError(ctx context.Context, tool string, err error, stderr *limitedWriter) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	msg := strings.TrimSpace(stderr.w.(*bytes.Buffer).String())
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return newError("", 0, KindIO, "cannot run "+tool, err)
	}
	lower := strings.ToLower(msg)
	switch {
	case strings.Contains(lower, "password"):
		return newError("", 0, KindEncrypted, "", nil)
	case strings.Contains(lower, "out of memory"), strings.Contains(lower, "bad_alloc"), strings.Contains(lower, "bad allocation"):
		return newError("", 0, KindTooLarge, "page needs more memory to rasterise than the PDF memory limit", nil)
	case ee.ExitCode() == 126 || ee.ExitCode() == 127:
		return newError("", 0, KindIO, "cannot run "+tool, errors.New(msg))
	}
	if msg == "" {
		msg = ee.String()
	}
	// Keep the most telling line: poppler's last error.
	lines := strings.Split(msg, "\n")
	return newError("", 0, KindCorrupt, "", fmt.Errorf("%s: %s", tool, strings.TrimSpace(lines[len(lines)-1])))
}

// readPGM reads one binary 8-bit PGM (P5) image, refusing one over the
// pixel limit before allocating it.
func readPGM(r *bufio.Reader, maxPixels int64) (*image.Gray, error) {
	magic := make([]byte, 2)
	if _, err := io.ReadFull(r, magic); err != nil {
		return nil, fmt.Errorf("pdftoppm output: %w", io.ErrUnexpectedEOF)
	}
	if string(magic) != "P5" {
		return nil, fmt.Errorf("pdftoppm output is not a PGM image")
	}
	var v [3]int
	for i := range v {
		n, err := pgmInt(r)
		if err != nil {
			return nil, fmt.Errorf("pdftoppm output header: %w", err)
		}
		v[i] = n
	}
	w, h, maxval := v[0], v[1], v[2]
	if maxval != 255 {
		return nil, fmt.Errorf("pdftoppm output has maxval %d", maxval)
	}
	if err := checkPixels(w, h, maxPixels); err != nil {
		return nil, err
	}
	g := image.NewGray(image.Rect(0, 0, w, h))
	if _, err := io.ReadFull(r, g.Pix); err != nil {
		return nil, fmt.Errorf("pdftoppm output: %w", io.ErrUnexpectedEOF)
	}
	return g, nil
}

// pgmInt reads a decimal header field and the single whitespace after it,
// skipping whitespace and comments before it.
func pgmInt(r *bufio.Reader) (int, error) {
	c, err := r.ReadByte()
	for err == nil && (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '#') {
		if c == '#' {
			_, err = r.ReadString('\n')
		}
		if err == nil {
			c, err = r.ReadByte()
		}
	}
	n, digits := 0, 0
	for err == nil && c >= '0' && c <= '9' {
		if n > 1<<30 {
			return 0, errors.New("number too large")
		}
		n, digits = n*10+int(c-'0'), digits+1
		c, err = r.ReadByte()
	}
	if err != nil {
		return 0, io.ErrUnexpectedEOF
	}
	if digits == 0 {
		return 0, errors.New("expected a number")
	}
	return n, nil
}

// limitedWriter keeps the first n bytes written and drops the rest, so a
// chatty or hostile tool cannot fill memory through its output.
type limitedWriter struct {
	w io.Writer
	n int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if l.n > 0 {
		k := min(len(p), l.n)
		l.w.Write(p[:k])
		l.n -= k
	}
	return len(p), nil
}
