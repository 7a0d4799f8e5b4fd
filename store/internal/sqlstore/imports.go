package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/regfus/regfus/fustella"
	"github.com/regfus/regfus/records"
	"github.com/regfus/regfus/sheet"
	"github.com/regfus/regfus/store"
)

// importRows is what ImportDeclarations and ImportRecords share: a kind
// of row (its group and line from records.Row), how to name it, and how
// to store it.
type importRows[T records.Row] struct {
	kind store.ImportKind
	// key is what may appear once per file, within the row's group; what
	// describes it in the error naming a duplicate.
	key  func(T) string
	what func(T) string
	// del deletes a group's stored rows; insert stores one row.
	del    func(context.Context, querier, sheet.Key) (int64, error)
	insert func(context.Context, querier, int64, T) error
}

// run stores an import: it refuses duplicates, then, in one transaction,
// records the import, deletes each group's stored rows and inserts the
// file's.
func (ir importRows[T]) run(ctx context.Context, s *Store, imp store.Import, rows []T) (store.ImportSummary, error) {
	type key struct {
		g sheet.Key
		k string
	}
	seen := map[key]int{}
	groups := map[sheet.Key]bool{}
	for _, r := range rows {
		k := key{r.Group(), ir.key(r)}
		if prev, dup := seen[k]; dup {
			return store.ImportSummary{}, fmt.Errorf("%s %s %s: %w: %s %s",
				ir.kind, imp.Source, line(r.Line()), store.ErrInvalid, ir.what(r), line(prev))
		}
		seen[k] = r.Line()
		groups[k.g] = true
	}
	sum := store.ImportSummary{Rows: len(rows), Groups: sortGroups(groups)}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.q.InsertImport(ctx, tx, ir.kind, imp, len(rows), now()).Scan(&sum.ImportID); err != nil {
			return err
		}
		for _, g := range sum.Groups {
			k, err := ir.del(ctx, tx, g)
			if err != nil {
				return err
			}
			sum.Replaced += int(k)
		}
		for _, r := range rows {
			if err := ir.insert(ctx, tx, sum.ImportID, r); err != nil {
				return fmt.Errorf("%s %s %s: %w", ir.kind, imp.Source, line(r.Line()), err)
			}
		}
		return nil
	})
	if err != nil {
		return store.ImportSummary{}, err
	}
	return sum, nil
}

func sortGroups(m map[sheet.Key]bool) []sheet.Key {
	out := make([]sheet.Key, 0, len(m))
	for g := range m {
		out = append(out, g)
	}
	slices.SortFunc(out, sheet.Key.Compare)
	return out
}

func line(n int) string {
	if n == 0 {
		return "a row"
	}
	return fmt.Sprintf("line %d", n)
}

// ImportDeclarations implements store.Store.
func (s *Store) ImportDeclarations(ctx context.Context, imp store.Import, rows []records.Declaration) (store.ImportSummary, error) {
	return importRows[records.Declaration]{
		kind: store.ImportDeclarations,
		key:  func(d records.Declaration) string { return string(d.Bundle) },
		what: func(d records.Declaration) string {
			return fmt.Sprintf("pharmacy %s-%s-%s competence %s bundle %s is already declared on", d.Region, d.ASL, d.Pharmacy, d.Competence, d.Bundle)
		},
		del:    s.q.DeleteDeclarationsGroup,
		insert: s.q.InsertDeclaration,
	}.run(ctx, s, imp, rows)
}

// ImportRecords implements store.Store.
func (s *Store) ImportRecords(ctx context.Context, imp store.Import, rows []records.Record) (store.ImportSummary, error) {
	return importRows[records.Record]{
		kind: store.ImportRecords,
		key:  func(r records.Record) string { return r.ID },
		what: func(r records.Record) string {
			return fmt.Sprintf("record_id %q of pharmacy %s-%s-%s competence %s already appears on", r.ID, r.Region, r.ASL, r.Pharmacy, r.Competence)
		},
		del:    s.q.DeleteRecordsGroup,
		insert: s.q.InsertRecord,
	}.run(ctx, s, imp, rows)
}

// ListDeclarations implements store.Store.
func (s *Store) ListDeclarations(ctx context.Context, f store.GroupFilter) ([]records.Declaration, error) {
	rs, err := s.q.ListDeclarations(ctx, s.db, f)
	return collect(rs, err, func(sc scanner) (records.Declaration, error) {
		var d records.Declaration
		var importID int64
		var extra []byte
		err := sc.Scan(&importID, &d.Region, &d.ASL, &d.Pharmacy, &d.Competence, &d.Bundle, &d.Sheets,
			&d.GrossAmount, &d.Ticket, &extra)
		return d, err
	})
}

// ListRecords implements store.Store. It fails only on a row the store
// could not have written from a valid record.
func (s *Store) ListRecords(ctx context.Context, f store.GroupFilter) ([]records.Record, error) {
	rs, err := s.q.ListRecords(ctx, s.db, f)
	return collect(rs, err, func(sc scanner) (records.Record, error) {
		var r records.Record
		var importID int64
		var dispensed string
		var aic, targatura, state, signature string
		var progressive, closed, signed sql.NullString
		var slot sql.NullInt64
		var extra []byte
		if err := sc.Scan(&importID, &r.ID, &r.Region, &r.ASL, &r.Pharmacy, &r.Competence, &dispensed,
			&r.Prescription, &aic, &targatura, &progressive, &slot, &state, &closed, &signature, &signed, &extra); err != nil {
			return r, err
		}
		r.AIC, r.Targatura = fustella.AIC(aic), fustella.Targatura(targatura)
		r.State, r.Signature = records.State(state), records.Signature(signature)
		r.Slot, r.SignedDocumentID = int(slot.Int64), str(signed)
		var err error
		if r.DispensedOn, err = time.Parse(time.DateOnly, dispensed); err != nil {
			return r, fmt.Errorf("record %s: dispensed_on: %w", r.ID, err)
		}
		if closed.Valid {
			if r.ClosedOn, err = time.Parse(time.DateOnly, closed.String); err != nil {
				return r, fmt.Errorf("record %s: closed_on: %w", r.ID, err)
			}
		}
		if progressive.Valid {
			if r.Sheet, err = sheet.ParseProgressive(progressive.String); err != nil {
				return r, fmt.Errorf("record %s: sheet: %w", r.ID, err)
			}
		}
		return r, nil
	})
}
