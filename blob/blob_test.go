package blob

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// The directory store's own properties. What every blob store does
// (content addressing, re-uploads, unknown and malformed digests, sizes,
// failed and concurrent uploads, removal) is package blobtest's suite,
// which TestDirConformance runs on a Dir.

// TestDirLayout: a blob is the file ab/cd/<sha256> under the root
// (Ref.Path), holding exactly its bytes, and neither an upload nor a
// re-upload of the same bytes leaves a temporary file behind.
func TestDirLayout(t *testing.T) {
	t.Parallel()
	d, root := openTemp(t)
	data := []byte("a scanned page, or so we pretend")
	for _, put := range []string{"upload", "re-upload"} {
		ref, _, err := d.Put(context.Background(), bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", put, err)
		}
		got, err := os.ReadFile(filepath.Join(root, ref.Path))
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("%s: stored bytes %q, %v", put, got, err)
		}
		if entries, _ := os.ReadDir(filepath.Join(root, "tmp")); len(entries) != 0 {
			t.Fatalf("%s: temporary files left: %v", put, entries)
		}
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

func TestPutFailureLeavesNothing(t *testing.T) {
	t.Parallel()
	d, root := openTemp(t)
	// Ten bytes arrive, then the connection breaks.
	_, _, err := d.Put(context.Background(), io.MultiReader(strings.NewReader("xxxxxxxxxx"), iotest.ErrReader(errors.New("connection reset"))))
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
