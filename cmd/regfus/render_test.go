package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func renderArgs(dir string, over ...string) []string {
	base := map[string]string{
		"--asl": "205", "--pharmacy": "99999", "--vat": "12345678911",
		"--name": "Farmacia Prova", "--month": "2023-01", "-o": dir,
	}
	for i := 0; i+1 < len(over); i += 2 {
		base[over[i]] = over[i+1]
	}
	args := []string{"render"}
	for k, v := range base {
		args = append(args, k, v)
	}
	return args
}

// mustRender runs render with renderArgs and then extra into a new
// folder, failing the test unless it succeeds; it returns the folder and
// what render printed.
func mustRender(t *testing.T, extra ...string) (dir, out string) {
	t.Helper()
	dir = t.TempDir()
	out, errOut, code := runCLI(t, append(renderArgs(dir), extra...)...)
	if code != 0 {
		t.Fatalf("render %v: exit %d: %s", extra, code, errOut)
	}
	return dir, out
}

func TestRenderWritesFiles(t *testing.T) {
	t.Parallel()
	dir, out := mustRender(t, "--sheets", "3", "--first", "4")
	want := filepath.Join(dir, "regfus-12020599999012023-p4-6.pdf")
	if strings.TrimSpace(out) != want {
		t.Fatalf("printed %q, want %q", out, want)
	}
	data, err := os.ReadFile(want)
	if err != nil || !strings.HasPrefix(string(data), "%PDF") {
		t.Fatalf("not a PDF: %v", err)
	}
	if fi, err := os.Stat(want); err != nil {
		t.Error(err)
	} else if fi.Mode().Perm() != 0o644 {
		t.Errorf("PDF mode %v, want -rw-r--r--", fi.Mode().Perm())
	}

	dir, _ = mustRender(t, "--format", "png", "--dpi", "100", "--sheets", "2", "--first", "1", "--dispensario")
	for _, n := range []string{"pD1", "pD2"} {
		if _, err := os.Stat(filepath.Join(dir, "regfus-12020599999012023-"+n+".png")); err != nil {
			t.Error(err)
		}
	}
}

func TestRenderBadInputWritesNothing(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		over []string
		says string
	}{
		{"bad month", []string{"--month", "2023-13"}, "month 13"},
		{"bad month format", []string{"--month", "January"}, "YYYY-MM"},
		{"6-digit pharmacy", []string{"--pharmacy", "999999"}, "pharmacy"},
		{"non-numeric ASL", []string{"--asl", "2A5"}, "ASL"},
		{"bad VAT", []string{"--vat", "123"}, "VAT"},
		{"VAT check digit", []string{"--vat", "12345678912"}, "check digit 2, want 1"},
		{"tax code check letter", []string{"--vat", "RSSMRA85T10A562T"}, "check letter T, want S"},
		{"unknown region", []string{"--region", "999"}, "--region 999 is not a region code"},
		{"negative count", []string{"--count", "-1"}, "--count -1 out of range"},
		{"count not a number", []string{"--count", "ten"}, "want a whole number"},
		{"bad format", []string{"--format", "gif"}, "format"},
		{"field font without an 8", []string{"--first", "8", "--field-font", "/usr/share/fonts/opentype/ocr-b/OCRB.otf"}, "cannot draw '8'"},
		{"unwritable folder", []string{"-o", filepath.Join(file, "out")}, "output folder"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			args := renderArgs(dir, tc.over...)
			_, errOut, code := runCLI(t, args...)
			if code == 0 {
				t.Fatal("exit 0")
			}
			if !strings.Contains(errOut, tc.says) || strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
				t.Errorf("stderr %q: want one line saying %q", errOut, tc.says)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 0 {
				t.Errorf("wrote %d files", len(entries))
			}
		})
	}
}

// An unknown region is printed only with the label given for it: the
// title never silently loses its region.
func TestRenderRegionLabel(t *testing.T) {
	t.Parallel()
	mustRender(t, "--region", "999", "--region-label", "Regione di Prova")
}

func TestRenderHelp(t *testing.T) {
	t.Parallel()
	out, _, code := runCLI(t, "render", "--help")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	i := strings.Index(out, "-count N")
	if i < 0 {
		t.Fatalf("help does not show -count N:\n%s", out)
	}
	line := out[i:]
	line = line[:strings.Index(line, "\n  -")]
	if strings.Contains(line, "(default") {
		t.Errorf("--count help shows a default: %q", line)
	}
}

// A progressive printed in a face of the user's (a system font, not one
// the binary embeds) is embedded in the PDF: it failed with "pdf:
// undefined font" when the PDF added only the embedded fonts.
func TestRenderFieldFontPDF(t *testing.T) {
	t.Parallel()
	dir, _ := mustRender(t, "--first", "8", "--field-font", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
	data, err := os.ReadFile(filepath.Join(dir, "regfus-12020599999012023-p8.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "dejavusans") {
		t.Error("the PDF does not embed the field font")
	}
}
