package pgblob_test

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/regfus/regfus/blob"
	"github.com/regfus/regfus/blob/pgblob"
)

// cacheBytes is what the blob files under root weigh (temporaries apart).
func cacheBytes(t *testing.T, root string) int64 {
	t.Helper()
	var n int64
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() && d.Name() == "tmp" && p != root {
			return filepath.SkipDir
		}
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

// TestCacheLimit: a worker reading more originals than its cache limit
// keeps the cache under it, the blob it uses most stays, and an evicted
// blob is fetched again whole when it is read again.
func TestCacheLimit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := database(t)
	server := newStore(t, st)
	const size, n = 100_000, 30 // 3 MB of originals
	var refs []blob.Ref
	for i := range n {
		ref, _, err := server.Put(ctx, bytes.NewReader(bytes.Repeat([]byte{byte(i)}, size)))
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, ref)
	}
	dir := t.TempDir()
	worker, err := pgblob.New(st.Pool(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	const limit = 1 << 20 // room for 10 of them
	worker.SetCacheLimit(limit)
	for i, ref := range refs {
		if _, err := worker.File(ctx, ref.SHA256); err != nil {
			t.Fatal(err)
		}
		// Blob 0 is read again between every two others: most recently
		// used all along, it must survive every trim.
		if _, err := worker.File(ctx, refs[0].SHA256); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Millisecond) // distinct modification times
		if got := cacheBytes(t, dir); got > limit+size {
			t.Fatalf("after %d reads the cache holds %d bytes, limit %d", i+1, got, limit)
		}
	}
	if got := cacheBytes(t, dir); got < limit/2 {
		t.Errorf("the cache holds only %d bytes of a %d limit: trimmed too much", got, limit)
	}
	p, _ := blob.Open(dir) // the cache's own layout
	if name, _ := p.Path(refs[0].SHA256); !exists(name) {
		t.Error("the most recently used blob was evicted")
	}
	if name, _ := p.Path(refs[1].SHA256); exists(name) {
		t.Error("blob 1, the least recently used, is still cached")
	}
	name, err := worker.File(ctx, refs[1].SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(name); !bytes.Equal(got, bytes.Repeat([]byte{1}, size)) {
		t.Fatalf("evicted blob read back as %d bytes", len(got))
	}
}

func exists(name string) bool {
	_, err := os.Stat(name)
	return err == nil
}
