package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"sort"

	"github.com/regfus/regfus/store"
)

func sortGroups(m map[store.Group]bool) []store.Group {
	out := make([]store.Group, 0, len(m))
	for g := range m {
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		return a.Region+a.ASL+a.Pharmacy+a.Competence < b.Region+b.ASL+b.Pharmacy+b.Competence
	})
	return out
}

func line(n int) string {
	if n == 0 {
		return "a row"
	}
	return fmt.Sprintf("line %d", n)
}

// runImport records an import of n rows and, in the same transaction,
// deletes each group's rows (del) and inserts the import's (insert).
func (s *Store) runImport(ctx context.Context, kind store.ImportKind, imp store.Import, n int, groups []store.Group,
	del func(context.Context, querier, store.Group) (int64, error), insert func(tx *sql.Tx, importID int64) error) (store.ImportSummary, error) {
	sum := store.ImportSummary{Rows: n, Groups: groups}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.q.InsertImport(ctx, tx, kind, imp, n, now()).Scan(&sum.ImportID); err != nil {
			return err
		}
		for _, g := range groups {
			k, err := del(ctx, tx, g)
			if err != nil {
				return err
			}
			sum.Replaced += int(k)
		}
		return insert(tx, sum.ImportID)
	})
	if err != nil {
		return store.ImportSummary{}, err
	}
	return sum, nil
}

// ImportDeclarations implements store.Store.
func (s *Store) ImportDeclarations(ctx context.Context, imp store.Import, rows []store.Declaration) (store.ImportSummary, error) {
	type key struct {
		g      store.Group
		bundle string
	}
	seen := map[key]int{}
	groups := map[store.Group]bool{}
	for _, d := range rows {
		k := key{d.Group(), d.Bundle}
		if prev, dup := seen[k]; dup {
			return store.ImportSummary{}, fmt.Errorf("declarations %s %s: %w: pharmacy %s-%s-%s competence %s bundle %s is already declared on %s",
				imp.Source, line(d.Line), store.ErrInvalid, d.Region, d.ASL, d.Pharmacy, d.Competence, d.Bundle, line(prev))
		}
		seen[k] = d.Line
		groups[d.Group()] = true
	}
	return s.runImport(ctx, store.ImportDeclarations, imp, len(rows), sortGroups(groups), s.q.DeleteDeclarationsGroup, func(tx *sql.Tx, id int64) error {
		for _, d := range rows {
			if err := s.q.InsertDeclaration(ctx, tx, id, d); err != nil {
				return fmt.Errorf("declarations %s %s: %w", imp.Source, line(d.Line), err)
			}
		}
		return nil
	})
}

// ImportRecords implements store.Store.
func (s *Store) ImportRecords(ctx context.Context, imp store.Import, rows []store.Record) (store.ImportSummary, error) {
	type key struct {
		g  store.Group
		id string
	}
	seen := map[key]int{}
	groups := map[store.Group]bool{}
	for _, r := range rows {
		k := key{r.Group(), r.RecordID}
		if prev, dup := seen[k]; dup {
			return store.ImportSummary{}, fmt.Errorf("records %s %s: %w: record_id %q of pharmacy %s-%s-%s competence %s already appears on %s",
				imp.Source, line(r.Line), store.ErrInvalid, r.RecordID, r.Region, r.ASL, r.Pharmacy, r.Competence, line(prev))
		}
		seen[k] = r.Line
		groups[r.Group()] = true
	}
	return s.runImport(ctx, store.ImportRecords, imp, len(rows), sortGroups(groups), s.q.DeleteRecordsGroup, func(tx *sql.Tx, id int64) error {
		for _, r := range rows {
			if err := s.q.InsertRecord(ctx, tx, id, r); err != nil {
				return fmt.Errorf("records %s %s: %w", imp.Source, line(r.Line), err)
			}
		}
		return nil
	})
}

// ListDeclarations implements store.Store.
func (s *Store) ListDeclarations(ctx context.Context, f store.GroupFilter) ([]store.Declaration, error) {
	rs, err := s.q.ListDeclarations(ctx, s.db, f)
	return collect(rs, err, func(sc scanner) (store.Declaration, error) {
		var d store.Declaration
		var extra []byte
		if err := sc.Scan(&d.ImportID, &d.Region, &d.ASL, &d.Pharmacy, &d.Competence, &d.Bundle, &d.Sheets,
			&d.GrossCents, &d.TicketCents, &extra); err != nil {
			return d, err
		}
		var err error
		d.Extra, err = scanExtra(extra)
		return d, err
	})
}

// ListRecords implements store.Store.
func (s *Store) ListRecords(ctx context.Context, f store.GroupFilter) ([]store.Record, error) {
	rs, err := s.q.ListRecords(ctx, s.db, f)
	return collect(rs, err, func(sc scanner) (store.Record, error) {
		var r store.Record
		var sheet, closed, signed sql.NullString
		var slot sql.NullInt64
		var extra []byte
		if err := sc.Scan(&r.ImportID, &r.RecordID, &r.Region, &r.ASL, &r.Pharmacy, &r.Competence, &r.DispensedOn,
			&r.Prescription, &r.AIC, &r.Targatura, &sheet, &slot, &r.State, &closed, &r.Signature, &signed, &extra); err != nil {
			return r, err
		}
		r.Sheet, r.ClosedOn, r.SignedDocumentID, r.Slot = str(sheet), str(closed), str(signed), int(slot.Int64)
		var err error
		r.Extra, err = scanExtra(extra)
		return r, err
	})
}
