package api_test

// The tests of this package run the real service over real HTTP
// (httptest.NewServer): the echo server of package api, the processing
// engine of package process through api/bind, and a real store: SQLite in
// a temporary directory, and PostgreSQL (a schema of its own per test)
// when TEST_DATABASE_URL is set. As in the store's own tests, the
// PostgreSQL variants fail when TEST_DATABASE_URL is unset unless
// REGFUS_SKIP_PG=1 says to skip them on purpose: run them with
// `scripts/testpg run -- go test ./api/...`.
//
// Pages are read with bars-only readers (no Tesseract): faster, and the
// handwritten fields (progressive, count, date) then always go to review,
// which gives the review tests something certain to correct.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/regfus/regfus/api"
	"github.com/regfus/regfus/api/bind"
	"github.com/regfus/regfus/auth"
	"github.com/regfus/regfus/blob"
	"github.com/regfus/regfus/internal/pgtest"
	"github.com/regfus/regfus/internal/servicetest"
	"github.com/regfus/regfus/process"
	"github.com/regfus/regfus/sheet"
	"github.com/regfus/regfus/store"
	"github.com/regfus/regfus/store/postgres"
	"github.com/regfus/regfus/store/sqlite"
)

// storeKinds are the stores every HTTP test runs against.
var storeKinds = []string{"sqlite", "postgres"}

// bothStores runs f on every store kind (storeKinds), in parallel
// subtests.
func bothStores(t *testing.T, f func(t *testing.T, kind string)) {
	t.Parallel()
	for _, kind := range storeKinds {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			f(t, kind)
		})
	}
}

// The scans of testdata/scans/ used here; their truth files say what is on
// them. All three are sheets of pharmacy 120-202-93161, June 2025.
const (
	scanClean    = "0009-clean.png"       // progressive 4, 28 fustelle
	scanUpside   = "0004-upside-down.png" // progressive 3, 28 fustelle
	scanBitonal  = "0003-bitonal.tif"     // progressive 2, 16 fustelle
	scanOther    = "0001-clean.png"       // 120-202-93161 too, progressive 1, no fustella
	scanPharmacy = "93161"
	scanASL      = "202"
	scanMonth    = "2025-06"
)

func scanPath(name string) string { return filepath.Join("..", "testdata", "scans", name) }

func readScan(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(scanPath(name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// env is one running service.
type env struct {
	t      *testing.T
	url    string
	store  store.Store
	blobs  *blob.Dir
	srv    *api.Server
	reg    *prometheus.Registry
	engine *process.Engine
	logs   *syncBuffer
}

type envOptions struct {
	// configure adjusts the API config after the defaults.
	configure func(*api.Config)
	// noEngine leaves Batches, Checker, Progress and Corrector unset.
	noEngine bool
	// engine adjusts the engine's config.
	engine func(*process.Config)
}

// newEnv starts a service on a fresh store of the given kind.
func newEnv(t *testing.T, kind string, opt envOptions) *env {
	t.Helper()
	st, queue := openStore(t, kind)
	blobs, err := blob.Open(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	reg := prometheus.NewRegistry()
	cfg := api.Config{Store: st, Blobs: blobs, Logger: log, Registry: reg, PollInterval: 100 * time.Millisecond}
	e := &env{t: t, store: st, blobs: blobs, reg: reg, logs: logs}
	if !opt.noEngine {
		pcfg := process.Config{
			Store: st, Blobs: blobs, Queue: queue, Workers: 2, CPU: 2, Logger: log, PollInterval: 100 * time.Millisecond,
			NewReader: servicetest.BarsOnly,
		}
		if opt.engine != nil {
			opt.engine(&pcfg)
		}
		eng := servicetest.Engine(t, pcfg)
		if err := eng.Metrics().Register(reg); err != nil {
			t.Fatal(err)
		}
		if err := eng.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		e.engine = eng
		cfg = bind.Engine{E: eng}.Config(cfg)
	} else {
		cfg.Reconciler = noReconciler{}
	}
	if opt.configure != nil {
		opt.configure(&cfg)
	}
	srv, err := api.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(srv)
	ts.Config.MaxHeaderBytes = api.ServerMaxHeaderBytes // as `regfus serve` runs it
	ts.Start()
	t.Cleanup(func() {
		srv.CloseStreams()
		ts.Close()
		if t.Failed() && os.Getenv("API_TEST_LOG") != "" {
			t.Logf("service log:\n%s", logs.String())
		}
	})
	e.url, e.srv = ts.URL, srv
	return e
}

// noReconciler is the Reconciler of a service without an engine.
type noReconciler struct{}

func (noReconciler) Reconcile(context.Context, []sheet.Key) error { return nil }

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// openStore opens a fresh store of the given kind, migrated, with the
// engine's queue for it (River on PostgreSQL, the in-process pool with
// its locks in a temporary folder on SQLite).
func openStore(t *testing.T, kind string) (store.Store, process.Queue) {
	t.Helper()
	ctx := context.Background()
	var st store.Store
	var queue process.Queue
	switch kind {
	case "sqlite":
		s, err := sqlite.Open(ctx, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		st, queue = s, process.LocalQueue(t.TempDir())
	case "postgres":
		url := pgtest.URL(t)
		schema := pgtest.Schema(t, "regfus_api")
		s, err := postgres.Open(ctx, url, postgres.Options{Schema: schema, MaxConns: 8})
		if err != nil {
			t.Fatal(err)
		}
		st, queue = s, process.RiverQueue(s.Pool())
	default:
		t.Fatalf("unknown store %q", kind)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return st, queue
}

// key creates a key with the given scope and returns its secret.
func (e *env) key(sc auth.Scope) string { return servicetest.Key(e.t, e.store, sc) }

// req is one request to make.
type req struct {
	method, path string
	key          string
	body         []byte
	contentType  string
	header       map[string]string
}

// resp is what came back.
type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) String() string {
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") && !strings.HasPrefix(ct, "text/") {
		return fmt.Sprintf("%d (%d bytes of %s)", r.status, len(r.body), ct)
	}
	b := r.body
	if len(b) > 600 {
		b = append(b[:600:600], "..."...)
	}
	return fmt.Sprintf("%d %s", r.status, b)
}

// do makes a request over HTTP.
func (e *env) do(r req) resp {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	hr, err := http.NewRequestWithContext(ctx, r.method, e.url+r.path, bytes.NewReader(r.body))
	if err != nil {
		e.t.Fatal(err)
	}
	if r.key != "" {
		hr.Header.Set("Authorization", "Bearer "+r.key)
	}
	if r.contentType != "" {
		hr.Header.Set("Content-Type", r.contentType)
	}
	for k, v := range r.header {
		hr.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(hr)
	if err != nil {
		e.t.Fatalf("%s %s: %v", r.method, r.path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatalf("%s %s: reading body: %v", r.method, r.path, err)
	}
	return resp{status: res.StatusCode, header: res.Header, body: b}
}

// json decodes a response body into v.
func (r resp) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("response is not the JSON expected (%v): %s", err, r)
	}
}

// getJSON GETs path as key and decodes the body into v; anything but a
// 200 fails the test.
func (e *env) getJSON(key, path string, v any) {
	e.t.Helper()
	r := e.do(req{method: "GET", path: path, key: key})
	if r.status != http.StatusOK {
		e.t.Fatalf("GET %s: %s", path, r)
	}
	r.json(e.t, v)
}

// part is one file of a multipart body.
type part struct {
	field, name string
	data        []byte
}

// multipartBody builds a multipart/form-data body.
func multipartBody(t *testing.T, parts ...part) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, p := range parts {
		h := make(textproto.MIMEHeader)
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, p.field, p.name))
		h.Set("Content-Type", "application/octet-stream")
		pw, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		pw.Write(p.data)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), w.FormDataContentType()
}

// upload posts scans from testdata/scans as one batch and returns its id.
func (e *env) upload(key string, names ...string) int64 {
	e.t.Helper()
	var parts []part
	for _, n := range names {
		parts = append(parts, part{"files", n, readScan(e.t, n)})
	}
	body, ct := multipartBody(e.t, parts...)
	r := e.do(req{method: "POST", path: "/v1/batches", key: key, body: body, contentType: ct})
	if r.status != http.StatusAccepted {
		e.t.Fatalf("upload %v: %s", names, r)
	}
	var out struct {
		ID int64 `json:"id"`
	}
	r.json(e.t, &out)
	return out.ID
}

// sseEvent is one server-sent event.
type sseEvent struct {
	event, id string
	data      json.RawMessage
}

// follow reads a batch's event stream to its end.
func (e *env) follow(key string, batchID int64) []sseEvent {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	hr, _ := http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("%s/v1/batches/%d/events", e.url, batchID), nil)
	hr.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(hr)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		b, _ := io.ReadAll(res.Body)
		e.t.Fatalf("events: %d %s %s", res.StatusCode, res.Header.Get("Content-Type"), b)
	}
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatalf("events: reading the stream: %v", err)
	}
	var out []sseEvent
	for _, block := range strings.Split(string(b), "\n\n") {
		var ev sseEvent
		for _, line := range strings.Split(block, "\n") {
			switch {
			case strings.HasPrefix(line, "event: "):
				ev.event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "id: "):
				ev.id = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "data: "):
				ev.data = json.RawMessage(strings.TrimPrefix(line, "data: "))
			}
		}
		if ev.event != "" {
			out = append(out, ev)
		}
	}
	return out
}

// errorJSON is the API's error shape.
type errorJSON struct {
	Error     string `json:"error"`
	RequestID string `json:"request_id"`
	Problems  []struct {
		File    string `json:"file"`
		Line    int    `json:"line"`
		Column  int    `json:"column"`
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"problems"`
}
