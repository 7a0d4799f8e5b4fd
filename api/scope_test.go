package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/regfus/regfus/api"
	"github.com/regfus/regfus/auth"
	"github.com/regfus/regfus/sheet"
	"github.com/regfus/regfus/store"
)

// The callers of the scope test. The fixture batch is uploaded by
// station202; its sheets are pharmacy 120-202-93161's.
var principals = []struct {
	name  string
	scope auth.Scope
}{
	{"admin", auth.Scope{Role: auth.Admin}},
	{"station202", auth.Scope{Role: auth.Station, Key: sheet.Key{Region: "120", ASL: "202"}}},
	{"station205", auth.Scope{Role: auth.Station, Key: sheet.Key{Region: "120", ASL: "205"}}},
	{"pharmacy", auth.Scope{Role: auth.Pharmacy, Key: sheet.Key{Region: "120", ASL: "202", Pharmacy: "93161"}}},
	{"otherPharmacy", auth.Scope{Role: auth.Pharmacy, Key: sheet.Key{Region: "120", ASL: "202", Pharmacy: "11111"}}},
	{"validator", auth.Scope{Role: auth.Validator, Key: sheet.Key{Region: "120"}}},
	{"otherRegion", auth.Scope{Role: auth.Validator, Key: sheet.Key{Region: "030"}}},
}

// Callers without a usable key.
var anonymous = []string{"none", "malformed", "unknown", "revoked"}

// Declarations and records of the fixture pharmacy (120-202-93161).
const (
	scopeDeclarations = "region,asl,pharmacy,competence,bundle,sheets,gross_amount,ticket\n120,202,93161,2025-06,REGFUS,4,0,0\n"
	scopeRecords      = "record_id,region,asl,pharmacy,dispensed_on,competence,prescription,aic,targatura,sheet,slot,state,closed_on,signature,signed_document_id\n" +
		"S1,120,202,93161,2025-06-03,2025-06,NRE1,010190193,5762924496,4,1,closed,2025-06-03,digital,DOC1\n"
)

// TestScope runs every role, and callers without a key, against every
// route of the document, on both stores, and checks the status: 200 (or
// the route's success status) in scope, 401 without a usable key, 403 for
// a role the route does not allow or a request that names an identity out
// of scope, 404 for an id out of scope.
func TestScope(t *testing.T) {
	bothStores(t, testScope)
}

func testScope(t *testing.T, kind string) {
	e := newEnv(t, kind, envOptions{})
	keys := map[string]string{"malformed": "not-a-key"}
	for _, p := range principals {
		keys[p.name] = e.key(p.scope)
	}
	nk, _ := auth.Generate(nil)
	keys["unknown"] = nk.Secret
	keys["revoked"] = e.key(auth.Scope{Role: auth.Admin})
	revokedID := ""
	ks, _ := e.store.ListKeys(context.Background())
	for _, k := range ks {
		if string(k.Hash) == string(auth.Hash(keys["revoked"])) {
			revokedID = k.ID
		}
	}
	if _, err := e.store.RevokeKey(context.Background(), revokedID); err != nil {
		t.Fatal(err)
	}

	// The fixture: a processed batch, its page and a review item of it,
	// declarations and records (hence a reconciliation).
	batch := e.upload(keys["station202"], scanClean)
	e.follow(keys["station202"], batch)
	var pages pageList
	e.do(req{method: "GET", path: fmt.Sprintf("/v1/batches/%d/pages", batch), key: keys["admin"]}).json(t, &pages)
	if len(pages.Pages) != 1 {
		t.Fatalf("fixture batch has %d pages", len(pages.Pages))
	}
	pageID := pages.Pages[0].ID
	items, err := e.store.ListReview(context.Background(), store.ReviewFilter{Scope: auth.Scope{Role: auth.Admin}, PageID: pageID})
	if err != nil {
		t.Fatal(err)
	}
	var progItem int64
	for _, it := range items {
		if it.Field == "progressive" {
			progItem = it.ID
		}
	}
	if progItem == 0 {
		t.Fatalf("no progressive review item on the fixture page (bars-only reading leaves it unread): %+v", items)
	}
	for _, p := range []string{"/v1/declarations", "/v1/records"} {
		body := scopeDeclarations
		if p == "/v1/records" {
			body = scopeRecords
		}
		if r := e.do(req{method: "POST", path: p, key: keys["admin"], body: []byte(body), contentType: "text/csv"}); r.status != 200 {
			t.Fatalf("fixture import %s: %s", p, r)
		}
	}
	checkBody, checkCT := multipartBody(t, part{"file", scanClean, readScan(t, scanClean)})
	// The upload row sends another file: uploading the fixture's bytes
	// would, by design, let the uploader see their pages.
	uploadBody, uploadCT := multipartBody(t, part{"files", scanOther, readScan(t, scanOther)})

	// Expected status by caller; callers not listed: want 401 for a route
	// with roles, the public status otherwise.
	all := func(code int) map[string]int {
		m := map[string]int{}
		for _, p := range principals {
			m[p.name] = code
		}
		return m
	}
	byID := map[string]int{"admin": 200, "station202": 200, "station205": 404, "pharmacy": 404, "otherPharmacy": 404, "validator": 200, "otherRegion": 404}
	bySheet := map[string]int{"admin": 200, "station202": 200, "station205": 404, "pharmacy": 200, "otherPharmacy": 404, "validator": 200, "otherRegion": 404}
	imports := map[string]int{"admin": 200, "station202": 403, "station205": 403, "pharmacy": 200, "otherPharmacy": 403, "validator": 200, "otherRegion": 403}
	named := map[string]int{"admin": 200, "station202": 200, "station205": 403, "pharmacy": 200, "otherPharmacy": 403, "validator": 200, "otherRegion": 403}
	upload := map[string]int{"admin": 202, "station202": 202, "station205": 202, "pharmacy": 202, "otherPharmacy": 202, "validator": 403, "otherRegion": 403}
	correct := map[string]int{"admin": 200, "station202": 200, "station205": 404, "pharmacy": 403, "otherPharmacy": 403, "validator": 200, "otherRegion": 404}
	// Lists answer 200 to everyone; these see something in them.
	seesReview := map[string]bool{"admin": true, "station202": true, "pharmacy": true, "validator": true}

	type route struct {
		op, method, path string
		public           bool
		body             []byte
		ct               string
		want             map[string]int
		check            func(t *testing.T, who string, r resp)
	}
	routes := []route{
		{op: "healthz", method: "GET", path: "/healthz", public: true},
		{op: "readyz", method: "GET", path: "/readyz", public: true},
		{op: "healthzHead", method: "HEAD", path: "/healthz", public: true},
		{op: "readyzHead", method: "HEAD", path: "/readyz", public: true},
		{op: "metrics", method: "GET", path: "/metrics", public: true},
		{op: "openapi", method: "GET", path: "/openapi.yaml", public: true},
		{op: "submitBatch", method: "POST", path: "/v1/batches", body: uploadBody, ct: uploadCT, want: upload},
		{op: "listBatches", method: "GET", path: "/v1/batches", want: all(200)},
		{op: "getBatch", method: "GET", path: fmt.Sprintf("/v1/batches/%d", batch), want: byID},
		{op: "batchEvents", method: "GET", path: fmt.Sprintf("/v1/batches/%d/events", batch), want: byID},
		{op: "batchPages", method: "GET", path: fmt.Sprintf("/v1/batches/%d/pages", batch), want: byID},
		{op: "getPage", method: "GET", path: fmt.Sprintf("/v1/pages/%d", pageID), want: bySheet},
		{op: "pageImage", method: "GET", path: fmt.Sprintf("/v1/pages/%d/image", pageID), want: bySheet},
		{op: "pageOverlay", method: "GET", path: fmt.Sprintf("/v1/pages/%d/overlay", pageID), want: bySheet},
		{op: "check", method: "POST", path: "/v1/check", body: checkBody, ct: checkCT, want: all(200)},
		{op: "importDeclarations", method: "POST", path: "/v1/declarations", body: []byte(scopeDeclarations), ct: "text/csv", want: imports},
		{op: "importRecords", method: "POST", path: "/v1/records", body: []byte(scopeRecords), ct: "text/csv", want: imports},
		{op: "reconciliations", method: "GET", path: "/v1/reconciliations?region=120&asl=202&pharmacy=93161", want: named,
			check: func(t *testing.T, who string, r resp) {
				var rep reportJSON
				r.json(t, &rep)
				if len(rep.Groups) == 0 || rep.Groups[0].Pharmacy != scanPharmacy {
					t.Errorf("%s: reconciliations = %s, want the fixture pharmacy's groups", who, r)
				}
			}},
		{op: "listReview", method: "GET", path: fmt.Sprintf("/v1/review?status=any&page=%d", pageID), want: all(200),
			check: func(t *testing.T, who string, r resp) {
				var l reviewList
				r.json(t, &l)
				if got := len(l.Items) > 0; got != seesReview[who] {
					t.Errorf("%s sees %d review items of the fixture page, want some: %v", who, len(l.Items), seesReview[who])
				}
			}},
		{op: "getReview", method: "GET", path: fmt.Sprintf("/v1/review/%d", progItem), want: bySheet},
		{op: "correctReview", method: "POST", path: fmt.Sprintf("/v1/review/%d", progItem), body: []byte(`{"value":"4","note":"from the sheet"}`), ct: "application/json", want: correct},
		{op: "reviewCrop", method: "GET", path: fmt.Sprintf("/v1/review/%d/crop", progItem), want: bySheet},
	}

	// Every operation of the document is in this table.
	covered := map[string]bool{}
	for _, r := range routes {
		covered[r.op] = true
	}
	for _, op := range api.Operations() {
		if !covered[op.ID] {
			t.Errorf("operation %s (%s %s) has no row in the scope test", op.ID, op.Method, op.Path)
		}
	}

	callers := append([]string{}, anonymous...)
	for _, p := range principals {
		callers = append(callers, p.name)
	}
	for _, rt := range routes {
		t.Run(rt.op, func(t *testing.T) {
			for _, who := range callers {
				want, ok := rt.want[who]
				switch {
				case rt.public:
					want = http.StatusOK
				case !ok:
					want = http.StatusUnauthorized
				}
				key := keys[who]
				if who == "none" {
					key = ""
				}
				r := e.do(req{method: rt.method, path: rt.path, key: key, body: rt.body, contentType: rt.ct})
				if r.status != want {
					t.Errorf("%s %s as %s: %s, want %d", rt.method, rt.path, who, r, want)
					continue
				}
				if r.status >= 400 {
					var ej errorJSON
					r.json(t, &ej)
					if ej.Error == "" || ej.RequestID == "" {
						t.Errorf("%s %s as %s: error body %s lacks error or request_id", rt.method, rt.path, who, r)
					}
				} else if rt.check != nil {
					rt.check(t, who, r)
				}
			}
		})
	}

}
