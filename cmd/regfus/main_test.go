package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// runCLI runs the command line in-process and returns stdout, stderr and
// the exit code main would use.
func runCLI(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	err := Main(context.Background(), args, Streams{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb})
	code := exitCode(err, &errb)
	return out.String(), errb.String(), code
}

// wantUsage runs the CLI with args and fails the test unless it stops on
// a usage error (exit 2) whose message says says ("": any message).
func wantUsage(t *testing.T, args []string, says string) {
	t.Helper()
	_, errOut, code := runCLI(t, args...)
	if code != 2 || !strings.Contains(errOut, says) {
		t.Errorf("%v: exit %d, stderr %q; want a usage error (exit 2) saying %q", args, code, errOut, says)
	}
}

func TestHelpListsCommands(t *testing.T) {
	out, _, code := runCLI(t, "--help")
	if code != 0 || !strings.Contains(out, "layout") {
		t.Fatalf("--help: code %d, out %q", code, out)
	}
	out, _, code = runCLI(t, "layout", "--help")
	if code != 0 || !strings.Contains(out, "--version") && !strings.Contains(out, "-version") {
		t.Fatalf("layout --help: code %d, out %q", code, out)
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	for _, args := range [][]string{{}, {"nope"}, {"layout", "--bogus"}, {"layout", "--version", "7"}, {"layout", "extra"}} {
		_, errOut, code := runCLI(t, args...)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
		if n := strings.Count(strings.TrimSpace(errOut), "\n"); !strings.HasPrefix(errOut, "regfus:") && n > 0 && !strings.Contains(errOut, "Usage") {
			t.Errorf("%v: stderr %q is not a one-line message", args, errOut)
		}
	}
}

// A usage error points to the help of the command that was called.
func TestUsageErrorPointsToCommandHelp(t *testing.T) {
	for _, tc := range []struct {
		args []string
		help string
	}{
		{[]string{"nope"}, "(see regfus --help)"},
		{[]string{"layout", "--bogus"}, "(see regfus layout --help)"},
		{[]string{"render", "--asl", "205"}, "(see regfus render --help)"},
		{[]string{"keys", "create", "--role", "nobody"}, "(see regfus keys create --help)"},
		{[]string{"keys", "frobnicate"}, "(see regfus keys --help)"},
	} {
		_, errOut, code := runCLI(t, tc.args...)
		if code != 2 || !strings.HasSuffix(strings.TrimSpace(errOut), tc.help) {
			t.Errorf("%v: exit %d, stderr %q; want 2 ending %q", tc.args, code, errOut, tc.help)
		}
	}
}

func TestLayoutJSON(t *testing.T) {
	out, _, code := runCLI(t, "layout")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var l struct {
		Version int `json:"version"`
		Page    struct{ W, H float64 }
		Markers []map[string]any
		Head    map[string]float64 `json:"head_barcode"`
		Tail    map[string]float64 `json:"tail_barcode"`
		Date    map[string]float64 `json:"date_box"`
		Slots   []struct {
			N          int
			X, Y, W, H float64
		}
	}
	if err := json.Unmarshal([]byte(out), &l); err != nil {
		t.Fatal(err)
	}
	if l.Version != 1 || l.Page.W != 210 || l.Page.H != 297 || len(l.Slots) != 28 || len(l.Markers) != 4 {
		t.Fatalf("layout JSON: %+v", l)
	}
	for _, k := range []string{"x", "y", "w", "h"} {
		if _, ok := l.Head[k]; !ok {
			t.Errorf("head_barcode lacks %q", k)
		}
		if _, ok := l.Tail[k]; !ok {
			t.Errorf("tail_barcode lacks %q", k)
		}
		if _, ok := l.Date[k]; !ok {
			t.Errorf("date_box lacks %q", k)
		}
	}
	if l.Slots[0].N != 1 || l.Slots[27].N != 28 || l.Slots[0].W < 45 {
		t.Errorf("slots: %+v ... %+v", l.Slots[0], l.Slots[27])
	}
}
