package api_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"strings"
	"testing"

	"github.com/regfus/regfus/api"
	"github.com/regfus/regfus/auth"
	"github.com/regfus/regfus/sheet"
)

// The write-scope matrix (issue 13): every write route x every role x in
// scope / out of scope, on both stores, beside TestScope's read matrix.
// The one rule is auth.AuthorizeWrite; what is checked here is that every
// write path applies it, and that what is refused or judged out of scope
// never reaches the other scope's data.

// Scans of three pharmacies (testdata/scans truth files).
const (
	sheet202      = "0001-clean.png" // 120-202-93161, progressive 1
	sheet201      = "0017-clean.png" // 120-201-31578
	sheet201Other = "0025-clean.png" // 120-201-93364
)

var (
	wAdmin     = auth.Scope{Role: auth.Admin}
	wStation   = auth.Scope{Role: auth.Station, Key: sheet.Key{Region: "120", ASL: "202"}}
	wStation1  = auth.Scope{Role: auth.Station, Key: sheet.Key{Region: "120", ASL: "201"}}
	wPharmacy  = auth.Scope{Role: auth.Pharmacy, Key: sheet.Key{Region: "120", ASL: "202", Pharmacy: "93161"}}
	wPharm1    = auth.Scope{Role: auth.Pharmacy, Key: sheet.Key{Region: "120", ASL: "201", Pharmacy: "31578"}}
	wPharm1b   = auth.Scope{Role: auth.Pharmacy, Key: sheet.Key{Region: "120", ASL: "201", Pharmacy: "93364"}}
	wValidator = auth.Scope{Role: auth.Validator, Key: sheet.Key{Region: "120"}}
	wRegion130 = auth.Scope{Role: auth.Validator, Key: sheet.Key{Region: "130"}}
)

// blankPNG is a white page with no sheet on it (rejected: no markers),
// width w so that each is a file of its own.
func blankPNG(t *testing.T, w int) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, w, w*297/210))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	img.Set(w/2, w/2, color.Gray{Y: 0})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// batchPages returns a batch's pages as key sees them (after the batch
// finished).
func (e *env) batchPages(key string, batch int64) []pageJSON {
	e.t.Helper()
	var out pageList
	e.getJSON(key, fmt.Sprintf("/v1/batches/%d/pages", batch), &out)
	return out.Pages
}

// uploadBytes posts files as one batch and waits for it to finish.
func (e *env) uploadBytes(key string, parts ...part) (int64, []pageJSON) {
	e.t.Helper()
	body, ct := multipartBody(e.t, parts...)
	r := e.do(req{method: "POST", path: "/v1/batches", key: key, body: body, contentType: ct})
	if r.status != http.StatusAccepted {
		e.t.Fatalf("upload: %s", r)
	}
	var out struct {
		ID int64 `json:"id"`
	}
	r.json(e.t, &out)
	e.follow(key, out.ID)
	return out.ID, e.batchPages(key, out.ID)
}

func scanPart(t *testing.T, name string) part { return part{"files", name, readScan(t, name)} }

// itemsOf lists the review items of a page that key sees.
func (e *env) itemsOf(key string, pageID int64) []reviewJSON {
	e.t.Helper()
	var l reviewList
	e.getJSON(key, fmt.Sprintf("/v1/review?status=any&page=%d", pageID), &l)
	return l.Items
}

// groupsOf lists the reconciliation groups of a pharmacy (as admin).
func (e *env) groupsOf(adminKey, region, asl, pharmacy string) int {
	e.t.Helper()
	var rep reportJSON
	e.getJSON(adminKey, fmt.Sprintf("/v1/reconciliations?region=%s&asl=%s&pharmacy=%s", region, asl, pharmacy), &rep)
	return len(rep.Groups)
}

func hasReason(p pageJSON, kind string) bool {
	for _, r := range p.Reasons {
		if strings.HasPrefix(r, kind) {
			return true
		}
	}
	return false
}

// wholeSheet is a FieldPage correction keying in a sheet by hand.
func wholeSheet(code string) []byte {
	return []byte(`{"value":{"sheet":{"code":"` + code + `"},"slots":[{"slot":1,"state":"filled","aic":"034567899","targatura":"1000000014"}]},"note":"keyed in"}`)
}

func TestWriteScope(t *testing.T) {
	bothStores(t, testWriteScope)
}

func testWriteScope(t *testing.T, kind string) {
	e := newEnv(t, kind, envOptions{})
	keys := map[string]string{}
	for name, sc := range map[string]auth.Scope{"admin": wAdmin, "station": wStation, "station201": wStation1, "pharmacy": wPharmacy,
		"pharmacy201": wPharm1, "validator": wValidator, "region130": wRegion130} {
		keys[name] = e.key(sc)
	}
	roles := []string{"admin", "station", "pharmacy", "validator"}

	// ---- uploads: POST /v1/batches
	t.Run("submitBatch", func(t *testing.T) {
		// in: a sheet the uploader's scope covers; out: another ASL's.
		type cell struct {
			scan   string
			status int // of the upload
			outOf  bool
		}
		cells := map[string]map[string]cell{
			"admin":     {"in": {sheet201Other, 202, false}},
			"station":   {"in": {sheet202, 202, false}, "out": {sheet201, 202, true}},
			"pharmacy":  {"in": {sheet202, 202, false}, "out": {sheet201, 202, true}},
			"validator": {"in": {sheet202, 403, false}, "out": {sheet201, 403, false}},
		}
		for _, role := range roles {
			for _, scope := range []string{"in", "out"} {
				c, ok := cells[role][scope]
				if !ok {
					continue // an admin's scope has no outside
				}
				body, ct := multipartBody(t, scanPart(t, c.scan))
				r := e.do(req{method: "POST", path: "/v1/batches", key: keys[role], body: body, contentType: ct})
				if r.status != c.status {
					t.Errorf("%s uploads %s (%s scope): %s, want %d", role, c.scan, scope, r, c.status)
					continue
				}
				if r.status != 202 {
					continue
				}
				var sub struct {
					ID int64 `json:"id"`
				}
				r.json(t, &sub)
				e.follow(keys[role], sub.ID)
				pages := e.batchPages(keys[role], sub.ID)
				if len(pages) != 1 || pages[0].Status == nil {
					t.Fatalf("%s %s: pages %+v", role, scope, pages)
				}
				p := pages[0]
				if got := hasReason(p, "out_of_scope"); got != c.outOf || (c.outOf && *p.Status != "rejected") {
					t.Errorf("%s uploads %s (%s scope): status %s reasons %v, want out_of_scope %v", role, c.scan, scope, *p.Status, p.Reasons, c.outOf)
				}
				pagePath := fmt.Sprintf("/v1/pages/%d", p.ID)
				if c.outOf {
					// Nothing of it reaches the sheet's pharmacy or ASL.
					for _, who := range []string{"pharmacy201", "station201"} {
						if r := e.do(req{method: "GET", path: pagePath, key: keys[who]}); r.status != 404 {
							t.Errorf("%s's out-of-scope upload: GET page as %s = %s, want 404", role, who, r)
						}
					}
					if p.Sheet.Code != nil || len(p.Slots) != 0 {
						t.Errorf("%s's out-of-scope page keeps the sheet's data: %+v", role, p)
					}
					if n := e.groupsOf(keys["admin"], "120", "201", "31578"); n != 0 {
						t.Errorf("after %s's out-of-scope upload, pharmacy 120-201-31578 has %d reconciliation groups", role, n)
					}
				} else if c.scan == sheet202 {
					// The sheet's own pharmacy sees its sheet.
					if r := e.do(req{method: "GET", path: pagePath, key: keys["pharmacy"]}); r.status != 200 {
						t.Errorf("%s's in-scope upload: GET page as the sheet's pharmacy = %s, want 200", role, r)
					}
				}
			}
		}
	})

	// ---- self-check: POST /v1/check stores nothing, in scope or not
	t.Run("check", func(t *testing.T) {
		var before struct {
			Batches []struct{} `json:"batches"`
		}
		e.do(req{method: "GET", path: "/v1/batches", key: keys["admin"]}).json(t, &before)
		for _, role := range roles {
			for _, scan := range []string{sheet202, sheet201} {
				body, ct := multipartBody(t, part{"file", scan, readScan(t, scan)})
				if r := e.do(req{method: "POST", path: "/v1/check", key: keys[role], body: body, contentType: ct}); r.status != 200 {
					t.Errorf("%s checks %s: %s, want 200", role, scan, r)
				}
			}
		}
		var after struct {
			Batches []struct{} `json:"batches"`
		}
		e.do(req{method: "GET", path: "/v1/batches", key: keys["admin"]}).json(t, &after)
		if len(after.Batches) != len(before.Batches) {
			t.Errorf("checks stored batches: %d before, %d after", len(before.Batches), len(after.Batches))
		}
	})

	// ---- imports: POST /v1/declarations and /v1/records
	decl := func(region, asl, pharmacy string) []byte {
		return []byte("region,asl,pharmacy,competence,bundle,sheets,gross_amount,ticket\n" +
			region + "," + asl + "," + pharmacy + ",2025-06,REGFUS,4,0,0\n")
	}
	recs := func(region, asl, pharmacy string) []byte {
		return []byte("record_id,region,asl,pharmacy,dispensed_on,competence,prescription,aic,targatura,sheet,slot,state,closed_on,signature,signed_document_id\n" +
			"W1," + region + "," + asl + "," + pharmacy + ",2025-06-03,2025-06,NRE1,010190193,5762924496,4,1,closed,2025-06-03,digital,DOC1\n")
	}
	imports := map[string]map[string][3]string{ // role -> in/out -> the rows' pharmacy
		"admin":     {"in": {"120", "202", "93161"}},
		"station":   {"in": {"120", "202", "93161"}, "out": {"120", "201", "31578"}},
		"pharmacy":  {"in": {"120", "202", "93161"}, "out": {"120", "202", "11111"}},
		"validator": {"in": {"120", "202", "93161"}, "out": {"030", "202", "11111"}},
	}
	importWant := map[string]map[string]int{
		"admin": {"in": 200}, "station": {"in": 403, "out": 403},
		"pharmacy": {"in": 200, "out": 403}, "validator": {"in": 200, "out": 403},
	}
	for _, route := range []struct {
		op, path string
		body     func(r, a, p string) []byte
	}{{"importDeclarations", "/v1/declarations", decl}, {"importRecords", "/v1/records", recs}} {
		t.Run(route.op, func(t *testing.T) {
			for _, role := range roles {
				for _, scope := range []string{"in", "out"} {
					id, ok := imports[role][scope]
					if !ok {
						continue
					}
					r := e.do(req{method: "POST", path: route.path, key: keys[role], body: route.body(id[0], id[1], id[2]), contentType: "text/csv"})
					if want := importWant[role][scope]; r.status != want {
						t.Errorf("%s imports %s rows of %v: %s, want %d", role, scope, id, r, want)
					}
				}
			}
			// Nothing of the refused rows was stored.
			for _, id := range [][3]string{{"120", "201", "31578"}, {"120", "202", "11111"}, {"030", "202", "11111"}} {
				if n := e.groupsOf(keys["admin"], id[0], id[1], id[2]); n != 0 {
					t.Errorf("%s: refused rows of %v reached %d reconciliation groups", route.op, id, n)
				}
			}
		})
	}

	// ---- corrections: POST /v1/review/{id}, on blank pages the station
	// uploaded (rejected, one FieldPage item each).
	t.Run("correctReview", func(t *testing.T) {
		_, blanks := e.uploadBytes(keys["station"], part{"files", "blank-a.png", blankPNG(t, 400)},
			part{"files", "blank-b.png", blankPNG(t, 404)}, part{"files", "blank-c.png", blankPNG(t, 408)},
			part{"files", "blank-d.png", blankPNG(t, 412)})
		if len(blanks) != 4 {
			t.Fatalf("blank pages: %+v", blanks)
		}
		item := map[string]int64{}
		for i, role := range roles {
			its := e.itemsOf(keys["admin"], blanks[i].ID)
			if len(its) != 1 || its[0].Field != "page" {
				t.Fatalf("blank page %d: items %+v, want one page item", blanks[i].ID, its)
			}
			item[role] = its[0].ID
		}
		const (
			inCode      = "12020293161062025" // the uploader's ASL
			otherASL    = "12020531578012024" // region 120, another ASL: outside the uploader's scope
			otherRegion = "13099955555012024" // issue 13's reproduction
		)
		cases := []struct {
			role, code string
			want       int
		}{
			{"pharmacy", inCode, 403}, // pharmacies do not correct
			{"station", otherRegion, 403},
			{"station", otherASL, 403},
			{"station", inCode, 200},
			{"validator", otherRegion, 403},
			{"validator", otherASL, 403}, // inside the validator's region, outside the uploader's
			{"validator", inCode, 200},
			{"admin", otherRegion, 403}, // an admin covers it, the uploader does not
			{"admin", inCode, 200},
		}
		for _, c := range cases {
			path := fmt.Sprintf("/v1/review/%d", item[c.role])
			r := e.do(req{method: "POST", path: path, key: keys[c.role], body: wholeSheet(c.code), contentType: "application/json"})
			if r.status != c.want {
				t.Errorf("%s corrects a blank page to sheet %s: %s, want %d", c.role, c.code, r, c.want)
			}
		}
		// Region 130 saw nothing; pharmacy 120-205-31578 neither.
		if n := e.groupsOf(keys["admin"], "130", "999", "55555"); n != 0 {
			t.Errorf("the refused correction reached region 130: %d groups", n)
		}
		var l reviewList
		e.do(req{method: "GET", path: "/v1/review?status=any", key: keys["region130"]}).json(t, &l)
		if len(l.Items) != 0 {
			t.Errorf("region 130's validator sees %d review items", len(l.Items))
		}
		// The refused corrections left their pages rejected; the accepted
		// ones made them sheets of the uploader's ASL.
		for i, role := range roles {
			var p pageJSON
			e.do(req{method: "GET", path: fmt.Sprintf("/v1/pages/%d", blanks[i].ID), key: keys["admin"]}).json(t, &p)
			accepted := role != "pharmacy"
			if got := p.Status != nil && *p.Status == "ok"; got != accepted {
				t.Errorf("blank page of %s's case: status %v, want ok %v", role, p.Status, accepted)
			}
			if accepted && (p.Sheet.Code == nil || *p.Sheet.Code != inCode) {
				t.Errorf("blank page of %s's case: code %v, want %s", role, p.Sheet.Code, inCode)
			}
		}
	})

	// Every write route of the document is in this matrix.
	writes := map[string]bool{"submitBatch": true, "check": true, "importDeclarations": true, "importRecords": true, "correctReview": true}
	for _, op := range api.Operations() {
		if op.Method != "GET" && op.Method != "HEAD" && !writes[op.ID] {
			t.Errorf("write operation %s (%s %s) has no row in the write-scope matrix", op.ID, op.Method, op.Path)
		}
	}
}
