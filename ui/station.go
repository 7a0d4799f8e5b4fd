package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"

	"github.com/labstack/echo/v4"

	"github.com/regfus/regfus/api"
	"github.com/regfus/regfus/intake"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/store"
)

// The station's pages: upload, batches, a batch with live progress, a
// page with its overlay and slots.

type stationData struct {
	Batches  []store.Batch
	MaxFiles int
}

// station is the station's home: the upload zone and the latest batches.
func (u *UI) station(rc *reqCtx) error {
	bs, err := u.dom.Store.ListBatches(rc.Request().Context(), rc.who.Scope, 10)
	if err != nil {
		return err
	}
	return u.ok(rc, "station", stationData{Batches: bs, MaxFiles: u.api.Limits().MaxFiles})
}

// batches lists the batches in scope.
func (u *UI) batches(rc *reqCtx) error {
	bs, err := u.dom.Store.ListBatches(rc.Request().Context(), rc.who.Scope, 200)
	if err != nil {
		return err
	}
	return u.ok(rc, "batches", stationData{Batches: bs})
}

// upload takes the files of the upload form (field "files") and submits
// them as one batch through the API's Batches, with the same limits as
// POST /v1/batches. The page's script sends it with XMLHttpRequest (for
// the progress bar) and gets {"id","url"} back; without script the form
// posts and is redirected to the batch.
func (u *UI) upload(rc *reqCtx) error {
	if u.dom.Batches == nil {
		return uiErrorf(http.StatusServiceUnavailable, "err.nopipeline")
	}
	lim := u.api.Limits()
	req := rc.Request()
	if err := u.parseForm(rc, lim.Upload); err != nil {
		return err
	}
	defer req.MultipartForm.RemoveAll()
	files := req.MultipartForm.File["files"]
	if len(files) == 0 {
		return uiErrorf(http.StatusBadRequest, "err.nofiles")
	}
	if len(files) > lim.MaxFiles {
		return uiErrorf(http.StatusRequestEntityTooLarge, "err.toomanyfiles", len(files), lim.MaxFiles)
	}
	ups := make([]intake.File, 0, len(files))
	for _, fh := range files {
		if fh.Size == 0 {
			return uiErrorf(http.StatusUnprocessableEntity, "err.emptyfile", cleanName(fh.Filename))
		}
		ups = append(ups, toUpload(fh))
	}
	sub, err := u.dom.Batches.Submit(req.Context(), rc.who, ups)
	if err != nil {
		return err
	}
	to := fmt.Sprintf("/ui/batches/%d", sub.Batch.ID)
	if isFragment(rc) {
		return rc.JSON(http.StatusAccepted, map[string]any{"id": sub.Batch.ID, "url": to, "files": sub.Files})
	}
	return rc.Redirect(http.StatusSeeOther, to)
}

// parseForm reads the request's multipart form (its files spooled to disk
// past the API's memory budget) if the body is at most limit bytes: 413
// over it, 400 when the body is not a form. The caller removes the
// form's files (req.MultipartForm.RemoveAll).
func (u *UI) parseForm(rc *reqCtx, limit int64) error {
	req := rc.Request()
	if req.ContentLength > limit {
		return uiErrorf(http.StatusRequestEntityTooLarge, "err.toobig")
	}
	req.Body = http.MaxBytesReader(rc.Response(), req.Body, limit)
	if err := req.ParseMultipartForm(u.api.Limits().MultipartMemory); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return uiErrorf(http.StatusRequestEntityTooLarge, "err.toobig")
		}
		return uiErrorf(http.StatusBadRequest, "err.nofiles")
	}
	return nil
}

func toUpload(fh *multipart.FileHeader) intake.File {
	return intake.File{Name: cleanName(fh.Filename), MediaType: fh.Header.Get(echo.HeaderContentType), Size: fh.Size,
		Open: func() (io.ReadCloser, error) { return fh.Open() }}
}

// cleanName keeps the base name of a client's file name without control
// characters, at most 200 bytes cut on a character boundary.
func cleanName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, name)
	if len(name) > 200 {
		cut := 200
		for cut > 0 && !utf8Start(name[cut]) {
			cut--
		}
		name = name[:cut]
	}
	if name == "" || name == "." || name == "/" {
		name = "upload"
	}
	return name
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// pathID is the {id} of a path; anything but a positive integer is a
// thing that does not exist (404), as in the API.
func pathID(rc *reqCtx) (int64, error) {
	id, err := strconv.ParseInt(rc.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, uiErrorf(http.StatusNotFound, "err.notfound")
	}
	return id, nil
}

// ofPath gets what the path's {id} names, as the caller (so in its
// scope): a 404 for an id that is malformed, unknown or out of scope. get
// has the shape of the API's getters (api.Pages, api.Reviews); a store
// getter goes through api.Scoped.
func ofPath[T any](rc *reqCtx, get func(ctx context.Context, who api.Principal, id int64) (T, error)) (T, error) {
	id, err := pathID(rc)
	if err != nil {
		var zero T
		return zero, err
	}
	v, err := get(rc.Request().Context(), rc.who, id)
	if err != nil {
		return v, notFound(err)
	}
	return v, nil
}

// notFound turns the store's not-found (or out of scope) into the page's
// 404.
func notFound(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return uiErrorf(http.StatusNotFound, "err.notfound")
	}
	return err
}

type batchData struct {
	Batch store.Batch
	Pages []store.Page
}

// batch is a batch's page: counters that the page's script keeps current
// from /ui/batches/{id}/events, and its pages. It also answers
// /ui/batches/{id}/pages, the table htmx refreshes when the batch is done
// (the template gives htmx the fragment, a browser the page).
func (u *UI) batch(rc *reqCtx) error {
	b, err := ofPath(rc, api.Scoped(u.dom.Store.GetBatch))
	if err != nil {
		return err
	}
	ps, err := u.dom.Store.ListPages(rc.Request().Context(), b.ID, rc.who.Scope)
	if err != nil {
		return err
	}
	return u.ok(rc, "batch", batchData{Batch: b, Pages: ps})
}

// progressJSON is one event of the batch page's stream.
type progressJSON struct {
	Total    int               `json:"total"`
	Done     int               `json:"done"`
	OK       int               `json:"ok"`
	Review   int               `json:"review"`
	Rejected int               `json:"rejected"`
	Failed   int               `json:"failed"`
	Status   store.BatchStatus `json:"status"`
}

// batchEvents streams a batch's progress as server-sent events, from the
// same Progress and through the same stream (api.Server.StreamBatch) as
// the API's: "progress" events, then "done" once nothing is queued or
// running; the stream also ends when the server shuts down.
func (u *UI) batchEvents(rc *reqCtx) error {
	id, err := pathID(rc)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(rc.Request().Context())
	defer cancel()
	events, err := u.dom.Progress.Events(ctx, id, rc.who.Scope)
	if err != nil {
		return notFound(err)
	}
	return u.api.StreamBatch(rc, events, func(b store.Batch) any {
		p := b.Progress
		return progressJSON{Total: p.Total, Done: p.Finished, OK: p.OK, Review: p.Review,
			Rejected: p.Rejected, Failed: p.Failed, Status: b.Status}
	})
}

type pageData struct {
	Page   store.Page
	Result *page.Result
	Slots  []page.Slot
	Review []store.ReviewItem
}

// page shows one page: the scan with the overlay of what was read, the
// sheet identity, the reasons, every slot's values and flags, and its
// open review items.
func (u *UI) page(rc *reqCtx) error {
	p, err := ofPath(rc, api.Scoped(u.dom.Store.GetPage))
	if err != nil {
		return err
	}
	d := pageData{Page: p, Result: p.Result}
	if p.Result != nil {
		d.Slots = p.Result.Slots
	}
	d.Review, err = u.dom.Reviews.List(rc.Request().Context(), rc.who, store.ReviewFilter{Status: store.ReviewOpen, PageID: p.ID})
	if err != nil {
		return err
	}
	return u.ok(rc, "page", d)
}

// pageImage sends a page's original through the API's Pages.
func (u *UI) pageImage(rc *reqCtx) error {
	img, err := ofPath(rc, u.dom.Pages.Image)
	if err != nil {
		return err
	}
	defer img.Body.Close()
	rc.Response().Header().Set(echo.HeaderCacheControl, "private, max-age=3600")
	return rc.Stream(http.StatusOK, img.MediaType, img.Body)
}

// pageOverlay sends the page with what was read drawn on it.
func (u *UI) pageOverlay(rc *reqCtx) error {
	b, err := ofPath(rc, u.dom.Pages.Overlay)
	if err != nil {
		return err
	}
	rc.Response().Header().Set(echo.HeaderCacheControl, "private, no-cache")
	return rc.Blob(http.StatusOK, "image/png", b)
}
