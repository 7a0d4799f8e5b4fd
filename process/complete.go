package process

import (
	"context"
	"errors"
	"time"

	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/store"
)

// complete records a page's result with its review items. A page already
// finished by someone else (store.ErrConflict) or whose lease was lost is
// not an error: its one result is already recorded, or will be by the
// claim that holds it. After a result is recorded, progress subscribers
// wake and, if it was the batch's last page, the batch's pharmacies are
// reconciled.
//
// A page read as a sheet outside its uploader's scope is recorded as
// rejected, out_of_scope (judgeScope).
func (e *Engine) complete(ctx context.Context, p store.Page, token string, res *page.Result, took time.Duration) error {
	res = judgeScope(p, res)
	err := e.store.CompletePage(ctx, store.PageOutcome{
		PageID: p.ID, Token: token, Result: *res, Review: ReviewItems(res), Millis: took.Milliseconds(),
	})
	switch {
	case errors.Is(err, store.ErrConflict):
		e.log.Info("page already done elsewhere; this result is dropped", "page", p.ID)
		return nil
	case errors.Is(err, store.ErrLeaseLost):
		e.log.Warn("page lease lost; this result is dropped", "page", p.ID)
		return nil
	case err != nil:
		return err
	}
	e.metrics.Pages.WithLabelValues(string(res.Status)).Inc()
	e.metrics.PageSeconds.Observe(took.Seconds())
	// The batch's last page reconciles before progress subscribers wake,
	// so a client that saw the batch end here finds its reports current.
	e.afterPage(ctx, p)
	e.events.notify()
	return nil
}

// fail gives up on a page for good, with the reason.
func (e *Engine) fail(ctx context.Context, p store.Page, token string, cause error) {
	err := e.store.FailPage(ctx, p.ID, token, cause.Error())
	switch {
	case errors.Is(err, store.ErrConflict), errors.Is(err, store.ErrLeaseLost):
		return
	case err != nil:
		e.log.Error("failing a page failed", "page", p.ID, "cause", cause, "err", err)
		return
	}
	e.log.Error("page failed", "page", p.ID, "file", p.File.Name, "index", p.Index, "err", cause)
	e.metrics.Pages.WithLabelValues(OutcomeFailed).Inc()
	e.afterPage(ctx, p)
	e.events.notify()
}

// afterPage reconciles the batch's pharmacies when its last page is
// finished. Each process checks after its own commit, so whichever
// finishes the last page sees the batch finished (two may both see it;
// reconciling twice is harmless).
func (e *Engine) afterPage(ctx context.Context, p store.Page) {
	b, err := e.store.GetBatch(ctx, p.BatchID, admin)
	if err != nil {
		e.log.Warn("reading batch progress", "batch", p.BatchID, "err", err)
		return
	}
	if !Finished(b) {
		return
	}
	if err := e.reconcileBatch(ctx, b.ID); err != nil {
		e.log.Error("reconciling a finished batch", "batch", b.ID, "err", err)
	}
}
