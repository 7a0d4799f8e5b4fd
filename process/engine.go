package process

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/regfus/regfus/acquisition"
	"github.com/regfus/regfus/auth"
	"github.com/regfus/regfus/blob"
	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/scanfile"
	"github.com/regfus/regfus/store"
)

// Defaults for zero Config fields.
const (
	DefaultMaxQueue      = 20000
	DefaultLease         = 30 * time.Second
	DefaultMaxAttempts   = 3
	DefaultPollInterval  = 500 * time.Millisecond
	DefaultShutdownGrace = 15 * time.Second
	DefaultJobTimeout    = 3 * time.Minute
	DefaultMaxCheckPages = 30
	DefaultCheckWait     = 15 * time.Second
)

// Config configures an Engine. Store, Blobs and Queue are required: they
// are the backend, assembled once by the command line (regfus serve and
// worker) from --data and --database-url, so nothing here guesses what
// kind of store it was given.
type Config struct {
	Store store.Store
	// Blobs keeps the originals: a blob.Dir with the embedded store, the
	// PostgreSQL blob store (blob/pgblob) with PostgreSQL.
	Blobs blob.Store
	// Queue is how pages reach workers and how the reconciliations of one
	// pharmacy are serialised across processes: RiverQueue on PostgreSQL,
	// LocalQueue on the embedded store.
	Queue Queue

	// Workers is how many pages this process reads at once when it runs
	// workers (Start): 0 means one per core; a negative value runs no
	// workers (a `serve` in front of separate `regfus worker` processes).
	Workers int
	// CPU is the size of the semaphore that bounds decoding and reading
	// (workers, Check, Submit); 0 means one slot per core.
	CPU int
	// MaxQueue: Submit refuses with ErrOverloaded while the store's queue
	// depth is at or over it (0: DefaultMaxQueue).
	MaxQueue int
	// Lease and MaxAttempts tune the in-process pool's claims (SQLite).
	Lease       time.Duration
	MaxAttempts int
	// PollInterval is how often Events reads a batch's progress from the
	// store, to see pages finished by other processes.
	PollInterval time.Duration
	// PageTimeout bounds decoding and reading one page (0: the sum of
	// scanfile's and acquisition's defaults). A page over it is a rejected
	// result.
	PageTimeout time.Duration
	// ShutdownGrace is how long Stop lets pages in progress finish before
	// they are handed back to the queue.
	ShutdownGrace time.Duration
	// JobTimeout and RescueAfter tune River (PostgreSQL): a job running
	// longer than JobTimeout is cancelled and retried; a job still marked
	// running after RescueAfter (its worker died) is rescued and retried.
	// RescueAfter defaults to JobTimeout + 1 minute.
	JobTimeout  time.Duration
	RescueAfter time.Duration
	// MaxCheckPages is the most pages Check reads (0: DefaultMaxCheckPages);
	// CheckWait is how long Check waits for a CPU slot before answering
	// ErrOverloaded (0: DefaultCheckWait).
	MaxCheckPages int
	CheckWait     time.Duration
	// MaxCheckWaiting is how many checks may wait for a CPU slot at once
	// (0: two per slot); one more is refused at once with ErrOverloaded,
	// before its body is read, so a burst of checks cannot pile up
	// connections and spooled uploads behind a busy CPU.
	MaxCheckWaiting int
	// Scan bounds decoding (sizes, pages, time): see scanfile.Options.
	Scan scanfile.Options
	// NewReader makes one reader per CPU slot; nil means
	// acquisition.NewOCRReader(layout.Current()).
	NewReader func() (*acquisition.Reader, error)
	// Metrics receives the engine's measurements; nil makes a new set
	// (Engine.Metrics returns it, for registration).
	Metrics *Metrics
	Logger  *slog.Logger
	// BlobGrace: the collector of unreferenced originals removes only
	// blobs nobody has put for this long (0: DefaultBlobGrace); it must be
	// far longer than an upload takes. CollectEvery is how often Start
	// runs it (0: DefaultCollectEvery; negative: never).
	BlobGrace    time.Duration
	CollectEvery time.Duration
}

// Queue is the part of the backend that hands pages to workers. Make it
// with RiverQueue or LocalQueue; the zero Queue is refused by New.
type Queue struct {
	river   *pgxpool.Pool
	lockDir string
}

// RiverQueue makes every page a River job in the PostgreSQL database of
// pool (the store's own database), read by the workers of any process
// connected to it; a pharmacy's reconciliations take a PostgreSQL
// advisory lock.
func RiverQueue(pool *pgxpool.Pool) Queue { return Queue{river: pool} }

// LocalQueue has this process's pool claim queued pages from the store
// (with leases, so several processes may share an embedded store); the
// reconciliations of one pharmacy are serialised across those processes
// by lock files in lockDir, which they must share (the data folder).
func LocalQueue(lockDir string) Queue { return Queue{lockDir: lockDir} }

// Engine is the processing engine. Make it with New; it is safe for
// concurrent use.
type Engine struct {
	cfg     Config
	store   store.Store
	log     *slog.Logger
	metrics *Metrics
	cpu     *cpu
	// checks admits Check calls: CPU slots plus MaxCheckWaiting.
	checks chan struct{}
	files  *fileCache
	events *broker
	// inflight marks the blobs of uploads in progress (blobs.go).
	inflight *inflight
	locks    locker
	queue    dispatcher

	mu      sync.Mutex
	started bool
	stopped bool
	cancel  context.CancelFunc
	bg      sync.WaitGroup
}

// dispatcher is how pages reach workers: the in-process pool (SQLite) or
// River (PostgreSQL).
type dispatcher interface {
	// enqueue makes the new pages of a batch available to workers.
	enqueue(ctx context.Context, batchID int64) error
	// start runs workers (workers > 0) and background duties until stop.
	start(ctx context.Context, workers int) error
	// stop lets pages in progress finish within grace, then hands the rest
	// back to the queue.
	stop(ctx context.Context, grace time.Duration) error
}

// New checks cfg, applies defaults and returns an engine. With a
// PostgreSQL store it makes a River client (insert-only until Start).
func New(cfg Config) (*Engine, error) {
	if cfg.Store == nil || cfg.Blobs == nil {
		return nil, errors.New("process: Config needs a Store and a blob store")
	}
	if cfg.Queue.river == nil && cfg.Queue.lockDir == "" {
		return nil, errors.New("process: Config needs a Queue (RiverQueue or LocalQueue)")
	}
	orDefault(&cfg.CPU, runtime.NumCPU())
	if cfg.Workers == 0 {
		cfg.Workers = cfg.CPU
	}
	orDefault(&cfg.MaxQueue, DefaultMaxQueue)
	orDefault(&cfg.Lease, DefaultLease)
	orDefault(&cfg.MaxAttempts, DefaultMaxAttempts)
	orDefault(&cfg.PollInterval, DefaultPollInterval)
	orDefault(&cfg.PageTimeout, scanfile.DefaultPageTimeout+acquisition.DefaultPageTimeout)
	orDefault(&cfg.ShutdownGrace, DefaultShutdownGrace)
	orDefault(&cfg.JobTimeout, DefaultJobTimeout)
	if cfg.RescueAfter < cfg.JobTimeout {
		cfg.RescueAfter = cfg.JobTimeout + time.Minute
	}
	orDefault(&cfg.MaxCheckPages, DefaultMaxCheckPages)
	orDefault(&cfg.CheckWait, DefaultCheckWait)
	orDefault(&cfg.BlobGrace, DefaultBlobGrace)
	if cfg.CollectEvery == 0 { // negative: never
		cfg.CollectEvery = DefaultCollectEvery
	}
	orDefault(&cfg.MaxCheckWaiting, 2*cfg.CPU)
	if cfg.NewReader == nil {
		cfg.NewReader = func() (*acquisition.Reader, error) { return acquisition.NewOCRReader(layout.Current()) }
	}
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	e := &Engine{
		cfg: cfg, store: cfg.Store, log: cfg.Logger, metrics: cfg.Metrics,
		cpu:    newCPU(cfg.CPU, cfg.NewReader),
		checks: make(chan struct{}, cfg.CPU+cfg.MaxCheckWaiting),
		files:  newFileCache(2 * cfg.CPU),
		events: newBroker(),

		inflight: newInflight(),
	}
	if pool := cfg.Queue.river; pool != nil {
		q, err := newRiverQueue(e, pool)
		if err != nil {
			return nil, err
		}
		e.queue = q
		e.locks = newPGLocker(pool)
	} else {
		e.queue = newLocalPool(e)
		e.locks = newFileLocker(cfg.Queue.lockDir)
	}
	return e, nil
}

// orDefault sets *v to def when it is zero or negative (not set).
func orDefault[T int | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

// Metrics returns the engine's collectors (register them on the API's
// registry).
func (e *Engine) Metrics() *Metrics { return e.metrics }

// UsesRiver reports whether pages are River jobs (PostgreSQL).
func (e *Engine) UsesRiver() bool {
	_, ok := e.queue.(*riverQueue)
	return ok
}

// Start runs this process's workers (unless Config.Workers < 0) and the
// background duties (queue-depth gauge; the collector of unreferenced
// originals; with River, re-enqueueing pages whose job insertion failed). It returns at once; call Stop to end.
func (e *Engine) Start(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.started {
		return errors.New("process: engine already started")
	}
	e.started = true
	ctx, e.cancel = context.WithCancel(context.WithoutCancel(ctx))
	if err := e.queue.start(ctx, max(e.cfg.Workers, 0)); err != nil {
		e.cancel()
		return err
	}
	e.bg.Add(1)
	go func() {
		defer e.bg.Done()
		e.gaugeLoop(ctx)
	}()
	if e.cfg.CollectEvery > 0 {
		e.bg.Add(1)
		go func() {
			defer e.bg.Done()
			e.collectLoop(ctx)
		}()
	}
	return nil
}

// Stop stops the workers: pages in progress get Config.ShutdownGrace to
// finish, then are handed back to the queue (nothing is lost; another
// worker or the next start reads them). ctx bounds the whole stop.
func (e *Engine) Stop(ctx context.Context) error {
	e.mu.Lock()
	if !e.started || e.stopped {
		e.mu.Unlock()
		e.cpu.close()
		e.files.closeAll()
		return nil
	}
	e.stopped = true
	e.mu.Unlock()
	err := e.queue.stop(ctx, e.cfg.ShutdownGrace)
	e.cancel()
	e.bg.Wait()
	e.cpu.close()
	e.files.closeAll()
	return err
}

// Run is Start, then Stop when ctx ends.
func (e *Engine) Run(ctx context.Context) error {
	if err := e.Start(ctx); err != nil {
		return err
	}
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), e.cfg.ShutdownGrace+30*time.Second)
	defer cancel()
	return e.Stop(sctx)
}

// Ready reports whether the engine can take work: the database answers.
// /readyz answers 503 while it does not.
func (e *Engine) Ready(ctx context.Context) error {
	if err := e.store.Ping(ctx); err != nil {
		return fmt.Errorf("database: %w", err)
	}
	return nil
}

// gaugeLoop keeps the queue-depth gauge current.
func (e *Engine) gaugeLoop(ctx context.Context) {
	every(ctx, 5*time.Second, func() {
		qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if n, err := e.store.QueueDepth(qctx); err == nil {
			e.metrics.QueueDepth.Set(float64(n))
		}
	})
}

// every runs f now, then every d until ctx is done (a run longer than d
// is followed at once by the next; the ticks it missed are dropped).
func every(ctx context.Context, d time.Duration, f func()) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		f()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// admin is the scope of the engine's own reads: the engine acts for the
// system, the API checks the caller's scope before asking.
var admin = auth.Scope{Role: auth.Admin}
