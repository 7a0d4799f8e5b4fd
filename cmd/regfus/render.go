package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/render"
	"github.com/regfus/regfus/sheet"
	"github.com/regfus/regfus/typeface"
)

func init() {
	register("render", "render blank sheets for a pharmacy and month (PDF or PNG)", func(s Streams) Command { return &RenderCommand{Streams: s} })
}

// RenderCommand writes the sheets of one pharmacy and competence month.
//
// Everything is rendered in memory and validated before the first byte is
// written; files are written under temporary names and renamed at the end,
// so a failure leaves the output folder as it was.
type RenderCommand struct{ Streams }

// Run implements Command.
func (c *RenderCommand) Run(ctx context.Context, args []string) error {
	fs := newFlagSet("render", "--asl ASL --pharmacy P --vat V --name NAME --month YYYY-MM [flags] -o DIR", c.Stdout)
	region := fs.String("region", sheet.DefaultRegion, "region code, 3 digits")
	regionLabel := fs.String("region-label", "", "label printed after the title (default: \"Regione <name of the region code>\")")
	asl := fs.String("asl", "", "ASL code, 3 digits (required)")
	pharmacy := fs.String("pharmacy", "", "pharmacy code, 5 digits (required)")
	vat := fs.String("vat", "", "VAT number (11 digits) or tax code (16 characters) (required)")
	name := fs.String("name", "", "pharmacy name (required)")
	month := fs.String("month", "", "competence month YYYY-MM (required)")
	sheets := fs.Int("sheets", 1, "number of sheets")
	first := fs.Int("first", 0, "progressive of the first sheet; printed in the box when given, else the box is left for handwriting")
	dispensario := fs.Bool("dispensario", false, "sheets of a dispensario: progressives get a D prefix")
	var count optionalInt
	fs.Var(&count, "count", "fustelle count `N` (0-28) to print in the box; not given, the box is left for handwriting")
	format := fs.String("format", "pdf", "output format: pdf (one multi-page file for several sheets) or png (one file per sheet)")
	dpi := fs.Float64("dpi", 300, "resolution of PNG output")
	tailDigits := fs.Bool("tail-digits", false, "print the code's digits under the tail barcode too")
	fieldFont := fs.String("field-font", "", "TrueType/OpenType file of the face the progressive and count are printed in, as a pharmacy's software would (default: Go Sans Bold)")
	fieldSize := fs.Float64("field-size", 0, "size in mm the progressive and count are printed at (default 4.5, centred in the box when given)")
	out := fs.String("o", "", "output folder (required)")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	for _, req := range []struct{ flag, val string }{{"asl", *asl}, {"pharmacy", *pharmacy}, {"vat", *vat}, {"name", *name}, {"month", *month}, {"o", *out}} {
		if req.val == "" {
			return usagef("render: --%s is required", req.flag)
		}
	}
	m, y, err := sheet.ParseCompetence(*month)
	if err != nil {
		return usagef("render: --month: %v", err)
	}
	code, err := sheet.NewCode(*region, *asl, *pharmacy, m, y)
	if err != nil {
		return usagef("render: %v", err)
	}
	if err := sheet.ValidateVAT(strings.ToUpper(*vat)); err != nil {
		return usagef("render: --vat: %v", err)
	}
	if *sheets < 1 || *sheets > 1000 {
		return usagef("render: --sheets %d out of range 1-1000", *sheets)
	}
	if *first < 0 || *first+*sheets-1 > sheet.MaxProgressive {
		return usagef("render: --first %d: progressives would run out of range 1-%d", *first, sheet.MaxProgressive)
	}
	if *dispensario && *first == 0 {
		*first = 1
	}
	if count.set && (count.n < 0 || count.n > layout.SlotCount) {
		return usagef("render: --count %d out of range 0-%d", count.n, layout.SlotCount)
	}
	if *format != "pdf" && *format != "png" {
		return usagef("render: --format %q: want pdf or png", *format)
	}
	if *dpi < 72 || *dpi > 1200 {
		return usagef("render: --dpi %g out of range 72-1200", *dpi)
	}
	label := *regionLabel
	if label == "" {
		n, ok := sheet.RegionName(*region)
		if !ok {
			return usagef("render: --region %s is not a region code of the national health flows (010 Piemonte ... 200 Sardegna); give --region-label to print a title label for it", *region)
		}
		label = "Regione " + n
	}
	if err := checkWritableDir(*out); err != nil {
		return err
	}

	var face *typeface.Font
	if *fieldFont != "" {
		f, err := typeface.Load(*fieldFont)
		if err == nil {
			// A font Go's sfnt cannot draw a digit of (Debian's OCRB.otf:
			// its 8) would print the fields without it.
			err = f.Draws("0123456789D")
		}
		if err != nil {
			return usagef("render: --field-font: %v", err)
		}
		face = &f
	}
	if *fieldSize < 0 || *fieldSize > 7 {
		return usagef("render: --field-size %g out of range 0-7 mm", *fieldSize)
	}
	l := layout.Current()
	var list []render.Sheet
	for i := 0; i < *sheets; i++ {
		s := render.Sheet{Code: code, VAT: strings.ToUpper(*vat), Name: *name, RegionLabel: label, TailDigits: *tailDigits, FieldFont: face, FieldSize: *fieldSize}
		if *first > 0 {
			s.Progressive = &sheet.Progressive{N: *first + i, Dispensario: *dispensario}
		}
		if count.set {
			n := count.n
			s.Count = &n
		}
		if err := s.Validate(); err != nil {
			return usagef("render: %v", err)
		}
		list = append(list, s)
	}

	// Render everything before writing anything.
	type file struct {
		name string
		data []byte
	}
	var files []file
	base := "regfus-" + code.String()
	switch {
	case *format == "pdf" && len(list) > 1:
		var b bytes.Buffer
		if err := render.WritePDF(&b, l, list); err != nil {
			return err
		}
		files = append(files, file{fmt.Sprintf("%s-%s.pdf", base, rangeName(list)), b.Bytes()})
	default:
		for i, s := range list {
			if err := ctx.Err(); err != nil {
				return err
			}
			var b bytes.Buffer
			ext := *format
			if *format == "pdf" {
				if err := render.WritePDF(&b, l, []render.Sheet{s}); err != nil {
					return err
				}
			} else {
				img, err := render.Image(l, s, *dpi)
				if err != nil {
					return err
				}
				if err := render.WritePNG(&b, img, *dpi); err != nil {
					return err
				}
			}
			files = append(files, file{fmt.Sprintf("%s-%s.%s", base, sheetName(s, i), ext), b.Bytes()})
		}
	}

	// Write under temporary names, then rename; undo on failure.
	var temps []string
	cleanup := func() {
		for _, t := range temps {
			os.Remove(t)
		}
	}
	for _, f := range files {
		tmp, err := os.CreateTemp(*out, ".regfus-render-*")
		if err != nil {
			cleanup()
			return fmt.Errorf("render: %w", err)
		}
		temps = append(temps, tmp.Name())
		// CreateTemp makes the file private (0600); a rendered sheet is a
		// document for printing, readable as any file the user writes.
		merr := tmp.Chmod(0o644)
		_, werr := tmp.Write(f.data)
		werr = firstErr(merr, werr)
		cerr := tmp.Close()
		if werr != nil || cerr != nil {
			cleanup()
			return fmt.Errorf("render: writing %s: %v", filepath.Join(*out, f.name), firstErr(werr, cerr))
		}
	}
	for i, f := range files {
		dst := filepath.Join(*out, f.name)
		if err := os.Rename(temps[i], dst); err != nil {
			cleanup()
			return fmt.Errorf("render: %w", err)
		}
		fmt.Fprintln(c.Stdout, dst)
	}
	return nil
}

func sheetName(s render.Sheet, i int) string {
	if s.Progressive != nil {
		return "p" + s.Progressive.String()
	}
	return fmt.Sprintf("%d", i+1)
}

func rangeName(list []render.Sheet) string {
	a, b := list[0], list[len(list)-1]
	if a.Progressive == nil {
		return fmt.Sprintf("%d-sheets", len(list))
	}
	return "p" + a.Progressive.String() + "-" + b.Progressive.String()
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// checkWritableDir makes sure dir exists (creating it) and accepts files.
func checkWritableDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("output folder %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, ".regfus-probe-*")
	if err != nil {
		return fmt.Errorf("output folder %s is not writable: %w", dir, err)
	}
	f.Close()
	return os.Remove(f.Name())
}
