package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/regfus/regfus/auth"
	"github.com/regfus/regfus/intake"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/store"
)

// batchJSON is a batch as the API shows it (SPEC section 7, plus the other
// counts).
type batchJSON struct {
	ID            int64             `json:"id"`
	Status        store.BatchStatus `json:"status"`
	CreatedAt     time.Time         `json:"created_at"`
	PagesTotal    int               `json:"pages_total"`
	PagesDone     int               `json:"pages_done"`
	PagesOK       int               `json:"pages_ok"`
	PagesReview   int               `json:"pages_review"`
	PagesRejected int               `json:"pages_rejected"`
	PagesFailed   int               `json:"pages_failed"`
	PagesQueued   int               `json:"pages_queued"`
	PagesRunning  int               `json:"pages_running"`
}

func batchView(b store.Batch) batchJSON {
	p := b.Progress
	return batchJSON{ID: b.ID, Status: b.Status, CreatedAt: b.CreatedAt.UTC(),
		PagesTotal: p.Total, PagesDone: p.Finished, PagesOK: p.OK, PagesReview: p.Review,
		PagesRejected: p.Rejected, PagesFailed: p.Failed, PagesQueued: p.Queued, PagesRunning: p.Running}
}

// pageJSON is a stored page: a `regfus scan` result (the embedded fields)
// with the page's id, processing state and links. The outer Source, Page
// and Status shadow the result's: Source is the name the file was uploaded
// with, and Status is null until the page is read.
type pageJSON struct {
	ID      int64           `json:"id"`
	BatchID int64           `json:"batch_id"`
	State   store.PageState `json:"state"`
	SHA256  string          `json:"sha256"`
	Source  string          `json:"source"`
	Page    int             `json:"page"`
	Status  *page.Status    `json:"status"`
	Error   string          `json:"error,omitempty"`
	Image   string          `json:"image"`
	Overlay string          `json:"overlay,omitempty"`
	*page.Result
}

// pageView shows a page as the caller sees it: in the batch it sees it
// through (its own upload, store.Page.SeenIn), with the name it has there.
func pageView(p store.Page) pageJSON {
	batch := p.BatchID
	if p.SeenIn != 0 {
		batch = p.SeenIn
	}
	v := pageJSON{ID: p.ID, BatchID: batch, State: p.State, SHA256: p.File.SHA256, Source: p.File.Name,
		Page: p.Index, Error: p.Error, Image: fmt.Sprintf("/v1/pages/%d/image", p.ID), Result: p.Result}
	if p.Result != nil {
		st := p.Result.Status
		v.Status = &st
		v.Overlay = fmt.Sprintf("/v1/pages/%d/overlay", p.ID)
	}
	return v
}

// pathID parses the {id} of a path. Anything but a positive integer is an
// id that does not exist: 404, like an unknown one.
func pathID(c echo.Context, what string) (int64, error) {
	raw := c.Param("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, errorf(http.StatusNotFound, "%s %q not found", what, raw)
	}
	return id, nil
}

// ofPath calls get, as the caller, on the id the path names (what names
// the object when the id is malformed): how the page routes reach Pages.
func ofPath[T any](c echo.Context, what string, get func(context.Context, Principal, int64) (T, error)) (T, error) {
	id, err := pathID(c, what)
	if err != nil {
		var zero T
		return zero, err
	}
	return get(c.Request().Context(), mustPrincipal(c), id)
}

// getByID answers a GET of one object: the id the path names (what
// names the object in errors), the object get returns for it to the
// caller, as view shows it; an object get does not find (or the caller
// may not see) is a 404.
func getByID[T, V any](c echo.Context, what string, get func(context.Context, Principal, int64) (T, error), view func(T) V) error {
	id, err := pathID(c, what)
	if err != nil {
		return err
	}
	x, err := get(c.Request().Context(), mustPrincipal(c), id)
	if err != nil {
		return notFound(err, what, id)
	}
	return c.JSON(http.StatusOK, view(x))
}

// Scoped is a store getter of one object (by id, in a scope) as a getter
// for the caller, the shape of Pages' and Reviews' getters: the caller's
// scope is the one the store looks in. (The UI's handlers use it too.)
func Scoped[T any](get func(context.Context, int64, auth.Scope) (T, error)) func(context.Context, Principal, int64) (T, error) {
	return func(ctx context.Context, who Principal, id int64) (T, error) { return get(ctx, id, who.Scope) }
}

// viewAll is each of xs as view shows it: a list's wire form, [] (never
// null) when xs is empty.
func viewAll[T, V any](xs []T, view func(T) V) []V {
	out := make([]V, len(xs))
	for i, x := range xs {
		out[i] = view(x)
	}
	return out
}

// notFound turns the store's ErrNotFound into a 404 naming what was asked
// for; other errors pass through.
func notFound(err error, what string, id int64) error {
	if errors.Is(err, store.ErrNotFound) {
		return wrap(http.StatusNotFound, err, "%s %d not found", what, id)
	}
	return err
}

// queryInt reads an optional positive integer query parameter.
func queryInt(c echo.Context, name string, def, max int64) (int64, error) {
	raw := c.QueryParam(name)
	if raw == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n < 1 || (max > 0 && n > max) {
		if max > 0 {
			return 0, errorf(http.StatusBadRequest, "query parameter %s=%q: want an integer from 1 to %d", name, raw, max)
		}
		return 0, errorf(http.StatusBadRequest, "query parameter %s=%q: want a positive integer", name, raw)
	}
	return n, nil
}

var errNoPipeline = errorf(http.StatusServiceUnavailable, "scan processing is not available on this server")

// maxNameBytes is the longest file name kept, in bytes.
const maxNameBytes = 200

// cleanName keeps the base name of a client's file name, as valid UTF-8
// without control characters and at most maxNameBytes bytes (cut between
// characters, never inside one: PostgreSQL refuses invalid UTF-8), for
// messages and listings.
func cleanName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.ToValidUTF8(name, "\uFFFD")
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, name)
	if len(name) > maxNameBytes {
		cut := maxNameBytes
		for cut > 0 && !utf8.RuneStart(name[cut]) {
			cut--
		}
		name = name[:cut]
	}
	if name == "" || name == "." || name == "/" {
		name = "upload"
	}
	return name
}

type submittedJSON struct {
	ID     int64                `json:"id"`
	Status store.BatchStatus    `json:"status"`
	Files  []intake.FileReceipt `json:"files"`
}

// submitBatch: POST /v1/batches.
func (s *Server) submitBatch(c echo.Context) error {
	if s.cfg.Batches == nil {
		return errNoPipeline
	}
	uploads, cleanup, err := s.multipartFiles(c, "files")
	if err != nil {
		return err
	}
	defer cleanup()
	sub, err := s.cfg.Batches.Submit(c.Request().Context(), mustPrincipal(c), uploads)
	if err != nil {
		return err
	}
	out := submittedJSON{ID: sub.Batch.ID, Status: sub.Batch.Status, Files: sub.Files}
	if out.Files == nil {
		out.Files = []intake.FileReceipt{}
	}
	c.Response().Header().Set(echo.HeaderLocation, fmt.Sprintf("/v1/batches/%d", sub.Batch.ID))
	return c.JSON(http.StatusAccepted, out)
}

// listBatches: GET /v1/batches.
func (s *Server) listBatches(c echo.Context) error {
	limit, err := queryInt(c, "limit", 100, 1000)
	if err != nil {
		return err
	}
	bs, err := s.cfg.Store.ListBatches(c.Request().Context(), mustPrincipal(c).Scope, int(limit))
	if err != nil {
		return err
	}
	out := struct {
		Batches []batchJSON `json:"batches"`
	}{Batches: viewAll(bs, batchView)}
	return c.JSON(http.StatusOK, out)
}

// getBatch: GET /v1/batches/{id}.
func (s *Server) getBatch(c echo.Context) error {
	return getByID(c, "batch", Scoped(s.cfg.Store.GetBatch), batchView)
}

// batchPages: GET /v1/batches/{id}/pages.
func (s *Server) batchPages(c echo.Context) error {
	id, err := pathID(c, "batch")
	if err != nil {
		return err
	}
	ctx, scope := c.Request().Context(), mustPrincipal(c).Scope
	if _, err := s.cfg.Store.GetBatch(ctx, id, scope); err != nil {
		return notFound(err, "batch", id)
	}
	ps, err := s.cfg.Store.ListPages(ctx, id, scope)
	if err != nil {
		return err
	}
	out := struct {
		BatchID int64      `json:"batch_id"`
		Pages   []pageJSON `json:"pages"`
	}{BatchID: id, Pages: viewAll(ps, pageView)}
	return c.JSON(http.StatusOK, out)
}

// getPage: GET /v1/pages/{id}.
func (s *Server) getPage(c echo.Context) error {
	return getByID(c, "page", Scoped(s.cfg.Store.GetPage), pageView)
}

// check: POST /v1/check.
func (s *Server) check(c echo.Context) error {
	if s.cfg.Checker == nil {
		return errNoPipeline
	}
	files, cleanup, err := s.multipartFiles(c, "file")
	if err != nil {
		return err
	}
	defer cleanup()
	if len(files) != 1 {
		return errorf(http.StatusBadRequest, "%d files in field \"file\": the check reads one file at a time", len(files))
	}
	res, err := s.cfg.Checker.Check(c.Request().Context(), mustPrincipal(c), files[0])
	if err != nil {
		return err
	}
	if res == nil {
		res = []page.Result{}
	}
	return c.JSON(http.StatusOK, struct {
		Pages []page.Result `json:"pages"`
	}{res})
}
