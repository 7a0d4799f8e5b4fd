package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // registered with image.Decode
	_ "image/png"
	"io"
	"io/fs"
	"os"
	"runtime"
	"slices"
	"sync"

	_ "golang.org/x/image/tiff" // first page; CCITT G3/G4, LZW, PackBits, Deflate

	"github.com/regfus/regfus/barcode"
	"github.com/regfus/regfus/fustella"
	"github.com/regfus/regfus/sheet"
)

func init() {
	register("barcode", "print every CODE 39, Code 32 and ITF symbol found in images", func(s Streams) Command { return &BarcodeCommand{Streams: s} })
}

// BarcodeCommand prints every CODE 39, Code 32 and ITF symbol in each image,
// one line per symbol: FILE<TAB>FORMAT<TAB>TEXT (SPEC section 6). It is for
// checking a label, a photo or a scan by hand, with barcode.FindAll doing
// the work: any orientation, several symbols per image.
//
// Images are decoded in parallel, each worker with its own barcode.Decoder
// (a Decoder is not safe for concurrent use), and printed in the order they
// were given. A file that cannot be read or decoded is reported on stderr
// and the others go on; the exit status is then 1, after all of them.
type BarcodeCommand struct{ Streams }

const barcodeHelp = `
Prints one line per symbol found, in the order the files were given:

  FILE<TAB>FORMAT<TAB>TEXT

FORMAT is CODE39, CODE32 or ITF. A CODE 39 symbol of 6 characters that is
the base-32 writing of a valid AIC is reported as CODE32, its TEXT the AIC as
printed on the label ("A" + 9 digits). ITF TEXT is the digits as read: no
check digit is verified (a targatura is 10 digits, its last the check).
Only whole symbols are printed: bars and quiet zones either side, in the
image, so a symbol cut by the image's edge or partly covered prints
nothing rather than a shorter code. --checked keeps
only CODE32 symbols, ITF symbols that are valid targature and CODE39 symbols
that are valid sheet codes.

With --details each line also has the symbol's centre X and Y in pixels,
its reading direction in degrees clockwise (0 upright, 180 upside down) and
how many scan lines read it.

IMAGE is a PNG, JPEG or TIFF file (TIFF: first page only), or - for standard
input. A file with no symbol prints nothing (and a note on stderr). A file
that cannot be read or decoded is an error on stderr; the others are still
processed, and the exit status is 1. Usage errors exit with 2.
`

// Run implements Command.
func (c *BarcodeCommand) Run(ctx context.Context, args []string) error {
	fs := newFlagSet("barcode", "[--workers N] [--max-pixels N] [--details] [--checked] IMAGE...", c.Stdout)
	usage := fs.Usage
	fs.Usage = func() { usage(); fmt.Fprint(c.Stdout, barcodeHelp) }
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "images decoded in parallel")
	maxPixels := fs.Int64("max-pixels", 150_000_000, "refuse images with more pixels than this (a guard against decompression bombs)")
	details := fs.Bool("details", false, "append X, Y, reading angle and scan-line count to each line")
	checked := fs.Bool("checked", false, "print only symbols that validate: CODE32 (AIC check digit), ITF targature (10 digits, check digit), CODE39 sheet codes")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	files := fs.Args()
	if len(files) == 0 {
		return usagef("barcode: no image given")
	}
	if *workers < 1 {
		return usagef("barcode: --workers %d: want at least 1", *workers)
	}
	if *maxPixels < 1 {
		return usagef("barcode: --max-pixels %d: want at least 1", *maxPixels)
	}
	if n := stdinCount(files); n > 1 {
		return usagef("barcode: standard input (-) given %d times", n)
	}

	type result struct {
		dets []barcode.Detection
		err  error
	}
	results := make([]chan result, len(files))
	for i := range results {
		results[i] = make(chan result, 1)
	}
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(*workers, len(files)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := barcode.NewDecoder() // one per goroutine
			for i := range jobs {
				img, err := c.decodeImage(files[i], *maxPixels)
				if err != nil {
					results[i] <- result{err: err}
					continue
				}
				dets := d.FindAll(img)
				if *checked {
					dets = slices.DeleteFunc(dets, func(d barcode.Detection) bool { return !validates(d) })
				}
				results[i] <- result{dets: dets}
			}
		}()
	}
	go func() {
		defer close(jobs)
		for i := range files {
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	defer wg.Wait()

	out := bufio.NewWriter(c.Stdout)
	failed := 0
	for i, name := range files {
		var r result
		select {
		case r = <-results[i]:
		case <-ctx.Done():
			out.Flush()
			return ctx.Err()
		}
		if r.err != nil {
			failed++
			out.Flush()
			fmt.Fprintf(c.Stderr, "regfus: barcode: %s: %v\n", name, r.err)
			continue
		}
		if len(r.dets) == 0 {
			out.Flush()
			fmt.Fprintf(c.Stderr, "regfus: barcode: %s: no symbol found\n", name)
			continue
		}
		for _, d := range r.dets {
			if *details {
				fmt.Fprintf(out, "%s\t%s\t%s\t%.0f\t%.0f\t%g\t%d\n", name, d.Format, d.Text, d.X, d.Y, d.Angle, d.Lines)
			} else {
				fmt.Fprintf(out, "%s\t%s\t%s\n", name, d.Format, d.Text)
			}
		}
		if err := out.Flush(); err != nil {
			return fmt.Errorf("barcode: writing output: %w", err)
		}
	}
	if failed > 0 {
		return fmt.Errorf("barcode: %d of %d files could not be read", failed, len(files))
	}
	return nil
}

// decodeImage opens and decodes one image, checking its declared size
// before decoding the pixels.
func (c *BarcodeCommand) decodeImage(name string, maxPixels int64) (image.Image, error) {
	var r io.ReadSeeker
	if name == "-" {
		data, err := io.ReadAll(c.Stdin)
		if err != nil {
			return nil, fmt.Errorf("reading standard input: %w", err)
		}
		r = bytes.NewReader(data)
	} else {
		f, err := os.Open(name)
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				return nil, pe.Err // the caller names the file
			}
			return nil, err
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return nil, err
		}
		if st.IsDir() {
			return nil, errors.New("is a directory, not an image")
		}
		if st.Size() == 0 {
			return nil, errors.New("empty file")
		}
		r = f
	}
	cfg, format, err := image.DecodeConfig(r)
	if err != nil {
		return nil, decodeErr(err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, fmt.Errorf("%s image has no pixels (%dx%d)", format, cfg.Width, cfg.Height)
	}
	if px := int64(cfg.Width) * int64(cfg.Height); px > maxPixels {
		return nil, fmt.Errorf("%s image is %dx%d = %d pixels, over the limit of %d (--max-pixels)", format, cfg.Width, cfg.Height, px, maxPixels)
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	img, _, err := image.Decode(r)
	if err != nil {
		return nil, fmt.Errorf("%s image is corrupt or truncated: %w", format, err)
	}
	return img, nil
}

func decodeErr(err error) error {
	if errors.Is(err, image.ErrFormat) {
		return errors.New("not a PNG, JPEG or TIFF image")
	}
	return fmt.Errorf("unreadable image header: %w", err)
}

// validates tells whether a detection is a domain value: a Code 32 (FindAll
// only reports CODE32 for a valid AIC), a targatura, or a sheet code.
func validates(d barcode.Detection) bool {
	switch d.Format {
	case barcode.FormatCode32:
		return true
	case barcode.FormatITF:
		_, err := fustella.ParseTargatura(d.Text)
		return err == nil
	default:
		_, err := sheet.ParseCode(d.Text)
		return err == nil
	}
}
