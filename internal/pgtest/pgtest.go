// Package pgtest gives a test a PostgreSQL database of its own: the
// server scripts/testpg runs (TEST_DATABASE_URL) and a fresh schema per
// test, dropped when the test ends, so tests of every package run in
// parallel on one server without seeing each other's rows.
//
// Without TEST_DATABASE_URL a test fails (a skipped PostgreSQL test must
// not stand for the feature), unless REGFUS_SKIP_PG=1 asks to skip on
// purpose. Run: scripts/testpg run -- go test ./...
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
)

// URL returns TEST_DATABASE_URL, or ends the test without it.
func URL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("TEST_DATABASE_URL")
	if u == "" {
		if os.Getenv("REGFUS_SKIP_PG") == "1" {
			t.Skip("REGFUS_SKIP_PG=1: PostgreSQL test skipped on request")
		}
		t.Fatal("TEST_DATABASE_URL is not set: run the tests under `scripts/testpg run -- go test ...`, or set REGFUS_SKIP_PG=1 to skip the PostgreSQL tests explicitly")
	}
	return u
}

var (
	adminOnce sync.Once
	admin     *pgxpool.Pool
	adminErr  error
)

// Admin returns a small pool on TEST_DATABASE_URL, shared by the tests of
// the process, for what a test does outside its own schema (creating and
// dropping it) or to look into it (SELECT ... FROM schema.table).
func Admin(t testing.TB) *pgxpool.Pool {
	t.Helper()
	url := URL(t)
	adminOnce.Do(func() {
		cfg, err := pgxpool.ParseConfig(url)
		if err != nil {
			adminErr = err
			return
		}
		cfg.MaxConns = 4
		admin, adminErr = pgxpool.NewWithConfig(context.Background(), cfg)
	})
	if adminErr != nil {
		t.Fatalf("connecting to TEST_DATABASE_URL: %v", adminErr)
	}
	return admin
}

// Schema creates an empty schema named prefix_<random hex>, dropped when
// the test ends, and returns its name.
func Schema(t testing.TB, prefix string) string {
	t.Helper()
	pool := Admin(t)
	b := make([]byte, 6)
	rand.Read(b)
	name := prefix + "_" + hex.EncodeToString(b)
	if _, err := pool.Exec(context.Background(), "CREATE SCHEMA "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := pool.Exec(context.Background(), "DROP SCHEMA "+name+" CASCADE"); err != nil {
			t.Errorf("dropping schema %s: %v", name, err)
		}
	})
	return name
}

// SchemaURL returns a fresh schema (as Schema) and a database URL whose
// connections use it alone (search_path), for what takes a URL: the
// command line's --database-url, a child process.
func SchemaURL(t testing.TB, prefix string) (url, schema string) {
	t.Helper()
	base := URL(t)
	schema = Schema(t, prefix)
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema, schema
}
