package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/regfus/regfus/acquisition"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/scanfile"
	"github.com/regfus/regfus/tesseract"
	"github.com/regfus/regfus/vision"
)

func init() {
	scanPaths = scanAll
	register("scan", "read scanned sheets (PNG, JPEG, TIFF, PDF; files or folders) to NDJSON", func(s Streams) Command { return &ScanCommand{Streams: s} })
}

// ScanCommand reads scans and prints one JSON object per page (NDJSON) on
// stdout, in the order pages finish. Every input is processed: a file or
// page that cannot be decoded or read is a "rejected" line with its reason
// (and a line on stderr).
//
// The exit status follows one rule, scanExitRule: 1 when any input could
// not be decoded, whatever the reason (missing, permissions, not an image,
// corrupt, truncated), after every other input was processed; 0 when every
// input decoded, even if pages were rejected (no markers found: that is a
// reading, the page's result); 2 for a usage error.
type ScanCommand struct{ Streams }

// scanExitRule is the exit status rule, as the help shows it.
const scanExitRule = `Exit status: 0 when every input was decoded, whatever its pages' status;
1 when an input could not be opened or decoded (missing, permissions, not
an image, corrupt): its line is printed all the same, rejected with the
reason, and every other input is read; 2 on a usage error.`

// Run implements Command.
func (c *ScanCommand) Run(ctx context.Context, args []string) error {
	fs := newFlagSet("scan", "[--workers N] PATH...\n\n"+scanExitRule, c.Stdout)
	workers := fs.Int("workers", runtime.NumCPU(), "pages read in parallel (one OpenCV/Tesseract context each)")
	pdfDPI := fs.Int("pdf-dpi", 0, "resolution PDF pages are rasterised at; 0: a page that is one scanned image at that image's own, any other at 200")
	noOCR := fs.Bool("no-ocr", false, "read codes from their bars only (faster; no OCR cross-check, fewer values confirmed)")
	progress := fs.String("progress", "auto", "progress bar on stderr: auto (when stderr is a terminal), always or never")
	cpuProfile := fs.String("cpu-profile", "", "write a CPU profile (pprof) of the run to this file; its samples carry the pipeline stage as a label (regfus bench uses it)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usagef("scan: no PATH given")
	}
	if *workers < 1 || *workers > 256 {
		return usagef("scan: --workers %d out of range 1-256", *workers)
	}
	if *pdfDPI != 0 && (*pdfDPI < 50 || *pdfDPI > 600) {
		return usagef("scan: --pdf-dpi %d out of range (0, or 50-600)", *pdfDPI)
	}
	showBar := false
	switch *progress {
	case "auto":
		f, ok := c.Stderr.(*os.File)
		showBar = ok && term.IsTerminal(int(f.Fd()))
	case "always":
		showBar = true
	case "never":
	default:
		return usagef("scan: --progress %q: want auto, always or never", *progress)
	}
	if !*noOCR {
		if err := singleThreadOCR(); err != nil {
			return err
		}
	}

	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return fmt.Errorf("scan: --cpu-profile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("scan: --cpu-profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}

	opts := scanOptions(*pdfDPI)
	paths := fs.Args()
	var bar *progressbar.ProgressBar
	if showBar {
		bar = progressbar.NewOptions(countPages(ctx, paths, opts), progressbar.OptionSetWriter(c.Stderr),
			progressbar.OptionSetDescription("scan"), progressbar.OptionShowCount(), progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("pages"), progressbar.OptionClearOnFinish(), progressbar.OptionThrottle(100e6))
	}
	pool := newPool(*workers, !*noOCR)
	enc := json.NewEncoder(c.Stdout)
	var undecoded []error
	var writeErr error
	pages := scanfile.All(ctx, paths, opts)
	tally := map[page.Status]int{}
	err := pool.Run(ctx, pages, func(res *page.Result, decodeErr error) {
		tally[res.Status]++
		if writeErr == nil {
			writeErr = enc.Encode(res)
		}
		if res.Status == page.Rejected && res.Orientation == nil && len(res.Reasons) > 0 {
			fmt.Fprintf(c.Stderr, "regfus scan: %s\n", res.Reasons[0])
		}
		if decodeErr != nil {
			undecoded = append(undecoded, decodeErr)
		}
		if bar != nil {
			bar.Add(1)
		}
	})
	if bar != nil {
		bar.Finish()
		fmt.Fprintf(c.Stderr, "scan: %d ok, %d review, %d rejected\n", tally[page.OK], tally[page.Review], tally[page.Rejected])
	}
	if err != nil {
		return err
	}
	if writeErr != nil {
		return fmt.Errorf("scan: writing results: %w", writeErr)
	}
	if len(undecoded) > 0 {
		return fmt.Errorf("scan: %d input(s) could not be decoded: %w", len(undecoded), errors.Join(undecoded...))
	}
	return nil
}

// newPool returns a worker pool reading with OCR or from the bars only.
func newPool(workers int, ocr bool) *acquisition.Pool {
	pool := &acquisition.Pool{Workers: workers}
	if !ocr {
		pool.NewReader = func() (*acquisition.Reader, error) { return acquisition.NewReader(nil), nil }
	}
	return pool
}

// scanOptions are the decoding options of every command that reads pages
// (scan, verify, bench, serve, worker): JPEG pixels through libjpeg-turbo
// (package vision), the decoder the reader is measured with; PDF pages at
// pdfDPI (0: each page's own, see scanfile.Options).
func scanOptions(pdfDPI int) scanfile.Options {
	return scanfile.Options{PDFDPI: pdfDPI, JPEG: vision.DecodeJPEGGray}
}

// singleThreadOCR makes sure Tesseract's OpenMP runs one thread: OpenMP
// reads OMP_THREAD_LIMIT at process start, so the process re-executes
// itself with it set (a no-op when it already is). The tests run commands
// in-process and must not re-execute the test binary: their TestMain
// replaces it (they get OMP_THREAD_LIMIT=1 from the Makefile).
var singleThreadOCR = tesseract.ReexecIfNeeded

// scanAll is verify's scanPaths: every page of paths, read with OCR, in
// completion order. A path that cannot be read at all is an error; a
// file or page that cannot be decoded is a rejected result.
func scanAll(ctx context.Context, paths []string, workers int) ([]page.Result, error) {
	if err := singleThreadOCR(); err != nil {
		return nil, err
	}
	var out []page.Result
	var ioErrs []error
	err := newPool(workers, true).Run(ctx, scanfile.All(ctx, paths, scanOptions(0)), func(res *page.Result, decodeErr error) {
		out = append(out, *res)
		if se := (*scanfile.Error)(nil); errors.As(decodeErr, &se) && se.Kind == scanfile.KindIO {
			ioErrs = append(ioErrs, decodeErr)
		}
	})
	if err != nil {
		return nil, err
	}
	if len(ioErrs) > 0 {
		return nil, errors.Join(ioErrs...)
	}
	return out, nil
}

// countPages opens every input to count its pages for the progress bar.
func countPages(ctx context.Context, paths []string, opts scanfile.Options) int {
	files, _ := scanfile.Expand(paths)
	n := 0
	for _, p := range files {
		f, err := scanfile.Open(ctx, p, opts)
		if err != nil {
			n++
			continue
		}
		n += f.Count()
		f.Close()
	}
	return n
}
