package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestWorkerAndWatchUsage: flag mistakes are usage errors (exit 2) naming
// the problem, before anything is opened.
func TestWorkerAndWatchUsage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"worker", "--workers", "0"}, "--workers 0 out of range"},
		{[]string{"worker", "--lease", "10ms"}, "--lease"},
		{[]string{"worker", "--job-timeout", "2m", "--rescue-after", "1m"}, "--rescue-after"},
		{[]string{"worker", "extra"}, "unexpected argument"},
		{[]string{"watch", "--server", "http://x", "--key", "k"}, "exactly one DIR"},
		{[]string{"watch", dir, dir, "--server", "http://x", "--key", "k"}, "exactly one DIR"},
		{[]string{"watch", dir, "--key", "k"}, "--server"},
		{[]string{"watch", dir, "--server", "http://x"}, "--key"},
		{[]string{"watch", dir, "--server", "ftp://x", "--key", "k"}, "http://"},
		{[]string{"watch", filepath.Join(dir, "missing"), "--server", "http://x", "--key", "k"}, "not a folder"},
		{[]string{"watch", dir, "--server", "http://x", "--key", "k", "--settle", "0s"}, "--settle"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			t.Parallel()
			wantUsage(t, c.args, c.want)
		})
	}
}

// TestWatchOnceWithServerDown: --once with the server unreachable leaves
// the file where it is and exits cleanly when interrupted.
func TestWatchOnceWithServerDown(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.png"), []byte("scan"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	var errb strings.Builder
	err := Main(ctx, []string{"watch", dir, "--server", "http://127.0.0.1:1", "--key", "k", "--settle", "50ms", "--once"},
		Streams{Stdin: strings.NewReader(""), Stdout: &strings.Builder{}, Stderr: &errb})
	if err != nil {
		t.Fatalf("watch --once: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "a.png")); err != nil {
		t.Fatalf("the file left the folder without an upload: %v", err)
	}
	if !strings.Contains(errb.String(), "will retry") {
		t.Errorf("no retry logged: %s", errb.String())
	}
}
