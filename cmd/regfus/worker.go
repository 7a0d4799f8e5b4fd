package main

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"

	"github.com/regfus/regfus/process"
)

func init() {
	register("worker", "read queued pages: River jobs on PostgreSQL, or the pages of an embedded store in --data", func(s Streams) Command { return &WorkerCommand{Streams: s} })
}

// WorkerCommand runs page workers only, no HTTP API. With PostgreSQL it
// is a River client working the page jobs that `regfus serve` inserts; run
// as many as you like, on as many machines as reach the database: the
// originals are in it too (package blob/pgblob; each machine keeps a read
// cache in --data). With the embedded store it
// is an in-process pool claiming the pages of the SQLite database in
// --data (normally `regfus serve` runs that pool itself).
//
// SIGINT/SIGTERM stop it gracefully: pages in progress get --grace to
// finish, then are handed back to the queue.
//
// A worker needs no periodic restart: its OCR clients' memory stays flat
// however many pages it reads (package tesseract, TestNoLeak; gosseract,
// used before, lost about 1 KB of C memory per OCR call). A SIGTERM is
// graceful in any case, and River hands any job cut short to another
// worker, so nothing is lost or read twice.
type WorkerCommand struct{ Streams }

// Run implements Command.
func (c *WorkerCommand) Run(ctx context.Context, args []string) error {
	fs := newFlagSet("worker", "[--data DIR] [--database-url URL] [--workers N]", c.Stdout)
	sf := addBlobFlags(fs)
	workers := fs.Int("workers", runtime.NumCPU(), "pages read at once (the CPU-heavy part is bounded by the cores in any case)")
	ef := addEngineFlags(fs)
	metricsAddr := fs.String("metrics-addr", "", "serve Prometheus metrics on this address (e.g. :9101); empty: none")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if *workers < 1 || *workers > 256 {
		return usagef("worker: --workers %d out of range 1-256", *workers)
	}
	if err := ef.check("worker"); err != nil {
		return err
	}
	if err := ef.setUpOCR(); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(c.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))

	be, err := sf.openBackend(ctx)
	if err != nil {
		return err
	}
	defer be.store.Close()
	eng, err := process.New(ef.config(be, *workers, log))
	if err != nil {
		return err
	}
	if *metricsAddr != "" {
		stop, err := serveMetrics(*metricsAddr, eng.Metrics(), log)
		if err != nil {
			return err
		}
		defer stop()
	}
	log.Info("worker started", "store", sf.describe(), "mode", queueMode(eng), "workers", *workers)
	err = eng.Run(ctx)
	log.Info("worker stopped")
	if err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	return nil
}
