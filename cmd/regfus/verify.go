package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"

	"github.com/regfus/regfus/internal/atomicfile"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/reconcile"
	"github.com/regfus/regfus/records"
	"github.com/regfus/regfus/report"
)

func init() {
	register("verify", "reconcile scanned sheets against DCR declarations and dispensing records", func(s Streams) Command { return &VerifyCommand{Streams: s} })
}

// scanPaths reads the scans under paths (files or folders) with the given
// number of workers and returns one result per page. It is set by the
// acquisition code; in a build without it, it is nil and verify asks for
// --results instead.
var scanPaths func(ctx context.Context, paths []string, workers int) ([]page.Result, error)

// errNoScanner is returned when PATHs are given and scanPaths is nil.
var errNoScanner = errors.New("verify: scanning not available in this build; pass --results with the output of 'regfus scan'")

// VerifyCommand reconciles page results (from --results files, or read
// from PATHs) against a declarations file and a records file, and writes
// the report. A bad declarations or records file is rejected whole with
// every problem listed, and no report is written.
type VerifyCommand struct{ Streams }

// listFlag is a flag that may be given several times.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

// Run implements Command.
func (c *VerifyCommand) Run(ctx context.Context, args []string) error {
	fs := newFlagSet("verify", "--declarations F --records F [--results F]... [PATH...] [--format json|csv|payable-csv|html] [-o FILE]", c.Stdout)
	declPath := fs.String("declarations", "", "DCR REGFUS declarations, CSV or JSON (required)")
	recPath := fs.String("records", "", "dispensing records, CSV or JSON (required)")
	var results listFlag
	fs.Var(&results, "results", "page results as printed by 'regfus scan' (NDJSON; - for stdin); may be repeated")
	formatName := fs.String("format", "json", "report format: json, csv (findings), payable-csv or html")
	outPath := fs.String("o", "", "write the report to `FILE` instead of stdout")
	workers := fs.Int("workers", runtime.NumCPU(), "pages read in parallel when scanning PATHs")
	paths, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	switch {
	case *declPath == "":
		return usagef("verify: --declarations is required")
	case *recPath == "":
		return usagef("verify: --records is required")
	case len(results) == 0 && len(paths) == 0:
		return usagef("verify: nothing to verify: give scans (PATH...) or --results")
	case *workers < 1 || *workers > 256:
		return usagef("verify: --workers %d out of range 1-256", *workers)
	}
	format, err := report.ParseFormat(*formatName)
	if err != nil {
		return usagef("verify: %v", err)
	}
	if n := stdinCount(results); n > 1 {
		return usagef("verify: --results - given %d times", n)
	}
	if len(paths) > 0 && scanPaths == nil {
		return errNoScanner
	}

	// Imports first: they are cheap, and a bad file stops everything.
	decls, errD := records.LoadDeclarations(*declPath)
	recs, errR := records.LoadRecords(*recPath)
	if err := errors.Join(errD, errR); err != nil {
		return err
	}
	var pages []page.Result
	for _, name := range results {
		ps, err := c.loadResults(name)
		if err != nil {
			return err
		}
		pages = append(pages, ps...)
	}
	if len(paths) > 0 {
		ps, err := scanPaths(ctx, paths, *workers)
		if err != nil {
			return fmt.Errorf("verify: %w", err)
		}
		pages = append(pages, ps...)
	}

	rep, err := reconcile.Reconcile(reconcile.Input{Pages: pages, Declarations: decls, Records: recs})
	if err != nil {
		return err
	}
	if err := c.write(rep, format, *outPath); err != nil {
		return err
	}
	where := "stdout"
	if *outPath != "" {
		where = *outPath
	}
	fmt.Fprintf(c.Stderr, "verify: %d pages, %d records, %d pharmacy-months: %d findings, %d payable; %s report in %s\n",
		rep.Totals.Pages, len(recs), len(rep.Groups), findingCount(rep), rep.Totals.Payable, format, where)
	return nil
}

func findingCount(rep *reconcile.Report) int {
	n := len(rep.Findings)
	for _, g := range rep.Groups {
		n += len(g.Findings)
	}
	return n
}

// write renders the report to path (atomically: a temporary file renamed
// into place, so a failed run never leaves half a report) or to stdout.
func (c *VerifyCommand) write(rep *reconcile.Report, f report.Format, path string) error {
	if path == "" {
		return report.Write(c.Stdout, rep, f)
	}
	err := atomicfile.Write(path, 0o644, func(out *os.File) error {
		w := bufio.NewWriter(out)
		if err := report.Write(w, rep, f); err != nil {
			return err
		}
		return w.Flush()
	})
	if err != nil {
		return fmt.Errorf("verify: writing %s: %w", path, err)
	}
	return nil
}

func (c *VerifyCommand) loadResults(name string) ([]page.Result, error) {
	r := c.Stdin
	if name == "-" {
		name = "stdin"
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("verify: %w", err)
		}
		defer f.Close()
		r = f
	}
	res, err := page.ReadResults(r, name)
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	return res, nil
}

// parseInterspersed parses flags given before, between or after the
// positional arguments (regfus verify --records r.csv scans/ --format html),
// and returns the positional ones. After "--" everything is positional.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}
