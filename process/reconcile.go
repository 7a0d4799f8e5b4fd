package process

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/regfus/regfus/fustella"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/reconcile"
	"github.com/regfus/regfus/sheet"
	"github.com/regfus/regfus/store"
)

// Reconcile recomputes and stores the reconciliation of the pharmacies of
// the given groups, and returns every group stored (sorted). Each pharmacy
// is reconciled whole, every competence month it has at once: a
// prescription suspended in one month and closed in a later one is
// matched on its own month's sheets and paid in the closing month, so
// neither month's report is right without the other. Each month is then
// stored as its own group (store.Reconciliation.Report is the JSON of one
// reconcile.Group, with the keys of SPEC section 5), and the progressive
// review items of its pages get what the scan order suggests
// (offerScanOrder).
//
// Input: the done pages whose sheet names the pharmacy, its declarations
// and records, and, for duplicate targature, every slot known to the
// system (store.FindTargature). Runs for one pharmacy are serialised
// across processes (advisory lock with PostgreSQL, a lock file with
// SQLite), so the last run to store saw every change committed before it
// started.
func (e *Engine) Reconcile(ctx context.Context, groups ...sheet.Key) ([]store.Reconciliation, error) {
	seen := map[sheet.Key]bool{}
	var ps []sheet.Key
	for _, g := range groups {
		p := g.AnyMonth() // the pharmacy, every month
		if p.Region == "" || p.ASL == "" || p.Pharmacy == "" || seen[p] {
			continue
		}
		seen[p] = true
		ps = append(ps, p)
	}
	slices.SortFunc(ps, sheet.Key.Compare)
	var out []store.Reconciliation
	var errs []error
	for _, p := range ps {
		rs, err := e.reconcilePharmacy(ctx, p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, rs...)
	}
	return out, errors.Join(errs...)
}

func (e *Engine) reconcilePharmacy(ctx context.Context, p sheet.Key) (out []store.Reconciliation, err error) {
	start := time.Now()
	defer func() {
		outcome := "ok"
		if err != nil {
			outcome = "error"
			e.log.Error("reconciliation failed", "pharmacy", p.String(), "err", err)
		}
		e.metrics.Reconciliations.WithLabelValues(outcome).Inc()
		e.metrics.ReconcileSeconds.Observe(time.Since(start).Seconds())
	}()
	unlock, err := e.locks.lock(ctx, "reconcile:"+p.String())
	if err != nil {
		return nil, fmt.Errorf("reconciling pharmacy %s: lock: %w", p, err)
	}
	defer unlock()

	f := store.GroupFilter{Scope: admin, Key: p}
	pages, err := e.store.ListSheetResults(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("reconciling pharmacy %s: pages: %w", p, err)
	}
	decls, err := e.store.ListDeclarations(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("reconciling pharmacy %s: declarations: %w", p, err)
	}
	recs, err := e.store.ListRecords(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("reconciling pharmacy %s: records: %w", p, err)
	}
	in := reconcile.Input{Known: storeKnown{ctx: ctx, s: e.store}, Declarations: decls, Records: recs}
	var ids []int64 // the store's id of each of in.Pages
	for _, pg := range pages {
		if pg.Result != nil {
			in.Pages = append(in.Pages, *pg.Result)
			ids = append(ids, pg.ID)
		}
	}
	rep, err := reconcile.Reconcile(in)
	if err != nil {
		return nil, fmt.Errorf("reconciling pharmacy %s: %w", p, err)
	}
	now := time.Now().UTC()
	for _, g := range rep.Groups {
		if g.Key.AnyMonth() != p {
			continue // not ours to store (cannot happen with this input)
		}
		b, err := json.Marshal(g)
		if err != nil {
			return nil, fmt.Errorf("reconciling pharmacy %s: encoding %s: %w", p, g.Key, err)
		}
		brief, err := json.Marshal(g.Brief())
		if err != nil {
			return nil, fmt.Errorf("reconciling pharmacy %s: encoding %s: %w", p, g.Key, err)
		}
		r := store.Reconciliation{
			Group:  g.Key,
			Report: b, Summary: brief, ComputedAt: now,
		}
		if err := e.store.PutReconciliation(ctx, r); err != nil {
			return nil, fmt.Errorf("reconciling pharmacy %s: storing %s: %w", p, g.Key, err)
		}
		if err := e.offerScanOrder(ctx, g, ids); err != nil {
			return nil, fmt.Errorf("reconciling pharmacy %s: %s: %w", p, g.Key, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// offerScanOrder puts on the progressive review item of each page of g
// whose progressive was not read what the order of the scan suggests for
// it (reconcile.ScanOrder), as a suggestion of source page.SourceScanOrder
// with no confidence (nothing was read), and clears the one an earlier
// run put there when the order suggests nothing now (a later upload or a
// correction changed the neighbours). The store never replaces nor clears
// a suggestion of the reader's own, nor touches a resolved item. ids are
// the store's ids of the reconciled pages, by their index in the input.
func (e *Engine) offerScanOrder(ctx context.Context, g reconcile.Group, ids []int64) error {
	for _, v := range g.Sheets {
		if v.Sheet != "" {
			continue
		}
		var sug *page.Suggestion
		if so := v.ScanOrder; so != nil {
			sug = &page.Suggestion{Text: so.Sheet, Source: page.SourceScanOrder,
				Why: fmt.Sprintf("not read from the box; scanned between sheets %s and %s of its bundle, none missing between them (the scan order only)", so.Prev, so.Next)}
		}
		if err := e.store.SetReviewSuggestion(ctx, ids[v.Input], FieldProgressive, page.SourceScanOrder, sug); err != nil {
			return fmt.Errorf("scan order suggestion for %s p.%d: %w", v.Source, v.Page, err)
		}
	}
	return nil
}

// storeKnown answers reconciliation's duplicate lookup from the store:
// every slot, on any page known to the system, that holds one of the
// targature. Slots on pages whose sheet was not identified are left out
// (no pharmacy or month to name); reconcile itself ignores sightings in
// the groups being reconciled.
type storeKnown struct {
	ctx context.Context
	s   store.Store
}

func (k storeKnown) Sightings(ts []fustella.Targatura) (map[fustella.Targatura][]reconcile.Sighting, error) {
	list := make([]string, len(ts))
	for i, t := range ts {
		list[i] = string(t)
	}
	refs, err := k.s.FindTargature(k.ctx, list)
	if err != nil {
		return nil, fmt.Errorf("known targature: %w", err)
	}
	out := map[fustella.Targatura][]reconcile.Sighting{}
	for _, r := range refs {
		if r.Group == nil || r.Group.Competence == "" {
			continue
		}
		t := fustella.Targatura(r.Targatura)
		out[t] = append(out[t], reconcile.Sighting{
			Key:   *r.Group,
			Sheet: r.Progressive, Slot: r.Slot,
		})
	}
	return out, nil
}

// groupOf is the key a page result's sheet names, if its identity was
// read (competence may be empty).
func groupOf(res *page.Result) (sheet.Key, bool) {
	if res == nil {
		return sheet.Key{}, false
	}
	return res.Sheet.Key()
}

// reconcileBatch reconciles every pharmacy whose sheets are in a batch.
func (e *Engine) reconcileBatch(ctx context.Context, batchID int64) error {
	pages, err := e.store.ListPages(ctx, batchID, admin)
	if err != nil {
		return fmt.Errorf("batch %d: %w", batchID, err)
	}
	var groups []sheet.Key
	for _, p := range pages {
		if g, ok := groupOf(p.Result); ok {
			groups = append(groups, g)
		}
	}
	_, err = e.Reconcile(ctx, groups...)
	return err
}

// ErrReconcile: the change was stored but reconciling afterwards failed.
var ErrReconcile = errors.New("stored, but reconciliation failed")
