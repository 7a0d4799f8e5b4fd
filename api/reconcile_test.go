package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/regfus/regfus/auth"
	"github.com/regfus/regfus/reconcile"
	"github.com/regfus/regfus/sheet"
	"github.com/regfus/regfus/store"
)

// TestReconciliationPaging: over real HTTP on both stores, the listing
// without ASL/pharmacy/month filters is pages of summaries whose next
// links visit every group in scope exactly once, in order; each summary's
// report link gives that group's full SPEC section 5 report; the filters
// of SPEC section 7 give full reports; bad paging parameters are 400.
func TestReconciliationPaging(t *testing.T) {
	t.Parallel()
	for _, kind := range storeKinds {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, kind, envOptions{noEngine: true})
			ctx := context.Background()
			var inRegion []string
			for _, region := range []string{"120", "030"} {
				for _, asl := range []string{"201", "202"} {
					for ph := 0; ph < 4; ph++ {
						for _, m := range []string{"2025-05", "2025-06"} {
							g := sheet.Key{Region: region, ASL: asl, Pharmacy: fmt.Sprintf("%05d", 10000+ph), Competence: m}
							rep := fmt.Sprintf(`{"region":%q,"asl":%q,"pharmacy":%q,"competence":%q,"declared_sheets":4,"scanned_sheets":3,`+
								`"findings":[{"kind":"sheet_count_mismatch","sheet":null,"slot":null,"targatura":null,"record_id":null,"detail":"4 declared, 3 scanned"}],`+
								`"payable":[{"record_id":"r1","aic":"012345676","targatura":"1234567890","attestation":"D1"}],`+
								`"records":[],"sheets":[],"summary":{"payable":1,"findings":{"sheet_count_mismatch":1}}}`,
								g.Region, g.ASL, g.Pharmacy, g.Competence)
							var group reconcile.Group
							if err := json.Unmarshal([]byte(rep), &group); err != nil {
								t.Fatal(err)
							}
							brief, _ := json.Marshal(group.Brief())
							if err := e.store.PutReconciliation(ctx, store.Reconciliation{Group: g, Report: json.RawMessage(rep), Summary: brief}); err != nil {
								t.Fatal(err)
							}
							if region == "120" {
								inRegion = append(inRegion, fmt.Sprintf("%s-%s-%s %s", g.Region, g.ASL, g.Pharmacy, g.Competence))
							}
						}
					}
				}
			}
			validator := e.key(auth.Scope{Role: auth.Validator, Key: sheet.Key{Region: "120"}})

			type item struct {
				Region, ASL, Pharmacy, Competence string
				ComputedAt                        string           `json:"computed_at"`
				Report                            string           `json:"report"`
				FindingsCount                     *int             `json:"findings_count"`
				PayableCount                      *int             `json:"payable_count"`
				Findings                          []map[string]any `json:"findings"`
				Payable                           []map[string]any `json:"payable"`
				DeclaredSheets                    *int             `json:"declared_sheets"`
				Summary                           map[string]any   `json:"summary"`
			}
			type listing struct {
				Groups     []item `json:"groups"`
				NextCursor string `json:"next_cursor"`
				Next       string `json:"next"`
			}
			name := func(it item) string {
				return fmt.Sprintf("%s-%s-%s %s", it.Region, it.ASL, it.Pharmacy, it.Competence)
			}

			// Summaries, 5 a page, following next.
			var seen []string
			path := "/v1/reconciliations?limit=5"
			for pages := 0; path != ""; pages++ {
				if pages > len(inRegion) {
					t.Fatal("paging does not end")
				}
				r := e.do(req{method: "GET", path: path, key: validator})
				if r.status != 200 {
					t.Fatalf("GET %s: %s", path, r)
				}
				var l listing
				r.json(t, &l)
				if len(l.Groups) > 5 {
					t.Fatalf("GET %s: %d groups, limit 5", path, len(l.Groups))
				}
				for _, it := range l.Groups {
					seen = append(seen, name(it))
					if it.Findings != nil || it.Payable != nil || it.Report == "" || it.ComputedAt == "" ||
						it.FindingsCount == nil || *it.FindingsCount != 1 || it.PayableCount == nil || *it.PayableCount != 1 ||
						it.DeclaredSheets == nil || *it.DeclaredSheets != 4 || it.Summary["payable"] != 1.0 {
						t.Fatalf("summary of %s: %+v", name(it), it)
					}
				}
				if (l.Next == "") != (l.NextCursor == "") {
					t.Fatalf("next %q with next_cursor %q", l.Next, l.NextCursor)
				}
				path = l.Next
			}
			if strings.Join(seen, ",") != strings.Join(inRegion, ",") {
				t.Fatalf("pages visited\n%v\nwant every group of region 120 once, in order:\n%v", seen, inRegion)
			}

			// A summary's link is its full report.
			var first listing
			e.do(req{method: "GET", path: "/v1/reconciliations?limit=1", key: validator}).json(t, &first)
			if len(first.Groups) != 1 || first.NextCursor == "" {
				t.Fatalf("first page: %+v", first)
			}
			var full listing
			e.do(req{method: "GET", path: first.Groups[0].Report, key: validator}).json(t, &full)
			if len(full.Groups) != 1 || name(full.Groups[0]) != inRegion[0] || len(full.Groups[0].Findings) != 1 ||
				full.Groups[0].Findings[0]["kind"] != "sheet_count_mismatch" || len(full.Groups[0].Payable) != 1 ||
				full.Groups[0].ComputedAt == "" || full.NextCursor != "" {
				t.Fatalf("GET %s: %+v", first.Groups[0].Report, full)
			}

			// SPEC 7 filters give full reports, paged too.
			var month listing
			e.do(req{method: "GET", path: "/v1/reconciliations?competence=2025-06&limit=3", key: validator}).json(t, &month)
			if len(month.Groups) != 3 || month.Groups[0].Findings == nil || month.Groups[0].Competence != "2025-06" || month.NextCursor == "" {
				t.Fatalf("competence filter: %+v", month)
			}
			var rest listing
			e.do(req{method: "GET", path: month.Next, key: validator}).json(t, &rest)
			if len(rest.Groups) != 3 || rest.Groups[0].Findings == nil || name(rest.Groups[0]) <= name(month.Groups[2]) {
				t.Fatalf("competence filter, page 2: %+v", rest)
			}

			// A pharmacy sees itself only, whatever the view.
			ph := e.key(auth.Scope{Role: auth.Pharmacy, Key: sheet.Key{Region: "120", ASL: "202", Pharmacy: "10003"}})
			var own listing
			e.do(req{method: "GET", path: "/v1/reconciliations?view=full", key: ph}).json(t, &own)
			if len(own.Groups) != 2 || own.Groups[0].Pharmacy != "10003" || own.Groups[1].Pharmacy != "10003" || own.Groups[0].Findings == nil {
				t.Fatalf("pharmacy's own listing: %+v", own)
			}

			for _, bad := range []struct{ path, says string }{
				{"/v1/reconciliations?limit=0", "limit"},
				{"/v1/reconciliations?limit=1001", "limit"},
				{"/v1/reconciliations?view=full&limit=101", "limit"},
				{"/v1/reconciliations?view=everything", "view"},
				{"/v1/reconciliations?cursor=not-a-cursor", "cursor"},
				{"/v1/reconciliations?cursor=WzFd", "cursor"}, // [1]
			} {
				r := e.do(req{method: "GET", path: bad.path, key: validator})
				if r.status != 400 || !strings.Contains(string(r.body), bad.says) {
					t.Errorf("GET %s: %s, want 400 naming %s", bad.path, r, bad.says)
				}
			}
		})
	}
}
