package process

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/regfus/regfus/intake"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/scanfile"
	"github.com/regfus/regfus/store"
)

// Check reads one file at once and returns its page results, in page
// order, without storing anything: a pharmacy's self-check before it
// sends its sheets. The bytes go to a temporary file (decoders need
// random access) that is removed before Check returns.
//
// Check competes with the workers for the same CPU slots. At most as many
// checks as there are slots plus Config.MaxCheckWaiting are in progress;
// one more answers ErrOverloaded (503 with Retry-After) at once, before
// its body is read. An admitted check waits at most Config.CheckWait for
// a slot, then answers ErrOverloaded rather than hold the request. Errors: *UnreadableError when no page
// decodes (422); store.ErrInvalid for a file over Config.MaxCheckPages
// pages (send it as a batch).
func (e *Engine) Check(ctx context.Context, up intake.File) ([]page.Result, error) {
	start := time.Now()
	select {
	case e.checks <- struct{}{}:
		defer func() { <-e.checks }()
	default:
		e.metrics.ChecksRefused.Inc()
		return nil, &OverloadedError{RetryAfter: 10 * time.Second}
	}
	name := up.Name
	if name == "" {
		name = "upload"
	}
	tmp, err := os.CreateTemp("", "regfus-check-*")
	if err != nil {
		return nil, fmt.Errorf("check %s: %w", name, err)
	}
	defer os.Remove(tmp.Name())
	body := up.Body
	if body == nil && up.Open != nil {
		rc, oerr := up.Open()
		if oerr != nil {
			tmp.Close()
			return nil, fmt.Errorf("check %s: %w", name, oerr)
		}
		defer rc.Close()
		body = rc
	}
	if body == nil {
		tmp.Close()
		return nil, fmt.Errorf("check %s: no content", name)
	}
	_, err = io.Copy(tmp, body)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("check %s: reading upload: %w", name, err)
	}
	f, err := scanfile.Open(ctx, tmp.Name(), e.cfg.Scan)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, unreadable(name, err)
	}
	defer f.Close()
	if f.Count() > e.cfg.MaxCheckPages {
		return nil, fmt.Errorf("check %s: %w: %d pages, over the %d a check reads (upload it as a batch)",
			name, store.ErrInvalid, f.Count(), e.cfg.MaxCheckPages)
	}
	out := make([]page.Result, 0, f.Count())
	var firstErr error
	decoded := 0
	for n := 1; n <= f.Count(); n++ {
		res, derr, err := e.checkPage(ctx, f, name, n)
		if err != nil {
			return nil, err
		}
		if derr != nil {
			if firstErr == nil {
				firstErr = derr
			}
		} else {
			decoded++
		}
		out = append(out, *res)
	}
	if decoded == 0 {
		return nil, unreadable(name, firstErr)
	}
	e.metrics.CheckSeconds.Observe(time.Since(start).Seconds())
	return out, nil
}

// checkPage decodes and reads page n inside a CPU slot. derr is the
// page's decoding error (the result is then a rejected one); err is for
// the request (overloaded, canceled, no reader).
func (e *Engine) checkPage(ctx context.Context, f *scanfile.File, name string, n int) (res *page.Result, derr, err error) {
	wctx, cancel := context.WithTimeout(ctx, e.cfg.CheckWait)
	err = e.cpu.acquire(wctx)
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		e.metrics.ChecksRefused.Inc()
		return nil, nil, &OverloadedError{RetryAfter: 10 * time.Second}
	}
	defer e.cpu.release()
	pctx, cancel := context.WithTimeout(ctx, e.cfg.PageTimeout)
	defer cancel()
	pg, derr := f.Page(pctx, n)
	if derr != nil {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		return decodeFailure(name, n, derr), derr, nil
	}
	r, err := e.cpu.reader()
	if err != nil {
		return nil, nil, fmt.Errorf("check %s: starting a reader: %w", name, err)
	}
	res = r.Read(pctx, pg.Image, name, n)
	e.cpu.putReader(r)
	if ctx.Err() != nil {
		return nil, nil, ctx.Err()
	}
	return res, nil, nil
}

// unreadable builds the *UnreadableError of one file.
func unreadable(name string, err error) error {
	fe := FileError{Name: name, Kind: scanfile.KindCorrupt}
	var se *scanfile.Error
	if errors.As(err, &se) {
		fe.Kind = se.Kind
		err = renamed(err, name)
	}
	if err != nil {
		fe.Reason = err.Error()
	}
	return &UnreadableError{Files: []FileError{fe}}
}
