package sqlite

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/regfus/regfus/auth"
	"github.com/regfus/regfus/store"
	"github.com/regfus/regfus/store/storetest"
)

func newStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), t.TempDir())
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
	storetest.Run(t, func(t *testing.T) store.Store { return newStore(t) })
}

// TestSecretNeverStored looks at the database files themselves.
func TestSecretNeverStored(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
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
	if err != nil || strings.Join(applied, " ") != "0001_init.sql 0002_reconciliation_summary.sql" {
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
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
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

// TestMigrateSummarisesOlderReports: a report stored before summaries were
// kept (summary NULL, as migration 0002 leaves existing rows) has its
// summary filled in by the next Migrate, so listings never miss one.
func TestMigrateSummarisesOlderReports(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	g := store.Group{Region: "120", ASL: "205", Pharmacy: "99999", Competence: "2023-01"}
	if err := s.PutReconciliation(ctx, store.Reconciliation{Group: g, Report: []byte(`{"scanned_sheets":2,"findings":[{},{},{}]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().ExecContext(ctx, `UPDATE reconciliations SET summary = NULL`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	page, err := s.PageReconciliations(ctx, store.ReconciliationQuery{Filter: store.GroupFilter{Scope: auth.Scope{Role: auth.Admin}}, Limit: 10, Summaries: true})
	if err != nil || len(page) != 1 {
		t.Fatalf("PageReconciliations = %+v, %v", page, err)
	}
	if got := string(page[0].Summary); got != `{"findings_count":3,"scanned_sheets":2}` {
		t.Fatalf("summary after Migrate: %s", got)
	}
}
