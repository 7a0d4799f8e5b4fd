package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/google/pprof/profile"

	"github.com/regfus/regfus/acquisition"
)

// The per-stage CPU breakdown of `regfus bench`. The scan child process
// writes a CPU profile (scan --cpu-profile); the reader runs each stage of
// the pipeline under a pprof label (acquisition.StageLabel: decode, image,
// geometry, identity, slots, handwriting, output), and a sample's stack
// says which package the stage was in when it was taken: the first package
// of this module below the reader on the stack (tesseract, barcode,
// vision, icr, ...), counted from the root, so Tesseract's own C++ frames
// and the allocations made for it count as tesseract. Samples the
// reader never reached (the garbage collector's workers, the result
// encoder) are "(none)". The profiler samples every thread at 100 Hz, cgo
// calls included, so the totals are within a few percent of the process's
// CPU time.

// stageCPU is the CPU time of one stage, in all and per package.
type stageCPU struct {
	stage string
	total int64 // nanoseconds
	pkgs  map[string]int64
}

// modulePrefix is this module's import path prefix.
const modulePrefix = "github.com/regfus/regfus/"

// cpuByStage reads a CPU profile and sums its samples per stage and
// package, largest stage first.
func cpuByStage(path string) ([]stageCPU, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	p, err := profile.Parse(f)
	if err != nil {
		return nil, 0, fmt.Errorf("cpu profile %s: %w", path, err)
	}
	vi := -1
	for i, st := range p.SampleType {
		if st.Type == "cpu" && st.Unit == "nanoseconds" {
			vi = i
		}
	}
	if vi < 0 {
		return nil, 0, fmt.Errorf("cpu profile %s: no cpu/nanoseconds sample type", path)
	}
	by := map[string]*stageCPU{}
	var all int64
	for _, s := range p.Sample {
		stage := "(none)"
		if v := s.Label[acquisition.StageLabel]; len(v) > 0 {
			stage = v[0]
		}
		sc := by[stage]
		if sc == nil {
			sc = &stageCPU{stage: stage, pkgs: map[string]int64{}}
			by[stage] = sc
		}
		ns := s.Value[vi]
		sc.total += ns
		sc.pkgs[samplePackage(s)] += ns
		all += ns
	}
	var out []stageCPU
	for _, sc := range by {
		out = append(out, *sc)
	}
	slices.SortFunc(out, func(a, b stageCPU) int { return int(b.total - a.total) })
	return out, all, nil
}

// samplePackage names the package a sample is attributed to: from the
// root of the stack, the first function of this module outside the
// reader (acquisition) and the command; "acquisition" when the stack
// never leaves them; "runtime" when it has no function of this module.
func samplePackage(s *profile.Sample) string {
	inReader := false
	for i := len(s.Location) - 1; i >= 0; i-- {
		lines := s.Location[i].Line
		for j := len(lines) - 1; j >= 0; j-- {
			if lines[j].Function == nil {
				continue
			}
			name, ok := strings.CutPrefix(lines[j].Function.Name, modulePrefix)
			if !ok {
				continue
			}
			pkg := name
			if k := strings.Index(pkg, "."); k >= 0 {
				pkg = pkg[:k]
			}
			switch pkg {
			case "acquisition", "cmd/regfus":
				inReader = inReader || pkg == "acquisition"
				continue
			}
			return pkg
		}
	}
	if inReader {
		return "acquisition"
	}
	return "runtime"
}

// printStages writes the breakdown in milliseconds of CPU per page.
func printStages(w io.Writer, stages []stageCPU, all int64, pages int) {
	ms := func(ns int64) float64 { return float64(ns) / 1e6 / float64(pages) }
	fmt.Fprintf(w, "CPU by stage (profile of regfus scan, %.0f ms/page sampled; ms/page, then by package):\n", ms(all))
	for _, sc := range stages {
		type kv struct {
			k string
			v int64
		}
		var parts []kv
		for k, v := range sc.pkgs {
			parts = append(parts, kv{k, v})
		}
		slices.SortFunc(parts, func(a, b kv) int { return int(b.v - a.v) })
		var b strings.Builder
		for i, p := range parts {
			if ms(p.v) < 0.05 {
				break
			}
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%s %.1f", p.k, ms(p.v))
		}
		fmt.Fprintf(w, "  %-12s %7.1f  %4.1f%%  %s\n", sc.stage, ms(sc.total), 100*float64(sc.total)/float64(max(all, 1)), b.String())
	}
}
