package process

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/regfus/regfus/store"
)

// localPool is the in-process worker pool of the embedded (SQLite) store:
// workers claim pages from the store under leases.
//
//   - A claim leases the page for Config.Lease; a heartbeat extends it
//     every third of that while the page is read. If the lease is lost
//     (the heartbeat could not reach the database in time and the page
//     was claimed again) the read is abandoned.
//   - Stop lets pages in progress finish within the grace period; the
//     rest are cancelled and handed back (ReleasePage, no attempt
//     counted), so nothing is lost and nothing waits for a lease to run
//     out.
//   - After a crash, the pages the dead process held are claimed again
//     once their leases expire (the store counts those attempts and fails
//     a page after Config.MaxAttempts, so a page that crashes the reader
//     cannot crash every restart); queued pages are simply claimed: a
//     restart resumes the work.
type localPool struct {
	e    *Engine
	wake chan struct{}

	mu       sync.Mutex
	cancel   context.CancelFunc // ends claiming
	hardStop context.CancelFunc // cancels pages in progress
	wg       sync.WaitGroup
}

func newLocalPool(e *Engine) *localPool {
	return &localPool{e: e, wake: make(chan struct{}, 1)}
}

// enqueue wakes an idle worker: the pages are already queued in the store.
func (p *localPool) enqueue(context.Context, int64) error {
	select {
	case p.wake <- struct{}{}:
	default:
	}
	return nil
}

func (p *localPool) start(ctx context.Context, workers int) error {
	claimCtx, cancel := context.WithCancel(ctx)
	workCtx, hardStop := context.WithCancel(context.WithoutCancel(ctx))
	p.mu.Lock()
	p.cancel, p.hardStop = cancel, hardStop
	p.mu.Unlock()
	for i := 0; i < workers; i++ {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.worker(claimCtx, workCtx)
		}()
	}
	return nil
}

func (p *localPool) stop(ctx context.Context, grace time.Duration) error {
	p.mu.Lock()
	cancel, hardStop := p.cancel, p.hardStop
	p.mu.Unlock()
	if cancel == nil {
		return nil
	}
	cancel() // no new claims
	done := make(chan struct{})
	go func() { p.wg.Wait(); close(done) }()
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-done:
		hardStop()
		return nil
	case <-t.C:
	case <-ctx.Done():
	}
	hardStop() // pages still in progress are released by their workers
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// worker claims and reads pages until claimCtx ends. workCtx is the life
// of a page in progress: it ends only on a hard stop.
func (p *localPool) worker(claimCtx, workCtx context.Context) {
	e := p.e
	idle := time.NewTimer(0)
	defer idle.Stop()
	backoff := time.Second
	for {
		select {
		case <-claimCtx.Done():
			return
		default:
		}
		// The claim itself is not cancelled by a stop: a claim committed
		// just as its context ended would otherwise be lost to the caller
		// and held until its lease ran out.
		cctx, ccancel := context.WithTimeout(context.WithoutCancel(claimCtx), 30*time.Second)
		c, err := e.store.ClaimPage(cctx, store.ClaimOptions{Lease: e.cfg.Lease, MaxAttempts: e.cfg.MaxAttempts})
		ccancel()
		switch {
		case err == nil && claimCtx.Err() != nil:
			p.release(workCtx, c)
			return
		case err == nil:
			backoff = time.Second
			p.process(workCtx, c)
			continue
		case claimCtx.Err() != nil:
			return
		case errors.Is(err, store.ErrNoWork):
			backoff = time.Second
			idle.Reset(time.Second) // also catch pages whose leases expire
		default:
			e.log.Warn("claiming a page failed", "err", err, "retry_in", backoff)
			idle.Reset(backoff)
			backoff = min(2*backoff, 30*time.Second)
		}
		select {
		case <-claimCtx.Done():
			return
		case <-p.wake:
		case <-idle.C:
		}
	}
}

// process reads one claimed page under a heartbeat and records the
// outcome.
func (p *localPool) process(workCtx context.Context, c store.Claim) {
	e := p.e
	ctx, cancel := context.WithCancel(workCtx)
	defer cancel()
	var lost bool
	var lostMu sync.Mutex
	hbDone := make(chan struct{})
	go func() {
		defer close(hbDone)
		t := time.NewTicker(e.cfg.Lease / 3)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			err := e.store.ExtendLease(ctx, c.Page.ID, c.Token, e.cfg.Lease)
			if errors.Is(err, store.ErrLeaseLost) {
				lostMu.Lock()
				lost = true
				lostMu.Unlock()
				cancel()
				return
			}
			if err != nil && ctx.Err() == nil {
				e.log.Warn("extending a lease failed", "page", c.Page.ID, "err", err)
			}
		}
	}()
	start := time.Now()
	res, err := e.readPage(ctx, c.Page)
	cancel()
	<-hbDone
	lostMu.Lock()
	wasLost := lost
	lostMu.Unlock()
	// Bookkeeping must happen even when the worker is being stopped.
	bctx, bcancel := context.WithTimeout(context.WithoutCancel(workCtx), 30*time.Second)
	defer bcancel()
	switch {
	case wasLost:
		e.log.Warn("page lease lost; its result is dropped", "page", c.Page.ID)
	case err != nil && workCtx.Err() != nil:
		p.release(workCtx, c) // hard stop: hand the page back
	case errors.Is(err, errMissingOriginal):
		// Retrying will not bring the original back on this machine.
		e.fail(bctx, c.Page, c.Token, err)
	case err != nil:
		// Something else (no reader, I/O): the claim is kept until its
		// lease runs out, so the page is tried again later and the store
		// fails it after MaxAttempts.
		e.log.Error("reading a page failed; it will be retried when its lease expires", "page", c.Page.ID, "err", err)
	default:
		if err := e.complete(bctx, c.Page, c.Token, res, time.Since(start)); err != nil {
			e.log.Error("recording a page result failed; it will be read again when its lease expires", "page", c.Page.ID, "err", err)
		}
	}
}

// release hands a claimed page back to the queue without counting the
// attempt.
func (p *localPool) release(workCtx context.Context, c store.Claim) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(workCtx), 30*time.Second)
	defer cancel()
	if err := p.e.store.ReleasePage(ctx, c.Page.ID, c.Token); err != nil {
		p.e.log.Warn("releasing a page at shutdown failed; it returns when its lease expires", "page", c.Page.ID, "err", err)
	}
}
