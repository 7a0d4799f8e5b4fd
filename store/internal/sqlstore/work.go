package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/regfus/regfus/auth"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/store"
)

// ClaimPage implements store.Store.
func (s *Store) ClaimPage(ctx context.Context, opt store.ClaimOptions) (store.Claim, error) {
	if opt.Lease <= 0 {
		return store.Claim{}, fmt.Errorf("claim: %w: lease must be positive", store.ErrInvalid)
	}
	if opt.MaxAttempts <= 0 {
		opt.MaxAttempts = 3
	}
	t := now()
	c := store.Claim{Token: newToken(), LeaseUntil: t.Add(opt.Lease).Truncate(time.Microsecond)}
	var id sql.NullInt64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.q.FailExhausted(ctx, tx, t, opt.MaxAttempts); err != nil {
			return err
		}
		err := s.q.ClaimPage(ctx, tx, t, c.LeaseUntil, c.Token, opt.MaxAttempts).Scan(&id)
		if errNoRows(err) {
			return nil // commit what FailExhausted did
		}
		return err
	})
	if err != nil {
		return store.Claim{}, err
	}
	if !id.Valid {
		return store.Claim{}, store.ErrNoWork
	}
	c.Page, err = s.GetPage(ctx, id.Int64, auth.Scope{Role: auth.Admin})
	return c, err
}

// ExtendLease implements store.Store.
func (s *Store) ExtendLease(ctx context.Context, pageID int64, token string, lease time.Duration) error {
	n, err := s.q.ExtendLease(ctx, s.db, pageID, token, now().Add(lease))
	return leaseHeld(pageID, n, err)
}

// ReleasePage implements store.Store.
func (s *Store) ReleasePage(ctx context.Context, pageID int64, token string) error {
	n, err := s.q.ReleasePage(ctx, s.db, pageID, token)
	return leaseHeld(pageID, n, err)
}

// leaseHeld is the error of a statement that changed n rows of a claimed
// page: none means the claim was lost.
func leaseHeld(pageID, n int64, err error) error {
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("page %d: %w", pageID, store.ErrLeaseLost)
	}
	return nil
}

// checkClaim locks the page and checks that it may be finished by the
// holder of token ("" = any worker, River).
func (s *Store) checkClaim(ctx context.Context, tx *sql.Tx, pageID int64, token string) error {
	var state string
	var held sql.NullString
	err := s.q.LockPage(ctx, tx, pageID).Scan(&state, &held)
	if errNoRows(err) {
		return fmt.Errorf("page %d: %w", pageID, store.ErrNotFound)
	}
	if err != nil {
		return err
	}
	switch {
	case state == string(store.PageDone) || state == string(store.PageFailed):
		return fmt.Errorf("page %d is already %s: %w", pageID, state, store.ErrConflict)
	case token != "" && (state != string(store.PageRunning) || held.String != token):
		return fmt.Errorf("page %d: %w (it is %s under another claim)", pageID, store.ErrLeaseLost, state)
	}
	return nil
}

// CompletePage implements store.Store.
func (s *Store) CompletePage(ctx context.Context, o store.PageOutcome) error {
	resJSON, err := json.Marshal(o.Result)
	if err != nil {
		return fmt.Errorf("page %d: encoding result: %w", o.PageID, err)
	}
	switch o.Result.Status {
	case page.OK, page.Review, page.Rejected:
	default:
		return fmt.Errorf("page %d: %w: result status %q", o.PageID, store.ErrInvalid, o.Result.Status)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.checkClaim(ctx, tx, o.PageID, o.Token); err != nil {
			return err
		}
		if err := s.q.FinishPage(ctx, tx, o.PageID, string(o.Result.Status), resJSON, o.Result.LayoutVersion, now(), o.Millis); err != nil {
			return err
		}
		if err := s.writeDerived(ctx, tx, o.PageID, &o.Result); err != nil {
			return err
		}
		t := now()
		for i, it := range o.Review {
			if it.Field == "" || it.Reason == "" {
				return fmt.Errorf("page %d review item %d: %w: field and reason are required", o.PageID, i+1, store.ErrInvalid)
			}
			if err := s.q.InsertReview(ctx, tx, o.PageID, it, t); err != nil {
				return fmt.Errorf("page %d review item %d: %w", o.PageID, i+1, err)
			}
		}
		return nil
	})
}

// writeDerived replaces the rows derived from a page result: its slots and
// its sheet identity.
func (s *Store) writeDerived(ctx context.Context, tx *sql.Tx, pageID int64, r *page.Result) error {
	if err := s.q.DeleteSlots(ctx, tx, pageID); err != nil {
		return err
	}
	for _, sl := range r.Slots {
		if sl.Slot < 1 || sl.Slot > 28 {
			return fmt.Errorf("page %d: %w: slot number %d out of 1-28", pageID, store.ErrInvalid, sl.Slot)
		}
		flags, _ := json.Marshal(sl.Flags)
		if sl.Flags == nil {
			flags = []byte("[]")
		}
		if err := s.q.InsertSlot(ctx, tx, pageID, sl.Slot, string(sl.State), sl.AIC, sl.Targatura, sl.Confidence, flags); err != nil {
			return fmt.Errorf("page %d slot %d: %w", pageID, sl.Slot, err)
		}
	}
	if err := s.q.DeleteSheet(ctx, tx, pageID); err != nil {
		return err
	}
	sh := r.Sheet
	k, ok := sh.Key()
	if !ok {
		return nil // not identified: no sheet row
	}
	row := sheetRow{
		code: sh.Code, tailCode: sh.TailCode, progressive: sh.Progressive, date: sh.Date, key: k,
		dispensario:   sh.Progressive != nil && strings.HasPrefix(*sh.Progressive, "D"),
		declaredCount: sh.DeclaredCount,
	}
	return s.q.InsertSheet(ctx, tx, pageID, row)
}

// FailPage implements store.Store.
func (s *Store) FailPage(ctx context.Context, pageID int64, token, reason string) error {
	if reason == "" {
		return fmt.Errorf("page %d: %w: a failure needs a reason", pageID, store.ErrInvalid)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.checkClaim(ctx, tx, pageID, token); err != nil {
			return err
		}
		return s.q.FailPage(ctx, tx, pageID, reason, now())
	})
}

// QueueDepth implements store.Store.
func (s *Store) QueueDepth(ctx context.Context) (int, error) {
	var n int
	if err := s.q.QueueDepth(ctx, s.db).Scan(&n); err != nil {
		return 0, err
	}
	return n, nil
}
