package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/sheet"
	"github.com/regfus/regfus/store"
)

// Reviews is what waits for a person, and their corrections.
type Reviews interface {
	List(ctx context.Context, who Principal, f store.ReviewFilter) ([]store.ReviewItem, error)
	Get(ctx context.Context, who Principal, id int64) (store.ReviewItem, error)
	// Correct records a correction of item id and returns the item with
	// its corrections (see Corrector).
	Correct(ctx context.Context, who Principal, id int64, value json.RawMessage, note string) (store.ReviewItem, bool, error)
}

// storeReviews is Reviews over the store, corrections going to the engine.
type storeReviews struct {
	store     store.Store
	corrector Corrector
}

func (rv *storeReviews) List(ctx context.Context, who Principal, f store.ReviewFilter) ([]store.ReviewItem, error) {
	f.Scope = who.Scope
	return rv.store.ListReview(ctx, f)
}

func (rv *storeReviews) Get(ctx context.Context, who Principal, id int64) (store.ReviewItem, error) {
	return rv.store.GetReview(ctx, id, who.Scope)
}

func (rv *storeReviews) Correct(ctx context.Context, who Principal, id int64, value json.RawMessage, note string) (store.ReviewItem, bool, error) {
	if rv.corrector == nil {
		return store.ReviewItem{}, false, errNoPipeline
	}
	it, ok, err := rv.corrector.Correct(ctx, who, id, value, note)
	if err != nil {
		return store.ReviewItem{}, false, notFound(err, "review item", id)
	}
	return it, ok, nil
}

// reviewJSON is a review item as the API shows it.
type reviewJSON struct {
	ID          int64              `json:"id"`
	PageID      int64              `json:"page_id"`
	BatchID     int64              `json:"batch_id"`
	SHA256      string             `json:"sha256"`
	Page        int                `json:"page"`
	Slot        int                `json:"slot"`
	Field       string             `json:"field"`
	Reason      string             `json:"reason"`
	Value       json.RawMessage    `json:"value"`
	Suggestion  *page.Suggestion   `json:"suggestion"`
	Status      store.ReviewStatus `json:"status"`
	CreatedAt   time.Time          `json:"created_at"`
	ResolvedAt  *time.Time         `json:"resolved_at"`
	Group       *sheet.Key         `json:"group"`
	Crop        string             `json:"crop"`
	Image       string             `json:"image"`
	Corrections []correctionJSON   `json:"corrections,omitempty"`
	Reconciled  *bool              `json:"reconciled,omitempty"`
}

type correctionJSON struct {
	KeyID  string          `json:"key_id"`
	At     time.Time       `json:"at"`
	Before json.RawMessage `json:"before"`
	After  json.RawMessage `json:"after"`
	Note   string          `json:"note,omitempty"`
}

func nullJSON(v json.RawMessage) json.RawMessage {
	if len(v) == 0 {
		return json.RawMessage("null")
	}
	return v
}

func reviewView(it store.ReviewItem) reviewJSON {
	v := reviewJSON{ID: it.ID, PageID: it.PageID, BatchID: it.BatchID, SHA256: it.FileSHA256, Page: it.PageIndex,
		Slot: it.Slot, Field: it.Field, Reason: it.Reason, Value: nullJSON(it.Value), Suggestion: it.Suggestion, Status: it.Status,
		CreatedAt: it.CreatedAt.UTC(), Crop: fmt.Sprintf("/v1/review/%d/crop", it.ID), Image: fmt.Sprintf("/v1/pages/%d/image", it.PageID)}
	if !it.ResolvedAt.IsZero() {
		t := it.ResolvedAt.UTC()
		v.ResolvedAt = &t
	}
	v.Group = it.Group
	for _, c := range it.Corrections {
		v.Corrections = append(v.Corrections, correctionJSON{KeyID: c.KeyID, At: c.At.UTC(), Before: nullJSON(c.Before), After: nullJSON(c.After), Note: c.Note})
	}
	return v
}

// listReview: GET /v1/review.
func (s *Server) listReview(c echo.Context) error {
	f := store.ReviewFilter{Status: store.ReviewOpen}
	switch st := c.QueryParam("status"); st {
	case "", "open":
	case "resolved":
		f.Status = store.ReviewResolved
	case "any":
		f.Status = ""
	default:
		return errorf(http.StatusBadRequest, "query parameter status=%q: want open, resolved or any", st)
	}
	var err error
	if f.BatchID, err = queryInt(c, "batch", 0, 0); err != nil {
		return err
	}
	if f.PageID, err = queryInt(c, "page", 0, 0); err != nil {
		return err
	}
	limit, err := queryInt(c, "limit", 200, 1000)
	if err != nil {
		return err
	}
	f.Limit = int(limit)
	items, err := s.reviews.List(c.Request().Context(), mustPrincipal(c), f)
	if err != nil {
		return err
	}
	out := struct {
		Items []reviewJSON `json:"items"`
	}{Items: viewAll(items, reviewView)}
	return c.JSON(http.StatusOK, out)
}

// getReview: GET /v1/review/{id}.
func (s *Server) getReview(c echo.Context) error {
	return getByID(c, "review item", s.reviews.Get, reviewView)
}

// correctReview: POST /v1/review/{id}.
func (s *Server) correctReview(c echo.Context) error {
	id, err := pathID(c, "review item")
	if err != nil {
		return err
	}
	// Value is a json.RawMessage, not a pointer: a pointer would be nil
	// for an explicit null as for a missing key, and null is a valid
	// correction (issue 13). A present key always leaves at least "null".
	var body struct {
		Value json.RawMessage `json:"value"`
		Note  string          `json:"note"`
	}
	data, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return wrap(http.StatusBadRequest, err, "body is not a JSON object: want {\"value\": ..., \"note\": \"...\"}")
		}
		return wrap(http.StatusBadRequest, err, "body: %v: want {\"value\": ..., \"note\": \"...\"}", err)
	}
	if len(body.Value) == 0 {
		return errorf(http.StatusBadRequest, "body has no \"value\": send the right value (null when the field is empty)")
	}
	if len(body.Note) > 2000 {
		return errorf(http.StatusBadRequest, "note of %d bytes is over 2000", len(body.Note))
	}
	it, reconciled, err := s.reviews.Correct(c.Request().Context(), mustPrincipal(c), id, body.Value, body.Note)
	if err != nil {
		return err
	}
	v := reviewView(it)
	v.Reconciled = &reconciled
	return c.JSON(http.StatusOK, v)
}
