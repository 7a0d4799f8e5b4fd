package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/regfus/regfus/sheet"
	"github.com/regfus/regfus/store"
)

// Store implements store.Store over a *sql.DB with a Dialect. Its methods
// live in files by area: keys.go, batches.go (uploads and pages), work.go
// (claims and results), imports.go, reconciliations.go, review.go.
type Store struct {
	db *sql.DB
	d  Dialect
	q  *queries
	// closers run on Close after the *sql.DB (e.g. the pgx pool under it).
	closers []func()
}

// New wraps db. It fails if queries.sql does not render into exactly the
// statements the store runs.
func New(db *sql.DB, d Dialect, closers ...func()) (*Store, error) {
	st, err := loadStatements(d)
	if err != nil {
		return nil, err
	}
	return &Store{db: db, d: d, q: &queries{st: st, d: d}, closers: closers}, nil
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

// inTx runs f in a transaction, committing if it returns nil.
func (s *Store) inTx(ctx context.Context, f func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s store: begin: %w", s.d.Name, err)
	}
	return s.finishTx(tx, f)
}

// inConnTx is inTx on one connection.
func (s *Store) inConnTx(ctx context.Context, conn *sql.Conn, f func(tx *sql.Tx) error) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s store: begin: %w", s.d.Name, err)
	}
	return s.finishTx(tx, f)
}

func (s *Store) finishTx(tx *sql.Tx, f func(tx *sql.Tx) error) error {
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

func newToken() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b)
}

// partsKey is the key of a row's nullable region, asl and pharmacy
// columns: a scope's (or a batch owner's) parts, NULL where it fixes none.
func partsKey(region, asl, pharmacy sql.NullString) sheet.Key {
	return sheet.Key{Region: region.String, ASL: asl.String, Pharmacy: pharmacy.String}
}

func groupPtr(region, asl, pharmacy, competence sql.NullString) *sheet.Key {
	if !region.Valid || !asl.Valid || !pharmacy.Valid {
		return nil
	}
	k := partsKey(region, asl, pharmacy)
	k.Competence = competence.String
	return &k
}
