// Package bind connects the REST layer to the processing engine: it
// adapts a *process.Engine to the small interfaces package api defines
// (api.Batches, api.Checker, api.Progress, api.Corrector, api.Reconciler)
// and translates the engine's errors into the API's (overloaded 503 with
// Retry-After, unreadable 422, invalid 400). It holds no logic of its own;
// `regfus serve` and the API's end-to-end tests wire through it, so both
// run the same code.
package bind

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/regfus/regfus/api"
	"github.com/regfus/regfus/auth"
	"github.com/regfus/regfus/intake"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/process"
	"github.com/regfus/regfus/sheet"
	"github.com/regfus/regfus/store"
)

// Engine adapts e. Its methods implement the api interfaces.
type Engine struct{ E *process.Engine }

var (
	_ api.Batches    = Engine{}
	_ api.Checker    = Engine{}
	_ api.Progress   = Engine{}
	_ api.Corrector  = Engine{}
	_ api.Reconciler = Engine{}
)

// Config fills the engine's part of an api.Config.
func (b Engine) Config(c api.Config) api.Config {
	c.Batches, c.Checker, c.Progress, c.Corrector, c.Reconciler = b, b, b, b, b
	return c
}

// Submit implements api.Batches.
func (b Engine) Submit(ctx context.Context, who api.Principal, files []intake.File) (intake.Receipt, error) {
	r, err := b.E.Submit(ctx, process.Submission{KeyID: who.KeyID, Scope: who.Scope, Files: files})
	if err != nil {
		return intake.Receipt{}, translate(err)
	}
	return r, nil
}

// Check implements api.Checker.
func (b Engine) Check(ctx context.Context, who api.Principal, file intake.File) ([]page.Result, error) {
	res, err := b.E.Check(ctx, file)
	if err != nil {
		return nil, translate(err)
	}
	return res, nil
}

// Events implements api.Progress.
func (b Engine) Events(ctx context.Context, batchID int64, scope auth.Scope) (<-chan store.Batch, error) {
	return b.E.Events(ctx, batchID, scope)
}

// Correct implements api.Corrector. A correction that was saved but whose
// reconciliation failed is a success with reconciled false.
func (b Engine) Correct(ctx context.Context, who api.Principal, itemID int64, value json.RawMessage, note string) (store.ReviewItem, bool, error) {
	c, err := b.E.Correct(ctx, process.Correction{ItemID: itemID, Scope: who.Scope, KeyID: who.KeyID, After: value, Note: note})
	switch {
	case err == nil:
		return c.Item, true, nil
	case errors.Is(err, process.ErrReconcile):
		return c.Item, false, nil
	}
	return store.ReviewItem{}, false, translate(err)
}

// Reconcile implements api.Reconciler.
func (b Engine) Reconcile(ctx context.Context, groups []sheet.Key) error {
	_, err := b.E.Reconcile(ctx, groups...)
	return err
}

// translate maps the engine's errors to the API's; others pass through
// (store errors keep their meaning in the API's error handler).
func translate(err error) error {
	var oe *process.OverloadedError
	if errors.As(err, &oe) {
		if oe.TooBig() {
			return api.TooLarge(oe.Error(), err)
		}
		return api.Overloaded(oe.RetryAfter, err)
	}
	if errors.Is(err, auth.ErrOutOfScope) {
		return api.OutOfScope(err)
	}
	if errors.Is(err, process.ErrOverloaded) {
		return api.Overloaded(0, err)
	}
	var ue *process.UnreadableError
	if errors.As(err, &ue) {
		parts := make([]string, len(ue.Files))
		for i, f := range ue.Files {
			parts[i] = f.Reason
		}
		return api.Unreadable("unreadable: "+strings.Join(parts, "; "), err)
	}
	if errors.Is(err, process.ErrUnreadable) {
		return api.Unreadable("unreadable: no page of the file can be decoded", err)
	}
	if errors.Is(err, store.ErrInvalid) {
		// The engine's invalid-input messages name the item, field and
		// value; they carry no internals.
		return api.Invalid(err)
	}
	return err
}
