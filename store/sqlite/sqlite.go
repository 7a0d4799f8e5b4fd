// Package sqlite is the embedded default store: pure-Go SQLite
// (modernc.org/sqlite, no cgo) in a data folder, so `regfus serve` works
// with no database to install. It has its own embedded migrations
// (migrations/NNNN_*.sql, numbered in step with PostgreSQL's); the SQL and
// the semantics are the shared ones of store/internal/sqlstore, checked
// by the same conformance suite as PostgreSQL.
//
// The database is DIR/regfus.db in WAL mode (readers never wait for the
// writer), with foreign keys on, a busy timeout, and transactions that take
// the write lock when they begin (BEGIN IMMEDIATE), so two concurrent
// read-then-write transactions queue instead of failing with SQLITE_BUSY.
// SQLite has a single writer, which is what makes ClaimPage's one UPDATE
// atomic: it is meant for one process (the in-process worker pool), not for
// workers on several machines; that is what PostgreSQL and River are for.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"time"

	sqlite3 "modernc.org/sqlite"
	sqlite3lib "modernc.org/sqlite/lib"

	"github.com/regfus/regfus/store"
	"github.com/regfus/regfus/store/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// FileName is the database file inside the data folder.
const FileName = "regfus.db"

// Store is the SQLite store.
type Store struct {
	*sqlstore.Store
	path string
}

var _ store.Store = (*Store)(nil)

// Open opens (creating if needed) the database in dir. It does not migrate.
func Open(ctx context.Context, dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("sqlite: data folder %s: %w", dir, err)
	}
	path := filepath.Join(dir, FileName)
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	// A few connections: readers proceed in parallel under WAL, writers
	// queue on the busy timeout.
	db.SetMaxOpenConns(4)
	db.SetConnMaxIdleTime(time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: opening %s: %w", path, err)
	}
	migs, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		db.Close()
		return nil, err
	}
	inner, err := sqlstore.New(db, sqlstore.Dialect{
		Name:              "sqlite",
		Migrations:        migs,
		JSONElements:      "SELECT value FROM json_each(%s)",
		Time:              func(t time.Time) any { return t.UnixMicro() },
		IsUniqueViolation: isUniqueViolation,
		MigrationSetup:    "PRAGMA foreign_keys = OFF",
		MigrationTeardown: "PRAGMA foreign_keys = ON",
		MigrationCheck:    "PRAGMA foreign_key_check",
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	return &Store{Store: inner, path: path}, nil
}

// Path returns the database file's path.
func (s *Store) Path() string { return s.path }

func isUniqueViolation(err error) bool {
	var se *sqlite3.Error
	if !errors.As(err, &se) {
		return false
	}
	c := se.Code()
	return c == sqlite3lib.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3lib.SQLITE_CONSTRAINT_PRIMARYKEY
}
