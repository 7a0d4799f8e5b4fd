package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/regfus/regfus/synth"
)

func TestSynthUsageErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"synth", "-o", dir, "--profile", "fax"}, `unknown profile "fax"`},
		{[]string{"synth", "-o", dir, "-n", "-3"}, "cannot be negative"},
		{[]string{"synth", "-n", "2"}, "-o DIR is required"},
		{[]string{"synth", "-o", dir, "--seed", "abc"}, "unsigned integer"},
		{[]string{"synth", "-o", dir, "--workers", "0"}, "at least 1"},
		{[]string{"synth", "-o", dir, "--month", "2023-13"}, "month 13"},
		{[]string{"synth", "-o", dir, "--asl", "20"}, "ASL"},
		{[]string{"synth", "-o", dir, "extra"}, "unexpected argument"},
	} {
		wantUsage(t, tc.args, tc.msg)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a failed call wrote %d files", len(entries))
	}
}

func TestSynthWritesCorpus(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out, errOut, code := runCLI(t, "synth", "-o", dir, "-n", "3", "--seed", "5", "--profile", "bitonal,batch-tiff",
		"--asl", "201", "--pharmacy", "12345", "--month", "2024-02")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "wrote 3 pages") || !strings.Contains(out, "pages/s") {
		t.Errorf("stdout %q", out)
	}
	if errOut != "" {
		t.Errorf("stderr %q: no progress bar when stderr is not a terminal", errOut)
	}
	ts, paths, err := synth.LoadCorpus(dir)
	if err != nil {
		t.Fatal(err)
	}
	pages := 0
	for _, p := range paths {
		for _, pg := range ts[p].Pages {
			pages++
			if pg.Sheet.Code != "12020112345022024" {
				t.Errorf("%s: sheet code %s, want the flags' 12020112345022024", pg.File, pg.Sheet.Code)
			}
		}
		if _, err := os.Stat(synth.ImagePath(p, ts[p])); err != nil {
			t.Error(err)
		}
	}
	if pages != 3 {
		t.Errorf("%d pages in the truth, want 3", pages)
	}
	if _, err := os.Stat(filepath.Join(dir, "manifest.json")); err != nil {
		t.Error(err)
	}
}
