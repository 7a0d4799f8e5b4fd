// Package clitest runs regfus as a child process of a test, as an
// operator runs it: a server or a worker that the test starts, waits for,
// signals or kills, and uploads scans to over HTTP. The command's own
// tests (cmd/regfus, which runs its test binary as the command) and the
// fault tests (process/fault, which build the command) share it; the web
// interface's tests (ui) upload through Upload to a server of their own.
package clitest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Serving is what `regfus serve` logs once it listens: its JSON log line
// with msg "serving" carries the address (Proc.URL reads it).
const Serving = `"msg":"serving"`

// wait is how long a process may take to get ready, or to exit once
// signalled, before the test fails: far above what either takes, so a
// loaded machine is not mistaken for a hang.
const wait = 2 * time.Minute

// Proc is a regfus process started by a test. Its stderr is kept, and
// its last lines shown if the test fails.
type Proc struct {
	t     testing.TB
	name  string
	cmd   *exec.Cmd
	ready chan string
	line  string // the ready line, once Ready has it
	done  chan struct{}
	err   error // the process's exit, once done is closed

	mu  sync.Mutex
	log bytes.Buffer
}

// Start starts cmd (its stdout discarded unless set) under name, the
// name the test's messages give it. The first line of its stderr that
// contains ready is kept for Ready. The test's cleanup kills the process
// if it still runs.
func Start(t testing.TB, name string, cmd *exec.Cmd, ready string) *Proc {
	t.Helper()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &Proc{t: t, name: name, cmd: cmd, ready: make(chan string, 1), done: make(chan struct{})}
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		found := false
		for sc.Scan() {
			l := sc.Text()
			p.mu.Lock()
			p.log.WriteString(l + "\n")
			p.mu.Unlock()
			if !found && strings.Contains(l, ready) {
				found = true
				p.ready <- l
			}
		}
		p.err = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.Signal(syscall.SIGKILL)
		<-p.done
		if t.Failed() {
			t.Logf("--- %s stderr (request lines left out, last 80 lines):\n%s", name, p.Tail(80))
		}
	})
	return p
}

// Ready waits for the process's ready line and returns it; a process
// that exits first, or is not ready within two minutes, fails the test.
// Not safe for concurrent use.
func (p *Proc) Ready() string {
	p.t.Helper()
	if p.line != "" {
		return p.line
	}
	select {
	case p.line = <-p.ready:
		return p.line
	case <-p.done:
		p.t.Fatalf("%s exited before it was ready (%v):\n%s", p.name, p.err, p.Tail(80))
	case <-time.After(wait):
		p.t.Fatalf("%s not ready after %s:\n%s", p.name, wait, p.Tail(80))
	}
	return ""
}

// URL waits for a server started with the ready text Serving to listen
// and returns its base URL (http://ADDR).
func (p *Proc) URL() string {
	p.t.Helper()
	line := p.Ready()
	var l struct {
		Addr string `json:"addr"`
	}
	if err := json.Unmarshal([]byte(line), &l); err != nil || l.Addr == "" {
		p.t.Fatalf("%s: no address in %q", p.name, line)
	}
	return "http://" + l.Addr
}

// Log is the process's stderr so far.
func (p *Proc) Log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.log.String()
}

// Tail is the last n lines of the log, without the per-request lines.
func (p *Proc) Tail(n int) string {
	var keep []string
	for _, l := range strings.Split(p.Log(), "\n") {
		if !strings.Contains(l, `"msg":"request"`) {
			keep = append(keep, l)
		}
	}
	if len(keep) > n {
		keep = keep[len(keep)-n:]
	}
	return strings.Join(keep, "\n")
}

// Signal sends sig without waiting.
func (p *Proc) Signal(sig syscall.Signal) {
	if p.cmd.Process != nil {
		p.cmd.Process.Signal(sig)
	}
}

// Stop sends sig and waits for the process to exit, and returns how it
// exited (nil: status 0); one still running two minutes later fails the
// test.
func (p *Proc) Stop(sig syscall.Signal) error {
	p.t.Helper()
	p.Signal(sig)
	select {
	case <-p.done:
		return p.err
	case <-time.After(wait):
		p.t.Fatalf("%s did not exit within %s of %v", p.name, wait, sig)
	}
	return nil
}

// Multipart is a multipart/form-data body of the files at paths, each
// as a part named field under its base name, and its content type.
func Multipart(t testing.TB, field string, paths ...string) ([]byte, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, path := range paths {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		part, err := mw.CreateFormFile(field, filepath.Base(path))
		if err != nil {
			t.Fatal(err)
		}
		part.Write(b)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return body.Bytes(), mw.FormDataContentType()
}

// UploadRequest is a POST /v1/batches with key of the files at paths,
// each under its base name.
func UploadRequest(t testing.TB, base, key string, paths ...string) *http.Request {
	t.Helper()
	body, ctype := Multipart(t, "files", paths...)
	req, err := http.NewRequest(http.MethodPost, base+"/v1/batches", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Authorization", "Bearer "+key)
	return req
}

// Upload posts the files at paths as one batch and returns its id; an
// answer other than 202 Accepted fails the test.
func Upload(t testing.TB, base, key string, paths ...string) int64 {
	t.Helper()
	res, err := http.DefaultClient.Do(UploadRequest(t, base, key, paths...))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var out struct {
		ID int64 `json:"id"`
	}
	if res.StatusCode != http.StatusAccepted || json.Unmarshal(b, &out) != nil {
		t.Fatalf("upload: %s %s", res.Status, b)
	}
	return out.ID
}

// Client talks to a running service's API with one key.
type Client struct {
	T    testing.TB
	Base string // the service's base URL
	Key  string
}

// Do makes req with the client's key and returns the answer and its
// body; a request that gets no answer fails the test.
func (c *Client) Do(req *http.Request) (*http.Response, []byte) {
	c.T.Helper()
	req.Header.Set("Authorization", "Bearer "+c.Key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.T.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

// Upload posts the files at paths as one batch and returns its id (see
// Upload).
func (c *Client) Upload(paths ...string) int64 {
	c.T.Helper()
	return Upload(c.T, c.Base, c.Key, paths...)
}

// Batch is GET /v1/batches/{id} as the API shows it, written again from
// the specification (docs/spec.md, api/openapi.yaml) rather than taken
// from package api, so that a test reads the wire form a client reads.
type Batch struct {
	ID            int64  `json:"id"`
	Status        string `json:"status"`
	PagesTotal    int    `json:"pages_total"`
	PagesDone     int    `json:"pages_done"`
	PagesOK       int    `json:"pages_ok"`
	PagesReview   int    `json:"pages_review"`
	PagesRejected int    `json:"pages_rejected"`
	PagesFailed   int    `json:"pages_failed"`
	PagesQueued   int    `json:"pages_queued"`
	PagesRunning  int    `json:"pages_running"`
}

// Finished says whether the batch is read to its end: done, or failed.
func Finished(b Batch) bool { return b.Status == "done" || b.Status == "failed" }

// Batch reads the batch; an answer other than 200 is an error.
func (c *Client) Batch(id int64) (Batch, error) {
	req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/v1/batches/%d", c.Base, id), nil)
	req.Header.Set("Authorization", "Bearer "+c.Key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return Batch{}, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return Batch{}, fmt.Errorf("%s %s", resp.Status, body)
	}
	var b Batch
	err = json.Unmarshal(body, &b)
	return b, err
}

// WaitFor polls the batch until cond holds and returns it; what names
// cond in the failure of a batch that does not get there within the
// time given, which shows the batch's last state.
func (c *Client) WaitFor(id int64, within time.Duration, what string, cond func(Batch) bool) Batch {
	c.T.Helper()
	deadline := time.Now().Add(within)
	var last Batch
	var lastErr error
	for time.Now().Before(deadline) {
		b, err := c.Batch(id)
		if err == nil && cond(b) {
			return b
		}
		last, lastErr = b, err
		time.Sleep(100 * time.Millisecond)
	}
	c.T.Fatalf("batch %d: %s not reached within %s (last %+v, %v)", id, what, within, last, lastErr)
	return Batch{}
}

// UntilDeadline is how long a test may wait for pages to be read: until
// shortly before go test's own -timeout. Reading pages is CPU-bound;
// under the race detector on a loaded 2-core machine it is many times
// slower, so a fixed wait would measure the machine, not the behaviour
// under test (a fixed 3-minute wait once failed that way). A test that
// hangs still fails: at the deadline, with the batch's last state.
func UntilDeadline(t *testing.T) time.Duration {
	d, ok := t.Deadline()
	if !ok {
		return 30 * time.Minute
	}
	return max(time.Until(d)-30*time.Second, time.Minute)
}
