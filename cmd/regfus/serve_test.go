package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/regfus/regfus/auth"
	"github.com/regfus/regfus/store"
	"github.com/regfus/regfus/store/postgres"
	"github.com/regfus/regfus/store/sqlite"
)

// asCLI makes the test binary act as the regfus command when a fault test
// starts it as a child process (so the test can SIGKILL a real server or
// worker without building a separate binary).
const asCLI = "REGFUS_TEST_AS_CLI"

func TestMain(m *testing.M) {
	if os.Getenv(asCLI) == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

func TestServeUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"serve", "extra"},
		{"serve", "--workers", "-1"},
		{"serve", "--max-queue", "0"},
		{"serve", "--max-upload", "10"},
		{"serve", "--addr", ""},
		{"serve", "--lease", "10ms"},
		{"serve", "--job-timeout", "1m", "--rescue-after", "30s"},
		{"serve", "--bogus"},
	} {
		if _, errOut, code := runCLI(t, args...); code != 2 {
			t.Errorf("%v: exit %d (%s), want 2", args, code, errOut)
		}
	}
	if out, _, code := runCLI(t, "serve", "--help"); code != 0 || !strings.Contains(out, "-database-url") {
		t.Errorf("serve --help: %d %q", code, out)
	}
}

// child is a regfus process started by a test.
type child struct {
	t    *testing.T
	cmd  *exec.Cmd
	addr chan string
	mu   sync.Mutex
	log  bytes.Buffer
	done chan struct{}
	err  error
}

// startCLI runs the test binary as `regfus args...`.
func startCLI(t *testing.T, args ...string) *child {
	t.Helper()
	c := &child{t: t, addr: make(chan string, 1), done: make(chan struct{})}
	c.cmd = exec.Command(os.Args[0], args...)
	c.cmd.Env = append(os.Environ(), asCLI+"=1")
	stderr, err := c.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	c.cmd.Stdout = io.Discard
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			c.mu.Lock()
			c.log.WriteString(line + "\n")
			c.mu.Unlock()
			var l struct {
				Msg  string `json:"msg"`
				Addr string `json:"addr"`
			}
			if json.Unmarshal([]byte(line), &l) == nil && l.Msg == "serving" {
				c.addr <- l.Addr
			}
		}
		c.err = c.cmd.Wait()
		close(c.done)
	}()
	t.Cleanup(func() {
		select {
		case <-c.done:
		default:
			c.cmd.Process.Kill()
			<-c.done
		}
		if t.Failed() {
			t.Logf("log of %v:\n%s", args[0], c.logs())
		}
	})
	return c
}

func (c *child) logs() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.log.String()
}

// url waits for the server to listen and returns its base URL.
func (c *child) url() string {
	c.t.Helper()
	select {
	case a := <-c.addr:
		return "http://" + a
	case <-c.done:
		c.t.Fatalf("regfus exited before serving: %v\n%s", c.err, c.logs())
	case <-time.After(2 * time.Minute):
		c.t.Fatal("regfus did not start serving within 2 minutes")
	}
	return ""
}

// signal sends sig and, for SIGTERM, waits for the exit.
func (c *child) stop(sig syscall.Signal) error {
	c.t.Helper()
	if err := c.cmd.Process.Signal(sig); err != nil {
		c.t.Fatal(err)
	}
	select {
	case <-c.done:
		return c.err
	case <-time.After(2 * time.Minute):
		c.t.Fatalf("regfus did not exit within 2 minutes of %v", sig)
	}
	return nil
}

// faultScans are multi-page files of testdata/scans: 13 pages in all.
var faultScans = []string{"0007-batch-tiff.tif", "0008-batch-pdf.pdf", "0015-batch-tiff.tif", "0016-batch-pdf.pdf", "0023-batch-tiff.tif", "0024-batch-pdf.pdf"}

const faultPages = 13

func uploadScans(t *testing.T, base, key string, names ...string) int64 {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "scans", n))
		if err != nil {
			t.Fatal(err)
		}
		fw, _ := w.CreateFormFile("files", n)
		fw.Write(data)
	}
	w.Close()
	req, _ := http.NewRequest("POST", base+"/v1/batches", &buf)
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", w.FormDataContentType())
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		ID int64 `json:"id"`
	}
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 202 || json.Unmarshal(b, &out) != nil {
		t.Fatalf("upload: %d %s", res.StatusCode, b)
	}
	return out.ID
}

type batchStatus struct {
	Status      string `json:"status"`
	PagesTotal  int    `json:"pages_total"`
	PagesDone   int    `json:"pages_done"`
	PagesFailed int    `json:"pages_failed"`
}

func getBatch(t *testing.T, base, key string, id int64) (batchStatus, error) {
	t.Helper()
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/v1/batches/%d", base, id), nil)
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return batchStatus{}, err
	}
	defer res.Body.Close()
	var b batchStatus
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		return b, fmt.Errorf("GET batch: %d %s", res.StatusCode, body)
	}
	return b, json.Unmarshal(body, &b)
}

// waitBatch polls until cond holds.
func waitBatch(t *testing.T, base, key string, id int64, what string, limit time.Duration, cond func(batchStatus) bool) batchStatus {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		b, err := getBatch(t, base, key, id)
		if err == nil && cond(b) {
			return b
		}
		if time.Now().After(deadline) {
			t.Fatalf("batch %d: not %s within %s (last %+v, %v)", id, what, limit, b, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// checkOnce checks in the store that every page of the batch is done and
// was recorded once: one result (CompletePage refuses a second) and one
// set of review items, with no item repeated.
func checkOnce(t *testing.T, s store.Store, batch int64) {
	t.Helper()
	ctx := context.Background()
	admin := auth.Scope{Role: auth.Admin}
	pages, err := s.ListPages(ctx, batch, admin)
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != faultPages {
		t.Fatalf("%d pages stored, want %d", len(pages), faultPages)
	}
	for _, p := range pages {
		if p.State != store.PageDone || p.Result == nil {
			t.Errorf("page %d (%s p.%d): %s, %v", p.ID, p.File.Name, p.Index, p.State, p.Error)
			continue
		}
		items, err := s.ListReview(ctx, store.ReviewFilter{Scope: admin, PageID: p.ID})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, it := range items {
			k := fmt.Sprintf("%d/%s/%s", it.Slot, it.Field, it.Reason)
			if seen[k] {
				t.Errorf("page %d: review item %s recorded twice", p.ID, k)
			}
			seen[k] = true
		}
	}
}

func createKey(t *testing.T, storeArgs ...string) string {
	t.Helper()
	args := append([]string{"keys", "create", "--role", "admin"}, storeArgs...)
	out, errOut, code := runCLI(t, args...)
	if code != 0 {
		t.Fatalf("keys create: %d %s", code, errOut)
	}
	return strings.TrimSpace(out)
}

// TestServeRestartMidBatch: the embedded server is killed (SIGKILL) in
// the middle of a batch, or stopped (SIGTERM); started again on the same
// data folder, it finishes the batch with every page recorded once and
// nothing lost.
func TestServeRestartMidBatch(t *testing.T) {
	t.Parallel()
	for _, sig := range []syscall.Signal{syscall.SIGKILL, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			data := t.TempDir()
			key := createKey(t, "--data", data)
			serve := func() *child {
				return startCLI(t, "serve", "--addr", "127.0.0.1:0", "--data", data, "--no-ocr", "--workers", "1", "--lease", "2s", "--grace", "1s")
			}
			first := serve()
			base := first.url()
			id := uploadScans(t, base, key, faultScans...)
			waitBatch(t, base, key, id, "started", untilTestDeadline(t), func(b batchStatus) bool { return b.PagesDone >= 2 })
			err := first.stop(sig)
			if sig == syscall.SIGTERM && err != nil {
				t.Fatalf("after SIGTERM: %v (want a clean exit)", err)
			}
			if sig == syscall.SIGTERM && !strings.Contains(first.logs(), `"msg":"stopped"`) {
				t.Errorf("no orderly stop in the log")
			}
			// The batch was cut short: the second server has work left.
			s, err := sqlite.Open(context.Background(), data)
			if err != nil {
				t.Fatal(err)
			}
			mid, err := s.GetBatch(context.Background(), id, auth.Scope{Role: auth.Admin})
			s.Close()
			if err != nil || mid.Progress.Finished == mid.Progress.Total {
				t.Fatalf("after %v the batch is %+v (%v): want it unfinished", sig, mid.Progress, err)
			}
			second := serve()
			base = second.url()
			b := waitBatch(t, base, key, id, "finished", untilTestDeadline(t), func(b batchStatus) bool { return b.PagesDone == b.PagesTotal })
			if b.PagesTotal != faultPages || b.PagesFailed != 0 || b.Status != "done" {
				t.Errorf("batch after the restart: %+v", b)
			}
			if err := second.stop(syscall.SIGTERM); err != nil {
				t.Errorf("second server: %v", err)
			}
			s, err = sqlite.Open(context.Background(), data)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			checkOnce(t, s, id)
		})
	}
}

// TestWorkerKilledMidBatch: on PostgreSQL, a `regfus worker` is killed
// (SIGKILL) in the middle of a batch; another worker, started after, gets
// its jobs back (River rescues them) and the batch completes with every
// page recorded once.
func TestWorkerKilledMidBatch(t *testing.T) {
	t.Parallel()
	dbURL := faultDatabase(t)
	data := t.TempDir() // the blob directory the server and workers share
	storeArgs := []string{"--data", data, "--database-url", dbURL}
	key := createKey(t, storeArgs...)
	srv := startCLI(t, append([]string{"serve", "--addr", "127.0.0.1:0", "--workers", "0", "--no-ocr"}, storeArgs...)...)
	base := srv.url()
	workerArgs := append([]string{"worker", "--no-ocr", "--workers", "1", "--job-timeout", "5s", "--rescue-after", "6s"}, storeArgs...)
	first := startCLI(t, workerArgs...)
	id := uploadScans(t, base, key, faultScans...)
	waitBatch(t, base, key, id, "started", untilTestDeadline(t), func(b batchStatus) bool { return b.PagesDone >= 2 })
	first.stop(syscall.SIGKILL)
	killedAt, _ := getBatch(t, base, key, id)
	if killedAt.PagesDone == killedAt.PagesTotal {
		t.Fatalf("the batch finished before the worker was killed: %+v", killedAt)
	}
	startCLI(t, workerArgs...)
	b := waitBatch(t, base, key, id, "finished", untilTestDeadline(t), func(b batchStatus) bool { return b.PagesDone == b.PagesTotal })
	if b.PagesTotal != faultPages || b.PagesFailed != 0 || b.Status != "done" {
		t.Errorf("batch after the second worker: %+v", b)
	}
	s, err := postgres.Open(context.Background(), dbURL, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	checkOnce(t, s, id)
}

// faultDatabase creates a database of its own on TEST_DATABASE_URL's
// server (dropped at the end) and returns its URL. Without
// TEST_DATABASE_URL the test fails, unless REGFUS_SKIP_PG=1.
func faultDatabase(t *testing.T) string {
	t.Helper()
	u := os.Getenv("TEST_DATABASE_URL")
	if u == "" {
		if os.Getenv("REGFUS_SKIP_PG") == "1" {
			t.Skip("REGFUS_SKIP_PG=1: PostgreSQL fault test skipped on request")
		}
		t.Fatal("TEST_DATABASE_URL is not set: run with `scripts/testpg run -- go test ./cmd/regfus/`, or REGFUS_SKIP_PG=1 to skip")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "regfus_fault_" + hex.EncodeToString(b)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	t.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), u)
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(), "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("dropping database %s: %v", name, err)
		}
	})
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatalf("TEST_DATABASE_URL: %v", err)
	}
	pu.Path = "/" + name
	return pu.String()
}

// TestServeGracefulShutdown: on SIGTERM the server stops accepting, ends
// open event streams, lets a request in flight finish with its answer,
// and exits cleanly.
func TestServeGracefulShutdown(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	key := createKey(t, "--data", data)
	srv := startCLI(t, "serve", "--addr", "127.0.0.1:0", "--data", data, "--no-ocr", "--workers", "1", "--grace", "20s")
	base := srv.url()
	id := uploadScans(t, base, key, faultScans...)

	// An event stream of the unfinished batch.
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/v1/batches/%d/events", base, id), nil)
	req.Header.Set("Authorization", "Bearer "+key)
	stream, err := http.DefaultClient.Do(req)
	if err != nil || stream.StatusCode != 200 {
		t.Fatalf("events: %v %v", stream, err)
	}
	streamEnded := make(chan error, 1)
	go func() { _, err := io.ReadAll(stream.Body); streamEnded <- err }()

	// A check in flight when the signal comes.
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	fw, _ := w.CreateFormFile("file", "0009-clean.png")
	scan, _ := os.ReadFile(filepath.Join("..", "..", "testdata", "scans", "0009-clean.png"))
	fw.Write(scan)
	w.Close()
	creq, _ := http.NewRequest("POST", base+"/v1/check", &buf)
	creq.Header.Set("Authorization", "Bearer "+key)
	creq.Header.Set("Content-Type", w.FormDataContentType())
	checked := make(chan int, 1)
	go func() {
		res, err := http.DefaultClient.Do(creq)
		if err != nil {
			checked <- -1
			return
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		checked <- res.StatusCode
	}()
	// Wait until the server is answering the stream, the check and this
	// metrics request at once.
	deadline := time.Now().Add(time.Minute)
	for inFlight(t, base) < 3 {
		if time.Now().After(deadline) {
			t.Fatal("the check never got in flight")
		}
		time.Sleep(20 * time.Millisecond)
	}
	start := time.Now()
	if err := srv.stop(syscall.SIGTERM); err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
	if code := <-checked; code != 200 {
		t.Errorf("the check in flight answered %d, want 200", code)
	}
	select {
	case <-streamEnded:
	case <-time.After(5 * time.Second):
		t.Error("the event stream is still open after the server exited")
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("shutdown took %s", d)
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("the server still accepts connections after exiting")
	}
}

// inFlight reads regfus_http_requests_in_flight from /metrics.
func inFlight(t *testing.T, base string) int {
	t.Helper()
	res, err := http.Get(base + "/metrics")
	if err != nil {
		return 0
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "regfus_http_requests_in_flight "); ok {
			var n float64
			fmt.Sscan(v, &n)
			return int(n)
		}
	}
	return 0
}

// untilTestDeadline is how long a fault test may wait for pages to be read:
// until shortly before go test's own -timeout. Reading pages is CPU-bound and
// under the race detector on a loaded 2-core machine it is many times slower,
// so a fixed wait would measure the machine, not the behaviour under test.
func untilTestDeadline(t *testing.T) time.Duration {
	d, ok := t.Deadline()
	if !ok {
		return 30 * time.Minute
	}
	return max(time.Until(d)-30*time.Second, time.Minute)
}
