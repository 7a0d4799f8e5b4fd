package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/regfus/regfus/auth"
	"github.com/regfus/regfus/sheet"
	"github.com/regfus/regfus/store"
	"github.com/regfus/regfus/store/storetest"
)

func newStore(t *testing.T) *Store {
	t.Helper()
	return migrated(t, t.TempDir())
}

// migrated opens and migrates the store in dir; it is closed when the
// test ends (closing it before is harmless).
func migrated(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) storetest.Store { return newStore(t) })
}

// TestSecretNeverStored looks at the database files themselves.
func TestSecretNeverStored(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := migrated(t, dir)
	nk, err := auth.Generate(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateKey(context.Background(), store.APIKey{ID: nk.ID, Hash: nk.Hash, Scope: auth.Scope{Role: auth.Admin}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, FileName+"*"))
	found := false
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(nk.Secret)) || bytes.Contains(b, []byte(nk.Secret[len(auth.SecretPrefix):])) {
			t.Fatalf("%s contains the key's secret", f)
		}
		found = found || bytes.Contains(b, nk.Hash)
	}
	if !found {
		t.Fatalf("the key's hash is in none of %v: the check above proves nothing", files)
	}
}

func TestMigrateFreshAndReopen(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	applied, err := s.Migrate(context.Background())
	if err != nil || strings.Join(applied, " ") != "0001_init.sql 0002_reconciliation_summary.sql 0003_blobs.sql 0004_reconciliation_text.sql 0005_pages_per_scope.sql 0006_summaries_in_sql.sql 0007_review_suggestion.sql" {
		t.Fatalf("Migrate = %v, %v", applied, err)
	}
	s.Close()
	s, err = Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if applied, err := s.Migrate(context.Background()); err != nil || len(applied) != 0 {
		t.Fatalf("Migrate after reopen = %v, %v", applied, err)
	}
}

// TestRestartResumesWork: the process dies holding a claim; after a restart
// on the same data folder the queued page and the page whose lease ran out
// are both claimed again.
func TestRestartResumesWork(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	s := migrated(t, dir)
	bc, err := s.CreateBatch(ctx, store.NewBatch{Owner: auth.Scope{Role: auth.Admin}, Files: []store.NewFile{{
		SHA256: strings.Repeat("ab", 32), Name: "two.pdf", Size: 10, MediaType: "application/pdf", BlobPath: "ab/ab/x", Pages: 2}}})
	if err != nil {
		t.Fatal(err)
	}
	held, err := s.ClaimPage(ctx, store.ClaimOptions{Lease: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	s.Close() // the "crash": the claim is never completed

	time.Sleep(100 * time.Millisecond)
	s, err = Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got := map[int64]int{}
	for {
		c, err := s.ClaimPage(ctx, store.ClaimOptions{Lease: time.Minute})
		if errors.Is(err, store.ErrNoWork) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got[c.Page.ID] = c.Page.Attempts
	}
	if len(got) != 2 || got[held.Page.ID] != 2 {
		t.Fatalf("after restart claimed %v, want both pages, page %d on its second attempt", got, held.Page.ID)
	}
	b, err := s.GetBatch(ctx, bc.Batch.ID, auth.Scope{Role: auth.Admin})
	if err != nil || b.Progress.Running != 2 {
		t.Fatalf("batch after restart: %+v, %v", b.Progress, err)
	}
}

// TestMigratePagesPerScopeKeepsData: migration 0005 rebuilds the pages
// table, which slots, sheets and review items refer to with ON DELETE
// CASCADE. On a database at version 2 holding a processed page, it must
// keep every row (the rebuild runs with foreign keys off) and give each
// upload of the file the page set it had.
func TestMigratePagesPerScopeKeepsData(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, FileName)+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"0001_init.sql", "0002_reconciliation_summary.sql"} {
		b, err := migrationFiles.ReadFile("migrations/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(string(b)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	sha := strings.Repeat("ab", 32)
	for _, q := range []string{
		`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`,
		`INSERT INTO schema_migrations VALUES (1, '0001_init.sql', 'x'), (2, '0002_reconciliation_summary.sql', 'x')`,
		`INSERT INTO batches (id, region, asl, created_at) VALUES (1, '120', '205', 1), (2, '120', '206', 2)`,
		`INSERT INTO files VALUES ('` + sha + `', 'a.tif', 10, 'image/tiff', 'ab/ab/x', 1, 1)`,
		`INSERT INTO batch_files VALUES (1, '` + sha + `', 1, 'a.tif'), (2, '` + sha + `', 1, 'again.tif')`,
		`INSERT INTO pages (id, batch_id, file_sha256, page_index, state, status, result, queued_at) VALUES (7, 1, '` + sha + `', 1, 'done', 'ok', '{}', 1)`,
		`INSERT INTO slots VALUES (7, 1, 'filled', '012345676', '1234567890', 1, '[]')`,
		`INSERT INTO sheets (page_id, region, asl, pharmacy, dispensario) VALUES (7, '120', '205', '99999', 0)`,
		`INSERT INTO review_items (page_id, field, reason, created_at) VALUES (7, 'date', 'date_unread', 1)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()

	s, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	applied, err := s.Migrate(context.Background())
	if err != nil || strings.Join(applied, " ") != "0003_blobs.sql 0004_reconciliation_text.sql 0005_pages_per_scope.sql 0006_summaries_in_sql.sql 0007_review_suggestion.sql" {
		t.Fatalf("Migrate = %v, %v", applied, err)
	}
	for q, want := range map[string]int{
		"SELECT COUNT(*) FROM pages WHERE id = 7":                                         1,
		"SELECT COUNT(*) FROM slots WHERE page_id = 7":                                    1,
		"SELECT COUNT(*) FROM sheets WHERE page_id = 7":                                   1,
		"SELECT COUNT(*) FROM review_items WHERE page_id = 7":                             1,
		"SELECT COUNT(*) FROM review_items WHERE page_id = 7 AND suggestion IS NULL":      1,
		"SELECT COUNT(*) FROM batch_files WHERE origin_batch_id = 1":                      2,
		"SELECT COUNT(*) FROM pragma_foreign_key_list('slots') WHERE \"table\" = 'pages'": 1,
	} {
		var n int
		if err := s.DB().QueryRow(q).Scan(&n); err != nil || n != want {
			t.Errorf("%s = %d, %v; want %d", q, n, err, want)
		}
	}
	var fk int
	if err := s.DB().QueryRow("PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
		t.Errorf("foreign keys after migrating = %d, %v; want on", fk, err)
	}
	// A new page goes on from the old ids.
	b, err := s.CreateBatch(context.Background(), store.NewBatch{Owner: auth.Scope{Key: sheet.Key{Region: "120", ASL: "205"}},
		Files: []store.NewFile{{SHA256: strings.Repeat("cd", 32), Name: "n.tif", Size: 1, MediaType: "image/tiff", BlobPath: "x", Pages: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	ps, err := s.ListPages(context.Background(), b.Batch.ID, auth.Scope{Role: auth.Admin})
	if err != nil || len(ps) != 1 || ps[0].ID <= 7 {
		t.Fatalf("new page after migrating: %+v, %v", ps, err)
	}
}
