package fault

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/regfus/regfus/internal/clitest"
)

// TestHotFolderAgainstServer: `regfus watch --once` against a real
// `regfus serve` with a station key: scans go to done/ as batches, a file
// the server cannot read goes to failed/ with the server's reason, a
// partial copy is left alone, and the same bytes dropped again under
// another name are moved without a new batch.
func TestHotFolderAgainstServer(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	key := strings.TrimSpace(run(t, "keys", "create", "--role", "station", "--asl", "201", "--data", data))
	_, base := serve(t, "serve", "--data", data, "--workers", "1")
	hot := t.TempDir()
	copyScan := func(name, as string) {
		b, err := os.ReadFile(filepath.Join(scans, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(hot, as), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	copyScan("0002-office.jpg", "scan-1.jpg")
	copyScan("0007-batch-tiff.tif", "scan-2.tif")
	copyScan("0008-batch-pdf.pdf", "scan-3.pdf.part")
	if err := os.WriteFile(filepath.Join(hot, "notes.png"), []byte("these are notes, not a scan\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	watch := func() {
		run(t, "watch", hot, "--server", base, "--key", key, "--settle", "200ms", "--once")
	}
	watch()
	for _, f := range []string{"done/scan-1.jpg", "done/scan-2.tif", "failed/notes.png", "failed/notes.png.reason.txt", "scan-3.pdf.part"} {
		if _, err := os.Stat(filepath.Join(hot, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	reason, _ := os.ReadFile(filepath.Join(hot, "failed", "notes.png.reason.txt"))
	if !strings.Contains(string(reason), "422") || !strings.Contains(string(reason), "notes.png") {
		t.Errorf("reason file: %q", reason)
	}
	c := &clitest.Client{T: t, Base: base, Key: key}
	count := func() int {
		req, _ := http.NewRequest(http.MethodGet, base+"/v1/batches", nil)
		resp, body := c.Do(req)
		if resp.StatusCode != 200 {
			t.Fatalf("list batches: %s %s", resp.Status, body)
		}
		var l struct {
			Batches []json.RawMessage `json:"batches"`
		}
		json.Unmarshal(body, &l)
		return len(l.Batches)
	}
	if n := count(); n != 2 {
		t.Fatalf("%d batches after the first run, want 2", n)
	}
	copyScan("0002-office.jpg", "scan-1-again.jpg")
	watch()
	if _, err := os.Stat(filepath.Join(hot, "done", "scan-1-again.jpg")); err != nil {
		t.Errorf("repeat not moved to done/: %v", err)
	}
	if n := count(); n != 2 {
		t.Errorf("%d batches after dropping the same bytes again, want still 2", n)
	}
}
