package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"syscall"
	"time"

	"github.com/regfus/regfus/internal/cputime"
	"github.com/regfus/regfus/scanfile"
	"github.com/regfus/regfus/synth"
)

func init() {
	register("bench", "measure scan speed and memory on a generated office corpus", func(s Streams) Command { return &BenchCommand{Streams: s} })
}

// BenchCommand generates a corpus of synthetic office scans (package
// synth), times decoding alone (the floor any reader stands on), then runs
// `regfus scan` on it in a child process, so that the peak resident memory
// reported is the scan's own and not the generator's, with a CPU profile
// that gives the CPU per stage of the pipeline (see benchstages.go).
type BenchCommand struct{ Streams }

// Run implements Command.
func (c *BenchCommand) Run(ctx context.Context, args []string) error {
	fs := newFlagSet("bench", "[--pages N] [--workers N] [--dir DIR] [--no-ocr] [--cpu-profile FILE]", c.Stdout)
	pages := fs.Int("pages", 200, "pages to generate")
	workers := fs.Int("workers", runtime.NumCPU(), "scan workers")
	dir := fs.String("dir", "", "corpus folder: reused when it holds a corpus, else generated there (default: a temporary folder, removed after)")
	profile := fs.String("profile", "office", "scan profile(s) of the generated corpus")
	noOCR := fs.Bool("no-ocr", false, "scan without the OCR cross-check")
	keep := fs.String("cpu-profile", "", "keep the scan's CPU profile in this file (for go tool pprof; default: a temporary file, removed)")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if *pages < 1 || *pages > 5000 {
		return usagef("bench: --pages %d out of range 1-5000", *pages)
	}
	profs, err := synth.ParseProfiles(*profile)
	if err != nil {
		return usagef("bench: --profile: %v", err)
	}
	corpus := *dir
	if corpus == "" {
		tmp, err := os.MkdirTemp("", "regfus-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		corpus = tmp
	}
	if _, _, err := synth.LoadCorpus(corpus); err != nil {
		start := time.Now()
		m, err := synth.Generate(ctx, synth.Options{Dir: corpus, Pages: *pages, Seed: 1, Profiles: profs, Workers: *workers})
		if err != nil {
			return fmt.Errorf("bench: generating the corpus: %w", err)
		}
		fmt.Fprintf(c.Stdout, "corpus: %d pages in %d files (%.1f MB), generated in %s\n", m.Pages, len(m.Files), float64(m.Bytes)/1e6, time.Since(start).Round(time.Millisecond))
	}
	truths, paths, err := synth.LoadCorpus(corpus)
	if err != nil {
		return err
	}
	var files []string
	for _, p := range paths {
		files = append(files, synth.ImagePath(p, truths[p]))
	}

	// Decode-only floor, in this process, one goroutine. Its CPU counts
	// the poppler processes a PDF is rendered by.
	start, cpu0 := time.Now(), cputime.WithChildren()
	n := 0
	for _, err := range scanfile.All(ctx, files, scanOptions(0)) {
		if err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		n++
	}
	dec, decCPU := time.Since(start), cputime.WithChildren()-cpu0
	fmt.Fprintf(c.Stdout, "decode only: %d pages in %s: %.1f pages/s on one core; CPU %.1f ms/page (poppler included)\n",
		n, dec.Round(time.Millisecond), float64(n)/dec.Seconds(), float64(decCPU.Microseconds())/1000/float64(n))

	exe, err := os.Executable()
	if err != nil {
		return err
	}
	profPath := *keep
	if profPath == "" {
		prof, err := os.CreateTemp("", "regfus-bench-*.pprof")
		if err != nil {
			return err
		}
		prof.Close()
		defer os.Remove(prof.Name())
		profPath = prof.Name()
	}
	sargs := []string{"scan", "--workers", fmt.Sprint(*workers), "--progress", "never", "--cpu-profile", profPath}
	if *noOCR {
		sargs = append(sargs, "--no-ocr")
	}
	cmd := exec.CommandContext(ctx, exe, append(sargs, files...)...)
	cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
	cmd.Stderr = c.Stderr
	start = time.Now()
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("bench: regfus scan: %w", err)
	}
	wall := time.Since(start)
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	fmt.Fprintf(c.Stdout, "scan (%d workers, OCR %v): %d pages in %s: %.2f pages/s; CPU %.0f ms/page\n",
		*workers, !*noOCR, n, wall.Round(time.Millisecond), float64(n)/wall.Seconds(), float64(cpu.Milliseconds())/float64(n))
	if ru != nil {
		fmt.Fprintf(c.Stdout, "peak memory (max RSS of regfus scan): %.0f MB\n", float64(ru.Maxrss)/1024)
	}
	stages, all, err := cpuByStage(profPath)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	printStages(c.Stdout, stages, all, n)
	return nil
}
