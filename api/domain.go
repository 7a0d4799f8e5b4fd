package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/regfus/regfus/auth"
	"github.com/regfus/regfus/intake"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/sheet"
	"github.com/regfus/regfus/store"
)

// The handlers call the domain through the small interfaces below, never
// the other way round. What needs nothing but the store (reading batches,
// pages, review items and reports; imports; page images) is implemented in
// this package over store.Store. What needs the processing engine
// (Batches, Checker, Progress, Corrector, Reconciler) is satisfied by
// package process through the adapters of package api/bind, wired by
// `regfus serve`.

// Principal is the caller: the key that signed the request and its scope.
type Principal struct {
	KeyID string
	Scope auth.Scope
}

// Batches takes uploads for processing.
type Batches interface {
	// Submit stores every file durably and records the batch and its pages
	// before it returns; reading goes on after. Errors: Overloaded (503),
	// Unreadable (422) when no file can be read, Invalid (400).
	Submit(ctx context.Context, who Principal, files []intake.File) (intake.Receipt, error)
}

// Checker reads one file at once, storing nothing (POST /v1/check).
type Checker interface {
	// Check returns one result per page. Errors as Batches.Submit.
	Check(ctx context.Context, who Principal, file intake.File) ([]page.Result, error)
}

// Progress streams a batch's progress for the event stream.
type Progress interface {
	// Events sends the batch as it is now, then again each time its
	// progress changes, and closes the channel once no page is queued or
	// running, or when ctx ends. A batch not in scope is store.ErrNotFound,
	// returned at once.
	Events(ctx context.Context, batchID int64, scope auth.Scope) (<-chan store.Batch, error)
}

// Corrector applies a person's correction of a review item: the page
// result is rebuilt with the value, saved with the correction (who, when,
// before, after) and the page's pharmacy reconciled again.
type Corrector interface {
	// Correct returns the item with its corrections. reconciled is false
	// when everything was saved but reconciling afterwards failed.
	// Errors: store.ErrNotFound (no such item in scope), Invalid (the value
	// does not fit the field), store.ErrConflict.
	Correct(ctx context.Context, who Principal, itemID int64, value json.RawMessage, note string) (item store.ReviewItem, reconciled bool, err error)
}

// Reconciler recomputes and stores the reconciliation of the pharmacies
// of the given groups (after an import). The stored report of a group
// (store.Reconciliation.Report) is the JSON of one reconcile.Group, which
// GET /v1/reconciliations lists under "groups".
type Reconciler interface {
	Reconcile(ctx context.Context, groups []sheet.Key) error
}

// Errors with their own status, for the domain's implementations (the
// adapters in api/bind translate the engine's errors into these).

// Invalid marks err as bad input: 400, with err's text shown to the client
// (so it must name the problem, not internals; absolute paths are
// scrubbed from it).
func Invalid(err error) error {
	return &httpError{Status: http.StatusBadRequest, Msg: err.Error(), Cause: err, Foreign: true}
}

// Overloaded is a 503 with Retry-After: the queue is full or no reader came
// free in time.
func Overloaded(retryAfter time.Duration, cause error) error {
	if retryAfter <= 0 {
		retryAfter = 30 * time.Second
	}
	return &httpError{Status: http.StatusServiceUnavailable, Msg: "overloaded: too much work queued, retry later",
		RetryAfter: retryAfter, Cause: cause}
}

// Unreadable is a 422: no page of the file (of any file of an upload) can
// be decoded. msg is shown: it names the files and why (absolute paths
// are scrubbed from it).
func Unreadable(msg string, cause error) error {
	return &httpError{Status: http.StatusUnprocessableEntity, Msg: msg, Cause: cause, Foreign: true}
}

// OutOfScope is a 403: the request would write data about a pharmacy
// outside a writer's scope (auth.AuthorizeWrite). err's text, which names
// the pharmacy and the scope, is shown.
func OutOfScope(err error) error {
	return &httpError{Status: http.StatusForbidden, Msg: err.Error(), Cause: err, Foreign: true}
}

// TooLarge is a 413 with msg shown: the request is bigger than the service
// will ever take (e.g. more pages than the queue holds).
func TooLarge(msg string, cause error) error {
	return &httpError{Status: http.StatusRequestEntityTooLarge, Msg: msg, Cause: cause, Foreign: true}
}

// ErrNotReady: what was asked for does not exist yet, e.g. the overlay of
// a page that was not read (409).
var ErrNotReady = errors.New("not ready")
