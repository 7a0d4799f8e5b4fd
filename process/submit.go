package process

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/regfus/regfus/auth"
	"github.com/regfus/regfus/blob"
	"github.com/regfus/regfus/intake"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/scanfile"
	"github.com/regfus/regfus/store"
)

// put stores the upload in the blob store.
func (e *Engine) put(ctx context.Context, up intake.File, name string) (blob.Ref, bool, error) {
	body := up.Body
	if body == nil {
		if up.Open == nil {
			return blob.Ref{}, false, fmt.Errorf("upload %s: no content", name)
		}
		rc, err := up.Open()
		if err != nil {
			return blob.Ref{}, false, fmt.Errorf("upload %s: %w", name, err)
		}
		defer rc.Close()
		body = rc
	}
	ref, existed, err := e.cfg.Blobs.Put(ctx, body)
	if err != nil {
		return blob.Ref{}, false, fmt.Errorf("upload %s: %w", name, err)
	}
	return ref, existed, nil
}

// Submission is a batch upload.
type Submission struct {
	KeyID string     // the uploading key ("" for the system)
	Scope auth.Scope // the uploader's scope, kept as the batch's owner
	Files []intake.File
}

// ErrOverloaded: the queue is full (or no CPU slot came free in time);
// the API answers 503 with Retry-After. Use errors.As with
// *OverloadedError for the figures.
var ErrOverloaded = errors.New("overloaded")

// OverloadedError is ErrOverloaded with its figures.
type OverloadedError struct {
	Depth, Max int // queue depth and limit (0 for a CPU wait)
	// Adding is how many pages the refused upload would have queued
	// (counted once its files were read; 1 when refused before). An upload
	// of more pages than Max can never be taken (TooBig).
	Adding     int
	RetryAfter time.Duration // a hint for the client
	// Refused is the store's refusal (*store.QueueFullError), when the
	// limit was found crossed while recording the batch.
	Refused error
	// Cause, when set, is why the queue could not be read (the database
	// is away): the service cannot take work until it is back.
	Cause error
}

func (e *OverloadedError) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("unavailable: the queue cannot be read: %v; retry in %s", e.Cause, e.RetryAfter)
	}
	if e.Max == 0 {
		return fmt.Sprintf("overloaded: no reader free within the wait; retry in %s", e.RetryAfter)
	}
	if e.TooBig() {
		return fmt.Sprintf("upload of %d pages is over the queue's limit of %d pages: send it in parts", e.Adding, e.Max)
	}
	if e.Adding > 1 {
		return fmt.Sprintf("overloaded: %d pages queued, this upload adds %d (limit %d); retry in %s", e.Depth, e.Adding, e.Max, e.RetryAfter)
	}
	return fmt.Sprintf("overloaded: %d pages queued (limit %d); retry in %s", e.Depth, e.Max, e.RetryAfter)
}

// TooBig reports whether the upload alone has more pages than the queue
// may hold: no retry will help (the API answers 413).
func (e *OverloadedError) TooBig() bool { return e.Max > 0 && e.Adding > e.Max }

func (e *OverloadedError) Is(target error) bool { return target == ErrOverloaded }

func (e *OverloadedError) Unwrap() error { return e.Cause }

// ErrUnreadable: no page of the file (of any file, for a batch) could be
// decoded; the API answers 422. Use errors.As with *UnreadableError for
// each file's reason.
var ErrUnreadable = errors.New("unreadable file")

// UnreadableError lists the files that could not be read.
type UnreadableError struct {
	Files []FileError
}

// FileError is one unreadable file: scanfile's kind and reason.
type FileError struct {
	Name   string        `json:"name"`
	Kind   scanfile.Kind `json:"kind"`
	Reason string        `json:"reason"`
}

func (e *UnreadableError) Error() string {
	parts := make([]string, len(e.Files))
	for i, f := range e.Files {
		parts[i] = f.Name + ": " + f.Reason
	}
	return "unreadable: " + strings.Join(parts, "; ")
}

func (e *UnreadableError) Is(target error) bool { return target == ErrUnreadable }

// Submit stores an upload and queues its pages. See the package comment
// for the guarantees. Errors: *OverloadedError (ErrOverloaded), before
// anything is read; store.ErrInvalid for an upload with no file;
// *UnreadableError (ErrUnreadable) when no file has a page that decodes
// (the originals stay stored, nothing is queued); anything else is a
// system error.
func (e *Engine) Submit(ctx context.Context, sub Submission) (_ intake.Receipt, err error) {
	if len(sub.Files) == 0 {
		return intake.Receipt{}, fmt.Errorf("upload: %w: no files", store.ErrInvalid)
	}
	if err := e.checkQueue(ctx); err != nil {
		return intake.Receipt{}, err
	}
	// The blobs this request stores are marked in progress until it ends
	// (the collector leaves them), and removed if it fails.
	var puts putLog
	defer func() {
		if err != nil {
			e.discard(ctx, &puts)
		}
		puts.release(e.inflight)
	}()

	// Files are stored and inspected a few at a time (storing waits on
	// fsync, inspecting on a CPU slot); order is kept.
	nb := store.NewBatch{OwnerKeyID: sub.KeyID, Owner: sub.Scope, Files: make([]store.NewFile, len(sub.Files))}
	receipts := make([]intake.FileReceipt, len(sub.Files))
	errs := make([]*FileError, len(sub.Files))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(e.cfg.CPU + 1)
	for i, up := range sub.Files {
		g.Go(func() error {
			var err error
			receipts[i], nb.Files[i], errs[i], err = e.storeFile(gctx, i, up, &puts)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return intake.Receipt{}, err
	}
	var bad []FileError
	for _, fe := range errs {
		if fe != nil {
			bad = append(bad, *fe)
		}
	}
	if len(bad) == len(sub.Files) {
		e.metrics.Uploads.WithLabelValues("unreadable").Add(float64(len(bad)))
		return intake.Receipt{}, &UnreadableError{Files: bad}
	}

	nb.MaxQueue = e.cfg.MaxQueue
	created, err := e.store.CreateBatch(ctx, nb)
	var qf *store.QueueFullError
	if errors.As(err, &qf) {
		e.metrics.Uploads.WithLabelValues("overloaded").Inc()
		return intake.Receipt{}, e.overloaded(qf.Depth, qf.Adding, err)
	}
	if err != nil {
		return intake.Receipt{}, err
	}
	e.metrics.QueueDepth.Set(float64(created.QueueDepth))
	batch := created.Batch
	for i, fo := range created.Files {
		receipts[i].Known, receipts[i].Repeated, receipts[i].Pages = fo.Known, fo.Repeated, fo.Pages
		switch {
		case receipts[i].Error != "":
			e.metrics.Uploads.WithLabelValues("unreadable").Inc()
		case fo.Known:
			e.metrics.Uploads.WithLabelValues("known").Inc()
		default:
			e.metrics.Uploads.WithLabelValues("new").Inc()
		}
	}
	if len(bad) > 0 {
		e.rejectUnreadable(ctx, batch.ID, receipts)
	}
	if err := e.queue.enqueue(ctx, batch.ID); err != nil {
		// The batch is stored; the queue picks its pages up later (River:
		// the sweeper re-enqueues queued pages without a job).
		e.log.Warn("enqueueing batch failed; it will be re-enqueued", "batch", batch.ID, "err", err)
	}
	if b, err := e.store.GetBatch(ctx, batch.ID, admin); err == nil {
		batch = b
	}
	e.events.notify()
	return intake.Receipt{Batch: batch, Files: receipts}, nil
}

// storeFile stores one upload in the blob store, then inspects the
// stored bytes. A file that cannot be read is a FileError, not an error.
func (e *Engine) storeFile(ctx context.Context, i int, up intake.File, puts *putLog) (intake.FileReceipt, store.NewFile, *FileError, error) {
	name := up.Name
	if name == "" {
		name = fmt.Sprintf("file %d", i+1)
	}
	// Stored first: from here on the bytes survive whatever happens.
	ref, existed, err := e.put(ctx, up, name)
	if err != nil {
		return intake.FileReceipt{}, store.NewFile{}, nil, err
	}
	puts.add(e.inflight, ref, existed)
	in, err := e.inspect(ctx, ref.SHA256, name)
	if err != nil {
		return intake.FileReceipt{}, store.NewFile{}, nil, err
	}
	mt := in.mediaType
	if mt == "" {
		mt = up.MediaType
	}
	if mt == "" {
		mt = "application/octet-stream"
	}
	rc := intake.FileReceipt{Name: name, SHA256: ref.SHA256, Size: ref.Size, Pages: in.pages}
	nf := store.NewFile{SHA256: ref.SHA256, Name: name, Size: ref.Size, MediaType: mt, BlobPath: ref.Path, Pages: in.pages}
	if in.err == nil {
		return rc, nf, nil, nil
	}
	fe := &FileError{Name: name, Kind: scanfile.KindCorrupt, Reason: in.err.Error()}
	var se *scanfile.Error
	if errors.As(in.err, &se) {
		fe.Kind = se.Kind
	}
	rc.Error = fe.Reason
	return rc, nf, fe, nil
}

// checkQueue refuses work while the queue is full.
func (e *Engine) checkQueue(ctx context.Context) error {
	depth, err := e.store.QueueDepth(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		// The database is not answering: the service cannot take work
		// now (503), which is not the upload's fault.
		return &OverloadedError{Depth: -1, RetryAfter: 15 * time.Second, Cause: err}
	}
	e.metrics.QueueDepth.Set(float64(depth))
	if depth >= e.cfg.MaxQueue {
		e.metrics.Uploads.WithLabelValues("overloaded").Inc()
		return e.overloaded(depth, 1, nil)
	}
	return nil
}

// overloaded is the error for an upload of adding pages refused at queue
// depth depth. The wait is a rough time for the excess to drain at about
// a page per second per slot, kept between 5 s and 5 min.
func (e *Engine) overloaded(depth, adding int, cause error) *OverloadedError {
	wait := time.Duration(depth+adding-e.cfg.MaxQueue) * time.Second / time.Duration(e.cfg.CPU)
	wait = min(max(wait, 5*time.Second), 5*time.Minute)
	return &OverloadedError{Depth: depth, Adding: adding, Max: e.cfg.MaxQueue, RetryAfter: wait, Refused: cause}
}

// inspection is what Submit learns of a stored file.
type inspection struct {
	pages     int
	mediaType string
	err       error // why no page decodes (a *scanfile.Error), nil if one does
}

var mediaTypes = map[scanfile.Format]string{
	scanfile.PNG: "image/png", scanfile.JPEG: "image/jpeg", scanfile.TIFF: "image/tiff", scanfile.PDF: "application/pdf",
}

// inspect opens a stored original, counts its pages and decodes pages in
// order until one decodes (usually the first), inside a CPU slot. The
// returned error is for the system (I/O on the blob store, ctx); a
// file that cannot be read is inspection.err.
func (e *Engine) inspect(ctx context.Context, sha, name string) (inspection, error) {
	path, err := e.cfg.Blobs.File(ctx, sha)
	if err != nil {
		return inspection{}, err
	}
	f, err := scanfile.Open(ctx, path, e.cfg.Scan)
	if err != nil {
		if ctx.Err() != nil {
			return inspection{}, ctx.Err()
		}
		return inspection{pages: 1, err: renamed(err, name)}, nil
	}
	defer f.Close()
	in := inspection{pages: f.Count(), mediaType: mediaTypes[f.Format()]}
	if err := e.cpu.acquire(ctx); err != nil {
		return inspection{}, err
	}
	defer e.cpu.release()
	var first error
	for n := 1; n <= f.Count(); n++ {
		_, err := f.Page(ctx, n)
		if err == nil {
			return in, nil
		}
		if ctx.Err() != nil {
			return inspection{}, ctx.Err()
		}
		if first == nil {
			first = err
		}
	}
	in.err = renamed(first, name)
	return in, nil
}

// renamed replaces the blob path in a scanfile error by the upload's name.
func renamed(err error, name string) error {
	var se *scanfile.Error
	if errors.As(err, &se) {
		c := *se
		c.Source = name
		return &c
	}
	return err
}

// rejectUnreadable records the pages of the batch's unreadable files as
// rejected results at once (their reason is the decoder's), so the batch
// shows what went wrong and no worker spends time on them. A page another
// worker got to first is left as it is.
func (e *Engine) rejectUnreadable(ctx context.Context, batchID int64, receipts []intake.FileReceipt) {
	reasons := map[string]string{}
	for _, r := range receipts {
		if r.Error != "" && !r.Known {
			reasons[r.SHA256] = r.Error
		}
	}
	if len(reasons) == 0 {
		return
	}
	pages, err := e.store.ListPages(ctx, batchID, admin)
	if err != nil {
		e.log.Warn("listing pages of unreadable files", "batch", batchID, "err", err)
		return
	}
	for _, p := range pages {
		reason, ok := reasons[p.File.SHA256]
		if !ok || p.BatchID != batchID || p.State != store.PageQueued {
			continue
		}
		res := &page.Result{Source: p.File.Name, Page: p.Index, Status: page.Rejected,
			Reasons: page.Reasons{{Kind: page.ReasonDecode, Detail: reason}}, Slots: []page.Slot{}}
		err := e.store.CompletePage(ctx, store.PageOutcome{PageID: p.ID, Result: *res, Review: ReviewItems(res)})
		if err != nil && !errors.Is(err, store.ErrConflict) {
			e.log.Warn("recording an unreadable page", "page", p.ID, "err", err)
			continue
		}
		e.metrics.Pages.WithLabelValues(OutcomeRejected).Inc()
	}
}
