package api

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/regfus/regfus/blob"
	"github.com/regfus/regfus/scanfile"
	"github.com/regfus/regfus/store"
)

// Config is what a Server is built from.
type Config struct {
	// Store is required.
	Store store.Store
	// Blobs holds the uploaded originals (page images, overlays, crops).
	Blobs blob.Store
	// The processing engine (package process through api/bind). Batches,
	// Checker and Corrector may be nil: their routes then answer 503.
	// Progress nil: event streams poll the store every PollInterval.
	Batches   Batches
	Checker   Checker
	Progress  Progress
	Corrector Corrector
	// Reconciler recomputes the reports of imported pharmacies; required.
	Reconciler Reconciler

	// Logger receives one line per request and every error's cause; nil:
	// slog.Default().
	Logger *slog.Logger
	// Registry receives the HTTP metrics and is what /metrics serves (the
	// pipeline registers its own metrics on it too); nil: a new registry.
	Registry *prometheus.Registry

	Limits    Limits
	Timeouts  Timeouts
	RateLimit RateLimit
	// Scan bounds the decoding of originals for images, overlays and crops.
	// PDFDPI must be the resolution the pipeline read PDFs at, or an
	// overlay would be drawn at the wrong scale.
	Scan scanfile.Options
	// PollInterval is how often an event stream re-reads its batch when
	// there is no Progress (default 1s).
	PollInterval time.Duration
}

// Limits bound request bodies, per x-body class of the OpenAPI document.
// A body over its limit is 413.
type Limits struct {
	Upload int64 // POST /v1/batches, default 1 GiB
	Check  int64 // POST /v1/check, default 100 MiB
	Import int64 // declarations and records, default 64 MiB
	JSON   int64 // small JSON bodies, default 1 MiB
	// MultipartMemory is how much of a multipart body is held in memory;
	// the rest of the files spill to temporary files (default 16 MiB).
	MultipartMemory int64
	// MaxFiles is the most files one upload may carry (default 1000).
	MaxFiles int
}

// Timeouts bound the time a request may take, per x-timeout class. A
// request over its limit has its context cancelled and answers 503.
type Timeouts struct {
	Request time.Duration // default 30s
	Upload  time.Duration // uploads, checks, images: default 10 min
	// Stream bounds an event stream (default 1h); clients reconnect.
	Stream time.Duration
}

// RateLimit is a token bucket per API key: PerSecond requests per second
// on average with bursts of Burst. Over it, 429 with Retry-After.
type RateLimit struct {
	PerSecond float64 // default 50; negative: no limit
	Burst     int     // default 200
}

func (c *Config) defaults() error {
	if c.Store == nil {
		return errors.New("api: Config.Store is required")
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Registry == nil {
		c.Registry = prometheus.NewRegistry()
	}
	if c.Reconciler == nil {
		return errors.New("api: Config.Reconciler is required (imports are reconciled at once)")
	}
	l := &c.Limits
	setDefault(&l.Upload, 1<<30)
	setDefault(&l.Check, 100<<20)
	setDefault(&l.Import, 64<<20)
	setDefault(&l.JSON, 1<<20)
	setDefault(&l.MultipartMemory, 16<<20)
	if l.MaxFiles <= 0 {
		l.MaxFiles = 1000
	}
	t := &c.Timeouts
	setDefault(&t.Request, 30*time.Second)
	setDefault(&t.Upload, 10*time.Minute)
	setDefault(&t.Stream, time.Hour)
	if c.RateLimit.PerSecond == 0 {
		c.RateLimit.PerSecond = 50
	}
	if c.RateLimit.Burst <= 0 {
		c.RateLimit.Burst = 200
	}
	if c.PollInterval <= 0 {
		c.PollInterval = time.Second
	}
	if c.Progress == nil {
		c.Progress = pollProgress{store: c.Store, interval: c.PollInterval}
	}
	return nil
}

func setDefault[T int64 | time.Duration](v *T, d T) {
	if *v <= 0 {
		*v = d
	}
}

// Server is the REST service: an http.Handler.
type Server struct {
	cfg      Config
	log      *slog.Logger
	e        *echo.Echo
	ops      []Operation
	limiter  *limiter
	metrics  *httpMetrics
	imports  Imports
	reviews  Reviews
	pages    Pages
	progress Progress

	closeOnce sync.Once
	closing   chan struct{} // closed by CloseStreams
}

// New builds the server: every Operation of the OpenAPI document is
// registered with its handler (matched by operationId) and the middleware
// its x- extensions ask for. It fails if the document and the handlers do
// not match one to one.
func New(cfg Config) (*Server, error) { return newServer(cfg, openapiYAML) }

// newServer is New with the document given (tests give broken ones).
func newServer(cfg Config, doc []byte) (*Server, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	ops, err := parseOperations(doc)
	if err != nil {
		return nil, err
	}
	m, err := newHTTPMetrics(cfg.Registry)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg: cfg, log: cfg.Logger, ops: ops, metrics: m,
		limiter:  newLimiter(cfg.RateLimit.PerSecond, cfg.RateLimit.Burst),
		imports:  &storeImports{store: cfg.Store, reconciler: cfg.Reconciler, log: cfg.Logger},
		reviews:  &storeReviews{store: cfg.Store, corrector: cfg.Corrector},
		pages:    &blobPages{store: cfg.Store, blobs: cfg.Blobs, scan: cfg.Scan},
		progress: cfg.Progress,
		closing:  make(chan struct{}),
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	e.Pre(s.requestIDMiddleware, securityHeaders)
	e.Use(s.observeMiddleware, s.recoverMiddleware, s.headerLimitMiddleware, compressMiddleware())
	handlers := s.handlers()
	used := map[string]bool{}
	for _, op := range ops {
		h, ok := handlers[op.ID]
		if !ok {
			return nil, fmt.Errorf("api: openapi.yaml %s %s: no handler for operationId %q", op.Method, op.Path, op.ID)
		}
		used[op.ID] = true
		e.Add(op.Method, op.EchoPath(), h, s.routeMiddleware(op)...)
		m.known[op.EchoPath()] = true
	}
	var unused []string
	for id := range handlers {
		if !used[id] {
			unused = append(unused, id)
		}
	}
	if len(unused) > 0 {
		sort.Strings(unused)
		return nil, fmt.Errorf("api: handlers %v are not operations of openapi.yaml", unused)
	}
	s.e = e
	return s, nil
}

// handlers maps operationIds to handlers: the only place a handler is named.
func (s *Server) handlers() map[string]echo.HandlerFunc {
	return map[string]echo.HandlerFunc{
		"healthz":            s.healthz,
		"healthzHead":        s.healthz,
		"readyz":             s.readyz,
		"readyzHead":         s.readyz,
		"metrics":            s.metricsHandler(),
		"openapi":            s.openapi,
		"submitBatch":        s.submitBatch,
		"listBatches":        s.listBatches,
		"getBatch":           s.getBatch,
		"batchEvents":        s.batchEvents,
		"batchPages":         s.batchPages,
		"getPage":            s.getPage,
		"pageImage":          s.pageImage,
		"pageOverlay":        s.pageOverlay,
		"check":              s.check,
		"importDeclarations": s.importDeclarations,
		"importRecords":      s.importRecords,
		"reconciliations":    s.reconciliations,
		"listReview":         s.listReview,
		"getReview":          s.getReview,
		"correctReview":      s.correctReview,
		"reviewCrop":         s.reviewCrop,
	}
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.e.ServeHTTP(w, r) }

// CloseStreams ends every open event stream (their clients reconnect), so
// that http.Server.Shutdown, which waits for requests in flight, is not
// held up by streams that would never end by themselves. Register it with
// http.Server.RegisterOnShutdown.
func (s *Server) CloseStreams() { s.closeOnce.Do(func() { close(s.closing) }) }

// Route is a registered method and path, in echo's syntax.
type Route struct{ Method, Path string }

// Routes lists what the server registered, for checks against the
// document.
func (s *Server) Routes() []Route {
	var out []Route
	for _, r := range s.e.Routes() {
		out = append(out, Route{r.Method, r.Path})
	}
	return out
}
