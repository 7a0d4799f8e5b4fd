package api_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/regfus/regfus/api"
	"github.com/regfus/regfus/process"
)

// Regression tests for the reproductions of issue 13, on both stores.

// Hole 2: uploads are judged against the uploader's scope, and uploading
// bytes someone else uploaded gives pages of one's own, never access to
// theirs; a pharmacy's GET of its page shows its own name and batch.
func TestUploadScopeAndSharedContent(t *testing.T) { bothStores(t, testUploadScopeAndSharedContent) }

func testUploadScopeAndSharedContent(t *testing.T, kind string) {
	e := newEnv(t, kind, envOptions{})
	admin := e.key(wAdmin)
	pharm201 := e.key(wPharm1)
	pharm201b := e.key(wPharm1b)
	station201 := e.key(wStation1)
	pharmacy := e.key(wPharmacy)

	// A pharmacy (120-201-31578) uploads another pharmacy's sheet
	// (120-201-93364): rejected out_of_scope, invisible to 93364.
	_, ps := e.uploadBytes(pharm201, scanPart(t, sheet201Other))
	if len(ps) != 1 || ps[0].Status == nil || *ps[0].Status != "rejected" || !hasReason(ps[0], "out_of_scope") {
		t.Fatalf("pharmacy uploads another's sheet: %+v", ps)
	}
	if r := e.do(req{method: "GET", path: fmt.Sprintf("/v1/pages/%d", ps[0].ID), key: pharm201b}); r.status != 404 {
		t.Errorf("the sheet's pharmacy sees the other pharmacy's upload: %s", r)
	}
	if n := e.groupsOf(admin, "120", "201", "93364"); n != 0 {
		t.Errorf("the out-of-scope sheet reached 93364's reconciliation: %d groups", n)
	}

	// Station 201 uploads a sheet of ASL 202, then its pharmacy uploads
	// the same bytes under its own name.
	data := readScan(t, sheet202)
	stBatch, stPages := e.uploadBytes(station201, part{"files", "station-copy.png", data})
	if len(stPages) != 1 || !hasReason(stPages[0], "out_of_scope") {
		t.Fatalf("station 201's upload of a 202 sheet: %+v", stPages)
	}
	phBatch, phPages := e.uploadBytes(pharmacy, part{"files", "mine.png", data})
	if len(phPages) != 1 || phPages[0].ID == stPages[0].ID || hasReason(phPages[0], "out_of_scope") {
		t.Fatalf("the pharmacy's upload of the same bytes: %+v (station's page %d)", phPages, stPages[0].ID)
	}
	var got pageJSON
	e.do(req{method: "GET", path: fmt.Sprintf("/v1/pages/%d", phPages[0].ID), key: pharmacy}).json(t, &got)
	if got.Source != "mine.png" || got.BatchID != phBatch {
		t.Errorf("pharmacy's GET of its page: source %q batch %d, want mine.png and %d", got.Source, got.BatchID, phBatch)
	}
	// The station gains nothing from the shared bytes.
	phItems := e.itemsOf(pharmacy, phPages[0].ID)
	if len(phItems) == 0 {
		t.Fatal("the pharmacy's page has no review items (bars-only reading leaves the progressive unread)")
	}
	if r := e.do(req{method: "GET", path: fmt.Sprintf("/v1/pages/%d", phPages[0].ID), key: station201}); r.status != 404 {
		t.Errorf("station 201 GETs the pharmacy's page: %s, want 404", r)
	}
	if its := e.itemsOf(station201, phPages[0].ID); len(its) != 0 {
		t.Errorf("station 201 lists %d review items of the pharmacy's page", len(its))
	}
	r := e.do(req{method: "POST", path: fmt.Sprintf("/v1/review/%d", phItems[0].ID), key: station201,
		body: []byte(`{"value":null}`), contentType: "application/json"})
	if r.status != 404 {
		t.Errorf("station 201 corrects the pharmacy's item: %s, want 404", r)
	}
	// Its own out-of-scope page cannot be turned into the 202 sheet.
	own := e.itemsOf(station201, stPages[0].ID)
	if len(own) != 1 || own[0].Field != "page" || !strings.HasPrefix(own[0].Reason, "out_of_scope") {
		t.Fatalf("station 201's out-of-scope page: items %+v", own)
	}
	r = e.do(req{method: "POST", path: fmt.Sprintf("/v1/review/%d", own[0].ID), key: station201,
		body: wholeSheet("12020293161062025"), contentType: "application/json"})
	if r.status != 403 {
		t.Errorf("station 201 keys its out-of-scope page in as a 202 sheet: %s, want 403", r)
	}
	// Its batch still shows its page as it named it.
	if ps := e.batchPages(station201, stBatch); len(ps) != 1 || ps[0].Source != "station-copy.png" {
		t.Errorf("station 201's batch: %+v", ps)
	}
}

// Hole 3: a failed upload leaves no blob; the queue limit counts the
// request's own pages (hole 4) and its refusal leaves no blob either; the
// collector removes what a crash left.
func TestFailedUploadsKeepNoBlobs(t *testing.T) { bothStores(t, testFailedUploads) }

func countBlobs(t *testing.T, e *env) int {
	t.Helper()
	n := 0
	if err := e.blobs.Walk(context.Background(), func(string, time.Time) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

func testFailedUploads(t *testing.T, kind string) {
	e := newEnv(t, kind, envOptions{engine: func(c *process.Config) {
		c.Workers = -1 // nothing is read: pages stay queued
		c.MaxQueue = 3
		c.CollectEvery = -1
	}})
	station := e.key(wStation)
	for i := 0; i < 3; i++ {
		junk := make([]byte, 2<<20)
		rand.Read(junk)
		body, ct := multipartBody(t, part{"files", "x.png", junk})
		if r := e.do(req{method: "POST", path: "/v1/batches", key: station, body: body, contentType: ct}); r.status != 422 {
			t.Fatalf("random bytes named x.png: %s, want 422", r)
		}
	}
	if n := countBlobs(t, e); n != 0 {
		t.Fatalf("three unreadable uploads left %d blobs", n)
	}

	// Two pages queued (limit 3): a request of two more is refused (503,
	// Retry-After) and keeps nothing; one of four pages is over the limit
	// itself (413).
	body, ct := multipartBody(t, part{"files", "a.png", blankPNG(t, 300)}, part{"files", "b.png", blankPNG(t, 301)})
	if r := e.do(req{method: "POST", path: "/v1/batches", key: station, body: body, contentType: ct}); r.status != 202 {
		t.Fatalf("first upload: %s", r)
	}
	metric := func() string {
		r := e.do(req{method: "GET", path: "/metrics"})
		for _, l := range strings.Split(string(r.body), "\n") {
			if strings.HasPrefix(l, "regfus_queue_depth ") {
				return strings.TrimPrefix(l, "regfus_queue_depth ")
			}
		}
		return ""
	}
	if m := metric(); m != "2" {
		t.Errorf("regfus_queue_depth after queuing 2 pages = %q, want 2", m)
	}
	body, ct = multipartBody(t, part{"files", "c.png", blankPNG(t, 302)}, part{"files", "d.png", blankPNG(t, 303)})
	r := e.do(req{method: "POST", path: "/v1/batches", key: station, body: body, contentType: ct})
	if r.status != 503 || r.header.Get("Retry-After") == "" {
		t.Fatalf("upload of 2 pages onto 2 queued (limit 3): %s, want 503 with Retry-After", r)
	}
	parts := []part{}
	for i := 0; i < 4; i++ {
		parts = append(parts, part{"files", fmt.Sprintf("e%d.png", i), blankPNG(t, 310+i)})
	}
	body, ct = multipartBody(t, parts...)
	if r := e.do(req{method: "POST", path: "/v1/batches", key: station, body: body, contentType: ct}); r.status != 413 {
		t.Fatalf("upload of 4 pages under a limit of 3: %s, want 413", r)
	}
	if n := countBlobs(t, e); n != 2 {
		t.Errorf("after the refused uploads: %d blobs, want the first upload's 2", n)
	}
	if m := metric(); m != "2" {
		t.Errorf("regfus_queue_depth after refusals = %q, want 2", m)
	}

	// A crash between storing and recording leaves a blob no file names:
	// the collector removes it once nobody has put it for the grace, and
	// never a blob a file names.
	ctx := context.Background()
	orphan, _, err := e.blobs.Put(ctx, bytes.NewReader([]byte("left by a crash")))
	if err != nil {
		t.Fatal(err)
	}
	if n, err := e.engine.CollectBlobs(ctx, time.Hour); err != nil || n != 0 {
		t.Fatalf("collector with a 1 h grace removed %d, %v; want nothing (just put)", n, err)
	}
	if n, err := e.engine.CollectBlobs(ctx, 0); err != nil || n != 1 {
		t.Fatalf("collector removed %d, %v; want the orphan", n, err)
	}
	if ok, _ := e.blobs.Has(ctx, orphan.SHA256); ok {
		t.Fatal("the orphan is still stored")
	}
	if n := countBlobs(t, e); n != 2 {
		t.Errorf("after collecting: %d blobs, want the 2 a batch names", n)
	}
}

// Hole 5: null is a valid correction where the API says so.
func TestNullCorrections(t *testing.T) { bothStores(t, testNullCorrections) }

func testNullCorrections(t *testing.T, kind string) {
	e := newEnv(t, kind, envOptions{})
	station := e.key(wStation)
	_, ps := e.uploadBytes(station, scanPart(t, sheet202), part{"files", "blank.png", blankPNG(t, 320)})
	if len(ps) != 2 {
		t.Fatalf("pages %+v", ps)
	}
	seen := map[string]bool{}
	for _, p := range ps {
		for _, it := range e.itemsOf(station, p.ID) {
			switch it.Field {
			case "progressive", "declared_count", "date", "page":
			default:
				continue
			}
			r := e.do(req{method: "POST", path: fmt.Sprintf("/v1/review/%d", it.ID), key: station,
				body: []byte(`{"value": null, "note": "empty on the sheet"}`), contentType: "application/json"})
			if r.status != 200 {
				t.Errorf("null correction of a %s item: %s, want 200", it.Field, r)
				continue
			}
			seen[it.Field] = true
		}
	}
	for _, f := range []string{"progressive", "page"} {
		if !seen[f] {
			t.Errorf("no %s item was corrected with null (fields seen: %v)", f, seen)
		}
	}
	var blank pageJSON
	e.do(req{method: "GET", path: fmt.Sprintf("/v1/pages/%d", ps[1].ID), key: station}).json(t, &blank)
	if blank.Status == nil || *blank.Status != "rejected" {
		t.Errorf("a rejected page confirmed with null: status %v, want still rejected", blank.Status)
	}
	// A body without "value" is still refused.
	var it int64
	for _, x := range e.itemsOf(station, ps[0].ID) {
		it = x.ID
	}
	if r := e.do(req{method: "POST", path: fmt.Sprintf("/v1/review/%d", it), key: station, body: []byte(`{"note":"x"}`), contentType: "application/json"}); r.status != 400 {
		t.Errorf("correction without value: %s, want 400", r)
	}
}

// Hole 6, the smaller problems.
func TestSmallerHoles(t *testing.T) { bothStores(t, testSmallerHoles) }

func testSmallerHoles(t *testing.T, kind string) {
	e := newEnv(t, kind, envOptions{configure: func(c *api.Config) { c.Timeouts.Request = 2 * time.Second }})
	admin := e.key(wAdmin)
	station := e.key(wStation)

	t.Run("long accented file name", func(t *testing.T) {
		name := strings.Repeat("è", 150) + ".png" // 304 bytes; byte 200 is inside a character
		body, ct := multipartBody(t, part{"files", name, readScan(t, sheet202)})
		r := e.do(req{method: "POST", path: "/v1/batches", key: station, body: body, contentType: ct})
		if r.status != 202 {
			t.Fatalf("upload: %s", r)
		}
		var sub struct {
			Files []struct {
				Name string `json:"name"`
			} `json:"files"`
		}
		r.json(t, &sub)
		if n := sub.Files[0].Name; !utf8.ValidString(n) || len(n) > 200 || len(n) < 198 {
			t.Errorf("stored name %q (%d bytes): want valid UTF-8 of at most 200 bytes", n, len(n))
		}
	})

	t.Run("1001 files", func(t *testing.T) {
		var parts []part
		for i := 0; i < 1001; i++ {
			parts = append(parts, part{"files", fmt.Sprintf("f%d.png", i), []byte{byte(i), byte(i >> 8)}})
		}
		body, ct := multipartBody(t, parts...)
		r := e.do(req{method: "POST", path: "/v1/batches", key: station, body: body, contentType: ct})
		if r.status != 413 || !strings.Contains(string(r.body), "1000 files") {
			t.Errorf("1001 files: %s, want 413 naming the limit", r)
		}
	})

	t.Run("2 MB header", func(t *testing.T) {
		r := e.do(req{method: "GET", path: "/v1/batches", key: station, header: map[string]string{"X-Big": strings.Repeat("a", 2<<20)}})
		var ej errorJSON
		if r.status != 431 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
			t.Fatalf("2 MB header: %s, want a JSON 431", r)
		}
		r.json(t, &ej)
		if ej.RequestID == "" {
			t.Errorf("431 without request_id: %s", r)
		}
	})

	t.Run("header-only import", func(t *testing.T) {
		r := e.do(req{method: "POST", path: "/v1/declarations", key: admin, contentType: "text/csv",
			body: []byte("region,asl,pharmacy,competence,bundle,sheets,gross_amount,ticket\n")})
		var out struct {
			Rows   int   `json:"rows"`
			Groups []any `json:"groups"`
		}
		if r.status != 200 {
			t.Fatalf("header-only import: %s, want 200", r)
		}
		r.json(t, &out)
		if out.Rows != 0 || len(out.Groups) != 0 {
			t.Errorf("header-only import: %s, want 0 rows", r)
		}
	})

	t.Run("100000 bad rows", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("region,asl,pharmacy,competence,bundle,sheets,gross_amount,ticket\n")
		for i := 0; i < 100000; i++ {
			b.WriteString("120,202,93161,2025-13,REGFUS,1,0,0\n")
		}
		r := e.do(req{method: "POST", path: "/v1/declarations", key: admin, contentType: "text/csv", body: []byte(b.String())})
		var out struct {
			Error           string `json:"error"`
			Problems        []any  `json:"problems"`
			ProblemsOmitted int    `json:"problems_omitted"`
		}
		if r.status != 400 {
			t.Fatalf("bad rows: %s", r)
		}
		r.json(t, &out)
		if len(out.Problems) != api.MaxProblems || out.ProblemsOmitted < 99900 || !strings.Contains(out.Error, "more are not") || len(r.body) > 100<<10 {
			t.Errorf("100000 bad rows: %d problems listed, %d omitted, %d bytes, error %q", len(out.Problems), out.ProblemsOmitted, len(r.body), out.Error)
		}
	})

	t.Run("HEAD health", func(t *testing.T) {
		for _, p := range []string{"/healthz", "/readyz"} {
			if r := e.do(req{method: "HEAD", path: p}); r.status != 200 {
				t.Errorf("HEAD %s: %s", p, r)
			}
		}
	})

	t.Run("security headers", func(t *testing.T) {
		r := e.do(req{method: "GET", path: "/v1/batches", key: station})
		for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store", "X-Frame-Options": "DENY"} {
			if got := r.header.Get(h); got != want {
				t.Errorf("%s: %q, want %q", h, got, want)
			}
		}
		if !strings.Contains(r.header.Get("Content-Security-Policy"), "default-src 'none'") {
			t.Errorf("Content-Security-Policy: %q", r.header.Get("Content-Security-Policy"))
		}
		if r := e.do(req{method: "GET", path: "/v1/batches", key: "rfk_bad"}); r.header.Get("Cache-Control") != "no-store" || r.header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("error answers lack the headers: %v", r.header)
		}
	})

	t.Run("slow body on a short route", func(t *testing.T) {
		// Headers, then 10 of the 100 bytes announced, then nothing: the
		// route's 2 s limit (not the upload's 10 min) ends the request.
		conn, err := net.Dial("tcp", strings.TrimPrefix(e.url, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "POST /v1/review/1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"value\":", station)
		conn.SetReadDeadline(time.Now().Add(time.Minute)) // a hang fails the test instead of stalling it
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("no answer to a stalled body: %v", err)
		}
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusRequestTimeout {
			t.Errorf("stalled body: %d %s, want 408", res.StatusCode, b)
		}
	})

	t.Run("client gone is not a 500", func(t *testing.T) {
		conn, err := net.Dial("tcp", strings.TrimPrefix(e.url, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		body, ct := multipartBody(t, scanPart(t, sheet202))
		fmt.Fprintf(conn, "POST /v1/batches HTTP/1.1\r\nHost: x\r\nX-Request-ID: gone-%s\r\nAuthorization: Bearer %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n",
			kind, station, ct, len(body))
		conn.Write(body[:len(body)/2])
		time.Sleep(200 * time.Millisecond)
		conn.Close()
		id := `"request_id":"gone-` + kind + `"`
		deadline := time.Now().Add(30 * time.Second)
		for {
			var lines []string
			for _, l := range strings.Split(e.logs.String(), "\n") {
				if strings.Contains(l, id) {
					lines = append(lines, l)
				}
			}
			done := false
			for _, l := range lines {
				if strings.Contains(l, `"msg":"request"`) {
					done = true
					if !strings.Contains(l, `"status":499`) {
						t.Errorf("a client that left is logged as %s, want status 499", l)
					}
				}
				if strings.Contains(l, `"level":"ERROR"`) {
					t.Errorf("a client that left is logged as an error: %s", l)
				}
			}
			if done {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no request line for the abandoned upload in the log:\n%s", strings.Join(lines, "\n"))
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
}
