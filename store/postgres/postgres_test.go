package postgres

import (
	"context"
	"encoding/hex"
	"io/fs"
	"strings"
	"sync"
	"testing"

	"github.com/regfus/regfus/auth"
	"github.com/regfus/regfus/internal/pgtest"
	"github.com/regfus/regfus/store"
	"github.com/regfus/regfus/store/storetest"
)

// The tests run on the server scripts/testpg starts (TEST_DATABASE_URL),
// each in a schema of its own (internal/pgtest); without it they fail,
// unless REGFUS_SKIP_PG=1 skips them on purpose.

func newSchema(t *testing.T) string { return pgtest.Schema(t, "regfus_test") }

func open(t *testing.T, schema string) *Store {
	t.Helper()
	s, err := Open(context.Background(), pgtest.URL(t), Options{Schema: schema, MaxConns: 4})
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
	pgtest.URL(t)
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
	pgtest.URL(t)
	_, err := Open(context.Background(), "postgres://nobody@127.0.0.1:1/none?connect_timeout=2", Options{})
	if err == nil || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Fatalf("Open(unreachable) error %v, want one naming the address", err)
	}
}
