package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// entries lists the names in dir.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

func TestWrite(t *testing.T) {
	t.Parallel()
	for _, synced := range []bool{false, true} {
		write := Write
		if synced {
			write = WriteSynced
		}
		dir := t.TempDir()
		path := filepath.Join(dir, "a.txt")
		if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
			t.Fatal(err)
		}
		// A failed write leaves the old file and no temporary.
		boom := errors.New("boom")
		err := write(path, 0o644, func(f *os.File) error {
			f.WriteString("half")
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("synced %v: failed write returned %v", synced, err)
		}
		if b, _ := os.ReadFile(path); string(b) != "old" {
			t.Errorf("synced %v: after a failed write the file holds %q", synced, b)
		}
		if es := entries(t, dir); len(es) != 1 {
			t.Errorf("synced %v: after a failed write the folder holds %v", synced, es)
		}
		// A whole write replaces it, with the mode asked for.
		if err := write(path, 0o640, func(f *os.File) error { _, err := f.WriteString("new"); return err }); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(path); string(b) != "new" || fi.Mode().Perm() != 0o640 {
			t.Errorf("synced %v: the file holds %q, mode %v; want \"new\", 0640", synced, b, fi.Mode())
		}
		if es := entries(t, dir); len(es) != 1 {
			t.Errorf("synced %v: after a write the folder holds %v", synced, es)
		}
	}
}

func TestWriteNoFolder(t *testing.T) {
	t.Parallel()
	called := false
	err := Write(filepath.Join(t.TempDir(), "missing", "a.txt"), 0o644, func(*os.File) error { called = true; return nil })
	if err == nil || called {
		t.Errorf("a file in a missing folder: err %v, write called %v", err, called)
	}
}
