package process_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/regfus/regfus/auth"
	"github.com/regfus/regfus/blob"
	"github.com/regfus/regfus/intake"
	"github.com/regfus/regfus/internal/servicetest"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/process"
	"github.com/regfus/regfus/sheet"
	"github.com/regfus/regfus/store"
	"github.com/regfus/regfus/store/sqlite"
	"github.com/regfus/regfus/synth"
)

// scans is the synthetic corpus every reader is measured on.
const scans = "../testdata/scans"

var (
	admin   = auth.Scope{Role: auth.Admin}
	station = auth.Scope{Role: auth.Station, Key: sheet.Key{Region: "120", ASL: "201"}}
)

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// quietLog discards the engine's log lines unless -v.
func quietLog() *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// env is an engine on a real SQLite store in a temporary data folder.
type env struct {
	dir   string
	store *sqlite.Store
	blobs *blob.Dir
	eng   *process.Engine
}

// openStore opens (and migrates) the SQLite store of dir.
func openStore(t *testing.T, dir string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

// newEnv makes an engine in dir ("" for a new temporary folder); tune
// adjusts its config. The engine is not started. Cleanup stops it and
// closes the store.
func newEnv(t *testing.T, dir string, tune func(*process.Config)) *env {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	s := openStore(t, dir)
	blobs, err := blob.Open(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := process.Config{
		Store: s, Blobs: blobs, Queue: process.LocalQueue(dir), Workers: 2, CPU: 2, NewReader: servicetest.BarsOnly,
		PollInterval: 50 * time.Millisecond, Logger: quietLog(),
	}
	if tune != nil {
		tune(&cfg)
	}
	eng, err := process.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{dir: dir, store: s, blobs: blobs, eng: eng}
	t.Cleanup(func() { e.close(t) })
	return e
}

func (e *env) close(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := e.eng.Stop(ctx); err != nil {
		t.Errorf("stopping the engine: %v", err)
	}
	e.store.Close()
}

func (e *env) start(t *testing.T) {
	t.Helper()
	if err := e.eng.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// upload reads a corpus file as an Upload.
func upload(t *testing.T, name string) intake.File {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(scans, name))
	if err != nil {
		t.Fatal(err)
	}
	return intake.File{Name: name, Body: bytes.NewReader(b)}
}

func bytesUpload(name string, b []byte) intake.File {
	return intake.File{Name: name, Body: bytes.NewReader(b)}
}

// truth loads a corpus file's ground truth.
func truth(t *testing.T, name string) *synth.Truth {
	t.Helper()
	ext := filepath.Ext(name)
	tr, err := synth.LoadTruth(filepath.Join(scans, name[:len(name)-len(ext)]+synth.TruthSuffix))
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// waitDone follows a batch's events to the end and returns the last
// value; it fails the test if the stream does not end in time.
func waitDone(t *testing.T, eng *process.Engine, id int64, within time.Duration) store.Batch {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	ch, err := eng.Events(ctx, id, admin)
	if err != nil {
		t.Fatal(err)
	}
	var last store.Batch
	for b := range ch {
		last = b
	}
	if !process.Finished(last) {
		t.Fatalf("batch %d not finished within %s: %+v", id, within, last.Progress)
	}
	return last
}

// value reads a counter or gauge.
func value(m prometheus.Metric) float64 {
	var d dto.Metric
	if err := m.Write(&d); err != nil {
		panic(err)
	}
	switch {
	case d.Counter != nil:
		return d.Counter.GetValue()
	case d.Gauge != nil:
		return d.Gauge.GetValue()
	}
	panic("not a counter or gauge")
}

// histCount reads a histogram's number of observations.
func histCount(h prometheus.Histogram) uint64 {
	var d dto.Metric
	if err := h.Write(&d); err != nil {
		panic(err)
	}
	return d.Histogram.GetSampleCount()
}

// eventually retries f for a few seconds until it succeeds: for what
// happens just after a batch is seen finished (the reconciliation run by
// the worker that finished it).
func eventually[T any](f func() (T, error)) (T, error) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		v, err := f()
		if err == nil || time.Now().After(deadline) {
			return v, err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// parseReasons reads reasons from their text form, as results carry them.
func parseReasons(text ...string) page.Reasons {
	rs := make(page.Reasons, len(text))
	for i, s := range text {
		rs[i] = page.ParseReason(s)
	}
	return rs
}
