package blob

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestPutIsContentAddressedAndRecognisesReuploads(t *testing.T) {
	t.Parallel()
	d, root := openTemp(t)
	data := []byte("a scanned page, or so we pretend")
	sum := sha256.Sum256(data)
	want := hex.EncodeToString(sum[:])

	ref, existed, err := d.Put(context.Background(), bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if existed {
		t.Fatal("first Put reported the blob as existing")
	}
	if ref.SHA256 != want || ref.Size != int64(len(data)) {
		t.Fatalf("ref = %+v, want sha %s size %d", ref, want, len(data))
	}
	if wantPath := want[:2] + "/" + want[2:4] + "/" + want; ref.Path != wantPath {
		t.Fatalf("path %q, want %q", ref.Path, wantPath)
	}
	got, err := os.ReadFile(filepath.Join(root, ref.Path))
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("stored bytes %q, %v", got, err)
	}

	ref2, existed, err := d.Put(context.Background(), bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if !existed || !sameRef(ref2, ref) {
		t.Fatalf("re-upload: ref %+v existed %v, want %+v true", ref2, existed, ref)
	}
	if entries, _ := os.ReadDir(filepath.Join(root, "tmp")); len(entries) != 0 {
		t.Fatalf("temporary files left: %v", entries)
	}

	f, err := d.Open(context.Background(), want)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(f)
	f.Close()
	if !bytes.Equal(b, data) {
		t.Fatalf("Open read %q", b)
	}
	if ok, err := d.Has(context.Background(), want); !ok || err != nil {
		t.Fatalf("Has = %v, %v", ok, err)
	}
	other := strings.Repeat("0", 64)
	if ok, err := d.Has(context.Background(), other); ok || err != nil {
		t.Fatalf("Has(unknown) = %v, %v", ok, err)
	}
	if _, err := d.Open(context.Background(), other); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Open(unknown) error %v, want ErrNotFound", err)
	}
}

func TestPathRejectsNonDigests(t *testing.T) {
	t.Parallel()
	d, _ := openTemp(t)
	for _, s := range []string{"", "../../etc/passwd", strings.Repeat("A", 64), strings.Repeat("a", 63), strings.Repeat("a", 62) + "/x"} {
		if _, err := d.Path(s); err == nil {
			t.Errorf("Path(%q) = nil error", s)
		}
		if _, err := d.Open(context.Background(), s); err == nil {
			t.Errorf("Open(%q) = nil error", s)
		}
	}
}

type failingReader struct{ n int }

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, errors.New("connection reset")
	}
	r.n--
	p[0] = 'x'
	return 1, nil
}

func TestPutFailureLeavesNothing(t *testing.T) {
	t.Parallel()
	d, root := openTemp(t)
	_, _, err := d.Put(context.Background(), &failingReader{n: 10})
	if err == nil || !strings.Contains(err.Error(), "after 10 bytes") || !strings.Contains(err.Error(), "connection reset") {
		t.Fatalf("Put error = %v", err)
	}
	var files []string
	filepath.WalkDir(root, func(p string, e os.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	if len(files) != 0 {
		t.Fatalf("failed Put left files: %v", files)
	}
}

func TestOpenRemovesStaleTemporaries(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "tmp"), 0o750); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(root, "tmp", "put-123")
	if err := os.WriteFile(stale, []byte("half"), 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-StaleAfter - time.Minute)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	// A Put in progress in another process: its file is being written.
	live := filepath.Join(root, "tmp", "put-456")
	if err := os.WriteFile(live, []byte("in progress"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(root); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Fatalf("stale temporary still there: %v", err)
	}
	if _, err := os.Stat(live); err != nil {
		t.Fatalf("the temporary file of a Put in progress was removed: %v", err)
	}
}

func TestConcurrentPutsOfSameBytes(t *testing.T) {
	t.Parallel()
	d, _ := openTemp(t)
	data := bytes.Repeat([]byte("page"), 1<<14)
	var wg sync.WaitGroup
	refs := make([]Ref, 8)
	errs := make([]error, 8)
	for i := range refs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			refs[i], _, errs[i] = d.Put(context.Background(), bytes.NewReader(data))
		}()
	}
	wg.Wait()
	for i := range refs {
		if errs[i] != nil || !sameRef(refs[i], refs[0]) {
			t.Fatalf("put %d: %+v %v", i, refs[i], errs[i])
		}
	}
	p, _ := d.Path(refs[0].SHA256)
	got, err := os.ReadFile(p)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("stored content differs: %v", err)
	}
}

// sameRef reports whether two Puts name the same blob (put times aside).
func sameRef(a, b Ref) bool {
	a.PutAt, b.PutAt = time.Time{}, time.Time{}
	return a == b
}

// openTemp opens a Dir in a fresh temporary folder, its root.
func openTemp(t *testing.T) (*Dir, string) {
	t.Helper()
	root := t.TempDir()
	d, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	return d, root
}
