package process

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/regfus/regfus/auth"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/sheet"
	"github.com/regfus/regfus/store"
)

// Correction is a person's answer to a review item.
type Correction struct {
	ItemID int64
	Scope  auth.Scope // the corrector's; the item must be in it
	KeyID  string     // who
	// After is the corrected value, in the form the item's field takes
	// (see FieldCode and the other Field constants).
	After json.RawMessage
	Note  string
}

// Corrected is what Correct did.
type Corrected struct {
	// Item is the review item with its corrections, oldest first.
	Item store.ReviewItem
	// Page is the page result as corrected and stored.
	Page page.Result
	// Reconciliations are the groups reconciled again because of it.
	Reconciliations []store.Reconciliation
}

// Correct applies a correction: the page's result is rebuilt from the
// stored one and the correction (ApplyCorrection), saved together with the
// correction (who, when, before, after: store.CorrectReview), and the
// pharmacy of the page is reconciled again, also its former pharmacy when
// the correction changed the sheet code. Corrections of one page are
// serialised, so two people correcting two items of the same page do not
// overwrite each other's result.
//
// Errors: store.ErrNotFound (no such item in scope), store.ErrInvalid (the
// value does not fit the field), auth.ErrOutOfScope (the corrected page
// would be a sheet outside the corrector's or the uploader's scope),
// ErrReconcile (saved, reconciling failed).
func (e *Engine) Correct(ctx context.Context, c Correction) (Corrected, error) {
	item, err := e.store.GetReview(ctx, c.ItemID, c.Scope)
	if err != nil {
		return Corrected{}, err
	}
	unlock, err := e.locks.lock(ctx, "page:"+strconv.FormatInt(item.PageID, 10))
	if err != nil {
		return Corrected{}, fmt.Errorf("review item %d: lock: %w", c.ItemID, err)
	}
	defer unlock()
	p, err := e.store.GetPage(ctx, item.PageID, admin)
	if err != nil {
		return Corrected{}, fmt.Errorf("review item %d: %w", c.ItemID, err)
	}
	if p.Result == nil {
		return Corrected{}, fmt.Errorf("review item %d: page %d has no result: %w", c.ItemID, p.ID, store.ErrConflict)
	}
	fixed, err := ApplyCorrection(*p.Result, item, c.After)
	if err != nil {
		return Corrected{}, err
	}
	// The one write rule: the sheet the corrected page is a sheet of must
	// be inside the corrector's scope and the page's uploader's, so no
	// correction puts a page where its uploader could not have put it.
	if id, ok := fixed.Sheet.Key(); ok {
		if err := auth.AuthorizeWrite(id, auth.Writer{Who: "this key", Scope: c.Scope}, uploader(p)); err != nil {
			return Corrected{}, fmt.Errorf("review item %d: %w", c.ItemID, err)
		}
	}
	saved, err := e.store.CorrectReview(ctx, store.NewCorrection{
		ItemID: c.ItemID, Scope: c.Scope, KeyID: c.KeyID, After: c.After, Note: c.Note, Result: &fixed,
	})
	if err != nil {
		return Corrected{}, err
	}
	out := Corrected{Item: saved, Page: fixed}
	var groups []sheet.Key
	for _, r := range []*page.Result{p.Result, &fixed} {
		if g, ok := groupOf(r); ok {
			groups = append(groups, g)
		}
	}
	unlock() // the page is saved; reconciliation takes its own lock
	out.Reconciliations, err = e.Reconcile(ctx, groups...)
	if err != nil {
		return out, fmt.Errorf("%w: %v", ErrReconcile, err)
	}
	return out, nil
}
