package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/regfus/regfus/auth"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/store"
)

// Store implements store.Store over a *sql.DB with a Dialect.
type Store struct {
	db *sql.DB
	d  Dialect
	q  map[string]string
	// closers run on Close after the *sql.DB (e.g. the pgx pool under it).
	closers []func()
}

// New wraps db. It fails if the dialect's queries.sql is incomplete.
func New(db *sql.DB, d Dialect, closers ...func()) (*Store, error) {
	q, err := parseQueries(d.Name, d.Queries)
	if err != nil {
		return nil, err
	}
	return &Store{db: db, d: d, q: q, closers: closers}, nil
}

var _ store.Store = (*Store)(nil)

// DB returns the underlying database handle.
func (s *Store) DB() *sql.DB { return s.db }

// Ping implements store.Store.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("%s store: %w", s.d.Name, err)
	}
	var one int
	if err := s.db.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("%s store: %w", s.d.Name, err)
	}
	return nil
}

// Close implements store.Store.
func (s *Store) Close() error {
	err := s.db.Close()
	for _, c := range s.closers {
		c()
	}
	return err
}

// now is the store's clock: UTC, truncated to what both databases keep.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

func (s *Store) t(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return s.d.Time(t.UTC().Truncate(time.Microsecond))
}

// querier is what *sql.DB and *sql.Tx share.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (s *Store) exec(ctx context.Context, q querier, name string, args ...any) (sql.Result, error) {
	r, err := q.ExecContext(ctx, s.q[name], args...)
	if err != nil {
		return nil, s.wrap(name, err)
	}
	return r, nil
}

func (s *Store) query(ctx context.Context, q querier, name string, args ...any) (*sql.Rows, error) {
	r, err := q.QueryContext(ctx, s.q[name], args...)
	if err != nil {
		return nil, s.wrap(name, err)
	}
	return r, nil
}

func (s *Store) row(ctx context.Context, q querier, name string, args ...any) *sql.Row {
	return q.QueryRowContext(ctx, s.q[name], args...)
}

func (s *Store) wrap(name string, err error) error {
	if s.d.IsUniqueViolation != nil && s.d.IsUniqueViolation(err) {
		return fmt.Errorf("%s %s: %w: %v", s.d.Name, name, store.ErrConflict, err)
	}
	return fmt.Errorf("%s %s: %w", s.d.Name, name, err)
}

// inTx runs f in a transaction, committing if it returns nil.
func (s *Store) inTx(ctx context.Context, f func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s store: begin: %w", s.d.Name, err)
	}
	if err := f(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s store: commit: %w", s.d.Name, err)
	}
	return nil
}

// inConnTx is inTx on one connection.
func (s *Store) inConnTx(ctx context.Context, conn *sql.Conn, f func(tx *sql.Tx) error) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s store: begin: %w", s.d.Name, err)
	}
	if err := f(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s store: commit: %w", s.d.Name, err)
	}
	return nil
}

// ---- scanning helpers

// timeCol scans a timestamp stored either natively (time.Time) or as
// microseconds since the epoch (int64); NULL is the zero time.
type timeCol struct{ T time.Time }

func (c *timeCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		c.T = time.Time{}
	case time.Time:
		c.T = v.UTC()
	case int64:
		c.T = time.UnixMicro(v).UTC()
	default:
		return fmt.Errorf("timestamp column holds %T", src)
	}
	return nil
}

func str(v sql.NullString) string { return v.String }

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullInt(n int) any {
	if n == 0 {
		return nil
	}
	return int64(n)
}

func nullJSON(b json.RawMessage) any {
	if len(b) == 0 {
		return nil
	}
	return string(b)
}

func extraJSON(m map[string]string) (any, error) {
	if len(m) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

func scanExtra(b []byte) (map[string]string, error) {
	if len(b) == 0 {
		return nil, nil
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("extra columns: %w", err)
	}
	return m, nil
}

func newToken() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b)
}

// scope returns a scope's query parameters (nil = unrestricted).
func scope(sc auth.Scope) []any {
	r, a, p := sc.Filter()
	return []any{r, a, p}
}

// groupFilter returns scope then filter parameters: 7 values.
func groupFilter(f store.GroupFilter) []any {
	return append(scope(f.Scope), nullStr(f.Region), nullStr(f.ASL), nullStr(f.Pharmacy), nullStr(f.Competence))
}

func groupPtr(region, asl, pharmacy, competence sql.NullString) *store.Group {
	if !region.Valid || !asl.Valid || !pharmacy.Valid {
		return nil
	}
	return &store.Group{Region: region.String, ASL: asl.String, Pharmacy: pharmacy.String, Competence: competence.String}
}

// ---- API keys

// CreateKey implements store.Store.
func (s *Store) CreateKey(ctx context.Context, k store.APIKey) error {
	if err := k.Scope.Validate(); err != nil {
		return fmt.Errorf("key %s: %w: %v", k.ID, store.ErrInvalid, err)
	}
	if k.ID == "" || len(k.Hash) == 0 {
		return fmt.Errorf("key: %w: id and hash are required", store.ErrInvalid)
	}
	if k.CreatedAt.IsZero() {
		k.CreatedAt = now()
	}
	r, a, p := k.Scope.Filter()
	// InsertKey: id, hash, role, region, asl, pharmacy, label, created_at
	_, err := s.exec(ctx, s.db, "InsertKey", k.ID, k.Hash, string(k.Scope.Role), r, a, p, k.Label, s.t(k.CreatedAt))
	return err
}

func scanKey(sc interface{ Scan(...any) error }) (store.APIKey, error) {
	var k store.APIKey
	var role string
	var region, asl, pharmacy sql.NullString
	var created, revoked timeCol
	err := sc.Scan(&k.ID, &k.Hash, &role, &region, &asl, &pharmacy, &k.Label, &created, &revoked)
	if err != nil {
		return k, err
	}
	k.Scope = auth.Scope{Role: auth.Role(role), Region: str(region), ASL: str(asl), Pharmacy: str(pharmacy)}
	k.CreatedAt, k.RevokedAt = created.T, revoked.T
	return k, nil
}

// LookupKey implements store.Store.
func (s *Store) LookupKey(ctx context.Context, hash []byte) (store.APIKey, error) {
	// LookupKey: hash
	k, err := scanKey(s.row(ctx, s.db, "LookupKey", hash))
	if errors.Is(err, sql.ErrNoRows) {
		return store.APIKey{}, fmt.Errorf("API key: %w", store.ErrNotFound)
	}
	if err != nil {
		return store.APIKey{}, s.wrap("LookupKey", err)
	}
	if k.Revoked() {
		return k, fmt.Errorf("API key %s: %w", k.ID, store.ErrRevoked)
	}
	return k, nil
}

// ListKeys implements store.Store.
func (s *Store) ListKeys(ctx context.Context) ([]store.APIKey, error) {
	rows, err := s.query(ctx, s.db, "ListKeys")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.APIKey
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, s.wrap("ListKeys", err)
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// RevokeKey implements store.Store.
func (s *Store) RevokeKey(ctx context.Context, id string) (store.APIKey, error) {
	// RevokeKey: id, revoked_at (kept if already set)
	if _, err := s.exec(ctx, s.db, "RevokeKey", id, s.t(now())); err != nil {
		return store.APIKey{}, err
	}
	// GetKey: id
	k, err := scanKey(s.row(ctx, s.db, "GetKey", id))
	if errors.Is(err, sql.ErrNoRows) {
		return store.APIKey{}, fmt.Errorf("API key %q: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return store.APIKey{}, s.wrap("GetKey", err)
	}
	return k, nil
}

// ---- batches and pages

// CreateBatch implements store.Store.
func (s *Store) CreateBatch(ctx context.Context, nb store.NewBatch) (store.BatchCreated, error) {
	if len(nb.Files) == 0 {
		return store.BatchCreated{}, fmt.Errorf("batch: %w: no files", store.ErrInvalid)
	}
	for i, f := range nb.Files {
		if f.Pages < 1 {
			return store.BatchCreated{}, fmt.Errorf("batch file %d (%s): %w: %d pages", i+1, f.Name, store.ErrInvalid, f.Pages)
		}
		if len(f.SHA256) != 64 {
			return store.BatchCreated{}, fmt.Errorf("batch file %d (%s): %w: sha256 %q", i+1, f.Name, store.ErrInvalid, f.SHA256)
		}
	}
	var out store.BatchCreated
	var id int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		t := now()
		r, a, p := nb.Owner.Filter()
		// InsertBatch: owner_key_id, region, asl, pharmacy, created_at -> id
		if err := s.row(ctx, tx, "InsertBatch", nullStr(nb.OwnerKeyID), r, a, p, s.t(t)).Scan(&id); err != nil {
			return s.wrap("InsertBatch", err)
		}
		added := 0
		for i, f := range nb.Files {
			fo := store.FileOutcome{SHA256: f.SHA256, Pages: f.Pages}
			// InsertFile: sha256, name, size, media_type, blob_path, pages, created_at -> pages (no row if known)
			err := s.row(ctx, tx, "InsertFile", f.SHA256, f.Name, f.Size, f.MediaType, f.BlobPath, f.Pages, s.t(t)).Scan(&fo.Pages)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				// GetFilePages: sha256
				if err := s.row(ctx, tx, "GetFilePages", f.SHA256).Scan(&fo.Pages); err != nil {
					return s.wrap("GetFilePages", err)
				}
			case err != nil:
				return s.wrap("InsertFile", err)
			}
			// LockFile: sha256 (PostgreSQL: uploads of one file take turns)
			var locked string
			if err := s.row(ctx, tx, "LockFile", f.SHA256).Scan(&locked); err != nil {
				return s.wrap("LockFile", err)
			}
			// FindPageSet: sha256, owner region, asl, pharmacy -> creating batch (NULL if none)
			var origin sql.NullInt64
			if err := s.row(ctx, tx, "FindPageSet", f.SHA256, r, a, p).Scan(&origin); err != nil {
				return s.wrap("FindPageSet", err)
			}
			if origin.Valid {
				fo.Known = true
			} else {
				origin = sql.NullInt64{Int64: id, Valid: true}
				for n := 1; n <= fo.Pages; n++ {
					// InsertPage: batch_id, file_sha256, page_index, queued_at
					if _, err := s.exec(ctx, tx, "InsertPage", id, f.SHA256, n, s.t(t)); err != nil {
						return err
					}
				}
				added += fo.Pages
			}
			// InsertBatchFile: batch_id, file_sha256, position, name, origin_batch_id (no-op if repeated)
			res, err := s.exec(ctx, tx, "InsertBatchFile", id, f.SHA256, i+1, f.Name, origin.Int64)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				fo.Repeated, fo.Known = true, true
			}
			out.Files = append(out.Files, fo)
		}
		// The queue's limit counts this upload's own pages.
		if err := s.row(ctx, tx, "QueueDepth").Scan(&out.QueueDepth); err != nil {
			return s.wrap("QueueDepth", err)
		}
		if nb.MaxQueue > 0 && out.QueueDepth > nb.MaxQueue && added > 0 {
			return &store.QueueFullError{Depth: out.QueueDepth - added, Adding: added, Max: nb.MaxQueue}
		}
		return nil
	})
	if err != nil {
		return store.BatchCreated{}, err
	}
	out.Batch, err = s.GetBatch(ctx, id, auth.Scope{Role: auth.Admin})
	return out, err
}

func scanBatch(sc interface{ Scan(...any) error }) (store.Batch, error) {
	var b store.Batch
	var owner, region, asl, pharmacy sql.NullString
	var created timeCol
	p := &b.Progress
	var finishedOK, review, rejected, failed, queued, running, total sql.NullInt64
	err := sc.Scan(&b.ID, &owner, &region, &asl, &pharmacy, &created,
		&total, &queued, &running, &finishedOK, &review, &rejected, &failed)
	if err != nil {
		return b, err
	}
	b.OwnerKeyID = str(owner)
	b.Owner = auth.Scope{Region: str(region), ASL: str(asl), Pharmacy: str(pharmacy)}
	b.CreatedAt = created.T
	p.Total, p.Queued, p.Running = int(total.Int64), int(queued.Int64), int(running.Int64)
	p.OK, p.Review, p.Rejected, p.Failed = int(finishedOK.Int64), int(review.Int64), int(rejected.Int64), int(failed.Int64)
	p.Finished = p.OK + p.Review + p.Rejected + p.Failed
	b.Status = store.StatusOf(*p)
	return b, nil
}

// GetBatch implements store.Store.
func (s *Store) GetBatch(ctx context.Context, id int64, sc auth.Scope) (store.Batch, error) {
	// GetBatch: id, scope(3)
	b, err := scanBatch(s.row(ctx, s.db, "GetBatch", append([]any{id}, scope(sc)...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Batch{}, fmt.Errorf("batch %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return store.Batch{}, s.wrap("GetBatch", err)
	}
	return b, nil
}

// ListBatches implements store.Store.
func (s *Store) ListBatches(ctx context.Context, sc auth.Scope, limit int) ([]store.Batch, error) {
	// ListBatches: scope(3), limit
	rows, err := s.query(ctx, s.db, "ListBatches", append(scope(sc), limitArg(limit))...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Batch
	for rows.Next() {
		b, err := scanBatch(rows)
		if err != nil {
			return nil, s.wrap("ListBatches", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

func limitArg(n int) int64 {
	if n <= 0 {
		return 1<<31 - 1
	}
	return int64(n)
}

// page columns, in this order, in every query returning pages:
// p.id, p.batch_id, f.sha256, name, f.size, f.media_type, f.blob_path,
// f.pages, p.page_index, p.state, p.result, p.error, p.attempts,
// p.queued_at, p.started_at, p.finished_at, p.millis, seen-in batch (0
// for none), and the creating batch's region, asl, pharmacy
func scanPage(sc interface{ Scan(...any) error }) (store.Page, error) {
	var p store.Page
	var state string
	var result []byte
	var perr sql.NullString
	var millis sql.NullInt64
	var queued, started, finished timeCol
	var region, asl, pharmacy sql.NullString
	err := sc.Scan(&p.ID, &p.BatchID, &p.File.SHA256, &p.File.Name, &p.File.Size, &p.File.MediaType, &p.File.BlobPath,
		&p.File.Pages, &p.Index, &state, &result, &perr, &p.Attempts, &queued, &started, &finished, &millis,
		&p.SeenIn, &region, &asl, &pharmacy)
	if err != nil {
		return p, err
	}
	p.Owner = auth.Scope{Region: str(region), ASL: str(asl), Pharmacy: str(pharmacy)}
	p.State = store.PageState(state)
	p.Error = str(perr)
	p.Millis = millis.Int64
	p.QueuedAt, p.StartedAt, p.FinishedAt = queued.T, started.T, finished.T
	if len(result) > 0 {
		var r page.Result
		if err := json.Unmarshal(result, &r); err != nil {
			return p, fmt.Errorf("page %d: stored result: %w", p.ID, err)
		}
		p.Result = &r
	}
	return p, nil
}

func (s *Store) pages(ctx context.Context, name string, args ...any) ([]store.Page, error) {
	rows, err := s.query(ctx, s.db, name, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Page
	for rows.Next() {
		p, err := scanPage(rows)
		if err != nil {
			return nil, s.wrap(name, err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// ListPages implements store.Store.
func (s *Store) ListPages(ctx context.Context, batchID int64, sc auth.Scope) ([]store.Page, error) {
	// ListPages: batch_id, scope(3)
	return s.pages(ctx, "ListPages", append([]any{batchID}, scope(sc)...)...)
}

// GetPage implements store.Store.
func (s *Store) GetPage(ctx context.Context, id int64, sc auth.Scope) (store.Page, error) {
	// GetPage: id, scope(3)
	p, err := scanPage(s.row(ctx, s.db, "GetPage", append([]any{id}, scope(sc)...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Page{}, fmt.Errorf("page %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return store.Page{}, s.wrap("GetPage", err)
	}
	return p, nil
}

// ---- work distribution

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
		// FailExhausted: now, max_attempts
		if _, err := s.exec(ctx, tx, "FailExhausted", s.t(t), opt.MaxAttempts); err != nil {
			return err
		}
		// ClaimPage: now, lease_until, token, max_attempts -> id
		err := s.row(ctx, tx, "ClaimPage", s.t(t), s.t(c.LeaseUntil), c.Token, opt.MaxAttempts).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // commit what FailExhausted did
		}
		if err != nil {
			return s.wrap("ClaimPage", err)
		}
		return nil
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
	// ExtendLease: id, token, lease_until
	res, err := s.exec(ctx, s.db, "ExtendLease", pageID, token, s.t(now().Add(lease)))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("page %d: %w", pageID, store.ErrLeaseLost)
	}
	return nil
}

// ReleasePage implements store.Store.
func (s *Store) ReleasePage(ctx context.Context, pageID int64, token string) error {
	// ReleasePage: id, token
	res, err := s.exec(ctx, s.db, "ReleasePage", pageID, token)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("page %d: %w", pageID, store.ErrLeaseLost)
	}
	return nil
}

// checkClaim locks the page and checks that it may be finished by the
// holder of token ("" = any worker, River).
func (s *Store) checkClaim(ctx context.Context, tx *sql.Tx, pageID int64, token string) error {
	var state string
	var held sql.NullString
	// LockPage: id -> state, lease_token
	err := s.row(ctx, tx, "LockPage", pageID).Scan(&state, &held)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("page %d: %w", pageID, store.ErrNotFound)
	}
	if err != nil {
		return s.wrap("LockPage", err)
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
		// FinishPage: id, status, result, layout_version, finished_at, millis
		if _, err := s.exec(ctx, tx, "FinishPage", o.PageID, string(o.Result.Status), string(resJSON),
			nullInt(o.Result.LayoutVersion), s.t(now()), o.Millis); err != nil {
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
			// InsertReview: page_id, slot, field, reason, value, created_at
			if _, err := s.exec(ctx, tx, "InsertReview", o.PageID, nullInt(it.Slot), it.Field, it.Reason, nullJSON(it.Value), s.t(t)); err != nil {
				return fmt.Errorf("page %d review item %d: %w", o.PageID, i+1, err)
			}
		}
		return nil
	})
}

// writeDerived replaces the rows derived from a page result: its slots and
// its sheet identity.
func (s *Store) writeDerived(ctx context.Context, tx *sql.Tx, pageID int64, r *page.Result) error {
	if _, err := s.exec(ctx, tx, "DeleteSlots", pageID); err != nil {
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
		// InsertSlot: page_id, slot, state, aic, targatura, confidence, flags
		if _, err := s.exec(ctx, tx, "InsertSlot", pageID, sl.Slot, string(sl.State), ptrStr(sl.AIC), ptrStr(sl.Targatura), sl.Confidence, string(flags)); err != nil {
			return fmt.Errorf("page %d slot %d: %w", pageID, sl.Slot, err)
		}
	}
	if _, err := s.exec(ctx, tx, "DeleteSheet", pageID); err != nil {
		return err
	}
	sh := r.Sheet
	if sh.Region == nil || sh.ASL == nil || sh.Pharmacy == nil {
		return nil // not identified: no sheet row
	}
	var competence any
	if sh.Month != nil && sh.Year != nil {
		competence = fmt.Sprintf("%04d-%02d", *sh.Year, *sh.Month)
	}
	dispensario := sh.Progressive != nil && strings.HasPrefix(*sh.Progressive, "D")
	var count any
	if sh.DeclaredCount != nil {
		count = int64(*sh.DeclaredCount)
	}
	// InsertSheet: page_id, code, tail_code, region, asl, pharmacy, competence, progressive, dispensario, declared_count, date
	_, err := s.exec(ctx, tx, "InsertSheet", pageID, ptrStr(sh.Code), ptrStr(sh.TailCode), *sh.Region, *sh.ASL, *sh.Pharmacy,
		competence, ptrStr(sh.Progressive), dispensario, count, ptrStr(sh.Date))
	return err
}

func ptrStr(p *string) any {
	if p == nil {
		return nil
	}
	return *p
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
		// FailPage: id, reason, finished_at
		_, err := s.exec(ctx, tx, "FailPage", pageID, reason, s.t(now()))
		return err
	})
}

// QueueDepth implements store.Store.
func (s *Store) QueueDepth(ctx context.Context) (int, error) {
	var n int
	if err := s.row(ctx, s.db, "QueueDepth").Scan(&n); err != nil {
		return 0, s.wrap("QueueDepth", err)
	}
	return n, nil
}

// HasFile implements store.Store.
func (s *Store) HasFile(ctx context.Context, sha string) (bool, error) {
	var ok bool
	// HasFile: sha256
	if err := s.row(ctx, s.db, "HasFile", sha).Scan(&ok); err != nil {
		return false, s.wrap("HasFile", err)
	}
	return ok, nil
}

// ListSheetResults implements store.Store.
func (s *Store) ListSheetResults(ctx context.Context, f store.GroupFilter) ([]store.Page, error) {
	// ListSheetResults: scope(3), region, asl, pharmacy, competence
	return s.pages(ctx, "ListSheetResults", groupFilter(f)...)
}

// FindTargature implements store.Store.
func (s *Store) FindTargature(ctx context.Context, targature []string) ([]store.SlotRef, error) {
	if len(targature) == 0 {
		return nil, nil
	}
	list, _ := json.Marshal(targature)
	// FindTargature: JSON array of targature
	rows, err := s.query(ctx, s.db, "FindTargature", string(list))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.SlotRef
	for rows.Next() {
		var r store.SlotRef
		var aic, region, asl, pharmacy, competence, progressive sql.NullString
		if err := rows.Scan(&r.Targatura, &r.PageID, &r.Slot, &aic, &region, &asl, &pharmacy, &competence, &progressive); err != nil {
			return nil, s.wrap("FindTargature", err)
		}
		r.AIC, r.Progressive = str(aic), str(progressive)
		r.Group = groupPtr(region, asl, pharmacy, competence)
		out = append(out, r)
	}
	return out, rows.Err()
}

// ---- imports

type groupKey = store.Group

func sortGroups(m map[groupKey]bool) []store.Group {
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

func (s *Store) runImport(ctx context.Context, kind store.ImportKind, imp store.Import, n int, groups []store.Group,
	del string, insert func(tx *sql.Tx, importID int64) error) (store.ImportSummary, error) {
	sum := store.ImportSummary{Rows: n, Groups: groups}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		// InsertImport: kind, key_id, source, rows, created_at -> id
		if err := s.row(ctx, tx, "InsertImport", string(kind), nullStr(imp.KeyID), imp.Source, n, s.t(now())).Scan(&sum.ImportID); err != nil {
			return s.wrap("InsertImport", err)
		}
		for _, g := range groups {
			// Delete*Group: region, asl, pharmacy, competence
			res, err := s.exec(ctx, tx, del, g.Region, g.ASL, g.Pharmacy, g.Competence)
			if err != nil {
				return err
			}
			k, _ := res.RowsAffected()
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
	groups := map[groupKey]bool{}
	for _, d := range rows {
		k := key{d.Group(), d.Bundle}
		if prev, dup := seen[k]; dup {
			return store.ImportSummary{}, fmt.Errorf("declarations %s %s: %w: pharmacy %s-%s-%s competence %s bundle %s is already declared on %s",
				imp.Source, line(d.Line), store.ErrInvalid, d.Region, d.ASL, d.Pharmacy, d.Competence, d.Bundle, line(prev))
		}
		seen[k] = d.Line
		groups[d.Group()] = true
	}
	return s.runImport(ctx, store.ImportDeclarations, imp, len(rows), sortGroups(groups), "DeleteDeclarationsGroup", func(tx *sql.Tx, id int64) error {
		for _, d := range rows {
			extra, err := extraJSON(d.Extra)
			if err != nil {
				return fmt.Errorf("declarations %s %s: %w", imp.Source, line(d.Line), err)
			}
			// InsertDeclaration: import_id, region, asl, pharmacy, competence, bundle, sheets, gross_cents, ticket_cents, extra
			if _, err := s.exec(ctx, tx, "InsertDeclaration", id, d.Region, d.ASL, d.Pharmacy, d.Competence, d.Bundle,
				d.Sheets, d.GrossCents, d.TicketCents, extra); err != nil {
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
	groups := map[groupKey]bool{}
	for _, r := range rows {
		k := key{r.Group(), r.RecordID}
		if prev, dup := seen[k]; dup {
			return store.ImportSummary{}, fmt.Errorf("records %s %s: %w: record_id %q of pharmacy %s-%s-%s competence %s already appears on %s",
				imp.Source, line(r.Line), store.ErrInvalid, r.RecordID, r.Region, r.ASL, r.Pharmacy, r.Competence, line(prev))
		}
		seen[k] = r.Line
		groups[r.Group()] = true
	}
	return s.runImport(ctx, store.ImportRecords, imp, len(rows), sortGroups(groups), "DeleteRecordsGroup", func(tx *sql.Tx, id int64) error {
		for _, r := range rows {
			extra, err := extraJSON(r.Extra)
			if err != nil {
				return fmt.Errorf("records %s %s: %w", imp.Source, line(r.Line), err)
			}
			// InsertRecord: import_id, record_id, region, asl, pharmacy, competence, dispensed_on, prescription,
			// aic, targatura, sheet, slot, state, closed_on, signature, signed_document_id, extra
			if _, err := s.exec(ctx, tx, "InsertRecord", id, r.RecordID, r.Region, r.ASL, r.Pharmacy, r.Competence,
				r.DispensedOn, r.Prescription, r.AIC, r.Targatura, nullStr(r.Sheet), nullInt(r.Slot), r.State,
				nullStr(r.ClosedOn), r.Signature, nullStr(r.SignedDocumentID), extra); err != nil {
				return fmt.Errorf("records %s %s: %w", imp.Source, line(r.Line), err)
			}
		}
		return nil
	})
}

// ListDeclarations implements store.Store.
func (s *Store) ListDeclarations(ctx context.Context, f store.GroupFilter) ([]store.Declaration, error) {
	// ListDeclarations: scope(3), region, asl, pharmacy, competence
	rows, err := s.query(ctx, s.db, "ListDeclarations", groupFilter(f)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Declaration
	for rows.Next() {
		var d store.Declaration
		var extra []byte
		if err := rows.Scan(&d.ImportID, &d.Region, &d.ASL, &d.Pharmacy, &d.Competence, &d.Bundle, &d.Sheets,
			&d.GrossCents, &d.TicketCents, &extra); err != nil {
			return nil, s.wrap("ListDeclarations", err)
		}
		if d.Extra, err = scanExtra(extra); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// ListRecords implements store.Store.
func (s *Store) ListRecords(ctx context.Context, f store.GroupFilter) ([]store.Record, error) {
	// ListRecords: scope(3), region, asl, pharmacy, competence
	rows, err := s.query(ctx, s.db, "ListRecords", groupFilter(f)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Record
	for rows.Next() {
		var r store.Record
		var sheet, closed, signed sql.NullString
		var slot sql.NullInt64
		var extra []byte
		if err := rows.Scan(&r.ImportID, &r.RecordID, &r.Region, &r.ASL, &r.Pharmacy, &r.Competence, &r.DispensedOn,
			&r.Prescription, &r.AIC, &r.Targatura, &sheet, &slot, &r.State, &closed, &r.Signature, &signed, &extra); err != nil {
			return nil, s.wrap("ListRecords", err)
		}
		r.Sheet, r.ClosedOn, r.SignedDocumentID, r.Slot = str(sheet), str(closed), str(signed), int(slot.Int64)
		if r.Extra, err = scanExtra(extra); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ---- reconciliations

// PutReconciliation implements store.Store.
func (s *Store) PutReconciliation(ctx context.Context, r store.Reconciliation) error {
	if !json.Valid(r.Report) {
		return fmt.Errorf("reconciliation %v: %w: report is not JSON", r.Group, store.ErrInvalid)
	}
	if r.ComputedAt.IsZero() {
		r.ComputedAt = now()
	}
	g := r.Group
	// PutReconciliation: region, asl, pharmacy, competence, report, computed_at, summary
	_, err := s.exec(ctx, s.db, "PutReconciliation", g.Region, g.ASL, g.Pharmacy, g.Competence, string(r.Report), s.t(r.ComputedAt),
		string(store.SummarizeReport(r.Report)))
	return err
}

// PageReconciliations implements store.Store.
func (s *Store) PageReconciliations(ctx context.Context, q store.ReconciliationQuery) ([]store.Reconciliation, error) {
	if q.Limit <= 0 {
		return nil, fmt.Errorf("reconciliations: %w: page size %d", store.ErrInvalid, q.Limit)
	}
	name := "ListReconciliationReports"
	if q.Summaries {
		name = "ListReconciliationSummaries"
	}
	// ListReconciliation{Reports,Summaries}: scope(3), region, asl,
	// pharmacy, competence, after region, asl, pharmacy, competence, limit
	a := q.After
	args := append(groupFilter(q.Filter), a.Region, a.ASL, a.Pharmacy, a.Competence, q.Limit)
	rows, err := s.query(ctx, s.db, name, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]store.Reconciliation, 0, q.Limit)
	for rows.Next() {
		r, err := scanReconciliation(rows)
		if err != nil {
			return nil, s.wrap(name, err)
		}
		if q.Summaries {
			r.Summary, r.Report = r.Report, nil
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// summarise fills the summary of reports stored before summaries were
// kept (migration 0002), a hundred at a time.
func (s *Store) summarise(ctx context.Context) error {
	for {
		rows, err := s.query(ctx, s.db, "ListUnsummarised")
		if err != nil {
			return err
		}
		var todo []store.Reconciliation
		for rows.Next() {
			var r store.Reconciliation
			var report []byte
			if err := rows.Scan(&r.Group.Region, &r.Group.ASL, &r.Group.Pharmacy, &r.Group.Competence, &report); err != nil {
				rows.Close()
				return s.wrap("ListUnsummarised", err)
			}
			r.Report = report
			todo = append(todo, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return s.wrap("ListUnsummarised", err)
		}
		if len(todo) == 0 {
			return nil
		}
		for _, r := range todo {
			g := r.Group
			// SetSummary: region, asl, pharmacy, competence, summary
			if _, err := s.exec(ctx, s.db, "SetSummary", g.Region, g.ASL, g.Pharmacy, g.Competence, string(store.SummarizeReport(r.Report))); err != nil {
				return err
			}
		}
	}
}

func scanReconciliation(sc interface{ Scan(...any) error }) (store.Reconciliation, error) {
	var r store.Reconciliation
	var at timeCol
	var report []byte
	err := sc.Scan(&r.Group.Region, &r.Group.ASL, &r.Group.Pharmacy, &r.Group.Competence, &report, &at)
	r.Report, r.ComputedAt = report, at.T
	return r, err
}

// GetReconciliation implements store.Store.
func (s *Store) GetReconciliation(ctx context.Context, g store.Group, sc auth.Scope) (store.Reconciliation, error) {
	// GetReconciliation: region, asl, pharmacy, competence, scope(3)
	r, err := scanReconciliation(s.row(ctx, s.db, "GetReconciliation", append([]any{g.Region, g.ASL, g.Pharmacy, g.Competence}, scope(sc)...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Reconciliation{}, fmt.Errorf("reconciliation %s-%s-%s %s: %w", g.Region, g.ASL, g.Pharmacy, g.Competence, store.ErrNotFound)
	}
	if err != nil {
		return store.Reconciliation{}, s.wrap("GetReconciliation", err)
	}
	return r, nil
}

// ListReconciliations implements store.Store.
func (s *Store) ListReconciliations(ctx context.Context, f store.GroupFilter) ([]store.Reconciliation, error) {
	// ListReconciliations: scope(3), region, asl, pharmacy, competence
	rows, err := s.query(ctx, s.db, "ListReconciliations", groupFilter(f)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Reconciliation
	for rows.Next() {
		r, err := scanReconciliation(rows)
		if err != nil {
			return nil, s.wrap("ListReconciliations", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ---- review

// review item columns: r.id, r.page_id, p.batch_id, p.file_sha256,
// p.page_index, r.slot, r.field, r.reason, r.value, r.status, r.created_at,
// r.resolved_at, sh.region, sh.asl, sh.pharmacy, sh.competence
func scanReview(sc interface{ Scan(...any) error }) (store.ReviewItem, error) {
	var it store.ReviewItem
	var slot sql.NullInt64
	var value []byte
	var status string
	var created, resolved timeCol
	var region, asl, pharmacy, competence sql.NullString
	err := sc.Scan(&it.ID, &it.PageID, &it.BatchID, &it.FileSHA256, &it.PageIndex, &slot, &it.Field, &it.Reason,
		&value, &status, &created, &resolved, &region, &asl, &pharmacy, &competence)
	if err != nil {
		return it, err
	}
	it.Slot = int(slot.Int64)
	if len(value) > 0 {
		it.Value = value
	}
	it.Status = store.ReviewStatus(status)
	it.CreatedAt, it.ResolvedAt = created.T, resolved.T
	it.Group = groupPtr(region, asl, pharmacy, competence)
	return it, nil
}

// ListReview implements store.Store.
func (s *Store) ListReview(ctx context.Context, f store.ReviewFilter) ([]store.ReviewItem, error) {
	// ListReview: scope(3), status, batch_id, page_id, limit
	rows, err := s.query(ctx, s.db, "ListReview", append(scope(f.Scope), nullStr(string(f.Status)), f.BatchID, f.PageID, limitArg(f.Limit))...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.ReviewItem
	for rows.Next() {
		it, err := scanReview(rows)
		if err != nil {
			return nil, s.wrap("ListReview", err)
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

func (s *Store) getReview(ctx context.Context, q querier, id int64, sc auth.Scope) (store.ReviewItem, error) {
	// GetReview: id, scope(3)
	it, err := scanReview(s.row(ctx, q, "GetReview", append([]any{id}, scope(sc)...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return store.ReviewItem{}, fmt.Errorf("review item %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return store.ReviewItem{}, s.wrap("GetReview", err)
	}
	// ListCorrections: item_id
	rows, err := s.query(ctx, q, "ListCorrections", id)
	if err != nil {
		return store.ReviewItem{}, err
	}
	defer rows.Close()
	for rows.Next() {
		var c store.Correction
		var key, note sql.NullString
		var at timeCol
		var before, after []byte
		if err := rows.Scan(&c.ID, &key, &at, &before, &after, &note); err != nil {
			return store.ReviewItem{}, s.wrap("ListCorrections", err)
		}
		c.KeyID, c.At, c.Note = str(key), at.T, str(note)
		if len(before) > 0 {
			c.Before = before
		}
		if len(after) > 0 {
			c.After = after
		}
		it.Corrections = append(it.Corrections, c)
	}
	return it, rows.Err()
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
		// InsertCorrection: item_id, key_id, at, before, after, note
		if _, err := s.exec(ctx, tx, "InsertCorrection", c.ItemID, nullStr(c.KeyID), s.t(t), nullJSON(before), string(c.After), nullStr(c.Note)); err != nil {
			return err
		}
		// ResolveReview: id, resolved_at
		if _, err := s.exec(ctx, tx, "ResolveReview", c.ItemID, s.t(t)); err != nil {
			return err
		}
		if c.Result != nil {
			// UpdatePageResult: id, status, result, layout_version
			if _, err := s.exec(ctx, tx, "UpdatePageResult", it.PageID, string(c.Result.Status), string(resJSON), nullInt(c.Result.LayoutVersion)); err != nil {
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
