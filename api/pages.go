package api

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"io"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/regfus/regfus/blob"
	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/overlay"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/scanfile"
	"github.com/regfus/regfus/store"
)

// Pages renders stored pages: the original, the overlay of what was read,
// and the crop a review item is about.
type Pages interface {
	// Image returns the original page: the stored bytes of a single-page
	// PNG or JPEG, else the page decoded and encoded as PNG.
	Image(ctx context.Context, who Principal, pageID int64) (Image, error)
	// Overlay returns the page with what was read drawn on it (PNG).
	// ErrNotReady when the page has not been read.
	Overlay(ctx context.Context, who Principal, pageID int64) ([]byte, error)
	// Crop returns the part of the page a review item is about (PNG).
	Crop(ctx context.Context, who Principal, item store.ReviewItem) ([]byte, error)
}

// Image is a page image to send.
type Image struct {
	MediaType string
	Body      io.ReadCloser
	Size      int64 // -1 when unknown
}

// blobPages is Pages over the store and the blob store. Pages are
// decoded with package scanfile like the pipeline does, so they have the
// pixels the reader saw (PDF pages at Config.Scan.PDFDPI).
type blobPages struct {
	store store.Store
	blobs blob.Store
	scan  scanfile.Options
}

func (bp *blobPages) page(ctx context.Context, who Principal, id int64) (store.Page, error) {
	if bp.blobs == nil {
		return store.Page{}, errorf(http.StatusServiceUnavailable, "page images are not available on this server")
	}
	p, err := bp.store.GetPage(ctx, id, who.Scope)
	if err != nil {
		return store.Page{}, notFound(err, "page", id)
	}
	return p, nil
}

func (bp *blobPages) Image(ctx context.Context, who Principal, id int64) (Image, error) {
	p, err := bp.page(ctx, who, id)
	if err != nil {
		return Image{}, err
	}
	if p.File.Pages == 1 {
		f, err := bp.blobs.Open(ctx, p.File.SHA256)
		if err != nil {
			return Image{}, fmt.Errorf("page %d: original %s: %w", id, p.File.SHA256, err)
		}
		head := make([]byte, 512)
		n, _ := io.ReadFull(f, head)
		switch mt := http.DetectContentType(head[:n]); mt {
		case "image/png", "image/jpeg":
			if _, err := f.Seek(0, io.SeekStart); err != nil {
				f.Close()
				return Image{}, err
			}
			return Image{MediaType: mt, Body: f, Size: p.File.Size}, nil
		}
		f.Close()
	}
	g, err := bp.decode(ctx, p)
	if err != nil {
		return Image{}, err
	}
	b, err := encodePNG(g)
	if err != nil {
		return Image{}, err
	}
	return Image{MediaType: "image/png", Body: io.NopCloser(bytes.NewReader(b)), Size: int64(len(b))}, nil
}

func (bp *blobPages) Overlay(ctx context.Context, who Principal, id int64) ([]byte, error) {
	p, err := bp.page(ctx, who, id)
	if err != nil {
		return nil, err
	}
	if p.Result == nil {
		return nil, wrap(http.StatusConflict, ErrNotReady, "page %d is %s: there is no reading to draw yet", id, p.State)
	}
	g, err := bp.decode(ctx, p)
	if err != nil {
		return nil, err
	}
	return encodePNG(overlay.Draw(g, p.Result, layoutOf(p.Result)))
}

func (bp *blobPages) Crop(ctx context.Context, who Principal, it store.ReviewItem) ([]byte, error) {
	p, err := bp.page(ctx, who, it.PageID)
	if err != nil {
		return nil, err
	}
	g, err := bp.decode(ctx, p)
	if err != nil {
		return nil, err
	}
	return encodePNG(overlay.Crop(g, p.Result, layoutOf(p.Result), it.Slot, it.Field))
}

// decode reads the page's pixels from its original.
func (bp *blobPages) decode(ctx context.Context, p store.Page) (*image.Gray, error) {
	path, err := bp.blobs.File(ctx, p.File.SHA256)
	if err != nil {
		return nil, fmt.Errorf("page %d: original %s: %w", p.ID, p.File.SHA256, err)
	}
	pg, err := scanfile.ReadPage(ctx, path, bp.scan, p.Index)
	if err != nil {
		return nil, err
	}
	return pg.Image, nil
}

// layoutOf is the layout the page was read against.
func layoutOf(r *page.Result) *layout.Layout {
	if r != nil && r.LayoutVersion > 0 {
		if l, err := layout.Version(r.LayoutVersion); err == nil {
			return l
		}
	}
	return layout.Current()
}

func encodePNG(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(w, img); err != nil {
		return nil, err
	}
	w.Flush()
	return buf.Bytes(), nil
}

// pageImage: GET /v1/pages/{id}/image.
func (s *Server) pageImage(c echo.Context) error {
	img, err := ofPath(c, "page", s.pages.Image)
	if err != nil {
		return err
	}
	defer img.Body.Close()
	if img.Size >= 0 {
		c.Response().Header().Set(echo.HeaderContentLength, strconv.FormatInt(img.Size, 10))
	}
	return c.Stream(http.StatusOK, img.MediaType, img.Body)
}

// pageOverlay: GET /v1/pages/{id}/overlay.
func (s *Server) pageOverlay(c echo.Context) error {
	b, err := ofPath(c, "page", s.pages.Overlay)
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, "image/png", b)
}

// reviewCrop: GET /v1/review/{id}/crop.
func (s *Server) reviewCrop(c echo.Context) error {
	id, err := pathID(c, "review item")
	if err != nil {
		return err
	}
	who := mustPrincipal(c)
	it, err := s.reviews.Get(c.Request().Context(), who, id)
	if err != nil {
		return notFound(err, "review item", id)
	}
	b, err := s.pages.Crop(c.Request().Context(), who, it)
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, "image/png", b)
}
