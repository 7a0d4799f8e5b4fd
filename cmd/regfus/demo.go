package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"

	"github.com/regfus/regfus/demo"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/reconcile"
	"github.com/regfus/regfus/sheet"
)

func init() {
	register("demo", "run the main job end to end on a synthetic month: render, scan, read, reconcile, report", func(s Streams) Command { return &DemoCommand{Streams: s} })
}

// DemoCommand runs the whole job on a demonstration month: it writes the
// synthetic scans of a pharmacy's sheets with their declaration and records
// (with a few discrepancies on purpose), reads the scans back, reconciles and
// writes the reports, then says what was found against what was injected.
//
// It is a composition of the real commands (synth, scan, verify), run
// in-process on the files it writes, so what it shows is what a user gets.
type DemoCommand struct{ Streams }

// Run implements Command.
func (c *DemoCommand) Run(ctx context.Context, args []string) error {
	fs := newFlagSet("demo", "[-o DIR] [--sheets N] [--seed S]", c.Stdout)
	out := fs.String("o", "demo-out", "output folder")
	sheets := fs.Int("sheets", 12, "sheets in the demo month")
	seed := fs.Uint64("seed", 7, "random seed")
	workers := fs.Int("workers", runtime.NumCPU(), "pages processed in parallel")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if *sheets < 2 || *sheets > 500 {
		return usagef("demo: --sheets %d out of range 2-500", *sheets)
	}
	if err := checkWritableDir(*out); err != nil {
		return err
	}
	say := func(format string, a ...any) { fmt.Fprintf(c.Stderr, format+"\n", a...) }

	say("demo: 1/4 rendering and scanning %d sheets of pharmacy %s-205-99999 for 2024-03 ...", *sheets, sheet.DefaultRegion)
	m, err := demo.Build(ctx, demo.Options{
		Dir: *out, Sheets: *sheets, Seed: *seed, Workers: *workers,
		Region: sheet.DefaultRegion, ASL: "205", Pharmacy: "99999", Month: 3, Year: 2024,
	})
	if err != nil {
		return err
	}
	say("demo:     %d pages with %d fustelle in %s; declaration and records with %d discrepancies on purpose", m.Pages, m.Fustelle, m.Scans, len(m.Injected))

	say("demo: 2/4 reading the scans back (regfus scan) ...")
	results := filepath.Join(*out, "results.ndjson")
	if err := c.runTo(ctx, results, &ScanCommand{}, "--workers", strconv.Itoa(*workers), "--progress", "never", m.Scans); err != nil {
		return err
	}

	say("demo: 3/4 reconciling (regfus verify) ...")
	reports := map[string]string{"html": "report.html", "json": "report.json", "csv": "findings.csv", "payable-csv": "payable.csv"}
	for _, f := range []string{"json", "html", "csv", "payable-csv"} {
		v := &VerifyCommand{Streams: Streams{Stdin: c.Stdin, Stdout: io.Discard, Stderr: io.Discard}}
		if err := v.Run(ctx, []string{"--declarations", m.Declarations, "--records", m.Records, "--results", results,
			"--format", f, "-o", filepath.Join(*out, reports[f])}); err != nil {
			return err
		}
	}

	say("demo: 4/4 summary")
	if err := c.summary(filepath.Join(*out, "report.json"), results, m); err != nil {
		return err
	}
	html, _ := filepath.Abs(filepath.Join(*out, "report.html"))
	fmt.Fprintf(c.Stdout, "\nHTML report: %s\n", html)
	return nil
}

// runTo runs a command with its stdout sent to a file.
func (c *DemoCommand) runTo(ctx context.Context, path string, cmd interface {
	Command
	setStreams(Streams)
}, args ...string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	cmd.setStreams(Streams{Stdin: c.Stdin, Stdout: f, Stderr: c.Stderr})
	runErr := cmd.Run(ctx, args)
	if err := firstErr(runErr, f.Close()); err != nil {
		return err
	}
	return nil
}

func (s *ScanCommand) setStreams(st Streams) { s.Streams = st }

func (c *DemoCommand) summary(reportPath, resultsPath string, m *demo.Month) error {
	data, err := os.ReadFile(reportPath)
	if err != nil {
		return err
	}
	var rep struct {
		Groups []reconcile.Group `json:"groups"`
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		return fmt.Errorf("demo: %s: %w", reportPath, err)
	}
	f, err := os.Open(resultsPath)
	if err != nil {
		return err
	}
	defer f.Close()
	results, err := page.ReadResults(f, resultsPath)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	statuses := map[page.Status]int{}
	for _, r := range results {
		statuses[r.Status]++
	}
	fmt.Fprintf(c.Stdout, "pages read: %d ok, %d review, %d rejected\n", statuses[page.OK], statuses[page.Review], statuses[page.Rejected])
	kinds := map[string]int{}
	for _, g := range rep.Groups {
		fmt.Fprintf(c.Stdout, "%s %s: sheets %s; %d fustelle payable\n", g.Pharmacy, g.Competence, g.SheetCount(), len(g.Payable))
		for _, f := range g.Findings {
			kinds[string(f.Kind)]++
		}
	}
	var names []string
	for k := range kinds {
		names = append(names, k)
	}
	sort.Strings(names)
	fmt.Fprintln(c.Stdout, "findings:")
	for _, k := range names {
		fmt.Fprintf(c.Stdout, "  %-22s %d\n", k, kinds[k])
	}
	fmt.Fprintln(c.Stdout, "injected on purpose (each should appear above):")
	for _, d := range m.Injected {
		mark := "found"
		if kinds[d.Kind] == 0 {
			mark = "NOT FOUND (the page holding it may be in review: see the report)"
		}
		fmt.Fprintf(c.Stdout, "  %-22s %s - %s\n", d.Kind, mark, d.Detail)
	}
	return nil
}
