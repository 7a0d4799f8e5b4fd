package process

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sync"
	"time"

	"github.com/regfus/regfus/blob"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/scanfile"
	"github.com/regfus/regfus/store"
)

// errMissingOriginal: the stored original of a page is not in the blob
// directory (lost, or a worker on another machine without the shared
// mount). Retrying on this machine will not help.
var errMissingOriginal = errors.New("original file missing from the blob store")

// readPage reads one stored page: its original from the blob store,
// the page decoded and read by an acquisition.Reader, all of it inside a
// CPU slot. A page that cannot be decoded is a rejected result (as in
// `regfus scan`), not an error; errors are for the system: the original
// is missing, or ctx ended (shutdown), in which case no result is made.
func (e *Engine) readPage(ctx context.Context, p store.Page) (*page.Result, error) {
	name := p.File.Name
	if name == "" {
		name = p.File.SHA256
	}
	f, release, err := e.files.open(ctx, e, p.File.SHA256)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var se *scanfile.Error
		if errors.As(err, &se) && se.Kind != scanfile.KindIO {
			return decodeFailure(name, p.Index, err), nil
		}
		return nil, err
	}
	defer release()
	if err := e.cpu.acquire(ctx); err != nil {
		return nil, err
	}
	defer e.cpu.release()
	// The page's own deadline covers decoding and reading; ctx is the
	// worker's life. A page over its deadline is a rejected result, a
	// worker stopping is not a result at all.
	pctx, cancel := context.WithTimeout(ctx, e.cfg.PageTimeout)
	defer cancel()
	pg, err := f.Page(pctx, p.Index)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return decodeFailure(name, p.Index, err), nil
	}
	r, err := e.cpu.reader()
	if err != nil {
		return nil, fmt.Errorf("page %d: starting a reader: %w", p.ID, err)
	}
	res := r.Read(pctx, pg.Image, name, p.Index)
	e.cpu.putReader(r)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return res, nil
}

// decodeFailure is the result of a page (or file) that could not be
// decoded: rejected, with the decoder's reason, like `regfus scan` prints.
func decodeFailure(source string, pageNo int, err error) *page.Result {
	reason := page.ReasonDecode
	msg := err.Error()
	var se *scanfile.Error
	if errors.As(err, &se) {
		if se.Kind == scanfile.KindTimeout {
			reason = page.ReasonTimeout
		}
		// The decoder names the blob path; the user knows the upload name.
		c := *se
		c.Source = source
		msg = c.Error()
	}
	return &page.Result{Source: source, Page: pageNo, Status: page.Rejected,
		Reasons: page.Reasons{{Kind: reason, Detail: msg}}, Slots: []page.Slot{}}
}

// fileCache keeps recently used originals open, so the pages of one
// multi-page file (a PDF costs a pdfinfo run to open) are not reopened for
// each page. scanfile.File is safe for concurrent use. Entries are
// reference-counted; at most maxIdle unused files stay open.
type fileCache struct {
	mu      sync.Mutex
	m       map[string]*cachedFile
	maxIdle int
}

type cachedFile struct {
	ready chan struct{}
	f     *scanfile.File
	err   error
	refs  int
	last  time.Time
}

func newFileCache(maxIdle int) *fileCache {
	return &fileCache{m: map[string]*cachedFile{}, maxIdle: maxIdle}
}

// open returns the opened original with this digest and a release
// function. Errors: errMissingOriginal (wrapped) or a *scanfile.Error.
func (c *fileCache) open(ctx context.Context, e *Engine, sha string) (*scanfile.File, func(), error) {
	c.mu.Lock()
	cf := c.m[sha]
	if cf == nil {
		cf = &cachedFile{ready: make(chan struct{})}
		c.m[sha] = cf
		cf.refs++
		c.mu.Unlock()
		cf.f, cf.err = openOriginal(ctx, e, sha)
		close(cf.ready)
	} else {
		cf.refs++
		c.mu.Unlock()
		<-cf.ready
	}
	release := func() { c.release(sha, cf) }
	if cf.err != nil {
		release()
		return nil, nil, cf.err
	}
	return cf.f, release, nil
}

func openOriginal(ctx context.Context, e *Engine, sha string) (*scanfile.File, error) {
	path, err := e.cfg.Blobs.File(ctx, sha)
	if errors.Is(err, blob.ErrNotFound) {
		return nil, fmt.Errorf("%w: %s", errMissingOriginal, sha)
	}
	if err != nil {
		return nil, err
	}
	f, err := scanfile.Open(ctx, path, e.cfg.Scan)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s", errMissingOriginal, sha)
		}
		return nil, err
	}
	return f, nil
}

func (c *fileCache) release(sha string, cf *cachedFile) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cf.refs--
	cf.last = time.Now()
	if cf.err != nil && cf.refs == 0 {
		// Failed opens are not kept: the next page tries again.
		if c.m[sha] == cf {
			delete(c.m, sha)
		}
		return
	}
	// Close the least recently used idle files beyond maxIdle.
	for {
		idle := 0
		var oldest *cachedFile
		var oldestKey string
		for k, v := range c.m {
			if v.refs == 0 && v.f != nil {
				idle++
				if oldest == nil || v.last.Before(oldest.last) {
					oldest, oldestKey = v, k
				}
			}
		}
		if idle <= c.maxIdle {
			return
		}
		delete(c.m, oldestKey)
		oldest.f.Close()
	}
}

// closeAll closes every idle file (at shutdown).
func (c *fileCache) closeAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, v := range c.m {
		if v.refs == 0 && v.f != nil {
			v.f.Close()
			delete(c.m, k)
		}
	}
}
