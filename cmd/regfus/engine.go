package main

import (
	"flag"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/regfus/regfus/acquisition"
	"github.com/regfus/regfus/process"
)

// engineFlags are the flags of the two commands that run the processing
// engine, serve and worker: how pages are claimed, retried, decoded and
// read, and how long a shutdown waits. A server and its workers should be
// given the same values.
type engineFlags struct {
	lease, jobTimeout, rescueAfter, grace time.Duration
	pdfDPI                                int
	noOCR                                 bool
}

// addEngineFlags registers the engine's flags on fs.
func addEngineFlags(fs *flag.FlagSet) *engineFlags {
	f := &engineFlags{}
	fs.DurationVar(&f.grace, "grace", process.DefaultShutdownGrace, "on shutdown, how long requests and pages in progress may finish before pages are handed back to the queue")
	fs.DurationVar(&f.lease, "lease", process.DefaultLease, "embedded store: how long a claimed page is held without a heartbeat (after a crash, its pages wait this long)")
	fs.DurationVar(&f.jobTimeout, "job-timeout", process.DefaultJobTimeout, "PostgreSQL: a page job running longer is cancelled and retried")
	fs.DurationVar(&f.rescueAfter, "rescue-after", 0, "PostgreSQL: a job still running after this long (its worker died) is retried (default job-timeout + 1m)")
	fs.IntVar(&f.pdfDPI, "pdf-dpi", 0, "resolution PDF pages are rasterised at; 0: a scanned page at its own, any other at 200 (the same for the server and its workers)")
	fs.BoolVar(&f.noOCR, "no-ocr", false, "read codes from their bars only (faster; fewer values confirmed)")
	return f
}

// check validates the flags; cmd names the command in the messages.
func (f *engineFlags) check(cmd string) error {
	switch {
	case f.grace < 0:
		return usagef("%s: --grace %s: want at least 0", cmd, f.grace)
	case f.lease < time.Second:
		return usagef("%s: --lease %s: want at least 1s", cmd, f.lease)
	case f.rescueAfter != 0 && f.rescueAfter < f.jobTimeout:
		return usagef("%s: --rescue-after %s is shorter than --job-timeout %s", cmd, f.rescueAfter, f.jobTimeout)
	}
	return nil
}

// setUpOCR makes sure Tesseract runs one thread when pages are read with
// OCR (see singleThreadOCR); call it before anything else is started.
func (f *engineFlags) setUpOCR() error {
	if f.noOCR {
		return nil
	}
	return singleThreadOCR()
}

// config is the engine's configuration on be with these flags, workers
// pages read at once (process.Config.Workers).
func (f *engineFlags) config(be *backend, workers int, log *slog.Logger) process.Config {
	cfg := process.Config{
		Store: be.store, Blobs: be.blobs, Queue: be.queue, Workers: workers,
		Lease: f.lease, JobTimeout: f.jobTimeout, RescueAfter: f.rescueAfter, ShutdownGrace: f.grace,
		Scan: scanOptions(f.pdfDPI), Logger: log,
	}
	if f.noOCR {
		cfg.NewReader = func() (*acquisition.Reader, error) { return acquisition.NewReader(nil), nil }
	}
	return cfg
}

// queueMode names how the engine's pages are queued, for the start-up log
// of serve and worker.
func queueMode(eng *process.Engine) string {
	if eng.UsesRiver() {
		return "River"
	}
	return "in-process pool"
}

// metricsRegistry is a registry with the engine's metrics and the Go
// runtime's and the process's.
func metricsRegistry(m *process.Metrics) (*prometheus.Registry, error) {
	reg := prometheus.NewRegistry()
	if err := m.Register(reg); err != nil {
		return nil, err
	}
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg, nil
}
