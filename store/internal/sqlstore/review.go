package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/regfus/regfus/auth"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/store"
)

// scanReview reads the review columns: r.id, r.page_id, p.batch_id,
// p.file_sha256, p.page_index, r.slot, r.field, r.reason, r.value,
// r.suggestion, r.status, r.created_at, r.resolved_at, sh.region, sh.asl,
// sh.pharmacy, sh.competence.
func scanReview(sc scanner) (store.ReviewItem, error) {
	var it store.ReviewItem
	var slot sql.NullInt64
	var value, sug []byte
	var status string
	var created, resolved timeCol
	var region, asl, pharmacy, competence sql.NullString
	err := sc.Scan(&it.ID, &it.PageID, &it.BatchID, &it.FileSHA256, &it.PageIndex, &slot, &it.Field, &it.Reason,
		&value, &sug, &status, &created, &resolved, &region, &asl, &pharmacy, &competence)
	if err != nil {
		return it, err
	}
	it.Slot = int(slot.Int64)
	if len(value) > 0 {
		it.Value = value
	}
	if len(sug) > 0 {
		it.Suggestion = new(page.Suggestion)
		if err := json.Unmarshal(sug, it.Suggestion); err != nil {
			return it, fmt.Errorf("review item %d: suggestion: %w", it.ID, err)
		}
	}
	it.Status = store.ReviewStatus(status)
	it.CreatedAt, it.ResolvedAt = created.T, resolved.T
	it.Group = groupPtr(region, asl, pharmacy, competence)
	return it, nil
}

// ListReview implements store.Store.
func (s *Store) ListReview(ctx context.Context, f store.ReviewFilter) ([]store.ReviewItem, error) {
	rs, err := s.q.ListReview(ctx, s.db, f)
	return collect(rs, err, scanReview)
}

// scanCorrection reads id, key_id, at, before, after, note.
func scanCorrection(sc scanner) (store.Correction, error) {
	var c store.Correction
	var key, note sql.NullString
	var at timeCol
	var before, after []byte
	if err := sc.Scan(&c.ID, &key, &at, &before, &after, &note); err != nil {
		return c, err
	}
	c.KeyID, c.At, c.Note = str(key), at.T, str(note)
	if len(before) > 0 {
		c.Before = before
	}
	if len(after) > 0 {
		c.After = after
	}
	return c, nil
}

func (s *Store) getReview(ctx context.Context, q querier, id int64, sc auth.Scope) (store.ReviewItem, error) {
	it, err := scanReview(s.q.GetReview(ctx, q, id, sc))
	it, err = one(it, err, "review item %d", id)
	if err != nil {
		return store.ReviewItem{}, err
	}
	rs, err := s.q.ListCorrections(ctx, q, id)
	it.Corrections, err = collect(rs, err, scanCorrection)
	if err != nil {
		return store.ReviewItem{}, err
	}
	return it, nil
}

// GetReview implements store.Store.
func (s *Store) GetReview(ctx context.Context, id int64, sc auth.Scope) (store.ReviewItem, error) {
	return s.getReview(ctx, s.db, id, sc)
}

// CorrectReview implements store.Store.
func (s *Store) CorrectReview(ctx context.Context, c store.NewCorrection) (store.ReviewItem, error) {
	if len(c.After) == 0 || !json.Valid(c.After) {
		return store.ReviewItem{}, fmt.Errorf("review item %d: %w: the correction must be a JSON value", c.ItemID, store.ErrInvalid)
	}
	var resJSON []byte
	if c.Result != nil {
		var err error
		if resJSON, err = json.Marshal(c.Result); err != nil {
			return store.ReviewItem{}, fmt.Errorf("review item %d: encoding result: %w", c.ItemID, err)
		}
	}
	var it store.ReviewItem
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if it, err = s.getReview(ctx, tx, c.ItemID, c.Scope); err != nil {
			return err
		}
		before := it.Value
		if n := len(it.Corrections); n > 0 {
			before = it.Corrections[n-1].After
		}
		t := now()
		if err := s.q.InsertCorrection(ctx, tx, c, t, before); err != nil {
			return err
		}
		if err := s.q.ResolveReview(ctx, tx, c.ItemID, t); err != nil {
			return err
		}
		if c.Result != nil {
			if err := s.q.UpdatePageResult(ctx, tx, it.PageID, string(c.Result.Status), resJSON, c.Result.LayoutVersion); err != nil {
				return err
			}
			if err := s.writeDerived(ctx, tx, it.PageID, c.Result); err != nil {
				return err
			}
		}
		it, err = s.getReview(ctx, tx, c.ItemID, auth.Scope{Role: auth.Admin})
		return err
	})
	if err != nil {
		return store.ReviewItem{}, err
	}
	return it, nil
}

// SetReviewSuggestion implements store.Store.
func (s *Store) SetReviewSuggestion(ctx context.Context, pageID int64, field, source string, sug *page.Suggestion) error {
	if sug != nil && sug.Source != source {
		return fmt.Errorf("page %d, %s: %w: a suggestion of source %q given as of %q", pageID, field, store.ErrInvalid, sug.Source, source)
	}
	return s.q.SetReviewSuggestion(ctx, s.db, pageID, field, source, sug)
}
