package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"time"
)

// Migration is one embedded, numbered schema step.
type Migration struct {
	Version int
	Name    string // file name, e.g. 0001_init.sql
	SQL     string
}

var migrationName = regexp.MustCompile(`^(\d{4})_[a-z0-9_]+\.sql$`)

// LoadMigrations reads NNNN_name.sql files from fsys, checking that they
// are numbered 1, 2, 3, ... without gaps or duplicates.
func LoadMigrations(fsys fs.FS) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("reading migrations: %w", err)
	}
	var ms []Migration
	for _, e := range entries {
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("migration file %q: name must be NNNN_lower_case.sql", e.Name())
		}
		v, _ := strconv.Atoi(m[1])
		b, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, fmt.Errorf("migration %s: %w", e.Name(), err)
		}
		ms = append(ms, Migration{Version: v, Name: e.Name(), SQL: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration %s: version %d, want %d (numbers must run 1, 2, 3... without gaps)", m.Name, m.Version, i+1)
		}
	}
	return ms, nil
}

// Migrate applies, in one transaction, every migration the database has
// not recorded in schema_migrations, and returns their names. A database
// recording a version this binary does not know is refused: it was
// migrated by a newer regfus.
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	ms, err := LoadMigrations(s.d.Migrations)
	if err != nil {
		return nil, err
	}
	var applied []string
	// One connection for the whole run: SQLite's foreign-key switch is a
	// setting of the connection, and must be set outside the transaction.
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s store: %w", s.d.Name, err)
	}
	defer conn.Close()
	if s.d.MigrationSetup != "" {
		if _, err := conn.ExecContext(ctx, s.d.MigrationSetup); err != nil {
			return nil, fmt.Errorf("%s store: before migrating: %w", s.d.Name, err)
		}
	}
	if s.d.MigrationTeardown != "" {
		defer conn.ExecContext(context.WithoutCancel(ctx), s.d.MigrationTeardown)
	}
	err = s.inConnTx(ctx, conn, func(tx *sql.Tx) error {
		if s.d.MigrationLock != "" {
			if _, err := tx.ExecContext(ctx, s.d.MigrationLock); err != nil {
				return fmt.Errorf("taking the migration lock: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version INTEGER PRIMARY KEY,
			name TEXT NOT NULL,
			applied_at TEXT NOT NULL)`); err != nil {
			return fmt.Errorf("creating schema_migrations: %w", err)
		}
		rows, err := tx.QueryContext(ctx, `SELECT version FROM schema_migrations`)
		if err != nil {
			return fmt.Errorf("reading schema_migrations: %w", err)
		}
		done := map[int]bool{}
		for rows.Next() {
			var v int
			if err := rows.Scan(&v); err != nil {
				rows.Close()
				return err
			}
			done[v] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for v := range done {
			if v > len(ms) {
				return fmt.Errorf("%s database is at schema version %d but this regfus knows only up to %d: upgrade regfus", s.d.Name, v, len(ms))
			}
		}
		for _, m := range ms {
			if done[m.Version] {
				continue
			}
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return fmt.Errorf("%s migration %s: %w", s.d.Name, m.Name, err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
				m.Version, m.Name, time.Now().UTC().Format(time.RFC3339)); err != nil {
				return fmt.Errorf("%s migration %s: recording it: %w", s.d.Name, m.Name, err)
			}
			applied = append(applied, m.Name)
		}
		if s.d.MigrationCheck != "" && len(applied) > 0 {
			rows, err := tx.QueryContext(ctx, s.d.MigrationCheck)
			if err != nil {
				return fmt.Errorf("%s: checking the migrated schema: %w", s.d.Name, err)
			}
			bad := rows.Next()
			rows.Close()
			if bad {
				return fmt.Errorf("%s: the migrated schema fails its check (%s): nothing applied", s.d.Name, s.d.MigrationCheck)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return applied, nil
}
