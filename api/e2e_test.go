package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	_ "image/jpeg"
	"image/png"
	"sort"
	"strings"
	"testing"

	"github.com/regfus/regfus/auth"
	"github.com/regfus/regfus/internal/clitest"
	"github.com/regfus/regfus/internal/servicetest"
	"github.com/regfus/regfus/sheet"
	"github.com/regfus/regfus/synth"
)

// pageJSON is the API's page.
type pageJSON struct {
	ID          int64    `json:"id"`
	BatchID     int64    `json:"batch_id"`
	State       string   `json:"state"`
	SHA256      string   `json:"sha256"`
	Source      string   `json:"source"`
	Page        int      `json:"page"`
	Status      *string  `json:"status"`
	Reasons     []string `json:"reasons"`
	Orientation *int     `json:"orientation"`
	Image       string   `json:"image"`
	Overlay     string   `json:"overlay"`
	Sheet       struct {
		Code        *string `json:"code"`
		Progressive *string `json:"progressive"`
	} `json:"sheet"`
	Slots []struct {
		Slot      int     `json:"slot"`
		State     string  `json:"state"`
		AIC       *string `json:"aic"`
		Targatura *string `json:"targatura"`
	} `json:"slots"`
}

// pageList is a batch's pages, GET /v1/batches/{id}/pages.
type pageList struct {
	BatchID int64      `json:"batch_id"`
	Pages   []pageJSON `json:"pages"`
}

// reviewList is GET /v1/review.
type reviewList struct {
	Items []reviewJSON `json:"items"`
}

type reviewJSON struct {
	ID          int64           `json:"id"`
	PageID      int64           `json:"page_id"`
	Slot        int             `json:"slot"`
	Field       string          `json:"field"`
	Reason      string          `json:"reason"`
	Value       json.RawMessage `json:"value"`
	Status      string          `json:"status"`
	Crop        string          `json:"crop"`
	Reconciled  *bool           `json:"reconciled"`
	Corrections []struct {
		KeyID  string          `json:"key_id"`
		At     string          `json:"at"`
		Before json.RawMessage `json:"before"`
		After  json.RawMessage `json:"after"`
		Note   string          `json:"note"`
	} `json:"corrections"`
}

type reportJSON struct {
	Groups []struct {
		Region         string `json:"region"`
		ASL            string `json:"asl"`
		Pharmacy       string `json:"pharmacy"`
		Competence     string `json:"competence"`
		ComputedAt     string `json:"computed_at"`
		DeclaredSheets *int   `json:"declared_sheets"`
		ScannedSheets  int    `json:"scanned_sheets"`
		Findings       []struct {
			Kind  string  `json:"kind"`
			Sheet *string `json:"sheet"`
		} `json:"findings"`
		Payable []struct {
			RecordID    string `json:"record_id"`
			Attestation string `json:"attestation"`
		} `json:"payable"`
	} `json:"groups"`
}

// TestEndToEnd follows a batch through the service on both stores: upload
// scans from testdata/scans/, follow the events to the end, fetch the page
// results, images and overlays, import declarations and records, fetch the
// reconciliation, correct the review items of a page and see the
// reconciliation change.
func TestEndToEnd(t *testing.T) {
	bothStores(t, testEndToEnd)
}

func testEndToEnd(t *testing.T, kind string) {
	e := newEnv(t, kind, envOptions{})
	station := e.key(auth.Scope{Role: auth.Station, Key: sheet.Key{Region: "120", ASL: scanASL}})
	validator := e.key(auth.Scope{Role: auth.Validator, Key: sheet.Key{Region: "120"}})
	validatorKey, err := e.store.LookupKey(context.Background(), auth.Hash(validator))
	if err != nil {
		t.Fatal(err)
	}
	scans := []string{scanClean, scanUpside, scanBitonal}
	truth := map[string]synth.Page{}
	for _, s := range scans {
		truth[s] = servicetest.Truth(t, scanPath(s))
	}

	// Upload and follow.
	batch := e.upload(station, scans...)
	events := e.follow(station, batch)
	if len(events) < 2 || events[len(events)-1].event != "done" {
		t.Fatalf("events %+v: want progress events then done", events)
	}
	prev := -1
	for _, ev := range events {
		var b clitest.Batch
		if err := json.Unmarshal(ev.data, &b); err != nil {
			t.Fatalf("event data %s: %v", ev.data, err)
		}
		if b.ID != batch || b.PagesTotal != 3 || b.PagesDone < prev || ev.id != fmt.Sprint(b.PagesDone) {
			t.Errorf("event %s id %s: %+v (previous done %d)", ev.event, ev.id, b, prev)
		}
		prev = b.PagesDone
	}
	var b clitest.Batch
	e.do(req{method: "GET", path: fmt.Sprintf("/v1/batches/%d", batch), key: station}).json(t, &b)
	if b.Status != "done" || b.PagesDone != 3 || b.PagesOK+b.PagesReview+b.PagesRejected+b.PagesFailed != 3 || b.PagesQueued+b.PagesRunning != 0 {
		t.Fatalf("batch after the last event: %+v", b)
	}
	// A client that connects after the end gets the state and "done" at once.
	if again := e.follow(station, batch); len(again) != 2 || again[0].event != "progress" || again[1].event != "done" {
		t.Errorf("events of a finished batch: %+v", again)
	}

	// Page results: what was read is what is on the sheet, or null.
	var pages struct {
		BatchID int64      `json:"batch_id"`
		Pages   []pageJSON `json:"pages"`
	}
	e.do(req{method: "GET", path: fmt.Sprintf("/v1/batches/%d/pages", batch), key: station}).json(t, &pages)
	if len(pages.Pages) != 3 {
		t.Fatalf("%d pages, want 3", len(pages.Pages))
	}
	pageOf := map[string]pageJSON{}
	for i, p := range pages.Pages {
		if p.Source != scans[i] || p.Page != 1 || p.State != "done" || p.Status == nil {
			t.Fatalf("page %d: %+v", i, p)
		}
		pageOf[p.Source] = p
		tr := truth[p.Source]
		if p.Sheet.Code == nil || *p.Sheet.Code != tr.Sheet.Code {
			t.Errorf("%s: code %v, want %s", p.Source, p.Sheet.Code, tr.Sheet.Code)
		}
		if p.Orientation == nil || *p.Orientation != tr.Scan.Orientation {
			t.Errorf("%s: orientation %v, want %d", p.Source, p.Orientation, tr.Scan.Orientation)
		}
		read := 0
		for _, s := range p.Slots {
			ts := tr.Slots[s.Slot-1]
			if s.AIC != nil && *s.AIC != ts.AIC || s.Targatura != nil && *s.Targatura != ts.Targatura {
				t.Errorf("%s slot %d: read %v/%v, the sheet has %s/%s", p.Source, s.Slot, s.AIC, s.Targatura, ts.AIC, ts.Targatura)
			}
			if s.AIC != nil && s.Targatura != nil {
				read++
			}
		}
		if read == 0 {
			t.Errorf("%s: no fustella read at all", p.Source)
		}
		// The original, byte for byte (single-page PNG), and the overlay.
		img := e.do(req{method: "GET", path: p.Image, key: station})
		if img.status != 200 {
			t.Fatalf("%s: image: %s", p.Image, img)
		}
		orig := readScan(t, p.Source)
		if strings.HasSuffix(p.Source, ".png") && !bytes.Equal(img.body, orig) {
			t.Errorf("%s: image is not the original bytes", p.Source)
		}
		icfg, _, err := image.DecodeConfig(bytes.NewReader(img.body))
		if err != nil {
			t.Fatalf("%s: image does not decode: %v", p.Source, err)
		}
		ov := e.do(req{method: "GET", path: p.Overlay, key: station})
		ocfg, err := png.DecodeConfig(bytes.NewReader(ov.body))
		if ov.status != 200 || err != nil || ocfg.Width != icfg.Width || ocfg.Height != icfg.Height {
			t.Errorf("%s: overlay %s (%v), %dx%d; the page is %dx%d", p.Source, ov, err, ocfg.Width, ocfg.Height, icfg.Width, icfg.Height)
		}
	}

	// The same bytes again: recognised, not read twice.
	var sub struct {
		ID    int64 `json:"id"`
		Files []struct {
			Known bool `json:"known"`
		} `json:"files"`
	}
	body, ct := multipartBody(t, part{"files", "again.png", readScan(t, scanClean)})
	e.do(req{method: "POST", path: "/v1/batches", key: station, body: body, contentType: ct}).json(t, &sub)
	if len(sub.Files) != 1 || !sub.Files[0].Known {
		t.Errorf("re-upload: %+v, want the file known", sub)
	}
	var again pageList
	e.do(req{method: "GET", path: fmt.Sprintf("/v1/batches/%d/pages", sub.ID), key: station}).json(t, &again)
	if len(again.Pages) != 1 || again.Pages[0].ID != pageOf[scanClean].ID {
		t.Errorf("re-upload pages %+v, want the page %d shared", again.Pages, pageOf[scanClean].ID)
	}

	// Imports: declarations as CSV, records (from what is on the sheets)
	// as JSON; and the sample files of package records for another
	// pharmacy.
	decl := "region,asl,pharmacy,competence,bundle,sheets,gross_amount,ticket\n120,202,93161,2025-06,REGFUS,4,0,0\n"
	if r := e.do(req{method: "POST", path: "/v1/declarations", key: validator, body: []byte(decl), contentType: "text/csv"}); r.status != 200 {
		t.Fatalf("declarations: %s", r)
	}
	paths := make([]string, len(scans))
	for i, s := range scans {
		paths[i] = scanPath(s)
	}
	recs := servicetest.Records(t, sheet.Key{Region: "120", ASL: scanASL, Pharmacy: scanPharmacy, Competence: scanMonth}, "2025-06-03", paths...)
	recsJSON, _ := json.Marshal(recs)
	var imp struct {
		Rows       int  `json:"rows"`
		Reconciled bool `json:"reconciled"`
		Groups     []struct {
			Pharmacy string `json:"pharmacy"`
		} `json:"groups"`
	}
	r := e.do(req{method: "POST", path: "/v1/records", key: validator, body: recsJSON, contentType: "application/json"})
	r.json(t, &imp)
	if r.status != 200 || imp.Rows != len(recs) || !imp.Reconciled || len(imp.Groups) != 1 || imp.Groups[0].Pharmacy != scanPharmacy {
		t.Fatalf("records import: %s", r)
	}
	for _, f := range []string{"declarations.csv", "records.json"} {
		path := "/v1/declarations"
		ctype := "text/csv"
		if strings.HasPrefix(f, "records") {
			path, ctype = "/v1/records", "application/json"
		}
		if r := e.do(req{method: "POST", path: path, key: validator, body: recordsTestdata(t, f), contentType: ctype}); r.status != 200 {
			t.Fatalf("%s: %s", f, r)
		}
	}

	// The reconciliation before review: the pages wait for a person, so
	// their fustelle are not matched yet.
	reconPath := "/v1/reconciliations?asl=" + scanASL + "&pharmacy=" + scanPharmacy + "&competence=" + scanMonth
	var before reportJSON
	e.do(req{method: "GET", path: reconPath, key: validator}).json(t, &before)
	if len(before.Groups) != 1 {
		t.Fatalf("reconciliation: %+v", before)
	}
	g := before.Groups[0]
	if g.DeclaredSheets == nil || *g.DeclaredSheets != 4 || g.ScannedSheets != 3 || g.ComputedAt == "" {
		t.Errorf("group before review: %+v", g)
	}
	if kinds := findingKinds(before); !strings.Contains(kinds, "sheet_count_mismatch") {
		t.Errorf("findings before review: %s, want sheet_count_mismatch (4 declared, 3 scanned)", kinds)
	}
	var all reportJSON
	e.do(req{method: "GET", path: "/v1/reconciliations", key: validator}).json(t, &all)
	if len(all.Groups) < 2 {
		t.Errorf("all reconciliations: %d groups, want the two pharmacies'", len(all.Groups))
	}

	// Review: correct every open item of the clean page from what is on
	// the sheet; the page becomes ok.
	clean := pageOf[scanClean]
	var items reviewList
	e.do(req{method: "GET", path: fmt.Sprintf("/v1/review?page=%d", clean.ID), key: validator}).json(t, &items)
	if len(items.Items) == 0 {
		t.Fatal("no review item on the clean page")
	}
	tr := truth[scanClean]
	for _, it := range items.Items {
		crop := e.do(req{method: "GET", path: it.Crop, key: validator})
		if _, err := png.DecodeConfig(bytes.NewReader(crop.body)); crop.status != 200 || err != nil {
			t.Errorf("crop of item %d: %s", it.ID, crop)
		}
		value := correctionFor(t, it, tr)
		body, _ := json.Marshal(map[string]any{"value": value, "note": "checked on paper"})
		var got reviewJSON
		r := e.do(req{method: "POST", path: fmt.Sprintf("/v1/review/%d", it.ID), key: validator, body: body, contentType: "application/json"})
		r.json(t, &got)
		if r.status != 200 || got.Status != "resolved" || got.Reconciled == nil || !*got.Reconciled || len(got.Corrections) != 1 {
			t.Fatalf("correcting %s item %d with %s: %s", it.Field, it.ID, value, r)
		}
		c := got.Corrections[0]
		if c.KeyID != validatorKey.ID || c.At == "" || c.Note != "checked on paper" || !jsonEqual(c.After, value) {
			t.Errorf("correction kept as %+v", c)
		}
	}
	var fixed pageJSON
	e.do(req{method: "GET", path: fmt.Sprintf("/v1/pages/%d", clean.ID), key: validator}).json(t, &fixed)
	if fixed.Status == nil || *fixed.Status != "ok" || len(fixed.Reasons) != 0 {
		t.Fatalf("clean page after review: status %v, reasons %v", fixed.Status, fixed.Reasons)
	}
	if fixed.Sheet.Progressive == nil || *fixed.Sheet.Progressive != tr.Sheet.Progressive {
		t.Errorf("progressive after review %v, want %s", fixed.Sheet.Progressive, tr.Sheet.Progressive)
	}
	var open reviewList
	e.do(req{method: "GET", path: fmt.Sprintf("/v1/review?page=%d", clean.ID), key: validator}).json(t, &open)
	if len(open.Items) != 0 {
		t.Errorf("open items left on the corrected page: %+v", open.Items)
	}

	// The reconciliation changed: the page's fustelle are matched to their
	// records and payable.
	var after reportJSON
	e.do(req{method: "GET", path: reconPath, key: validator}).json(t, &after)
	if len(after.Groups) != 1 {
		t.Fatalf("reconciliation after review: %+v", after)
	}
	a := after.Groups[0]
	if a.ComputedAt == g.ComputedAt {
		t.Errorf("the reconciliation was not recomputed (computed_at %s)", a.ComputedAt)
	}
	// The sheet says 25 fustelle and carries 28 (a defect the synthesiser
	// put there): once a person has read the count, reconciliation
	// reports it, and no longer reports the count as unread.
	hasCountMismatch := func(r reportJSON) bool {
		for _, f := range r.Groups[0].Findings {
			if f.Kind == "count_mismatch" && f.Sheet != nil && *f.Sheet == tr.Sheet.Progressive {
				return true
			}
		}
		return false
	}
	if hasCountMismatch(before) || !hasCountMismatch(after) {
		t.Errorf("count_mismatch on sheet %s: before %v, after %v; want only after\nbefore: %s\nafter: %s",
			tr.Sheet.Progressive, hasCountMismatch(before), hasCountMismatch(after), findingKinds(before), findingKinds(after))
	}
	if nb, na := strings.Count(findingKinds(before), "unreadable"), strings.Count(findingKinds(after), "unreadable"); na >= nb {
		t.Errorf("unreadable findings: %d before, %d after the corrections", nb, na)
	}
	// Its fustelle stay matched and payable, with their attestation.
	if n := countPayable(after, "0009-clean-"); n < countPayable(before, "0009-clean-") || n == 0 {
		t.Errorf("payable records of the corrected page: %d before, %d after", countPayable(before, "0009-clean-"), n)
	}
	for _, p := range after.Groups[0].Payable {
		if p.Attestation != "DOC-"+p.RecordID {
			t.Errorf("payable %s with attestation %q", p.RecordID, p.Attestation)
		}
	}

	// Metrics show the HTTP traffic and the pipeline.
	m := e.do(req{method: "GET", path: "/metrics"})
	for _, want := range []string{
		`regfus_http_requests_total{method="POST",route="/v1/batches",status="202"}`,
		`regfus_http_request_duration_seconds_bucket{method="GET",route="/v1/batches/:id/pages"`,
		`regfus_pages_processed_total{outcome="review"}`,
		"regfus_page_duration_seconds_count",
		"regfus_queue_depth",
		"regfus_http_requests_in_flight 1", // this very request
	} {
		if !strings.Contains(string(m.body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// correctionFor is the right value for a review item, from the truth.
func correctionFor(t *testing.T, it reviewJSON, tr synth.Page) json.RawMessage {
	t.Helper()
	var v any
	switch it.Field {
	case "progressive":
		v = tr.Sheet.Progressive
	case "declared_count":
		v = tr.Sheet.DeclaredCount
	case "date":
		if tr.Sheet.Date != "" {
			v = tr.Sheet.Date
		}
	case "code":
		v = tr.Sheet.Code
	case "slot":
		s := tr.Slots[it.Slot-1]
		if s.State == "filled" {
			v = map[string]string{"state": "filled", "aic": s.AIC, "targatura": s.Targatura}
		} else {
			v = map[string]string{"state": "empty"}
		}
	case "rule":
		v = map[string]bool{"accepted": true}
	case "page":
		v = nil
	default:
		t.Fatalf("review item of unknown field %q", it.Field)
	}
	b, _ := json.Marshal(v)
	return b
}

func jsonEqual(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	ja, _ := json.Marshal(x)
	jb, _ := json.Marshal(y)
	return bytes.Equal(ja, jb)
}

func findingKinds(r reportJSON) string {
	var k []string
	for _, g := range r.Groups {
		for _, f := range g.Findings {
			k = append(k, f.Kind)
		}
	}
	sort.Strings(k)
	return strings.Join(k, ",")
}

func countPayable(r reportJSON, prefix string) int {
	n := 0
	for _, g := range r.Groups {
		for _, p := range g.Payable {
			if strings.HasPrefix(p.RecordID, prefix) {
				n++
			}
		}
	}
	return n
}
