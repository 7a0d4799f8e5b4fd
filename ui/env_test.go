package ui_test

// The interface's tests run the real service over real HTTP
// (httptest.NewServer): the API server of package api with the interface
// mounted on it, the processing engine of package process through
// api/bind, a SQLite store in a temporary directory and real blobs. The
// interface adds no SQL of its own (it calls the API's domain
// interfaces, whose both stores are tested by the API's and the store's
// suites), so its tests run on SQLite only, to keep them quick. Pages are
// read with bars-only readers (no Tesseract): the handwritten fields
// (progressive, count, date) then always go to review, which gives the
// review tests something certain to correct.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/regfus/regfus/api"
	"github.com/regfus/regfus/api/bind"
	"github.com/regfus/regfus/auth"
	"github.com/regfus/regfus/blob"
	"github.com/regfus/regfus/internal/clitest"
	"github.com/regfus/regfus/internal/servicetest"
	"github.com/regfus/regfus/process"
	"github.com/regfus/regfus/sheet"
	"github.com/regfus/regfus/store"
	"github.com/regfus/regfus/synth"
	"github.com/regfus/regfus/ui"
)

// The scans of testdata/scans/ used here. All are sheets of pharmacy
// 120-202-93161, June 2025, except where said.
const (
	scanClean    = "0009-clean.png"       // progressive 4, 28 fustelle
	scanOther    = "0001-clean.png"       // progressive 1, no fustella
	scanBitonal  = "0003-bitonal.tif"     // progressive 2, 16 fustelle
	scanUpside   = "0004-upside-down.png" // progressive 3
	scanPharmacy = "93161"
	scanASL      = "202"
	scanMonth    = "2025-06"
	// scanSuggests is a sheet of pharmacy 120-201-31578 whose progressive
	// and count are read but not accepted: their items carry suggestions.
	scanSuggests = "0002-office.jpg"
)

func scanPath(name string) string {
	p, err := filepath.Abs(filepath.Join("..", "testdata", "scans", name))
	if err != nil {
		panic(err)
	}
	return p
}

// env is one running service with the interface.
type env struct {
	t     *testing.T
	url   string
	store store.Store
	srv   *api.Server
	ui    *ui.UI
}

func newEnv(t *testing.T) *env {
	t.Helper()
	st := servicetest.SQLite(t, t.TempDir())
	blobs, err := blob.Open(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if os.Getenv("UI_TEST_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	eng := servicetest.Started(t, process.Config{
		Store: st, Blobs: blobs, Queue: process.LocalQueue(t.TempDir()),
		Workers: 2, CPU: 2, Logger: log, PollInterval: 50 * time.Millisecond,
		NewReader: servicetest.BarsOnly,
	})
	srv, err := api.New(bind.Engine{E: eng}.Config(api.Config{Store: st, Blobs: blobs, Logger: log, PollInterval: 50 * time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	u, err := ui.New(ui.Config{API: srv, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		srv.CloseStreams()
		ts.Close()
	})
	return &env{t: t, url: ts.URL, store: st, srv: srv, ui: u}
}

// key creates a key with the given scope and returns its secret.
func (e *env) key(sc auth.Scope) string { return servicetest.Key(e.t, e.store, sc) }

// The scopes the tests use.
var (
	stationScope   = auth.Scope{Role: auth.Station, Key: sheet.Key{Region: "120", ASL: scanASL}}
	validatorScope = auth.Scope{Role: auth.Validator, Key: sheet.Key{Region: "120"}}
	pharmacyScope  = auth.Scope{Role: auth.Pharmacy, Key: sheet.Key{Region: "120", ASL: scanASL, Pharmacy: scanPharmacy}}
	otherPharmacy  = auth.Scope{Role: auth.Pharmacy, Key: sheet.Key{Region: "120", ASL: scanASL, Pharmacy: "93364"}}
)

// apiDo calls the REST API with a key.
func (e *env) apiDo(method, path, key string, body []byte, ctype string) (int, []byte) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.url+path, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// upload submits scans through the API and waits until they are read.
func (e *env) upload(key string, scans ...string) int64 {
	e.t.Helper()
	id := clitest.Upload(e.t, e.url, key, scanPaths(scans)...)
	e.waitBatch(key, id)
	return id
}

// scanPaths is the paths of the committed scans named.
func scanPaths(scans []string) []string {
	paths := make([]string, len(scans))
	for i, s := range scans {
		paths[i] = scanPath(s)
	}
	return paths
}

// waitBatch waits until the batch is read to its end.
func (e *env) waitBatch(key string, id int64) {
	e.t.Helper()
	c := &clitest.Client{T: e.t, Base: e.url, Key: key}
	c.WaitFor(id, clitest.UntilDeadline(e.t), "read", clitest.Finished)
}

// readTruth is the ground truth of a committed scan.
func readTruth(t *testing.T, scan string) synth.Page { return servicetest.Truth(t, scanPath(scan)) }

// importMonth imports a declaration of 4 sheets and the records of what
// is on the given scans for pharmacy 93161 (as a validator), so that
// reconciliations exist.
func (e *env) importMonth(validator string, scans ...string) {
	e.t.Helper()
	decl := "region,asl,pharmacy,competence,bundle,sheets,gross_amount,ticket\n120,202,93161,2025-06,REGFUS,4,0,0\n"
	if st, body := e.apiDo("POST", "/v1/declarations", validator, []byte(decl), "text/csv"); st != 200 {
		e.t.Fatalf("declarations: %d %s", st, body)
	}
	recs := servicetest.Records(e.t, sheet.Key{Region: "120", ASL: scanASL, Pharmacy: scanPharmacy, Competence: scanMonth}, "2025-06-03", scanPaths(scans)...)
	b, _ := json.Marshal(recs)
	if st, body := e.apiDo("POST", "/v1/records", validator, b, "application/json"); st != 200 {
		e.t.Fatalf("records: %d %s", st, body)
	}
}

// reviewItems lists review items through the API.
type reviewItem struct {
	ID         int64           `json:"id"`
	PageID     int64           `json:"page_id"`
	Field      string          `json:"field"`
	Status     string          `json:"status"`
	Value      json.RawMessage `json:"value"`
	Suggestion *struct {
		Text       string  `json:"text"`
		Confidence float64 `json:"confidence"`
		Source     string  `json:"source"`
		Why        string  `json:"why"`
	} `json:"suggestion"`
	Corrections []struct {
		KeyID string          `json:"key_id"`
		After json.RawMessage `json:"after"`
	} `json:"corrections"`
}

func (e *env) reviewItems(key, status string) []reviewItem {
	e.t.Helper()
	st, body := e.apiDo("GET", "/v1/review?status="+status, key, nil, "")
	if st != 200 {
		e.t.Fatalf("review list: %d %s", st, body)
	}
	var out struct {
		Items []reviewItem `json:"items"`
	}
	json.Unmarshal(body, &out)
	return out.Items
}

// pagesOf lists the pages of a batch through the API.
func (e *env) pagesOf(key string, batch int64) []struct {
	ID     int64  `json:"id"`
	Source string `json:"source"`
} {
	e.t.Helper()
	_, body := e.apiDo("GET", fmt.Sprintf("/v1/batches/%d/pages", batch), key, nil, "")
	var out struct {
		Pages []struct {
			ID     int64  `json:"id"`
			Source string `json:"source"`
		} `json:"pages"`
	}
	json.Unmarshal(body, &out)
	return out.Pages
}

// reviewItem gets one review item, with its corrections, through the API.
func (e *env) reviewItem(key string, id int64) reviewItem {
	e.t.Helper()
	st, body := e.apiDo("GET", fmt.Sprintf("/v1/review/%d", id), key, nil, "")
	if st != 200 {
		e.t.Fatalf("review item %d: %d %s", id, st, body)
	}
	var it reviewItem
	json.Unmarshal(body, &it)
	return it
}
