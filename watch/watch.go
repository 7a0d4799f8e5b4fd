// Package watch is the hot folder of a scanning station (`regfus watch DIR
// --server URL --key K`): files the scanner drops into DIR are uploaded to
// the service, one batch per file, and moved to DIR/done/ or, with a
// DIR/failed/NAME.reason.txt saying why, to DIR/failed/.
//
// # When a file is ready
//
// A scanner writes a file over seconds. A file is uploaded once its size
// and modification time have not changed for Config.Settle (and it is not
// empty, unless it stays empty for ten settle periods: a zero-byte file is
// then sent so the server's refusal lands in failed/). Hidden files
// (".name"), names of partial downloads (*.part, *.tmp, *.crdownload,
// *.partial, ~*) and sub-folders are left alone.
//
// # Never twice, never lost
//
//   - The file's sha256 is computed before the upload. DIR/.regfus-watch/
//     keeps one small state file per digest, written (fsync, rename) as
//     soon as the server has answered for good. A file whose digest is
//     already there is not uploaded again, whatever its name: after a
//     crash between the answer and the move, the restarted watcher only
//     moves it. If the crash came before the state was written, the file
//     is uploaded again and the server recognises the same bytes (its
//     dedupe is the second line of defence): nothing is processed twice.
//   - A file is moved only after the server's final answer: 202 -> done/;
//     a refusal that is about the file (400, 413, 415, 422) -> failed/,
//     with its reason written first. Overload (503, 429), server errors
//     (5xx), network errors, and 401/403 (a key problem, not the file's)
//     are retried with exponential backoff (honouring Retry-After), for
//     as long as it takes: the file stays where it is.
//   - Moves never overwrite: a name already in done/ or failed/ gets the
//     digest's first digits appended.
package watch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/regfus/regfus/internal/atomicfile"
)

// Folder names inside the watched directory.
const (
	DoneDir   = "done"
	FailedDir = "failed"
	StateDir  = ".regfus-watch"
)

// Defaults for zero Config fields.
const (
	DefaultSettle     = 3 * time.Second
	DefaultPoll       = time.Second
	DefaultMaxBackoff = 5 * time.Minute
)

// Config configures a Watcher.
type Config struct {
	Dir    string // the hot folder
	Server string // the service's base URL, e.g. http://regfus:8080
	Key    string // API key (station role)
	// Settle is how long a file's size and time must stay the same before
	// it is uploaded.
	Settle time.Duration
	// Poll is how often the folder is listed.
	Poll time.Duration
	// MaxBackoff caps the wait between retries.
	MaxBackoff time.Duration
	// Client makes the requests (default: a client with a 30-minute
	// timeout, enough for a large PDF on a slow line).
	Client *http.Client
	Logger *slog.Logger
}

// Watcher uploads the files of one hot folder. It is not safe for
// concurrent use; run one per folder (two on one folder would still not
// lose a file, but could upload one twice).
type Watcher struct {
	cfg     Config
	log     *slog.Logger
	seen    map[string]observation
	backoff time.Duration
	// sleep waits (tests shorten it); it returns early when ctx ends.
	sleep func(ctx context.Context, d time.Duration)
	stats Stats
}

// Stats counts what a watcher did.
type Stats struct {
	Uploaded int // accepted by the server (202)
	Skipped  int // already uploaded (state file): moved without uploading
	Failed   int // refused for good: moved to failed/
	Retries  int // uploads to try again (overload, network, server errors)
}

type observation struct {
	size   int64
	mtime  time.Time
	since  time.Time // when size and mtime were first seen as they are
	upload bool
}

// New checks cfg and prepares the folder (done/, failed/, state).
func New(cfg Config) (*Watcher, error) {
	if cfg.Dir == "" {
		return nil, errors.New("watch: no folder given")
	}
	if st, err := os.Stat(cfg.Dir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("watch: %s is not a folder: %v", cfg.Dir, err)
	}
	u, err := url.Parse(cfg.Server)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("watch: server %q: want an http:// or https:// URL", cfg.Server)
	}
	if cfg.Key == "" {
		return nil, errors.New("watch: an API key is required")
	}
	if cfg.Settle <= 0 {
		cfg.Settle = DefaultSettle
	}
	if cfg.Poll <= 0 {
		cfg.Poll = DefaultPoll
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = DefaultMaxBackoff
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 30 * time.Minute}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	cfg.Server = strings.TrimRight(cfg.Server, "/")
	for _, d := range []string{DoneDir, FailedDir, StateDir} {
		if err := os.MkdirAll(filepath.Join(cfg.Dir, d), 0o750); err != nil {
			return nil, fmt.Errorf("watch: %w", err)
		}
	}
	return &Watcher{cfg: cfg, log: cfg.Logger, seen: map[string]observation{}, sleep: sleepCtx}, nil
}

func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// Stats returns what the watcher did so far.
func (w *Watcher) Stats() Stats { return w.stats }

// Run watches the folder until ctx ends. It returns nil then; it returns
// an error only when the folder itself cannot be read.
func (w *Watcher) Run(ctx context.Context) error {
	for ctx.Err() == nil {
		if err := w.Pass(ctx); err != nil {
			return err
		}
		w.sleep(ctx, w.cfg.Poll)
	}
	return nil
}

// Pass looks at the folder once and uploads every file that is ready,
// oldest first. A file the server could not take now (overload, network)
// stays for a later pass, after a backoff pause.
func (w *Watcher) Pass(ctx context.Context) error {
	entries, err := os.ReadDir(w.cfg.Dir)
	if err != nil {
		return fmt.Errorf("watch: %w", err)
	}
	now := time.Now()
	type ready struct {
		name  string
		mtime time.Time
	}
	var todo []ready
	present := map[string]bool{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || ignored(name) || !e.Type().IsRegular() {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue // gone since the listing
		}
		present[name] = true
		o, ok := w.seen[name]
		if !ok || o.size != info.Size() || !o.mtime.Equal(info.ModTime()) {
			w.seen[name] = observation{size: info.Size(), mtime: info.ModTime(), since: now}
			continue
		}
		settle := w.cfg.Settle
		if o.size == 0 {
			settle *= 10
		}
		if now.Sub(o.since) >= settle {
			todo = append(todo, ready{name, info.ModTime()})
		}
	}
	for name := range w.seen {
		if !present[name] {
			delete(w.seen, name)
		}
	}
	sort.Slice(todo, func(i, j int) bool {
		if !todo[i].mtime.Equal(todo[j].mtime) {
			return todo[i].mtime.Before(todo[j].mtime)
		}
		return todo[i].name < todo[j].name
	})
	for _, r := range todo {
		if ctx.Err() != nil {
			return nil
		}
		retry, err := w.handle(ctx, r.name)
		if err != nil {
			w.log.Error("hot folder", "file", r.name, "err", err)
		}
		if retry {
			w.stats.Retries++
			return nil // the pause was taken; the rest waits for the next pass
		}
		delete(w.seen, r.name)
	}
	return nil
}

// ignored: names a scanner or a copy uses while a file is incomplete, and
// hidden files.
func ignored(name string) bool {
	lower := strings.ToLower(name)
	if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "~") {
		return true
	}
	for _, suf := range []string{".part", ".tmp", ".crdownload", ".partial", ".reason.txt"} {
		if strings.HasSuffix(lower, suf) {
			return true
		}
	}
	return false
}

// state is what is kept per digest once the server has answered for good.
type state struct {
	SHA256  string    `json:"sha256"`
	Name    string    `json:"name"`
	Outcome string    `json:"outcome"` // done or failed
	BatchID int64     `json:"batch_id,omitempty"`
	Reason  string    `json:"reason,omitempty"`
	At      time.Time `json:"at"`
}

// handle uploads one ready file and moves it. retry reports that the
// server could not take it now (the backoff pause has been taken).
func (w *Watcher) handle(ctx context.Context, name string) (retry bool, err error) {
	path := filepath.Join(w.cfg.Dir, name)
	sum, err := digest(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil // taken away by someone else
		}
		return false, err
	}
	if st, ok := w.readState(sum); ok {
		w.stats.Skipped++
		w.log.Info("already uploaded; moving it", "file", name, "outcome", st.Outcome, "batch", st.BatchID)
		return false, w.finish(name, sum, st)
	}
	st, retryAfter, err := w.upload(ctx, path, name, sum)
	if err != nil {
		if ctx.Err() != nil {
			return true, nil
		}
		wait := w.nextBackoff(retryAfter)
		w.log.Warn("upload failed; will retry", "file", name, "err", err, "retry_in", wait)
		w.sleep(ctx, wait)
		return true, nil
	}
	w.backoff = 0
	if err := w.writeState(st); err != nil {
		return false, err
	}
	if st.Outcome == "done" {
		w.stats.Uploaded++
		w.log.Info("uploaded", "file", name, "batch", st.BatchID)
	} else {
		w.stats.Failed++
		w.log.Warn("refused by the server", "file", name, "reason", st.Reason)
	}
	return false, w.finish(name, sum, st)
}

// nextBackoff doubles the pause (1 s up to MaxBackoff), or takes the
// server's Retry-After when it is longer.
func (w *Watcher) nextBackoff(retryAfter time.Duration) time.Duration {
	if w.backoff == 0 {
		w.backoff = time.Second
	} else {
		w.backoff = min(2*w.backoff, w.cfg.MaxBackoff)
	}
	return min(max(w.backoff, retryAfter), max(w.cfg.MaxBackoff, retryAfter))
}

func digest(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// upload sends one file as a batch. A final answer is a state (done or
// failed); anything to retry is an error, with the server's Retry-After.
func (w *Watcher) upload(ctx context.Context, path, name, sum string) (state, time.Duration, error) {
	f, err := os.Open(path)
	if err != nil {
		return state{}, 0, err
	}
	defer f.Close()
	// The body is streamed: a large PDF is never held in memory.
	pr, pw := io.Pipe()
	defer pr.Close() // ends the writer below if the request ends early
	mw := multipart.NewWriter(pw)
	go func() {
		part, err := mw.CreateFormFile("files", name)
		if err == nil {
			_, err = io.Copy(part, f)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.cfg.Server+"/v1/batches", pr)
	if err != nil {
		return state{}, 0, err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+w.cfg.Key)
	resp, err := w.cfg.Client.Do(req)
	if err != nil {
		return state{}, 0, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	st := state{SHA256: sum, Name: name, At: time.Now().UTC()}
	switch c := resp.StatusCode; {
	case c == http.StatusAccepted || c == http.StatusOK || c == http.StatusCreated:
		var ok struct {
			ID    int64 `json:"id"`
			Files []struct {
				Known bool   `json:"known"`
				Error string `json:"error"`
			} `json:"files"`
		}
		if err := json.Unmarshal(body, &ok); err != nil || ok.ID == 0 {
			return state{}, 0, fmt.Errorf("server answered %s with %q: not a batch", resp.Status, truncate(body))
		}
		st.Outcome, st.BatchID = "done", ok.ID
		return st, 0, nil
	case c == http.StatusBadRequest || c == http.StatusRequestEntityTooLarge ||
		c == http.StatusUnsupportedMediaType || c == http.StatusUnprocessableEntity:
		st.Outcome = "failed"
		st.Reason = fmt.Sprintf("%s: %s", resp.Status, errorText(body))
		return st, 0, nil
	default:
		return state{}, retryAfter(resp.Header.Get("Retry-After")), fmt.Errorf("server answered %s: %s", resp.Status, errorText(body))
	}
}

// errorText is the "error" of a JSON error body, or the body itself.
func errorText(body []byte) string {
	var e struct {
		Error     string `json:"error"`
		RequestID string `json:"request_id"`
	}
	if json.Unmarshal(body, &e) == nil && e.Error != "" {
		if e.RequestID != "" {
			return e.Error + " (request " + e.RequestID + ")"
		}
		return e.Error
	}
	return truncate(body)
}

func truncate(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) > 300 {
		return string(b[:300]) + "..."
	}
	return string(b)
}

// retryAfter parses a Retry-After header in seconds or as an HTTP date.
func retryAfter(h string) time.Duration {
	if h == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(h)); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(time.Until(t), 0)
	}
	return 0
}

func (w *Watcher) statePath(sum string) string {
	return filepath.Join(w.cfg.Dir, StateDir, sum+".json")
}

func (w *Watcher) readState(sum string) (state, bool) {
	b, err := os.ReadFile(w.statePath(sum))
	if err != nil {
		return state{}, false
	}
	var st state
	if json.Unmarshal(b, &st) != nil || (st.Outcome != "done" && st.Outcome != "failed") {
		return state{}, false
	}
	return st, true
}

// writeState records a final answer durably (temporary file, fsync,
// rename, fsync of the folder).
func (w *Watcher) writeState(st state) error {
	b, _ := json.MarshalIndent(st, "", "  ")
	return writeDurably(w.statePath(st.SHA256), b)
}

func writeDurably(path string, b []byte) error {
	err := atomicfile.WriteSynced(path, 0o600, func(f *os.File) error { _, err := f.Write(b); return err })
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// finish moves the file to done/ or failed/ (the reason file first).
func (w *Watcher) finish(name, sum string, st state) error {
	sub := DoneDir
	if st.Outcome == "failed" {
		sub = FailedDir
	}
	dst := freeName(filepath.Join(w.cfg.Dir, sub), name, sum)
	if st.Outcome == "failed" {
		reason := fmt.Sprintf("%s\nsha256 %s\nrefused at %s\n", st.Reason, sum, st.At.Format(time.RFC3339))
		if err := writeDurably(dst+".reason.txt", []byte(reason)); err != nil {
			return err
		}
	}
	src := filepath.Join(w.cfg.Dir, name)
	if err := os.Rename(src, dst); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("moving %s to %s/: %w", name, sub, err)
	}
	if err := atomicfile.SyncDir(filepath.Dir(dst)); err != nil {
		return err
	}
	return atomicfile.SyncDir(w.cfg.Dir)
}

// freeName is dir/name, or dir/base-DIGEST8.ext when that is taken.
func freeName(dir, name, sum string) string {
	p := filepath.Join(dir, name)
	if _, err := os.Lstat(p); errors.Is(err, fs.ErrNotExist) {
		return p
	}
	ext := filepath.Ext(name)
	base := strings.TrimSuffix(name, ext)
	for i := 0; ; i++ {
		suffix := "-" + sum[:8]
		if i > 0 {
			suffix += "-" + strconv.Itoa(i)
		}
		p = filepath.Join(dir, base+suffix+ext)
		if _, err := os.Lstat(p); errors.Is(err, fs.ErrNotExist) {
			return p
		}
	}
}
