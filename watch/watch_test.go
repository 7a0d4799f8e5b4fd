package watch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// station is a stand-in for the service's upload endpoint, speaking its
// contract (SPEC section 7): multipart field "files", bearer key, 202
// {"id","files"} or a JSON error with its status. It recognises bytes it
// has seen, like the real server. Scripted answers come first.
type station struct {
	t       *testing.T
	mu      sync.Mutex
	script  []answer // answers to give before accepting, in order
	uploads map[string]int
	nextID  int64
	refuse  func(name string, body []byte) (int, string) // a final refusal, if any
}

type answer struct {
	status     int
	retryAfter string
	drop       bool // close the connection without answering
}

func newStation(t *testing.T) (*station, *httptest.Server) {
	s := &station{t: t, uploads: map[string]int{}}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv
}

func (s *station) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.Method != http.MethodPost || r.URL.Path != "/v1/batches" {
		http.Error(w, `{"error":"not found"}`, http.StatusNotFound)
		return
	}
	if r.Header.Get("Authorization") != "Bearer k1" {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"error":"bad key","request_id":"r0"}`)
		return
	}
	if len(s.script) > 0 {
		a := s.script[0]
		s.script = s.script[1:]
		if a.drop {
			hj := w.(http.Hijacker)
			conn, _, _ := hj.Hijack()
			conn.Close()
			return
		}
		if a.retryAfter != "" {
			w.Header().Set("Retry-After", a.retryAfter)
		}
		w.WriteHeader(a.status)
		fmt.Fprintf(w, `{"error":"scripted %d","request_id":"r1"}`, a.status)
		return
	}
	f, fh, err := r.FormFile("files")
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"error":%q}`, err.Error())
		return
	}
	body, _ := io.ReadAll(f)
	if s.refuse != nil {
		if code, msg := s.refuse(fh.Filename, body); code != 0 {
			w.WriteHeader(code)
			fmt.Fprintf(w, `{"error":%q,"request_id":"r2"}`, msg)
			return
		}
	}
	sum := sha256.Sum256(body)
	key := hex.EncodeToString(sum[:])
	s.uploads[key]++
	s.nextID++
	w.WriteHeader(http.StatusAccepted)
	json.NewEncoder(w).Encode(map[string]any{"id": s.nextID, "status": "queued",
		"files": []map[string]any{{"name": fh.Filename, "sha256": key, "known": s.uploads[key] > 1}}})
}

func (s *station) count(content string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	sum := sha256.Sum256([]byte(content))
	return s.uploads[hex.EncodeToString(sum[:])]
}

func (s *station) setScript(a ...answer) {
	s.mu.Lock()
	s.script = a
	s.mu.Unlock()
}

// newWatcher watches a new folder; its pauses are recorded, not slept.
func newWatcher(t *testing.T, server string) (*Watcher, string, *[]time.Duration) {
	t.Helper()
	dir := t.TempDir()
	w, err := New(Config{Dir: dir, Server: server, Key: "k1", Settle: 50 * time.Millisecond, Poll: 10 * time.Millisecond,
		MaxBackoff: time.Minute, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	var pauses []time.Duration
	w.sleep = func(ctx context.Context, d time.Duration) { pauses = append(pauses, d) }
	return w, dir, &pauses
}

// settle runs passes until every ready file was handled once (two passes
// a settle period apart).
func settle(t *testing.T, w *Watcher) {
	t.Helper()
	ctx := context.Background()
	if err := w.Pass(ctx); err != nil {
		t.Fatal(err)
	}
	time.Sleep(w.cfg.Settle + 10*time.Millisecond)
	if err := w.Pass(ctx); err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// tree lists the files under dir (state files as "state"), sorted.
func tree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if strings.HasPrefix(rel, StateDir) {
			rel = "state"
		}
		out = append(out, rel)
		return nil
	})
	sort.Strings(out)
	return out
}

func TestUploadsSettledFilesOnce(t *testing.T) {
	t.Parallel()
	st, srv := newStation(t)
	w, dir, _ := newWatcher(t, srv.URL)
	write(t, filepath.Join(dir, "a.png"), "page a")
	write(t, filepath.Join(dir, "b.pdf.part"), "still copying")
	write(t, filepath.Join(dir, ".hidden.png"), "not mine")
	ctx := context.Background()
	if err := w.Pass(ctx); err != nil {
		t.Fatal(err)
	}
	if st.count("page a") != 0 {
		t.Fatal("a file was uploaded the first time it was seen, before settling")
	}
	// A file that keeps growing is not uploaded.
	time.Sleep(60 * time.Millisecond)
	write(t, filepath.Join(dir, "c.tif"), "grow")
	w.Pass(ctx)
	time.Sleep(30 * time.Millisecond)
	write(t, filepath.Join(dir, "c.tif"), "growing")
	w.Pass(ctx)
	if st.count("page a") != 1 || st.count("grow") != 0 || st.count("growing") != 0 {
		t.Fatalf("uploads: a %d, c %d/%d", st.count("page a"), st.count("grow"), st.count("growing"))
	}
	settle(t, w)
	if st.count("growing") != 1 {
		t.Fatal("c.tif not uploaded once it stopped growing")
	}
	want := []string{".hidden.png", "b.pdf.part", "done/a.png", "done/c.tif", "state", "state"}
	if got := tree(t, dir); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("folder after upload:\n got %v\nwant %v", got, want)
	}
	if s := w.Stats(); s.Uploaded != 2 || s.Failed != 0 {
		t.Errorf("stats %+v", s)
	}
}

func TestRefusedFileGoesToFailedWithReason(t *testing.T) {
	t.Parallel()
	st, srv := newStation(t)
	st.refuse = func(name string, body []byte) (int, string) {
		if strings.HasPrefix(string(body), "text") {
			return http.StatusUnprocessableEntity, name + ": unsupported format (looks like text)"
		}
		return 0, ""
	}
	w, dir, _ := newWatcher(t, srv.URL)
	write(t, filepath.Join(dir, "notes.png"), "text, not a scan")
	settle(t, w)
	reason, err := os.ReadFile(filepath.Join(dir, FailedDir, "notes.png.reason.txt"))
	if err != nil {
		t.Fatalf("no reason file: %v (folder %v)", err, tree(t, dir))
	}
	if !strings.Contains(string(reason), "422") || !strings.Contains(string(reason), "notes.png: unsupported format (looks like text)") {
		t.Errorf("reason %q", reason)
	}
	if _, err := os.Stat(filepath.Join(dir, FailedDir, "notes.png")); err != nil {
		t.Errorf("file not in failed/: %v", err)
	}
	// The same bytes dropped again are not sent again: the answer is known.
	write(t, filepath.Join(dir, "notes-again.png"), "text, not a scan")
	settle(t, w)
	if _, err := os.Stat(filepath.Join(dir, FailedDir, "notes-again.png.reason.txt")); err != nil {
		t.Errorf("repeat not moved to failed/ with its reason: %v", tree(t, dir))
	}
	if w.Stats().Skipped != 1 {
		t.Errorf("stats %+v", w.Stats())
	}
}

// TestRetriesUntilAccepted: overload, rate limiting, server errors, a
// dropped connection and a bad key are retried with growing pauses (and
// the server's Retry-After); the file stays in place until accepted.
func TestRetriesUntilAccepted(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		script     []answer
		minPauses  []time.Duration
		wantPasses int
	}{
		{"overloaded with Retry-After", []answer{{status: 503, retryAfter: "30"}}, []time.Duration{30 * time.Second}, 1},
		{"rate limited", []answer{{status: 429, retryAfter: "2"}, {status: 429}}, []time.Duration{2 * time.Second, 2 * time.Second}, 2},
		{"server errors back off", []answer{{status: 500}, {status: 502}, {status: 500}}, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}, 3},
		{"connection dropped", []answer{{drop: true}}, []time.Duration{time.Second}, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			st, srv := newStation(t)
			st.setScript(c.script...)
			w, dir, pauses := newWatcher(t, srv.URL)
			write(t, filepath.Join(dir, "s.jpg"), "scan "+c.name)
			settle(t, w)
			for i := 1; i < c.wantPasses; i++ {
				if _, err := os.Stat(filepath.Join(dir, "s.jpg")); err != nil {
					t.Fatalf("file left its place before being accepted: %v", tree(t, dir))
				}
				w.Pass(context.Background())
			}
			w.Pass(context.Background())
			if _, err := os.Stat(filepath.Join(dir, DoneDir, "s.jpg")); err != nil {
				t.Fatalf("not accepted in the end: %v", tree(t, dir))
			}
			if len(*pauses) < len(c.minPauses) {
				t.Fatalf("pauses %v, want at least %v", *pauses, c.minPauses)
			}
			for i, d := range c.minPauses {
				if (*pauses)[i] < d {
					t.Errorf("pause %d is %s, want at least %s", i, (*pauses)[i], d)
				}
			}
			if st.count("scan "+c.name) != 1 {
				t.Errorf("accepted %d times", st.count("scan "+c.name))
			}
		})
	}
}

func TestBadKeyIsRetriedNotFailed(t *testing.T) {
	t.Parallel()
	_, srv := newStation(t)
	w, dir, pauses := newWatcher(t, srv.URL)
	w.cfg.Key = "wrong"
	write(t, filepath.Join(dir, "s.png"), "x")
	settle(t, w)
	w.Pass(context.Background())
	if _, err := os.Stat(filepath.Join(dir, "s.png")); err != nil || len(*pauses) < 2 {
		t.Fatalf("a key problem moved the file or did not pause: %v %v", tree(t, dir), *pauses)
	}
}

// TestServerDownThenUp: with nothing listening the file waits; when the
// server comes up it is uploaded.
func TestServerDownThenUp(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	w, dir, pauses := newWatcher(t, "http://"+addr)
	write(t, filepath.Join(dir, "s.png"), "waiting scan")
	settle(t, w)
	if len(*pauses) != 1 {
		t.Fatalf("pauses %v", *pauses)
	}
	// The server comes up (here: at another address the station now uses).
	st, srv := newStation(t)
	w.cfg.Server = srv.URL
	w.Pass(context.Background())
	if st.count("waiting scan") != 1 {
		t.Fatalf("not uploaded once the server was up: %v", tree(t, dir))
	}
}

// TestRestartDoesNotUploadAgain: a watcher that crashed after the server
// accepted a file but before moving it: the next one only moves it.
func TestRestartDoesNotUploadAgain(t *testing.T) {
	t.Parallel()
	st, srv := newStation(t)
	w, dir, _ := newWatcher(t, srv.URL)
	write(t, filepath.Join(dir, "s.png"), "scan once")
	settle(t, w)
	// The crash: the file is back where it was (state kept).
	if err := os.Rename(filepath.Join(dir, DoneDir, "s.png"), filepath.Join(dir, "s.png")); err != nil {
		t.Fatal(err)
	}
	w2, err := New(w.cfg)
	if err != nil {
		t.Fatal(err)
	}
	settle(t, w2)
	if st.count("scan once") != 1 {
		t.Fatalf("uploaded %d times", st.count("scan once"))
	}
	if w2.Stats().Skipped != 1 {
		t.Errorf("stats %+v", w2.Stats())
	}
	// A name already in done/ is not overwritten.
	write(t, filepath.Join(dir, DoneDir, "t.png"), "older t")
	write(t, filepath.Join(dir, "t.png"), "newer t")
	settle(t, w2)
	got := tree(t, dir)
	if !strings.Contains(strings.Join(got, " "), "done/t-") {
		t.Errorf("second t.png not kept under another name: %v", got)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, DoneDir, "t.png")); string(b) != "older t" {
		t.Errorf("done/t.png overwritten: %q", b)
	}
}

func TestNewChecksConfig(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cases := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no dir", Config{Server: "http://x", Key: "k"}, "no folder"},
		{"missing dir", Config{Dir: filepath.Join(dir, "nope"), Server: "http://x", Key: "k"}, "not a folder"},
		{"bad server", Config{Dir: dir, Server: "ftp://x", Key: "k"}, "http://"},
		{"no key", Config{Dir: dir, Server: "http://x"}, "API key"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if _, err := New(c.cfg); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("New: %v, want an error saying %q", err, c.want)
			}
		})
	}
}
