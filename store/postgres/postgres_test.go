package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io/fs"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/regfus/regfus/auth"
	"github.com/regfus/regfus/store"
	"github.com/regfus/regfus/store/storetest"
)

// testURL returns TEST_DATABASE_URL. Unset, the test fails: a skipped
// PostgreSQL test would silently stand for a store nobody tested. Setting
// REGFUS_SKIP_PG=1 skips on purpose (e.g. a quick run of unrelated
// packages); the full run is scripts/testpg run -- go test ./...
func testURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("TEST_DATABASE_URL")
	if u == "" {
		if os.Getenv("REGFUS_SKIP_PG") == "1" {
			t.Skip("REGFUS_SKIP_PG=1: PostgreSQL store tests skipped on request")
		}
		t.Fatal("TEST_DATABASE_URL is not set: run the PostgreSQL tests with `scripts/testpg run -- go test ./store/...`, " +
			"or set REGFUS_SKIP_PG=1 to skip them explicitly")
	}
	return u
}

var (
	adminOnce sync.Once
	adminPool *pgxpool.Pool
	adminErr  error
)

// admin returns a small shared pool for creating and dropping schemas.
func admin(t *testing.T) *pgxpool.Pool {
	t.Helper()
	url := testURL(t)
	adminOnce.Do(func() {
		cfg, err := pgxpool.ParseConfig(url)
		if err != nil {
			adminErr = err
			return
		}
		cfg.MaxConns = 4
		adminPool, adminErr = pgxpool.NewWithConfig(context.Background(), cfg)
	})
	if adminErr != nil {
		t.Fatalf("connecting to TEST_DATABASE_URL: %v", adminErr)
	}
	return adminPool
}

// newSchema creates an empty schema that is dropped when the test ends.
func newSchema(t *testing.T) string {
	t.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	name := "regfus_test_" + hex.EncodeToString(b)
	pool := admin(t)
	if _, err := pool.Exec(context.Background(), "CREATE SCHEMA "+name); err != nil {
		t.Fatalf("creating schema %s: %v", name, err)
	}
	t.Cleanup(func() {
		if _, err := pool.Exec(context.Background(), "DROP SCHEMA "+name+" CASCADE"); err != nil {
			t.Errorf("dropping schema %s: %v", name, err)
		}
	})
	return name
}

func open(t *testing.T, schema string) *Store {
	t.Helper()
	s, err := Open(context.Background(), testURL(t), Options{Schema: schema, MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() }) // runs before the schema is dropped
	return s
}

func newStore(t *testing.T) *Store {
	t.Helper()
	s := open(t, newSchema(t))
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	t.Parallel()
	testURL(t)
	storetest.Run(t, func(t *testing.T) storetest.Store { return newStore(t) })
}

func TestMigrateIncludesRiver(t *testing.T) {
	t.Parallel()
	s := open(t, newSchema(t))
	applied, err := s.Migrate(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) < 2 || applied[0] != "0001_init.sql" || !strings.HasPrefix(applied[len(applied)-1], "river ") {
		t.Fatalf("Migrate applied %v, want regfus's then River's migrations", applied)
	}
	for _, table := range []string{"pages", "api_keys", "river_job", "river_migration"} {
		var found *string
		if err := s.Pool().QueryRow(context.Background(), "SELECT CAST(to_regclass($1) AS text)", table).Scan(&found); err != nil {
			t.Fatal(err)
		}
		if found == nil {
			t.Errorf("table %s missing after Migrate", table)
		}
	}
	if again, err := s.Migrate(context.Background()); err != nil || len(again) != 0 {
		t.Fatalf("second Migrate = %v, %v", again, err)
	}
}

// TestConcurrentMigrate: two processes running `regfus migrate` at once on
// the same database take turns (advisory lock) and both succeed.
func TestConcurrentMigrate(t *testing.T) {
	t.Parallel()
	schema := newSchema(t)
	stores := []*Store{open(t, schema), open(t, schema), open(t, schema)}
	var wg sync.WaitGroup
	errs := make([]error, len(stores))
	total := make([]int, len(stores))
	for i, s := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var applied []string
			applied, errs[i] = s.Store.Migrate(context.Background())
			total[i] = len(applied)
		}()
	}
	wg.Wait()
	sum := 0
	for i := range stores {
		if errs[i] != nil {
			t.Fatalf("migrator %d: %v", i, errs[i])
		}
		sum += total[i]
	}
	files, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil || len(files) < 2 {
		t.Fatalf("embedded migrations: %v, %v", files, err)
	}
	if sum != len(files) {
		t.Fatalf("migrations applied %d times in total, want each of the %d once", sum, len(files))
	}
}

func TestSecretNeverStored(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	nk, err := auth.Generate(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateKey(context.Background(), store.APIKey{ID: nk.ID, Hash: nk.Hash, Scope: auth.Scope{Role: auth.Admin}}); err != nil {
		t.Fatal(err)
	}
	var rows string
	if err := s.Pool().QueryRow(context.Background(), "SELECT string_agg(CAST(row_to_json(k) AS text), ' ') FROM api_keys k").Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rows, nk.ID) {
		t.Fatalf("api_keys rows %q do not hold the key: the check proves nothing", rows)
	}
	if strings.Contains(rows, nk.Secret[len(auth.SecretPrefix):]) {
		t.Fatalf("api_keys holds the secret: %s", rows)
	}
	if !strings.Contains(rows, hex.EncodeToString(nk.Hash)) {
		t.Fatalf("api_keys does not hold the sha256 hash: %s", rows)
	}
}

func TestOpenBadURL(t *testing.T) {
	t.Parallel()
	testURL(t)
	_, err := Open(context.Background(), "postgres://nobody@127.0.0.1:1/none?connect_timeout=2", Options{})
	if err == nil || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Fatalf("Open(unreachable) error %v, want one naming the address", err)
	}
}
