package acquisition

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"runtime"
	"runtime/pprof"
	"sync"
	"time"

	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/scanfile"
)

// DefaultPageTimeout bounds the reading of one page (decoding excluded). A
// 200-dpi page takes about a second of CPU; a badly blurred photo, where
// every fallback of every symbol is tried, can take tens of seconds on a
// loaded machine, and is still worth reading.
const DefaultPageTimeout = 180 * time.Second

// Pool reads pages with several workers, each with its own Reader (its own
// barcode decoder and Tesseract client: neither is safe for concurrent
// use), and hands results back in completion order.
type Pool struct {
	// Workers is the number of readers; 0 means one per core.
	Workers int
	// NewReader makes one worker's reader; nil means NewOCRReader(nil).
	// Readers are made one after the other, before any page is read.
	NewReader func() (*Reader, error)
	// PageTimeout bounds one page's reading; 0 means DefaultPageTimeout.
	PageTimeout time.Duration
}

// Run reads every page pages yields and calls emit once per page (and once
// per decoding error, as a rejected result together with that error), from
// the calling goroutine, as pages finish. It returns an error only when the workers could not be
// set up or ctx was cancelled; a page that cannot be read is a result.
func (p *Pool) Run(ctx context.Context, pages iter.Seq2[scanfile.Page, error], emit func(*page.Result, error)) error {
	n := p.Workers
	if n <= 0 {
		n = runtime.NumCPU()
	}
	newReader := p.NewReader
	if newReader == nil {
		newReader = func() (*Reader, error) { return NewOCRReader(nil) }
	}
	timeout := p.PageTimeout
	if timeout <= 0 {
		timeout = DefaultPageTimeout
	}
	readers := make([]*Reader, 0, n)
	defer func() {
		for _, r := range readers {
			r.Close()
		}
	}()
	for i := 0; i < n; i++ {
		var r *Reader
		var err error
		pprof.Do(ctx, stageLabel("startup"), func(context.Context) { r, err = newReader() })
		if err != nil {
			return fmt.Errorf("scan: worker %d: %w", i+1, err)
		}
		readers = append(readers, r)
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Decoded pages wait in a short queue: memory holds about 2n pages.
	jobs := make(chan scanfile.Page, n)
	results := make(chan outcome, n)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // producer: decodes pages in order
		defer wg.Done()
		defer close(jobs)
		// Decoding runs in this goroutine (and those it starts): label it
		// for CPU profiles (see StageLabel).
		pprof.SetGoroutineLabels(pprof.WithLabels(ctx, stageLabel("decode")))
		for pg, err := range pages {
			if err != nil {
				select {
				case results <- outcome{decodeFailure(err), err}:
				case <-ctx.Done():
					return
				}
				continue
			}
			select {
			case jobs <- pg:
			case <-ctx.Done():
				return
			}
		}
	}()
	var workers sync.WaitGroup
	for _, r := range readers {
		workers.Add(1)
		go func(r *Reader) {
			defer workers.Done()
			for pg := range jobs {
				pctx, pcancel := context.WithTimeout(ctx, timeout)
				res := r.Read(pctx, pg.Image, pg.Source, pg.Index)
				pcancel()
				select {
				case results <- outcome{res, nil}:
				case <-ctx.Done():
					return
				}
			}
		}(r)
	}
	go func() {
		wg.Wait()
		workers.Wait()
		close(results)
	}()
	for o := range results {
		emit(o.res, o.err)
	}
	return ctx.Err()
}

// outcome is a result and, for a decoding failure, its error.
type outcome struct {
	res *page.Result
	err error
}

// decodeFailure turns a decoding error into the result line of the file or
// page it concerns: rejected, with the decoder's reason. Page is 0 when
// the whole file could not be read.
func decodeFailure(err error) *page.Result {
	res := &page.Result{Status: page.Rejected, Reasons: page.Reasons{}, Slots: []page.Slot{}}
	reason := page.ReasonDecode
	var se *scanfile.Error
	if errors.As(err, &se) {
		res.Source, res.Page = se.Source, se.Page
		if se.Kind == scanfile.KindTimeout {
			reason = page.ReasonTimeout
		}
	}
	res.Reasons = append(res.Reasons, page.Reason{Kind: reason, Detail: err.Error()})
	return res
}
