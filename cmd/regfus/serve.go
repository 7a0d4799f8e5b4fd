package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/regfus/regfus/api"
	"github.com/regfus/regfus/api/bind"
	"github.com/regfus/regfus/process"
	"github.com/regfus/regfus/ui"
)

func init() {
	register("serve", "run the REST service (SQLite in --data, or PostgreSQL with --database-url)", func(s Streams) Command { return &ServeCommand{Streams: s} })
}

// ServeCommand runs the REST API of SPEC section 7 together with the
// processing engine: an in-process pool on the embedded store; on
// PostgreSQL, River workers in this process (--workers 0 for none, when
// separate `regfus worker` processes do the reading).
//
// Start: the schema is migrated, the engine started (pending pages of the
// embedded store are resumed), then the listener opened. SIGINT/SIGTERM:
// the listener closes, event streams end (clients reconnect), requests in
// flight finish (up to --grace), then the engine lets pages in progress
// finish within --grace and hands the rest back to the queue. Logs are
// JSON lines on stderr.
type ServeCommand struct {
	Streams
	// ready, when set (tests), receives the listening address.
	ready chan<- string
}

// Run implements Command.
func (c *ServeCommand) Run(ctx context.Context, args []string) error {
	fs := newFlagSet("serve", "[--addr 127.0.0.1:8080] [--tls-cert F --tls-key F] [--data DIR] [--database-url URL] [--workers N]", c.Stdout)
	sf := addBlobFlags(fs)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address (loopback by default: pass :8080 to listen on every interface)")
	tlsCert := fs.String("tls-cert", "", "serve HTTPS with this PEM certificate (chain); reloaded when the file changes")
	tlsKey := fs.String("tls-key", "", "the PEM private key of --tls-cert")
	workers := fs.Int("workers", runtime.NumCPU(), "pages read at once in this process; 0: none (separate 'regfus worker' processes on PostgreSQL)")
	maxQueue := fs.Int("max-queue", process.DefaultMaxQueue, "uploads get 503 with Retry-After while this many pages wait or run")
	maxUpload := fs.Int64("max-upload", 1<<30, "largest upload body, bytes (413 over it)")
	maxFiles := fs.Int("max-files", 1000, "most files in one upload")
	rate := fs.Float64("rate", 50, "requests per second allowed per API key on average (429 over it; 0: no limit)")
	burst := fs.Int("burst", 200, "requests per API key allowed in a burst")
	reqTimeout := fs.Duration("request-timeout", 30*time.Second, "time limit of an ordinary request")
	uploadTimeout := fs.Duration("upload-timeout", 10*time.Minute, "time limit of an upload, a check or an image")
	ef := addEngineFlags(fs)
	checkWaiting := fs.Int("check-waiting", 0, "POST /v1/check: how many checks may wait for a CPU slot at once; one more gets 503 with Retry-After (0: two per slot)")
	checkWait := fs.Duration("check-wait", process.DefaultCheckWait, "POST /v1/check: how long an admitted check waits for a CPU slot before 503")
	debug := fs.Bool("debug", false, "log at debug level")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	switch {
	case *workers < 0 || *workers > 256:
		return usagef("serve: --workers %d out of range 0-256", *workers)
	case *maxQueue < 1:
		return usagef("serve: --max-queue %d: want at least 1", *maxQueue)
	case *maxUpload < 1<<10:
		return usagef("serve: --max-upload %d: want at least 1024 bytes", *maxUpload)
	case *maxFiles < 1:
		return usagef("serve: --max-files %d: want at least 1", *maxFiles)
	case *rate < 0 || *burst < 1:
		return usagef("serve: --rate must be >= 0 and --burst >= 1")
	case *reqTimeout < time.Second || *uploadTimeout < time.Second:
		return usagef("serve: --request-timeout and --upload-timeout want at least 1s")
	case *checkWaiting < 0 || *checkWait < time.Second:
		return usagef("serve: --check-waiting wants at least 0 and --check-wait at least 1s")
	}
	if err := ef.check("serve"); err != nil {
		return err
	}
	if *addr == "" {
		return usagef("serve: --addr must not be empty")
	}
	if (*tlsCert == "") != (*tlsKey == "") {
		return usagef("serve: --tls-cert and --tls-key go together")
	}
	var certs *certReloader
	if *tlsCert != "" {
		var err error
		if certs, err = newCertReloader(*tlsCert, *tlsKey); err != nil {
			return usagef("serve: %v", err)
		}
	}
	if err := ef.setUpOCR(); err != nil {
		return err
	}
	level := slog.LevelInfo
	if *debug {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewJSONHandler(c.Stderr, &slog.HandlerOptions{Level: level}))

	be, err := sf.openBackend(ctx) // migrations at start
	if err != nil {
		return err
	}
	defer be.store.Close()
	ecfg := ef.config(be, *workers, log)
	ecfg.MaxQueue, ecfg.MaxCheckWaiting, ecfg.CheckWait = *maxQueue, *checkWaiting, *checkWait
	if *workers == 0 {
		ecfg.Workers = -1
	}
	eng, err := process.New(ecfg)
	if err != nil {
		return err
	}
	reg, err := metricsRegistry(eng.Metrics())
	if err != nil {
		return err
	}
	rl := api.RateLimit{PerSecond: *rate, Burst: *burst}
	if *rate == 0 {
		rl.PerSecond = -1
	}
	srv, err := api.New(bind.Engine{E: eng}.Config(api.Config{
		Store: be.store, Blobs: be.blobs, Logger: log, Registry: reg,
		Limits:    api.Limits{Upload: *maxUpload, MaxFiles: *maxFiles},
		Timeouts:  api.Timeouts{Request: *reqTimeout, Upload: *uploadTimeout},
		RateLimit: rl,
		Scan:      scanOptions(ef.pdfDPI),
	}))
	if err != nil {
		return err
	}
	// The web interface (/ui/), on the same server and permission rules.
	if _, err := ui.New(ui.Config{API: srv, Logger: log}); err != nil {
		return err
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	if err := eng.Start(ctx); err != nil {
		ln.Close()
		return err
	}
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		// Headers over api.MaxHeaderBytes get the service's JSON 431; this
		// higher cap is where the standard library stops reading (with its
		// plain-text 431), so no client makes the server buffer more.
		MaxHeaderBytes: api.ServerMaxHeaderBytes,
		// A body must arrive within the upload time limit (a client
		// trickling bytes cannot hold a connection for ever); responses
		// have no write limit, for event streams.
		ReadTimeout: *uploadTimeout,
		IdleTimeout: 2 * time.Minute,
		ErrorLog:    slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	hs.RegisterOnShutdown(srv.CloseStreams)
	scheme := "http"
	if certs != nil {
		scheme = "https"
		hs.TLSConfig = certs.tlsConfig()
	} else if tcp, ok := ln.Addr().(*net.TCPAddr); ok && !tcp.IP.IsLoopback() {
		log.Warn("serving plain HTTP beyond this machine: API keys and scans cross the network in clear; use --tls-cert/--tls-key or a TLS reverse proxy", "addr", ln.Addr().String())
	}
	log.Info("serving", "addr", ln.Addr().String(), "scheme", scheme, "store", sf.describe(), "mode", queueMode(eng), "workers", *workers)
	if c.ready != nil {
		c.ready <- ln.Addr().String()
	}
	served := make(chan error, 1)
	go func() {
		if certs != nil {
			served <- hs.ServeTLS(ln, "", "") // certificates from TLSConfig
			return
		}
		served <- hs.Serve(ln)
	}()

	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-served:
	}
	log.Info("shutting down", "grace", ef.grace.String())
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ef.grace+5*time.Second)
	defer cancel()
	// Stop accepting, end event streams, let requests in flight finish.
	if err := hs.Shutdown(sctx); err != nil {
		log.Warn("requests still running at the end of the grace period were cut", "error", err)
		hs.Close()
	}
	// Pages in progress finish or go back to the queue.
	ectx, ecancel := context.WithTimeout(context.WithoutCancel(ctx), ef.grace+30*time.Second)
	defer ecancel()
	if err := eng.Stop(ectx); err != nil {
		log.Error("stopping the engine", "error", err)
		if serveErr == nil {
			serveErr = err
		}
	}
	log.Info("stopped")
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", serveErr)
	}
	return nil
}

// serveMetrics serves the engine's metrics (and the Go runtime's) on addr:
// the /metrics of a worker, which has no API (serve shows them on the
// API's own /metrics).
func serveMetrics(addr string, m *process.Metrics, log *slog.Logger) (stop func(), err error) {
	reg, err := metricsRegistry(m)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("worker: --metrics-addr: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics server", "err", err)
		}
	}()
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}, nil
}
