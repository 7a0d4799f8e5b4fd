package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/regfus/regfus/page"
)

const (
	exDecl    = "../../records/testdata/declarations.csv"
	exRecs    = "../../records/testdata/records.csv"
	exResults = "../../records/testdata/results.ndjson"
)

func TestVerifyJSON(t *testing.T) {
	t.Parallel()
	out, errOut, code := runCLI(t, "verify", "--declarations", exDecl, "--records", exRecs, "--results", exResults)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep struct {
		Groups []struct {
			Competence string
			Findings   []struct{ Kind string }
			Payable    []struct {
				RecordID    string `json:"record_id"`
				Attestation string
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Groups) != 2 || len(rep.Groups[0].Findings) != 5 || len(rep.Groups[0].Payable) != 3 || rep.Groups[1].Payable[0].RecordID != "R004" {
		t.Errorf("report: %+v", rep)
	}
	if !strings.Contains(errOut, "5 findings, 4 payable") {
		t.Errorf("stderr %q", errOut)
	}
}

func TestVerifyHTMLToFileWithFlagsAfterArgs(t *testing.T) {
	t.Parallel()
	dst := filepath.Join(t.TempDir(), "report.html")
	_, errOut, code := runCLI(t, "verify", "--results", exResults, "--declarations", exDecl, "--records", exRecs, "--format", "html", "-o", dst)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	b, err := os.ReadFile(dst)
	if err != nil || !strings.Contains(string(b), "<svg") || !strings.Contains(errOut, dst) {
		t.Fatalf("report %d bytes, %v; stderr %q", len(b), err, errOut)
	}
	entries, _ := os.ReadDir(filepath.Dir(dst))
	if len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
}

func TestVerifyResultsFromStdin(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(exResults)
	if err != nil {
		t.Fatal(err)
	}
	var out, errb strings.Builder
	err = Main(context.Background(), []string{"verify", "--declarations", exDecl, "--records", exRecs, "--results", "-", "--format", "csv"},
		Streams{Stdin: strings.NewReader(string(data)), Stdout: &out, Stderr: &errb})
	if err != nil || !strings.HasPrefix(out.String(), "region,asl,pharmacy,competence,kind") || strings.Count(out.String(), "\n") != 6 {
		t.Errorf("err %v, out %q", err, out.String())
	}
}

func TestVerifyErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.ndjson")
	good, _ := os.ReadFile(exResults)
	lines := strings.SplitN(string(good), "\n", 2)
	os.WriteFile(bad, []byte(lines[0]+"\n{\"source\": 3}\n\n{\"status\":\"maybe\"}\n"), 0o644)
	for _, tc := range []struct {
		name string
		args []string
		code int
		says string
	}{
		{"no declarations", []string{"--records", exRecs, "--results", exResults}, 2, "--declarations is required"},
		{"no records", []string{"--declarations", exDecl, "--results", exResults}, 2, "--records is required"},
		{"nothing to verify", []string{"--declarations", exDecl, "--records", exRecs}, 2, "nothing to verify"},
		{"format", []string{"--declarations", exDecl, "--records", exRecs, "--results", exResults, "--format", "pdf"}, 2, "unknown report format"},
		{"bad flag", []string{"--bogus"}, 2, "bogus"},
		{"stdin twice", []string{"--declarations", exDecl, "--records", exRecs, "--results", "-", "--results", "-"}, 2, "given 2 times"},
		{"bad records", []string{"--declarations", exDecl, "--records", "../../records/testdata/records_bad.csv", "--results", exResults}, 1, "records_bad.csv:4:76: sheet:"},
		{"bad declarations", []string{"--declarations", "../../records/testdata/declarations_bad.csv", "--records", exRecs, "--results", exResults}, 1, "declarations_bad.csv:5:1:"},
		{"malformed NDJSON", []string{"--declarations", exDecl, "--records", exRecs, "--results", bad}, 1, "bad.ndjson:2: not a page result"},
		{"bad status", []string{"--declarations", exDecl, "--records", exRecs, "--results", bad}, 1, `bad.ndjson:4: status "maybe"`},
		{"missing results", []string{"--declarations", exDecl, "--records", exRecs, "--results", filepath.Join(dir, "none.ndjson")}, 1, "no such file"},
		{"unwritable output", []string{"--declarations", exDecl, "--records", exRecs, "--results", exResults, "-o", filepath.Join(dir, "no", "r.json")}, 1, "verify:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, errOut, code := runCLI(t, append([]string{"verify"}, tc.args...)...)
			if code != tc.code || !strings.Contains(errOut, tc.says) {
				t.Errorf("exit %d, stderr %q; want exit %d saying %q", code, errOut, tc.code, tc.says)
			}
			if code == 1 && out != "" {
				t.Errorf("a report was written after an error: %.100q", out)
			}
		})
	}
}

// TestVerifyScanPaths covers both builds: without a scanner, PATHs are a
// clear error; with one, its results are reconciled with --results ones.
// It swaps the package-level scanPaths, so it does not run in parallel.
func TestVerifyScanPaths(t *testing.T) {
	saved := scanPaths
	defer func() { scanPaths = saved }()

	scanPaths = nil
	_, errOut, code := runCLI(t, "verify", "--declarations", exDecl, "--records", exRecs, "scans/")
	if code != 1 || !strings.Contains(errOut, "scanning not available in this build; pass --results") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}

	var gotPaths []string
	var gotWorkers int
	scanPaths = func(ctx context.Context, paths []string, workers int) ([]page.Result, error) {
		gotPaths, gotWorkers = paths, workers
		data, err := os.ReadFile(exResults)
		if err != nil {
			return nil, err
		}
		return page.ReadResults(strings.NewReader(string(data)), "scan")
	}
	out, errOut, code := runCLI(t, "verify", "--declarations", exDecl, "--records", exRecs, "a.tif", "--workers", "3", "b/", "--format", "csv")
	if code != 0 || strings.Join(gotPaths, " ") != "a.tif b/" || gotWorkers != 3 || !strings.Contains(out, "unrecorded_fustella") {
		t.Errorf("exit %d (%s), paths %v, workers %d, out %q", code, errOut, gotPaths, gotWorkers, out)
	}
	// "--" ends the flags.
	_, _, code = runCLI(t, "verify", "--declarations", exDecl, "--records", exRecs, "--", "--format")
	if code != 0 || strings.Join(gotPaths, " ") != "--format" {
		t.Errorf("exit %d, paths %v", code, gotPaths)
	}
}
