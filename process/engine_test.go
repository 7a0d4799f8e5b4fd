package process_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/regfus/regfus/intake"
	"github.com/regfus/regfus/internal/servicetest"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/process"
	"github.com/regfus/regfus/scanfile"
	"github.com/regfus/regfus/sheet"
	"github.com/regfus/regfus/store"
)

// TestSubmitProcessesEveryPage: an upload is stored, every page is read
// once, progress streams to the end, review items match the results, the
// touched pharmacies are reconciled, and the same bytes uploaded again
// are recognised and not read again.
func TestSubmitProcessesEveryPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "", nil)
	e.start(t)
	ctx := testCtx(t)
	files := []string{"0001-clean.png", "0007-batch-tiff.tif"}
	var ups []intake.File
	wantPages := 0
	for _, f := range files {
		ups = append(ups, upload(t, f))
		wantPages += len(truth(t, f).Pages)
	}
	rc, err := e.eng.Submit(ctx, process.Submission{KeyID: "", Scope: station, Files: ups})
	if err != nil {
		t.Fatal(err)
	}
	if len(rc.Files) != 2 || rc.Batch.Progress.Total != wantPages {
		t.Fatalf("receipt: %d files, %d pages; want 2 files, %d pages", len(rc.Files), rc.Batch.Progress.Total, wantPages)
	}
	for i, f := range rc.Files {
		if f.Name != files[i] || f.Known || f.Error != "" || len(f.SHA256) != 64 {
			t.Errorf("file %d receipt %+v", i, f)
		}
		if ok, _ := e.blobs.Has(context.Background(), f.SHA256); !ok {
			t.Errorf("%s: original not in the blob directory", f.Name)
		}
	}
	final := waitDone(t, e.eng, rc.Batch.ID, 5*time.Minute)
	if final.Status != store.BatchDone || final.Progress.Finished != wantPages {
		t.Fatalf("final batch %+v", final)
	}
	pages := servicetest.RecordedOnce(t, e.store, rc.Batch.ID)
	groups := map[sheet.Key]bool{}
	for _, p := range pages {
		if p.Result.Source != p.File.Name || p.Result.Page != p.Index {
			t.Errorf("page %d: result names %s p.%d, want %s p.%d", p.ID, p.Result.Source, p.Result.Page, p.File.Name, p.Index)
		}
		if k, ok := p.Result.Sheet.Key(); ok && k.Competence != "" {
			groups[k] = true
		}
	}
	if len(groups) == 0 {
		t.Fatal("no page identified: the reader found no sheet code")
	}
	for g := range groups {
		r, err := eventually(func() (store.Reconciliation, error) { return e.store.GetReconciliation(ctx, g, admin) })
		if err != nil {
			t.Errorf("group %+v not reconciled after the batch: %v", g, err)
			continue
		}
		var rep struct {
			Region, ASL, Pharmacy, Competence string
			ScannedSheets                     int `json:"scanned_sheets"`
		}
		if err := json.Unmarshal(r.Report, &rep); err != nil || rep.Competence != g.Competence || rep.ScannedSheets < 1 {
			t.Errorf("group %+v: stored report %s (%v)", g, r.Report, err)
		}
	}
	processed := value(e.eng.Metrics().Pages.WithLabelValues(process.OutcomeOK)) +
		value(e.eng.Metrics().Pages.WithLabelValues(process.OutcomeReview)) +
		value(e.eng.Metrics().Pages.WithLabelValues(process.OutcomeRejected))
	if int(processed) != wantPages {
		t.Errorf("metrics count %v pages processed, want %d", processed, wantPages)
	}
	if n := histCount(e.eng.Metrics().PageSeconds); n != uint64(wantPages) {
		t.Errorf("page latency histogram holds %d observations, want %d", n, wantPages)
	}

	// The same bytes again: known, shared, not read again.
	again, err := e.eng.Submit(ctx, process.Submission{Scope: station, Files: []intake.File{upload(t, files[1])}})
	if err != nil {
		t.Fatal(err)
	}
	if !again.Files[0].Known || again.Batch.Status != store.BatchDone {
		t.Fatalf("re-upload: %+v, batch %s", again.Files[0], again.Batch.Status)
	}
	time.Sleep(300 * time.Millisecond)
	after := value(e.eng.Metrics().Pages.WithLabelValues(process.OutcomeOK)) +
		value(e.eng.Metrics().Pages.WithLabelValues(process.OutcomeReview)) +
		value(e.eng.Metrics().Pages.WithLabelValues(process.OutcomeRejected))
	if after != processed {
		t.Errorf("re-upload read pages again: %v processed, was %v", after, processed)
	}
	if n, err := e.store.QueueDepth(ctx); err != nil || n != 0 {
		t.Errorf("queue depth %d (%v) after everything finished", n, err)
	}
}

// TestSubmitRefusals: what Submit refuses, and why.
func TestSubmitRefusals(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		files    []intake.File
		want     error
		wantKind scanfile.Kind
		wantText string
	}{
		{"no files", nil, store.ErrInvalid, "", "no files"},
		{"text file", []intake.File{bytesUpload("notes.png", []byte("these are not the sheets\n"))}, process.ErrUnreadable, scanfile.KindUnsupported, "notes.png: unsupported format (looks like text)"},
		{"zero bytes", []intake.File{bytesUpload("empty.jpg", nil)}, process.ErrUnreadable, scanfile.KindEmpty, "empty.jpg: zero-byte file"},
		{"truncated PNG", []intake.File{bytesUpload("cut.png", pngHead(t))}, process.ErrUnreadable, "", "cut.png"},
		{"every file bad", []intake.File{bytesUpload("a.txt", []byte("a")), bytesUpload("b.txt", []byte("bb"))}, process.ErrUnreadable, scanfile.KindUnsupported, "a.txt: unsupported format"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, "", nil)
			_, err := e.eng.Submit(testCtx(t), process.Submission{Scope: station, Files: c.files})
			if !errors.Is(err, c.want) {
				t.Fatalf("Submit: %v, want %v", err, c.want)
			}
			if !strings.Contains(err.Error(), c.wantText) {
				t.Errorf("error %q does not say %q", err, c.wantText)
			}
			var ue *process.UnreadableError
			if errors.As(err, &ue) {
				if len(ue.Files) != len(c.files) {
					t.Errorf("%d unreadable files reported, want %d", len(ue.Files), len(c.files))
				}
				if c.wantKind != "" && ue.Files[0].Kind != c.wantKind {
					t.Errorf("kind %s, want %s", ue.Files[0].Kind, c.wantKind)
				}
			}
			if bs, _ := e.store.ListBatches(context.Background(), admin, 0); len(bs) != 0 {
				t.Errorf("a refused upload made %d batches", len(bs))
			}
		})
	}
}

// pngHead is the first 100 bytes of a corpus PNG: a PNG that stops early.
func pngHead(t *testing.T) []byte {
	b, err := os.ReadFile(filepath.Join(scans, "0001-clean.png"))
	if err != nil {
		t.Fatal(err)
	}
	return b[:100]
}

// TestSubmitKeepsGoodFiles: in a batch with an unreadable file, the good
// files are processed and the bad one is in the batch as a rejected page
// saying why, with a review item.
func TestSubmitKeepsGoodFiles(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "", nil)
	e.start(t)
	ctx := testCtx(t)
	rc, err := e.eng.Submit(ctx, process.Submission{Scope: station, Files: []intake.File{
		upload(t, "0003-bitonal.tif"), bytesUpload("letter.docx", []byte("PK\x03\x04 not a scan")),
	}})
	if err != nil {
		t.Fatal(err)
	}
	if rc.Files[0].Error != "" || !strings.Contains(rc.Files[1].Error, "letter.docx: unsupported format") {
		t.Fatalf("receipts %+v", rc.Files)
	}
	waitDone(t, e.eng, rc.Batch.ID, 5*time.Minute)
	pages := servicetest.RecordedOnce(t, e.store, rc.Batch.ID)
	var bad *store.Page
	for i := range pages {
		if pages[i].File.Name == "letter.docx" {
			bad = &pages[i]
		}
	}
	if bad == nil {
		t.Fatal("the unreadable file is not in the batch")
	}
	if bad.Result.Status != page.Rejected || len(bad.Result.Reasons) != 1 ||
		!strings.HasPrefix(bad.Result.Reasons[0].String(), "decode_error: letter.docx: unsupported format") {
		t.Errorf("unreadable file's page: %+v", bad.Result)
	}
	if len(pages) != len(truth(t, "0003-bitonal.tif").Pages)+1 {
		t.Errorf("%d pages in the batch", len(pages))
	}
}

// TestSubmitOverloaded: at the queue limit an upload is refused before a
// byte of it is stored, with a retry hint.
func TestSubmitOverloaded(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "", func(c *process.Config) { c.MaxQueue = 2 })
	ctx := testCtx(t)
	for _, f := range []string{"0001-clean.png", "0002-office.jpg"} {
		if _, err := e.eng.Submit(ctx, process.Submission{Scope: station, Files: []intake.File{upload(t, f)}}); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	_, err := e.eng.Submit(ctx, process.Submission{Scope: station, Files: []intake.File{bytesUpload("x.png", []byte("never stored"))}})
	var oe *process.OverloadedError
	if !errors.Is(err, process.ErrOverloaded) || !errors.As(err, &oe) {
		t.Fatalf("third upload: %v, want ErrOverloaded", err)
	}
	if oe.Depth != 2 || oe.Max != 2 || oe.RetryAfter < time.Second {
		t.Errorf("overload figures %+v", oe)
	}
	if got := value(e.eng.Metrics().Uploads.WithLabelValues("overloaded")); got != 1 {
		t.Errorf("overloaded uploads counted %v", got)
	}
	stored := 0
	root := filepath.Join(e.dir, "blobs")
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if rel, _ := filepath.Rel(root, p); err == nil && !d.IsDir() && !strings.HasPrefix(rel, "tmp") {
			stored++
		}
		return nil
	})
	if stored != 2 {
		t.Errorf("%d blobs stored, want the 2 accepted uploads only", stored)
	}
}

// TestCheck: a self-check reads every page at once and stores nothing.
func TestCheck(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		up        func(t *testing.T) intake.File
		maxPages  int
		wantPages int
		wantErr   error
	}{
		{"single page", func(t *testing.T) intake.File { return upload(t, "0001-clean.png") }, 0, 1, nil},
		{"multi-page TIFF", func(t *testing.T) intake.File { return upload(t, "0007-batch-tiff.tif") }, 0, len(truth(t, "0007-batch-tiff.tif").Pages), nil},
		{"too many pages", func(t *testing.T) intake.File { return upload(t, "0007-batch-tiff.tif") }, 1, 0, store.ErrInvalid},
		{"not an image", func(t *testing.T) intake.File { return bytesUpload("x.pdf", []byte("%!PS-Adobe-3.0\n")) }, 0, 0, process.ErrUnreadable},
		{"via Open", func(t *testing.T) intake.File {
			u := upload(t, "0002-office.jpg")
			body := u.Body
			u.Body = nil
			u.Open = func() (io.ReadCloser, error) { return io.NopCloser(body), nil }
			return u
		}, 0, 1, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, "", func(cfg *process.Config) { cfg.MaxCheckPages = c.maxPages })
			ctx := testCtx(t)
			up := c.up(t)
			res, err := e.eng.Check(ctx, up)
			if !errors.Is(err, c.wantErr) {
				t.Fatalf("Check: %v, want %v", err, c.wantErr)
			}
			if len(res) != c.wantPages {
				t.Fatalf("%d results, want %d", len(res), c.wantPages)
			}
			for i, r := range res {
				if r.Page != i+1 || r.Source != up.Name || r.Status == "" {
					t.Errorf("result %d: %s p.%d status %q", i, r.Source, r.Page, r.Status)
				}
			}
			if bs, _ := e.store.ListBatches(ctx, admin, 0); len(bs) != 0 {
				t.Errorf("a check stored %d batches", len(bs))
			}
		})
	}
}

// gateReader is an upload body that says when it is first read and then
// blocks until opened, then yields data.
type gateReader struct {
	started chan struct{}
	open    chan struct{}
	once    sync.Once
	data    *bytes.Reader
	reads   atomic.Int64
}

func newGate(data []byte) *gateReader {
	return &gateReader{started: make(chan struct{}), open: make(chan struct{}), data: bytes.NewReader(data)}
}

func (g *gateReader) Read(p []byte) (int, error) {
	g.reads.Add(1)
	g.once.Do(func() { close(g.started) })
	<-g.open
	return g.data.Read(p)
}

// TestCheckAdmissionBounded: checks in progress are bounded by the CPU
// slots plus MaxCheckWaiting; one more is refused at once with
// ErrOverloaded (the API's 503 + Retry-After) without its body being read,
// and the admitted ones finish normally afterwards.
func TestCheckAdmissionBounded(t *testing.T) {
	t.Parallel()
	// CheckWait long: the second admitted check waits for the first to be read,
	// which under the race detector on a loaded machine takes a while.
	e := newEnv(t, "", func(c *process.Config) { c.CPU, c.Workers, c.MaxCheckWaiting, c.CheckWait = 1, -1, 1, 10*time.Minute })
	ctx := testCtx(t)
	scan, err := os.ReadFile(filepath.Join(scans, "0009-clean.png"))
	if err != nil {
		t.Fatal(err)
	}
	gates := []*gateReader{newGate(scan), newGate(scan)}
	errs := make(chan error, len(gates))
	for i, g := range gates {
		go func() {
			res, err := e.eng.Check(ctx, intake.File{Name: fmt.Sprintf("held-%d.png", i), Body: g})
			if err == nil && (len(res) != 1 || res[0].Status == page.Rejected) {
				err = fmt.Errorf("check %d: %+v", i, res)
			}
			errs <- err
		}()
	}
	for _, g := range gates {
		select {
		case <-g.started: // admitted: reading its body
		case <-ctx.Done():
			t.Fatal("a check was never admitted")
		}
	}
	extra := newGate(scan)
	close(extra.open)
	_, err = e.eng.Check(ctx, intake.File{Name: "one-too-many.png", Body: extra})
	var oe *process.OverloadedError
	if !errors.As(err, &oe) || !errors.Is(err, process.ErrOverloaded) || oe.RetryAfter < time.Second {
		t.Fatalf("third check while two are in progress: %v, want ErrOverloaded with a retry hint", err)
	}
	if n := extra.reads.Load(); n != 0 {
		t.Errorf("the refused check's body was read %d times", n)
	}
	if got := value(e.eng.Metrics().ChecksRefused); got != 1 {
		t.Errorf("refused checks counted %v", got)
	}
	for _, g := range gates {
		close(g.open)
	}
	for range gates {
		if err := <-errs; err != nil {
			t.Errorf("admitted check: %v", err)
		}
	}
	// Slots are given back: a check now goes through.
	if _, err := e.eng.Check(ctx, upload(t, "0009-clean.png")); err != nil {
		t.Errorf("check after the burst: %v", err)
	}
}
