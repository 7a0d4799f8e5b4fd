package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/regfus/regfus/auth"
	"github.com/regfus/regfus/sheet"
	"github.com/regfus/regfus/store"
)

// PutReconciliation implements store.Store.
func (s *Store) PutReconciliation(ctx context.Context, r store.Reconciliation) error {
	if !json.Valid(r.Report) {
		return fmt.Errorf("reconciliation %v: %w: report is not JSON", r.Group, store.ErrInvalid)
	}
	if !json.Valid(r.Summary) {
		return fmt.Errorf("reconciliation %v: %w: summary is not JSON", r.Group, store.ErrInvalid)
	}
	if r.ComputedAt.IsZero() {
		r.ComputedAt = now()
	}
	return s.q.PutReconciliation(ctx, s.db, r)
}

// PageReconciliations implements store.Store.
func (s *Store) PageReconciliations(ctx context.Context, q store.ReconciliationQuery) ([]store.Reconciliation, error) {
	if q.Limit <= 0 {
		return nil, fmt.Errorf("reconciliations: %w: page size %d", store.ErrInvalid, q.Limit)
	}
	rs, err := s.q.ListReconciliationPage(ctx, s.db, q)
	out, err := collect(rs, err, scanReconciliation)
	if q.Summaries {
		for i := range out {
			out[i].Summary, out[i].Report = out[i].Report, nil
		}
	}
	if out == nil && err == nil {
		out = []store.Reconciliation{}
	}
	return out, err
}

// scanReconciliation reads region, asl, pharmacy, competence, report (or
// summary), computed_at.
func scanReconciliation(sc scanner) (store.Reconciliation, error) {
	var r store.Reconciliation
	var at timeCol
	var report []byte
	err := sc.Scan(&r.Group.Region, &r.Group.ASL, &r.Group.Pharmacy, &r.Group.Competence, &report, &at)
	r.Report, r.ComputedAt = report, at.T
	return r, err
}

// GetReconciliation implements store.Store.
func (s *Store) GetReconciliation(ctx context.Context, g sheet.Key, sc auth.Scope) (store.Reconciliation, error) {
	r, err := scanReconciliation(s.q.GetReconciliation(ctx, s.db, g, sc))
	return one(r, err, "reconciliation %s-%s-%s %s", g.Region, g.ASL, g.Pharmacy, g.Competence)
}

// ListReconciliations implements store.Store.
func (s *Store) ListReconciliations(ctx context.Context, f store.GroupFilter) ([]store.Reconciliation, error) {
	rs, err := s.q.ListReconciliations(ctx, s.db, f)
	return collect(rs, err, scanReconciliation)
}
