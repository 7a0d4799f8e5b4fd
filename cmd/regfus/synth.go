package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/regfus/regfus/sheet"
	"github.com/regfus/regfus/synth"
)

func init() {
	register("synth", "write synthetic filled, scanned sheets with their ground truth", func(s Streams) Command { return &SynthCommand{Streams: s} })
}

// SynthCommand writes a synthetic corpus: filled sheets scanned through the
// named profiles, each image with a .truth.json next to it (package synth).
type SynthCommand struct{ Streams }

// Run implements Command.
func (c *SynthCommand) Run(ctx context.Context, args []string) error {
	fs := newFlagSet("synth", "-o DIR [-n PAGES] [--seed S] [--profile P[,P...]|all] [--designs D[,D...]|all] [--degrade magick] [--workers N] [--asl A --pharmacy P --month YYYY-MM --region R]", c.Stdout)
	dir := fs.String("o", "", "output directory (created if missing)")
	n := fs.Int("n", 16, "number of pages (sheets) to write")
	seed := fs.String("seed", "1", "random seed (unsigned integer); same seed and flags give the same bytes")
	profile := fs.String("profile", "all", "scan profile, comma-separated list, or all (cycled file by file)")
	designs := fs.String("designs", "", "label designs, comma-separated list or all (default: classic alone, the committed corpus's design); see synth.Designs")
	degrade := fs.String("degrade", "", "after the scan, degrade every page with another tool: magick (ImageMagick convert: blur, noise, JPEG round trip)")
	workers := fs.Int("workers", runtime.NumCPU(), "pages rendered in parallel")
	region := fs.String("region", sheet.DefaultRegion, "region code (3 digits)")
	asl := fs.String("asl", "", "ASL code (3 digits); with --pharmacy, every sheet is that pharmacy's (default: three seeded pharmacies)")
	pharmacy := fs.String("pharmacy", "", "pharmacy code (5 digits)")
	month := fs.String("month", "", "competence month YYYY-MM (default: drawn from the seed)")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if *dir == "" {
		return usagef("synth: -o DIR is required")
	}
	if *n < 0 {
		return usagef("synth: -n %d: the page count cannot be negative", *n)
	}
	if *workers < 1 {
		return usagef("synth: --workers %d: need at least 1", *workers)
	}
	s, err := strconv.ParseUint(*seed, 10, 64)
	if err != nil {
		return usagef("synth: --seed %q: want an unsigned integer", *seed)
	}
	profs, err := synth.ParseProfiles(*profile)
	if err != nil {
		return usagef("synth: --profile: %v", err)
	}
	o := synth.Options{Dir: *dir, Pages: *n, Seed: s, Profiles: profs, Workers: *workers, Region: *region, ASL: *asl, Pharmacy: *pharmacy}
	if o.Degrade, err = synth.ParseDegrade(*degrade); err != nil {
		return usagef("synth: --degrade: %v", err)
	}
	if *designs != "" {
		if o.Designs, err = synth.ParseDesigns(*designs); err != nil {
			return usagef("synth: --designs: %v", err)
		}
	}
	if *month != "" {
		m, y, err := sheet.ParseCompetence(*month)
		if err != nil {
			return usagef("synth: --month: %v", err)
		}
		o.Month, o.Year = m, y
	}
	if *asl != "" || *pharmacy != "" {
		if _, err := sheet.NewCode(*region, orDefault(*asl, "205"), orDefault(*pharmacy, "99999"), 1, 2023); err != nil {
			return usagef("synth: %v", err)
		}
	} else if err := sheet.ValidateDigits("region", *region, 3); err != nil {
		return usagef("synth: --region: %v", err)
	}

	if f, ok := c.Stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		bar := progressbar.NewOptions(*n,
			progressbar.OptionSetWriter(f),
			progressbar.OptionSetDescription("synth"),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("pages"),
			progressbar.OptionClearOnFinish(),
		)
		o.Progress = func() { _ = bar.Add(1) }
		defer bar.Finish()
	}
	start := time.Now()
	m, err := synth.Generate(ctx, o)
	if err != nil {
		return err
	}
	el := time.Since(start)
	fmt.Fprintf(c.Stdout, "wrote %d pages in %d files to %s (%.1f MB) in %s: %.2f pages/s\n",
		m.Pages, len(m.Files), *dir, float64(m.Bytes)/1e6, el.Round(time.Millisecond), float64(m.Pages)/el.Seconds())
	return nil
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
