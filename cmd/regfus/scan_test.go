package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/render"
	"github.com/regfus/regfus/render/rendertest"
)

// scanInputs writes a rendered 150-dpi sheet and three files that are not
// scans into a new folder.
func scanInputs(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	img := rendertest.EmptySheet(t, 150)
	f, err := os.Create(filepath.Join(dir, "a-sheet.png"))
	if err != nil {
		t.Fatal(err)
	}
	if err := render.WritePNG(f, img, 150); err != nil {
		t.Fatal(err)
	}
	f.Close()
	for name, body := range map[string]string{"b-empty.png": "", "c-notes.png": "not an image\n", "d-truncated.png": "\x89PNG\r\n\x1a\n\x00\x00"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func parseNDJSON(t *testing.T, out string) map[string]page.Result {
	t.Helper()
	rs, err := page.ReadResults(strings.NewReader(out), "stdout")
	if err != nil {
		t.Fatal(err)
	}
	res := map[string]page.Result{}
	for _, r := range rs {
		res[filepath.Base(r.Source)] = r
	}
	return res
}

func TestScanFolderNDJSON(t *testing.T) {
	dir := scanInputs(t)
	for _, ocr := range []bool{false, true} {
		args := []string{"scan", "--workers", "2", dir}
		if !ocr {
			args = []string{"scan", "--workers", "2", "--no-ocr", dir}
		}
		// Three of the four files are not scans: exit 1 (scanExitRule),
		// after every file was processed.
		out, errOut, code := runCLI(t, args...)
		if code != 1 || !strings.Contains(errOut, "3 input(s) could not be decoded") {
			t.Fatalf("ocr %v: exit %d, want 1; stderr %s", ocr, code, errOut)
		}
		res := parseNDJSON(t, out)
		if len(res) != 4 {
			t.Fatalf("ocr %v: %d results, want 4:\n%s", ocr, len(res), out)
		}
		sh := res["a-sheet.png"]
		if sh.Status == page.Rejected || sh.Sheet.Code == nil || sh.Sheet.Code.String() != rendertest.Code || len(sh.Slots) != 28 || sh.Page != 1 {
			t.Errorf("ocr %v: sheet: %+v", ocr, sh)
		}
		if sh.Orientation == nil || *sh.Orientation != 0 || sh.Quality == nil || sh.Quality.DPI < 140 || sh.Quality.DPI > 160 {
			t.Errorf("ocr %v: orientation %v quality %+v", ocr, sh.Orientation, sh.Quality)
		}
		for _, name := range []string{"b-empty.png", "c-notes.png", "d-truncated.png"} {
			r := res[name]
			if r.Status != page.Rejected || len(r.Reasons) == 0 || !strings.HasPrefix(r.Reasons[0].String(), string(page.ReasonDecode)) || r.Sheet.Code != nil {
				t.Errorf("ocr %v: %s: %+v", ocr, name, r)
			}
			if !strings.Contains(errOut, name) {
				t.Errorf("ocr %v: stderr does not name %s: %s", ocr, name, errOut)
			}
		}
	}
}

func TestScanHelpStatesExitRule(t *testing.T) {
	out, _, code := runCLI(t, "scan", "--help")
	if code != 0 || !strings.Contains(out, scanExitRule) {
		t.Errorf("scan --help: exit %d, does not state the exit rule:\n%s", code, out)
	}
}

func TestScanErrors(t *testing.T) {
	dir := scanInputs(t)
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"scan"}, 2},
		{[]string{"scan", "--workers", "0", dir}, 2},
		{[]string{"scan", "--progress", "sometimes", dir}, 2},
		// One rule for inputs that cannot be decoded: a missing file and a
		// text file named .png both exit 1; a scan alone exits 0.
		{[]string{"scan", "--no-ocr", filepath.Join(dir, "missing.png"), filepath.Join(dir, "a-sheet.png")}, 1},
		{[]string{"scan", "--no-ocr", filepath.Join(dir, "c-notes.png"), filepath.Join(dir, "a-sheet.png")}, 1},
		{[]string{"scan", "--no-ocr", filepath.Join(dir, "a-sheet.png")}, 0},
	} {
		out, errOut, code := runCLI(t, tc.args...)
		if code != tc.code {
			t.Errorf("%v: exit %d, want %d (stderr %s)", tc.args, code, tc.code, errOut)
		}
		if tc.code != 2 && !strings.Contains(out, "a-sheet.png") {
			t.Errorf("%v: the readable file was not processed: %s", tc.args, out)
		}
	}
}
