package pgblob_test

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/regfus/regfus/blob"
	"github.com/regfus/regfus/blob/blobtest"
	"github.com/regfus/regfus/blob/pgblob"
	"github.com/regfus/regfus/internal/pgtest"
	"github.com/regfus/regfus/store/postgres"
)

// database opens a fresh, migrated regfus database in a schema of its own
// on TEST_DATABASE_URL (dropped at the end). Without TEST_DATABASE_URL the
// test fails, unless REGFUS_SKIP_PG=1.
func database(t *testing.T) *postgres.Store {
	t.Helper()
	ctx := context.Background()
	u, schema := pgtest.URL(t), pgtest.Schema(t, "regfus_blob")
	st, err := postgres.Open(ctx, u, postgres.Options{Schema: schema, MaxConns: 8})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() }) // before the schema is dropped
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return st
}

func newStore(t *testing.T, st *postgres.Store) *pgblob.Store {
	t.Helper()
	s, err := pgblob.New(st.Pool(), t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestConformance: the PostgreSQL store passes the suite the directory
// store passes.
func TestConformance(t *testing.T) {
	t.Parallel()
	blobtest.Run(t, func(t *testing.T) blob.Store { return newStore(t, database(t)) })
}

// TestAnotherMachineReadsWithTheDatabaseOnly: a blob put by one process is
// read by another that shares nothing with it but the database (its own,
// empty cache), as soon as Put returned; and the second recognises a
// re-upload of the same bytes.
func TestAnotherMachineReadsWithTheDatabaseOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := database(t)
	server, worker := newStore(t, st), newStore(t, st)
	data := bytes.Repeat([]byte("a page of a batch "), 200_000) // 3.6 MB: several pieces
	ref, existed, err := server.Put(ctx, bytes.NewReader(data))
	if err != nil || existed {
		t.Fatalf("Put: existed %v, %v", existed, err)
	}
	name, err := worker.File(ctx, ref.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(name)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("the worker read %d bytes (%v), want the %d put", len(got), err, len(data))
	}
	if _, existed, err := worker.Put(ctx, bytes.NewReader(data)); err != nil || !existed {
		t.Fatalf("re-upload through the worker: existed %v, %v", existed, err)
	}
	var chunks int
	if err := st.Pool().QueryRow(ctx, `SELECT count(*) FROM blob_chunks WHERE sha256 = $1`, ref.SHA256).Scan(&chunks); err != nil {
		t.Fatal(err)
	}
	if want := (len(data) + pgblob.ChunkSize - 1) / pgblob.ChunkSize; chunks != want {
		t.Fatalf("%d pieces stored, want %d (one copy)", chunks, want)
	}
}

// TestCorruptionIsRefused: bytes in the database that do not hash to
// their name are never served.
func TestCorruptionIsRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := database(t)
	data := bytes.Repeat([]byte{7}, 10_000)
	ref, _, err := newStore(t, st).Put(ctx, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Pool().Exec(ctx, `UPDATE blob_chunks SET data = $2 WHERE sha256 = $1`, ref.SHA256, bytes.Repeat([]byte{8}, 10_000)); err != nil {
		t.Fatal(err)
	}
	fresh := newStore(t, st)
	if name, err := fresh.File(ctx, ref.SHA256); err == nil {
		t.Fatalf("corrupt blob served as %s", name)
	}
	if _, err := fresh.Open(ctx, ref.SHA256); err == nil {
		t.Fatal("corrupt blob opened")
	}
}

// TestLegacyDirectoryAdopted: an original an older regfus kept in a blob
// directory is read through the PostgreSQL store and lands in the database,
// where a process without that directory then finds it.
func TestLegacyDirectoryAdopted(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := database(t)
	legacy, err := blob.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	data := []byte("an original from before the blobs went to PostgreSQL")
	ref, _, err := legacy.Put(ctx, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	s, err := pgblob.New(st.Pool(), t.TempDir(), legacy)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := s.Open(ctx, ref.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	rc.Close()
	if ok, err := newStore(t, st).Has(ctx, ref.SHA256); !ok || err != nil {
		t.Fatalf("after the read, the database has it: %v, %v", ok, err)
	}
	name, err := newStore(t, st).File(ctx, ref.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(name); !bytes.Equal(got, data) {
		t.Fatalf("read back %q", got)
	}
}
