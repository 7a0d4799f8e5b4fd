package api_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/regfus/regfus/api"
	"github.com/regfus/regfus/auth"
	"github.com/regfus/regfus/records"
	"github.com/regfus/regfus/store"
)

func recordsTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "records", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestBadInput sends what a careless or hostile client sends, on both
// stores, and checks the status and that the error says what is wrong.
func TestBadInput(t *testing.T) {
	bothStores(t, testBadInput)
}

func testBadInput(t *testing.T, kind string) {
	e := newEnv(t, kind, envOptions{configure: func(c *api.Config) {
		c.Limits.Check = 200 << 10 // 200 KiB: scans of testdata are bigger
		c.Limits.JSON = 1 << 10
	}})
	admin := e.key(auth.Scope{Role: auth.Admin})
	png := readScan(t, scanClean)

	// A processed page, for the routes that need one.
	batch := e.upload(admin, scanOther)
	e.follow(admin, batch)
	var pages pageList
	e.do(req{method: "GET", path: fmt.Sprintf("/v1/batches/%d/pages", batch), key: admin}).json(t, &pages)
	var review reviewList
	e.do(req{method: "GET", path: "/v1/review", key: admin}).json(t, &review)
	var prog int64
	for _, it := range review.Items {
		if it.Field == "progressive" {
			prog = it.ID
		}
	}
	if prog == 0 {
		t.Fatalf("no progressive review item: %+v", review.Items)
	}

	noFiles, noFilesCT := multipartBody(t)
	wrongField, wrongFieldCT := multipartBody(t, part{"file", "a.png", png})
	empty, emptyCT := multipartBody(t, part{"files", "empty.png", nil})
	text, textCT := multipartBody(t, part{"files", "notes.png", []byte("these are my notes, not a scan\n")})
	twoChecks, twoChecksCT := multipartBody(t, part{"file", "a.png", []byte("a")}, part{"file", "b.png", []byte("b")})
	bigCheck, bigCheckCT := multipartBody(t, part{"file", "big.png", png})
	emptyCheck, emptyCheckCT := multipartBody(t, part{"file", "empty.tif", nil})
	zip, zipCT := multipartBody(t, part{"file", "scan.pdf", []byte("PK\x03\x04 this is a zip archive")})

	badRecords := recordsTestdata(t, "records_bad.csv")
	_, wantErr := records.ParseRecords(badRecords, "records_bad.csv", records.CSV)
	var want *records.ValidationError
	if !errors.As(wantErr, &want) {
		t.Fatalf("records_bad.csv is not rejected by package records: %v", wantErr)
	}

	for _, c := range []struct {
		name       string
		r          req
		status     int
		msg        string // in the error message
		retryAfter bool
	}{
		// Uploads.
		{"empty upload", req{method: "POST", path: "/v1/batches", body: noFiles, contentType: noFilesCT}, 400, `no file in field "files"`, false},
		{"upload in the wrong field", req{method: "POST", path: "/v1/batches", body: wrongField, contentType: wrongFieldCT}, 400, "sent as file", false},
		{"zero-byte file", req{method: "POST", path: "/v1/batches", body: empty, contentType: emptyCT}, 422, "empty.png: zero-byte file", false},
		{"not an image", req{method: "POST", path: "/v1/batches", body: text, contentType: textCT}, 422, "looks like text", false},
		{"not multipart", req{method: "POST", path: "/v1/batches", body: []byte(`{"files":[]}`), contentType: "application/json"}, 415, "want multipart/form-data", false},
		{"no content type", req{method: "POST", path: "/v1/batches", body: png}, 415, "Content-Type none", false},
		{"broken multipart", req{method: "POST", path: "/v1/batches", body: []byte("--x\r\nnot a part"), contentType: "multipart/form-data; boundary=x"}, 400, "malformed multipart", false},
		{"multipart without boundary", req{method: "POST", path: "/v1/batches", body: []byte("x"), contentType: "multipart/form-data"}, 400, "malformed multipart", false},
		// Check.
		{"check of two files", req{method: "POST", path: "/v1/check", body: twoChecks, contentType: twoChecksCT}, 400, "one file at a time", false},
		{"check over the limit", req{method: "POST", path: "/v1/check", body: bigCheck, contentType: bigCheckCT}, 413, "over the limit", false},
		{"check of a zero-byte file", req{method: "POST", path: "/v1/check", body: emptyCheck, contentType: emptyCheckCT}, 422, "zero-byte", false},
		{"check of a zip", req{method: "POST", path: "/v1/check", body: zip, contentType: zipCT}, 422, "ZIP", false},
		// Imports.
		{"malformed records CSV", req{method: "POST", path: "/v1/records", body: badRecords, contentType: "text/csv",
			header: map[string]string{"Content-Disposition": `attachment; filename="records_bad.csv"`}}, 400, "records_bad.csv: records rejected, nothing imported", false},
		{"malformed declarations CSV", req{method: "POST", path: "/v1/declarations", body: recordsTestdata(t, "declarations_bad.csv"), contentType: "text/csv"}, 400, "request body: declarations rejected", false},
		{"malformed records JSON", req{method: "POST", path: "/v1/records", body: recordsTestdata(t, "records_bad.json"), contentType: "application/json"}, 400, "records rejected", false},
		{"CSV sent as JSON", req{method: "POST", path: "/v1/records", body: recordsTestdata(t, "records.csv"), contentType: "application/json"}, 400, "records rejected", false},
		{"empty import", req{method: "POST", path: "/v1/declarations", contentType: "text/csv"}, 400, "empty body", false},
		{"import as text/plain", req{method: "POST", path: "/v1/records", body: recordsTestdata(t, "records.csv"), contentType: "text/plain"}, 415, "want application/json or text/csv", false},
		{"import as multipart", req{method: "POST", path: "/v1/declarations", body: noFiles, contentType: noFilesCT}, 415, "not accepted", false},
		// Corrections.
		{"correction not JSON", req{method: "POST", path: fmt.Sprintf("/v1/review/%d", prog), body: []byte("4"), contentType: "text/csv"}, 415, "want application/json", false},
		{"correction body broken", req{method: "POST", path: fmt.Sprintf("/v1/review/%d", prog), body: []byte(`{"value":`), contentType: "application/json"}, 400, "not a JSON object", false},
		{"correction without value", req{method: "POST", path: fmt.Sprintf("/v1/review/%d", prog), body: []byte(`{"note":"x"}`), contentType: "application/json"}, 400, `no "value"`, false},
		{"correction with unknown key", req{method: "POST", path: fmt.Sprintf("/v1/review/%d", prog), body: []byte(`{"value":"4","who":"me"}`), contentType: "application/json"}, 400, "unknown field", false},
		{"correction with a bad value", req{method: "POST", path: fmt.Sprintf("/v1/review/%d", prog), body: []byte(`{"value":"four"}`), contentType: "application/json"}, 400, "progressive", false},
		{"correction over the limit", req{method: "POST", path: fmt.Sprintf("/v1/review/%d", prog), body: []byte(`{"value":"4","note":"` + strings.Repeat("x", 2000) + `"}`), contentType: "application/json"}, 413, "over the limit", false},
		// Unknown ids and paths.
		{"unknown batch", req{method: "GET", path: "/v1/batches/999999"}, 404, "batch 999999 not found", false},
		{"batch id not a number", req{method: "GET", path: "/v1/batches/abc"}, 404, `batch "abc" not found`, false},
		{"negative batch id", req{method: "GET", path: "/v1/batches/-1/pages"}, 404, "not found", false},
		{"unknown batch events", req{method: "GET", path: "/v1/batches/999999/events"}, 404, "not found", false},
		{"unknown page", req{method: "GET", path: "/v1/pages/999999"}, 404, "page 999999 not found", false},
		{"unknown page image", req{method: "GET", path: "/v1/pages/999999/image"}, 404, "not found", false},
		{"unknown page overlay", req{method: "GET", path: "/v1/pages/999999/overlay"}, 404, "not found", false},
		{"unknown review item", req{method: "GET", path: "/v1/review/999999"}, 404, "review item 999999 not found", false},
		{"correction of an unknown item", req{method: "POST", path: "/v1/review/999999", body: []byte(`{"value":"4"}`), contentType: "application/json"}, 404, "not found", false},
		{"unknown crop", req{method: "GET", path: "/v1/review/999999/crop"}, 404, "not found", false},
		{"unknown path", req{method: "GET", path: "/v1/nothing"}, 404, "no such path", false},
		{"wrong method", req{method: "DELETE", path: "/v1/batches"}, 405, "method not allowed", false},
		// Bad queries.
		{"bad ASL filter", req{method: "GET", path: "/v1/reconciliations?asl=2x5"}, 400, "asl", false},
		{"bad competence filter", req{method: "GET", path: "/v1/reconciliations?competence=2025-13"}, 400, "competence", false},
		{"bad review status", req{method: "GET", path: "/v1/review?status=later"}, 400, "open, resolved or any", false},
		{"bad limit", req{method: "GET", path: "/v1/batches?limit=0"}, 400, "limit", false},
		{"bad batch filter", req{method: "GET", path: "/v1/review?batch=x"}, 400, "batch", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.r.key = admin
			r := e.do(c.r)
			if r.status != c.status {
				t.Fatalf("%s %s: %s, want %d", c.r.method, c.r.path, r, c.status)
			}
			var ej errorJSON
			r.json(t, &ej)
			if !strings.Contains(ej.Error, c.msg) {
				t.Errorf("error %q does not say %q", ej.Error, c.msg)
			}
		})
	}

	// The rejected records file: every problem package records finds is in
	// the answer, with its line and column.
	r := e.do(req{method: "POST", path: "/v1/records", key: admin, body: badRecords, contentType: "text/csv",
		header: map[string]string{"Content-Disposition": `attachment; filename="records_bad.csv"`}})
	var ej errorJSON
	r.json(t, &ej)
	if len(ej.Problems) != len(want.Problems) {
		t.Fatalf("%d problems, want %d: %s", len(ej.Problems), len(want.Problems), r)
	}
	for i, p := range ej.Problems {
		w := want.Problems[i]
		if p.File != "records_bad.csv" || p.Line != w.Line || p.Column != w.Column || p.Field != w.Field || p.Message != w.Message || p.Line < 2 {
			t.Errorf("problem %d = %+v, want %+v", i, p, w)
		}
	}
	// Nothing of it was imported.
	var rec struct {
		Groups []any `json:"groups"`
	}
	e.do(req{method: "GET", path: "/v1/reconciliations?pharmacy=99999", key: admin}).json(t, &rec)
	if len(rec.Groups) != 0 {
		t.Errorf("a rejected import left reconciliations: %+v", rec.Groups)
	}

	// An upload over the limit, with and without Content-Length.
	small := newEnv(t, kind, envOptions{configure: func(c *api.Config) { c.Limits.Upload = 64 << 10 }})
	skey := small.key(auth.Scope{Role: auth.Admin})
	body, ct := multipartBody(t, part{"files", scanClean, png})
	if r := small.do(req{method: "POST", path: "/v1/batches", key: skey, body: body, contentType: ct}); r.status != 413 {
		t.Errorf("oversize upload with Content-Length: %s, want 413", r)
	}
	hr, _ := http.NewRequest("POST", small.url+"/v1/batches", io.MultiReader(bytes.NewReader(body))) // no length: chunked
	hr.Header.Set("Authorization", "Bearer "+skey)
	hr.Header.Set("Content-Type", ct)
	res, err := http.DefaultClient.Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 413 || !strings.Contains(string(b), "over the limit") {
		t.Errorf("oversize chunked upload: %d %s, want 413", res.StatusCode, b)
	}

	// The overlay of a page not read yet is a conflict, not a broken
	// image; its original is there already. (No engine: the page stays
	// queued.)
	idle := newEnv(t, kind, envOptions{noEngine: true})
	ikey := idle.key(auth.Scope{Role: auth.Admin})
	ref, _, err := idle.blobs.Put(context.Background(), bytes.NewReader(png))
	if err != nil {
		t.Fatal(err)
	}
	bc, err := idle.store.CreateBatch(t.Context(), store.NewBatch{Owner: auth.Scope{Role: auth.Admin},
		Files: []store.NewFile{{SHA256: ref.SHA256, Name: "q.png", Size: ref.Size, MediaType: "image/png", BlobPath: ref.Path, Pages: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	ps, err := idle.store.ListPages(t.Context(), bc.Batch.ID, auth.Scope{Role: auth.Admin})
	if err != nil || len(ps) != 1 {
		t.Fatalf("pages of the idle batch: %v %v", ps, err)
	}
	if r := idle.do(req{method: "GET", path: fmt.Sprintf("/v1/pages/%d/overlay", ps[0].ID), key: ikey}); r.status != 409 {
		t.Errorf("overlay of a queued page: %s, want 409", r)
	}
	if r := idle.do(req{method: "GET", path: fmt.Sprintf("/v1/pages/%d/image", ps[0].ID), key: ikey}); r.status != 200 || !bytes.Equal(r.body, png) {
		t.Errorf("image of a queued page: %s, want the original bytes", r)
	}
	// Without an engine the routes that need one say so.
	body, ct = multipartBody(t, part{"files", scanClean, png})
	if r := idle.do(req{method: "POST", path: "/v1/batches", key: ikey, body: body, contentType: ct}); r.status != 503 {
		t.Errorf("upload without an engine: %s, want 503", r)
	}
}
