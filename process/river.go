package process

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/regfus/regfus/store"
)

// QueuePages is the River queue of page jobs.
const QueuePages = "regfus_pages"

// PageArgs is the River job that reads one stored page.
//
// Jobs are unique by their arguments while they are pending, available,
// running, retryable, scheduled or completed, so enqueueing a page twice
// (a retried upload, the sweeper) inserts one job. Jobs are inserted right
// after the batch is committed (the store owns its transaction); a crash
// in between leaves queued pages without a job, which the sweeper finds
// and enqueues at the next start of any process (and every
// sweepInterval).
type PageArgs struct {
	PageID int64 `json:"page_id"`
}

// Kind implements river.JobArgs.
func (PageArgs) Kind() string { return "regfus_page" }

// pageMaxAttempts is how often River tries a page job. Reading a page
// never fails for the page's own sake (a bad page is a rejected result);
// attempts are spent on crashes, timeouts and database outages.
const pageMaxAttempts = 10

// InsertOpts implements river.JobArgsWithInsertOpts.
func (PageArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueuePages, MaxAttempts: pageMaxAttempts, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// pageWorker is the River worker of PageArgs.
type pageWorker struct {
	river.WorkerDefaults[PageArgs]
	e *Engine
}

// Work reads the page and records its result. A page already done or
// failed is not read again (a job retried after its worker died once the
// result was committed); a result refused because another worker recorded
// one first (store.ErrConflict) counts as done. So whatever River retries,
// each page is recorded once. Any other error makes River retry the job;
// on its last attempt the page is failed with the error.
func (w *pageWorker) Work(ctx context.Context, job *river.Job[PageArgs]) error {
	e := w.e
	p, err := e.store.GetPage(ctx, job.Args.PageID, admin)
	if errors.Is(err, store.ErrNotFound) {
		return river.JobCancel(fmt.Errorf("page %d: %w", job.Args.PageID, err))
	}
	if err != nil {
		return err
	}
	if p.State == store.PageDone || p.State == store.PageFailed {
		return nil
	}
	start := time.Now()
	res, err := e.readPage(ctx, p)
	if err == nil {
		err = e.complete(ctx, p, "", res, time.Since(start))
	}
	if err != nil && ctx.Err() == nil && job.Attempt >= job.MaxAttempts {
		e.fail(context.WithoutCancel(ctx), p, "", fmt.Errorf("gave up after %d attempts: %w", job.Attempt, err))
		return nil
	}
	return err
}

// Timeout implements river.Worker: the engine's job timeout.
func (w *pageWorker) Timeout(*river.Job[PageArgs]) time.Duration { return w.e.cfg.JobTimeout }

// riverQueue distributes pages as River jobs (PostgreSQL).
type riverQueue struct {
	e      *Engine
	client *river.Client[pgx.Tx]

	mu      sync.Mutex
	running bool
	resweep chan struct{}
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

// sweepInterval is how often queued pages without a job are looked for.
const sweepInterval = 10 * time.Minute

func newRiverQueue(e *Engine, pool *pgxpool.Pool) (*riverQueue, error) {
	workers := river.NewWorkers()
	river.AddWorker(workers, &pageWorker{e: e})
	cfg := &river.Config{
		Workers:              workers,
		JobTimeout:           e.cfg.JobTimeout,
		RescueStuckJobsAfter: e.cfg.RescueAfter,
		Logger:               slog.New(minLevel{slog.LevelWarn, e.log.Handler()}).With("component", "river"),
	}
	if e.cfg.Workers > 0 {
		cfg.Queues = map[string]river.QueueConfig{QueuePages: {MaxWorkers: e.cfg.Workers}}
	}
	client, err := river.NewClient(riverpgxv5.New(pool), cfg)
	if err != nil {
		return nil, fmt.Errorf("process: River client: %w", err)
	}
	return &riverQueue{e: e, client: client, resweep: make(chan struct{}, 1)}, nil
}

// enqueue inserts a job for every queued page the batch created. If that
// fails the sweeper is asked to try again soon.
func (q *riverQueue) enqueue(ctx context.Context, batchID int64) error {
	pages, err := q.e.store.ListPages(ctx, batchID, admin)
	if err == nil {
		var ids []int64
		for _, p := range pages {
			if p.BatchID == batchID && p.State == store.PageQueued {
				ids = append(ids, p.ID)
			}
		}
		err = q.insert(ctx, ids)
	}
	if err != nil {
		select {
		case q.resweep <- struct{}{}:
		default:
		}
	}
	return err
}

func (q *riverQueue) insert(ctx context.Context, ids []int64) error {
	const chunk = 1000
	for len(ids) > 0 {
		n := min(len(ids), chunk)
		params := make([]river.InsertManyParams, n)
		for i, id := range ids[:n] {
			params[i] = river.InsertManyParams{Args: PageArgs{PageID: id}}
		}
		if _, err := q.client.InsertMany(ctx, params); err != nil {
			return fmt.Errorf("inserting %d page jobs: %w", n, err)
		}
		ids = ids[n:]
	}
	return nil
}

// sweep enqueues every queued page of every unfinished batch; pages that
// have a job are skipped by River's uniqueness.
func (q *riverQueue) sweep(ctx context.Context) error {
	batches, err := q.e.store.ListBatches(ctx, admin, 0)
	if err != nil {
		return err
	}
	n := 0
	for _, b := range batches {
		if Finished(b) || b.Progress.Queued == 0 {
			continue
		}
		if err := q.enqueue(ctx, b.ID); err != nil {
			return err
		}
		n++
	}
	if n > 0 {
		q.e.log.Info("sweeper: queued pages of unfinished batches enqueued (pages with a job skipped)", "batches", n)
	}
	return nil
}

func (q *riverQueue) sweeper(ctx context.Context) {
	retry := 5 * time.Second
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-q.resweep:
		}
		if err := q.sweep(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			q.e.log.Warn("sweeper: enqueueing queued pages failed", "err", err, "retry_in", retry)
			t.Reset(retry)
			retry = min(2*retry, time.Minute)
			continue
		}
		retry = 5 * time.Second
		t.Reset(sweepInterval)
	}
}

func (q *riverQueue) start(ctx context.Context, workers int) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if workers > 0 {
		if err := q.client.Start(ctx); err != nil {
			return fmt.Errorf("process: starting River: %w", err)
		}
		q.running = true
	}
	sctx, cancel := context.WithCancel(ctx)
	q.cancel = cancel
	q.wg.Add(1)
	go func() {
		defer q.wg.Done()
		q.sweeper(sctx)
	}()
	return nil
}

// stop waits up to grace for running jobs, then cancels them (River
// records the attempt and retries the job, here or elsewhere).
func (q *riverQueue) stop(ctx context.Context, grace time.Duration) error {
	q.mu.Lock()
	running, cancel := q.running, q.cancel
	q.running = false
	q.mu.Unlock()
	if cancel != nil {
		cancel()
		q.wg.Wait()
	}
	if !running {
		return nil
	}
	soft, softCancel := context.WithTimeout(ctx, grace)
	defer softCancel()
	err := q.client.Stop(soft)
	if err == nil {
		return nil
	}
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		return q.client.StopAndCancel(ctx)
	}
	return err
}

// minLevel drops records below min: River reports its routine (job
// counts every few seconds) at info level.
type minLevel struct {
	min slog.Level
	slog.Handler
}

func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h minLevel) WithAttrs(as []slog.Attr) slog.Handler {
	return minLevel{h.min, h.Handler.WithAttrs(as)}
}
func (h minLevel) WithGroup(name string) slog.Handler {
	return minLevel{h.min, h.Handler.WithGroup(name)}
}
