package process

import (
	"context"
	"sync"
	"time"

	"github.com/regfus/regfus/blob"
)

// Originals are stored before the batch that names them is recorded
// (Submit: blob first, then store.CreateBatch), so that an acknowledged
// upload is durable. Two things can leave a blob no file row points to:
//
//   - the request fails after storing (unreadable, queue full, store
//     error, client gone): Submit removes the blobs it created on the way
//     out (discard);
//   - the process dies between the two steps: the collector (CollectBlobs,
//     run every Config.CollectEvery by Start) removes blobs no file row
//     names and nobody has put for Config.BlobGrace.
//
// Neither may remove a blob whose upload is in progress, here or in
// another process. In this process, every blob an unfinished request has
// stored is marked in progress (inflight) and left alone. Across
// processes, the blob's put time does it: every Put, also one that finds
// the bytes already stored, refreshes it, and blob.Store.Remove leaves a
// blob put after the time it is given. discard passes the time of its own
// Put, so bytes someone stored again since stay; the collector passes
// now - BlobGrace, and BlobGrace (1 h) is far longer than any upload
// takes from its Put to its batch (the upload route's time limit, 10
// minutes by default).

// Defaults of the blob collector.
const (
	DefaultBlobGrace    = time.Hour
	DefaultCollectEvery = time.Hour
)

// inflight counts, per digest, the requests of this process that have
// stored the blob and not yet finished.
type inflight struct {
	mu sync.Mutex
	m  map[string]int
}

func newInflight() *inflight { return &inflight{m: map[string]int{}} }

func (f *inflight) busy(sha string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.m[sha] > 0
}

// putLog is what one request stored.
type putLog struct {
	mu   sync.Mutex
	refs []blob.Ref
	new  []bool // the request's Put created the blob
}

func (l *putLog) add(f *inflight, ref blob.Ref, existed bool) {
	f.mu.Lock()
	f.m[ref.SHA256]++
	f.mu.Unlock()
	l.mu.Lock()
	l.refs = append(l.refs, ref)
	l.new = append(l.new, !existed)
	l.mu.Unlock()
}

// created returns the blobs this request's Puts created, and how many
// in-progress marks the request holds on each digest.
func (l *putLog) created() ([]blob.Ref, map[string]int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []blob.Ref
	marks := map[string]int{}
	for i, r := range l.refs {
		marks[r.SHA256]++
		if l.new[i] {
			out = append(out, r)
		}
	}
	return out, marks
}

// release ends the request's marks.
func (l *putLog) release(f *inflight) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range l.refs {
		if f.m[r.SHA256]--; f.m[r.SHA256] <= 0 {
			delete(f.m, r.SHA256)
		}
	}
	l.refs, l.new = nil, nil
}

// discard removes the blobs a failed request created, unless another
// request of this process is using them, a file row names them, or
// someone put them since. It runs on a context of its own: a request that
// failed because its client left must still clean up.
func (e *Engine) discard(ctx context.Context, puts *putLog) {
	refs, own := puts.created()
	if len(refs) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	for _, r := range refs {
		if e.inflightOthers(r.SHA256, own[r.SHA256]) {
			continue
		}
		if known, err := e.store.HasFile(ctx, r.SHA256); err != nil || known {
			if err != nil {
				e.log.Warn("failed upload: not removing its original", "sha256", r.SHA256, "err", err)
			}
			continue
		}
		if _, err := e.cfg.Blobs.Remove(ctx, r.SHA256, r.PutAt); err != nil {
			e.log.Warn("failed upload: removing its original", "sha256", r.SHA256, "err", err)
			continue
		}
		e.metrics.BlobsRemoved.WithLabelValues("failed_upload").Inc()
	}
}

// inflightOthers reports whether a request other than the calling one
// (which holds own marks on sha) has the blob in progress.
func (e *Engine) inflightOthers(sha string, own int) bool {
	e.inflight.mu.Lock()
	defer e.inflight.mu.Unlock()
	return e.inflight.m[sha] > own
}

// CollectBlobs removes the blobs that no file row names, that no request
// of this process has in progress, and that nobody has put for grace
// (see the comment at the top of this file). It returns how many it
// removed.
func (e *Engine) CollectBlobs(ctx context.Context, grace time.Duration) (int, error) {
	cutoff := time.Now().Add(-grace)
	removed := 0
	err := e.cfg.Blobs.Walk(ctx, func(sha string, putAt time.Time) error {
		if putAt.After(cutoff) || e.inflight.busy(sha) {
			return nil
		}
		known, err := e.store.HasFile(ctx, sha)
		if err != nil {
			return err
		}
		if known {
			return nil
		}
		gone, err := e.cfg.Blobs.Remove(ctx, sha, cutoff)
		if err != nil {
			return err
		}
		if gone {
			removed++
			e.metrics.BlobsRemoved.WithLabelValues("unreferenced").Inc()
			e.log.Info("removed an original no file names", "sha256", sha, "put_at", putAt)
		}
		return nil
	})
	return removed, err
}

// collectLoop runs CollectBlobs every Config.CollectEvery.
func (e *Engine) collectLoop(ctx context.Context) {
	every(ctx, e.cfg.CollectEvery, func() {
		if n, err := e.CollectBlobs(ctx, e.cfg.BlobGrace); err != nil && ctx.Err() == nil {
			e.log.Warn("collecting unreferenced originals", "removed", n, "err", err)
		}
	})
}
