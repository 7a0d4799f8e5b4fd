package fault

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/regfus/regfus/internal/clitest"
)

// bin is the regfus binary built for these tests.
var bin string

// scans is the synthetic corpus.
const scans = "../../testdata/scans"

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "regfus-fault-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = filepath.Join(dir, "regfus")
	build := exec.Command("go", "build", "-o", bin, "../../cmd/regfus")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building regfus:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// env is the environment of every child: OpenMP single-threaded (what
// regfus would re-exec itself for), no DATABASE_URL from outside.
func env() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DATABASE_URL=") && !strings.HasPrefix(kv, "OMP_THREAD_LIMIT=") {
			out = append(out, kv)
		}
	}
	return append(out, "OMP_THREAD_LIMIT=1")
}

// run runs regfus to completion and returns its stdout.
func run(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = env()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("regfus %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String()
}

// start starts regfus with args and waits for a stderr line containing
// ready (the line is returned).
func start(t *testing.T, name, ready string, args ...string) (*clitest.Proc, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = env()
	p := clitest.Start(t, name, cmd, ready)
	return p, p.Ready()
}

// serve starts `regfus serve` on a free loopback port and returns its
// base URL.
func serve(t *testing.T, name string, args ...string) (*clitest.Proc, string) {
	t.Helper()
	args = append([]string{"serve", "--addr", "127.0.0.1:0", "--no-ocr"}, args...)
	p, _ := start(t, name, clitest.Serving, args...)
	return p, p.URL()
}

// worker starts `regfus worker`.
func worker(t *testing.T, name string, args ...string) *clitest.Proc {
	t.Helper()
	p, _ := start(t, name, "worker started", append([]string{"worker", "--no-ocr"}, args...)...)
	return p
}

// uploadRequest is a POST /v1/batches of corpus files.
func uploadRequest(t *testing.T, base, key string, files ...string) *http.Request {
	t.Helper()
	return clitest.UploadRequest(t, base, key, corpus(files...)...)
}

// corpus is the paths of the corpus files.
func corpus(files ...string) []string {
	paths := make([]string, len(files))
	for i, f := range files {
		paths[i] = filepath.Join(scans, f)
	}
	return paths
}

// status returns the status code of an unauthenticated GET.
func status(url string) int {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}
