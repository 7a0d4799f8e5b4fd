// Package postgres is the production store: PostgreSQL through pgx v5
// (pgxpool), with embedded numbered migrations (migrations/NNNN_*.sql,
// numbered in step with SQLite's).
//
// The SQL and the semantics live in store/internal/sqlstore, shared with
// the SQLite store; this package supplies the PostgreSQL dialect (row
// locks, JSON functions) and the pool. The
// *sql.DB the engine uses is a thin database/sql face over the same
// pgxpool (stdlib.OpenDBFromPool), so there is one pool per process, also
// used by River.
//
// Migrate applies regfus's migrations and then River's (rivermigrate), so
// `regfus migrate` prepares the job tables the workers need.
//
// Tests: the conformance suite runs against the database named by
// TEST_DATABASE_URL, each test in a schema of its own (Options.Schema). With
// TEST_DATABASE_URL unset the tests FAIL, unless REGFUS_SKIP_PG=1 says
// explicitly to skip them: a skipped test must not stand for a feature. Run
// them with a throwaway server: scripts/testpg run -- go test ./store/...
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/regfus/regfus/store"
	"github.com/regfus/regfus/store/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Options tune Open.
type Options struct {
	// Schema, when set, is the only schema on the search_path: every table,
	// River's included, is created and used there (tests use one each).
	Schema string
	// MaxConns caps the pool (0: pgxpool's default, or pool_max_conns in
	// the URL).
	MaxConns int32
}

// Store is the PostgreSQL store.
type Store struct {
	*sqlstore.Store
	pool   *pgxpool.Pool
	schema string
}

var _ store.Store = (*Store)(nil)

// Open connects to url (a PostgreSQL URL or keyword/value string) and
// checks that the server answers. It does not migrate.
func Open(ctx context.Context, url string, opt Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: database URL: %w", err)
	}
	if opt.Schema != "" {
		cfg.ConnConfig.RuntimeParams["search_path"] = opt.Schema
	}
	if opt.MaxConns > 0 {
		cfg.MaxConns = opt.MaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connecting to %s:%d: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Port, err)
	}
	migs, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		pool.Close()
		return nil, err
	}
	db := stdlib.OpenDBFromPool(pool)
	inner, err := sqlstore.New(db, sqlstore.Dialect{
		Name:       "postgres",
		Migrations: migs,
		// Concurrent writers: rows read to be changed are locked.
		RowLock:      "FOR UPDATE",
		JSONElements: "SELECT jsonb_array_elements_text(CAST(%s AS jsonb))",
		// One migrator at a time per schema, across processes.
		MigrationLock:     `SELECT pg_advisory_xact_lock(hashtext('regfus.migrate.' || current_schema()))`,
		Time:              func(t time.Time) any { return t },
		IsUniqueViolation: isUniqueViolation,
	}, pool.Close)
	if err != nil {
		db.Close()
		pool.Close()
		return nil, err
	}
	return &Store{Store: inner, pool: pool, schema: opt.Schema}, nil
}

// Pool returns the connection pool (River uses it).
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Migrate applies regfus's migrations, then River's.
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	applied, err := s.Store.Migrate(ctx)
	if err != nil {
		return nil, err
	}
	m, err := rivermigrate.New(riverpgxv5.New(s.pool), &rivermigrate.Config{Schema: s.schema})
	if err != nil {
		return nil, fmt.Errorf("postgres: River migrations: %w", err)
	}
	res, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return nil, fmt.Errorf("postgres: River migrations: %w", err)
	}
	for _, v := range res.Versions {
		applied = append(applied, fmt.Sprintf("river %03d_%s", v.Version, v.Name))
	}
	return applied, nil
}

func isUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}
