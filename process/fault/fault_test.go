package fault

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/regfus/regfus/auth"
	"github.com/regfus/regfus/internal/clitest"
	"github.com/regfus/regfus/internal/pgtest"
	"github.com/regfus/regfus/internal/servicetest"
	"github.com/regfus/regfus/process"
	"github.com/regfus/regfus/store"
	"github.com/regfus/regfus/store/postgres"
	"github.com/regfus/regfus/store/sqlite"
	"github.com/regfus/regfus/synth"
)

// batchFiles are the corpus files of the fault batches: 14 pages in PNG,
// JPEG, TIFF (single and multi-page) and PDF.
var batchFiles = []string{
	"0001-clean.png", "0002-office.jpg", "0003-bitonal.tif", "0007-batch-tiff.tif", "0008-batch-pdf.pdf",
	"0009-clean.png", "0010-office.jpg", "0015-batch-tiff.tif", "0016-batch-pdf.pdf",
}

func corpusPages(t *testing.T) int {
	n := 0
	for _, f := range batchFiles {
		tr, err := synth.LoadTruth(filepath.Join(scans, strings.TrimSuffix(f, filepath.Ext(f))+synth.TruthSuffix))
		if err != nil {
			t.Fatal(err)
		}
		n += len(tr.Pages)
	}
	return n
}

var admin = auth.Scope{Role: auth.Admin}

// checkExactlyOnce checks, in the store, that the batch has wantPages
// pages and each is done and was recorded once
// (servicetest.RecordedOnce). It returns the pages.
func checkExactlyOnce(t *testing.T, s store.Store, batchID int64, wantPages int) []store.Page {
	t.Helper()
	pages := servicetest.RecordedOnce(t, s, batchID)
	if len(pages) != wantPages {
		t.Fatalf("batch has %d pages, want %d", len(pages), wantPages)
	}
	return pages
}

// TestKillWorkerMidBatchPostgres: a `regfus serve` in front and a River
// worker reading a batch; the worker is killed with SIGKILL while it holds
// jobs; another worker starts; the batch completes, every page processed
// exactly once (one job per page, completed; one result each) and the
// killed worker's jobs retried. The workers get a data folder of their own,
// as on other machines: they read the originals from the database.
func TestKillWorkerMidBatchPostgres(t *testing.T) {
	t.Parallel()
	dbURL, schema := pgtest.SchemaURL(t, "regfus_fault")
	data := t.TempDir()
	storeArgs := []string{"--database-url", dbURL, "--data", data}
	run(t, append([]string{"migrate"}, storeArgs...)...)
	key := strings.TrimSpace(run(t, append([]string{"keys", "create", "--role", "admin"}, storeArgs...)...))
	_, base := serve(t, "serve", append([]string{"--workers", "0"}, storeArgs...)...)
	// The workers share nothing with the server but the database: each has
	// a data folder of its own (the originals are in PostgreSQL).
	wargs := func() []string {
		return []string{"--workers", "2", "--job-timeout", "20s", "--rescue-after", "25s", "--database-url", dbURL, "--data", t.TempDir()}
	}
	first := worker(t, "worker 1", wargs()...)

	s, err := postgres.Open(context.Background(), pgtest.URL(t), postgres.Options{Schema: schema, MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	c := &clitest.Client{T: t, Base: base, Key: key}
	want := corpusPages(t)
	id := c.Upload(corpus(batchFiles...)...)
	c.WaitFor(id, clitest.UntilDeadline(t), "a page done", func(b clitest.Batch) bool { return b.PagesDone >= 1 })
	// Kill it while it holds a job.
	deadline := time.Now().Add(clitest.UntilDeadline(t))
	for {
		var running int
		if err := s.Pool().QueryRow(context.Background(), `SELECT count(*) FROM river_job WHERE state = 'running'`).Scan(&running); err != nil {
			t.Fatal(err)
		}
		if running > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no job seen running")
		}
		time.Sleep(20 * time.Millisecond)
	}
	first.Stop(syscall.SIGKILL)
	before, _ := c.Batch(id)
	if before.PagesDone == before.PagesTotal {
		t.Fatalf("batch finished before the kill: %+v", before)
	}
	worker(t, "worker 2", wargs()...)
	final := c.WaitFor(id, clitest.UntilDeadline(t), "done", clitest.Finished)
	if final.Status != "done" || final.PagesTotal != want || final.PagesDone != want || final.PagesFailed != 0 {
		t.Fatalf("final batch %+v, want %d pages done", final, want)
	}
	pages := checkExactlyOnce(t, s, id, want)

	// A job whose page was recorded just before the kill stays "running"
	// until River rescues it; retried, it finds the page done and
	// completes without reading it again. Wait for that.
	deadline = time.Now().Add(clitest.UntilDeadline(t))
	for {
		var open int
		if err := s.Pool().QueryRow(context.Background(), `SELECT count(*) FROM river_job WHERE state <> 'completed'`).Scan(&open); err != nil {
			t.Fatal(err)
		}
		if open == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d jobs still not completed when the test ran out of time", open)
		}
		time.Sleep(200 * time.Millisecond)
	}
	rows, err := s.Pool().Query(context.Background(),
		`SELECT CAST(args->>'page_id' AS bigint), state, attempt FROM river_job WHERE kind = $1`, process.PageArgs{}.Kind())
	if err != nil {
		t.Fatal(err)
	}
	jobs := map[int64]int{}
	retried := 0
	for rows.Next() {
		var pid int64
		var state string
		var attempt int
		if err := rows.Scan(&pid, &state, &attempt); err != nil {
			t.Fatal(err)
		}
		jobs[pid]++
		if state != "completed" {
			t.Errorf("page %d: job %s", pid, state)
		}
		if attempt > 1 {
			retried++
		}
	}
	rows.Close()
	for _, p := range pages {
		if jobs[p.ID] != 1 {
			t.Errorf("page %d has %d jobs, want 1", p.ID, jobs[p.ID])
		}
	}
	if retried == 0 {
		t.Error("no job was retried: the kill did not interrupt a job")
	}
	t.Logf("%d pages, %d done before the kill, %d jobs retried after it", want, before.PagesDone, retried)
}

// TestRestartEmbeddedServerMidBatch: the embedded (SQLite) server is
// stopped in the middle of a batch, gracefully (pages in progress are
// handed back) or with SIGKILL (their leases run out), and started again
// on the same data folder; the batch completes with every page processed
// exactly once.
func TestRestartEmbeddedServerMidBatch(t *testing.T) {
	t.Parallel()
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			data := t.TempDir()
			key := strings.TrimSpace(run(t, "keys", "create", "--role", "admin", "--data", data))
			// --grace 0: a graceful stop hands pages back at once.
			srv, base := serve(t, "serve 1", "--data", data, "--workers", "2", "--grace", "0s")
			c := &clitest.Client{T: t, Base: base, Key: key}
			want := corpusPages(t)
			id := c.Upload(corpus(batchFiles...)...)
			c.WaitFor(id, clitest.UntilDeadline(t), "a page done and one running", func(b clitest.Batch) bool { return b.PagesDone >= 1 && b.PagesRunning >= 1 })
			srv.Stop(sig)
			s, err := sqlite.Open(context.Background(), data)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			mid, err := s.GetBatch(context.Background(), id, admin)
			if err != nil {
				t.Fatal(err)
			}
			if process.Finished(mid) {
				t.Fatalf("batch finished before the restart: %+v", mid.Progress)
			}
			if sig == syscall.SIGTERM && mid.Progress.Running != 0 {
				t.Errorf("graceful stop left %d pages running", mid.Progress.Running)
			}

			_, base = serve(t, "serve 2", "--data", data, "--workers", "2")
			c.Base = base
			final := c.WaitFor(id, clitest.UntilDeadline(t), "done", clitest.Finished)
			if final.Status != "done" || final.PagesDone != want {
				t.Fatalf("final batch %+v, want %d pages done", final, want)
			}
			pages := checkExactlyOnce(t, s, id, want)
			for _, p := range pages {
				if p.Attempts < 1 || p.Attempts > 2 {
					t.Errorf("page %d: %d attempts", p.ID, p.Attempts)
				}
			}
			t.Logf("%s after %d of %d pages (%d running)", sig, mid.Progress.Finished, want, mid.Progress.Running)
		})
	}
}

// TestDatabaseGoesAway: the server reaches PostgreSQL through a proxy the
// test controls. When the proxy drops every connection and refuses new
// ones, /readyz answers 503 (and /healthz still 200) and an upload is
// refused with 503 (not lost in a 500); when it comes back, /readyz is 200 again and a batch
// goes through.
func TestDatabaseGoesAway(t *testing.T) {
	t.Parallel()
	dbURL, _ := pgtest.SchemaURL(t, "regfus_fault")
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	px := newProxy(t, u.Host)
	u.Host = px.addr
	viaProxy := u.String()
	data := t.TempDir()
	storeArgs := []string{"--database-url", viaProxy, "--data", data}
	key := strings.TrimSpace(run(t, append([]string{"keys", "create", "--role", "admin"}, storeArgs...)...))
	_, base := serve(t, "serve", append([]string{"--workers", "1"}, storeArgs...)...)
	c := &clitest.Client{T: t, Base: base, Key: key}

	if got := status(base + "/readyz"); got != 200 {
		t.Fatalf("/readyz %d with the database up", got)
	}
	px.down()
	waitStatus(t, base+"/readyz", 503, time.Minute)
	if got := status(base + "/healthz"); got != 200 {
		t.Errorf("/healthz %d while the database is away: the process is alive", got)
	}
	// A keyed request cannot check its key: 503, not 401 or 500.
	list, _ := http.NewRequest(http.MethodGet, base+"/v1/batches", nil)
	list.Header.Set("Authorization", "Bearer "+key)
	if resp, body := c.Do(list); resp.StatusCode != 503 {
		t.Errorf("keyed GET /v1/batches while the database is away: %s %s", resp.Status, body)
	}
	req := uploadRequest(t, base, key, "0001-clean.png")
	resp, body := c.Do(req)
	if resp.StatusCode != 503 {
		t.Errorf("upload while the database is away: %s %s", resp.Status, body)
	}
	px.up()
	waitStatus(t, base+"/readyz", 200, time.Minute)
	list, _ = http.NewRequest(http.MethodGet, base+"/v1/batches", nil)
	list.Header.Set("Authorization", "Bearer "+key)
	if resp, body := c.Do(list); resp.StatusCode != 200 {
		t.Errorf("keyed GET /v1/batches after the database came back: %s %s", resp.Status, body)
	}
	id := c.Upload(corpus("0002-office.jpg")...)
	final := c.WaitFor(id, clitest.UntilDeadline(t), "done", clitest.Finished)
	if final.Status != "done" {
		t.Fatalf("batch after the database came back: %+v", final)
	}
}

func waitStatus(t *testing.T, url string, want int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	got := 0
	for time.Now().Before(deadline) {
		if got = status(url); got == want {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s: %d, want %d within %s", url, got, want, within)
}

// proxy forwards TCP connections to a target; down drops every
// connection and refuses new ones (a database that went away), up
// listens again on the same address.
type proxy struct {
	t      *testing.T
	addr   string
	target string
	mu     sync.Mutex
	ln     net.Listener
	conns  map[net.Conn]bool
}

func newProxy(t *testing.T, target string) *proxy {
	p := &proxy{t: t, target: target, conns: map[net.Conn]bool{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.serve(ln)
	t.Cleanup(p.down)
	return p
}

func (p *proxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.pipe(c)
		}
	}()
}

func (p *proxy) pipe(c net.Conn) {
	d, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	if p.ln == nil { // went down meanwhile
		p.mu.Unlock()
		c.Close()
		d.Close()
		return
	}
	p.conns[c], p.conns[d] = true, true
	p.mu.Unlock()
	go func() { io.Copy(d, c); d.Close(); c.Close() }()
	io.Copy(c, d)
	c.Close()
	d.Close()
}

func (p *proxy) down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
}

func (p *proxy) up() {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatalf("proxy: listening again on %s: %v", p.addr, err)
	}
	p.serve(ln)
}
