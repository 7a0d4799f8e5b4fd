package sqlite

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

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
	if err != nil || len(applied) != 1 || applied[0] != "0001_init.sql" {
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
