package storetest

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/regfus/regfus/auth"
	"github.com/regfus/regfus/sheet"
	"github.com/regfus/regfus/store"
)

func testMigrateIdempotent(t *testing.T, c context.Context, s Store) {
	applied, err := s.Migrate(c)
	ok(t, err, "second Migrate")
	if len(applied) != 0 {
		t.Fatalf("second Migrate applied %v, want nothing", applied)
	}
}

func testPing(t *testing.T, c context.Context, s Store) {
	ok(t, s.Ping(c), "Ping")
}

// testMigrationFillsSummaries checks migration 0006: a report stored
// before summaries were kept (summary NULL, as migration 0002 left
// existing rows) gets the summary regfus computed for it in Go before: its
// members but its arrays, each counted as NAME_count; {} for a report that
// is not an object. The migration is run again by forgetting it in
// schema_migrations.
func testMigrationFillsSummaries(t *testing.T, c context.Context, s Store) {
	db := s.DB()
	cases := map[string]struct{ report, want string }{
		"99999": {`{"scanned_sheets":2,"findings":[{},{},{}],"payable":[],"declared_sheets":null,"summary":{"payable":1,"findings":{"x":2}},` +
			`"name":"a \"b\"","ok":true,"no":false,"ratio":1.5}`,
			`{"scanned_sheets":2,"findings_count":3,"payable_count":0,"declared_sheets":null,"summary":{"payable":1,"findings":{"x":2}},` +
				`"name":"a \"b\"","ok":true,"no":false,"ratio":1.5}`},
		"11111": {`{}`, `{}`},
		"22222": {`[1,2]`, `{}`},
	}
	for ph, cs := range cases {
		g := sheet.Key{Region: "120", ASL: "205", Pharmacy: ph, Competence: "2023-01"}
		ok(t, s.PutReconciliation(c, store.Reconciliation{Group: g, Report: json.RawMessage(cs.report), Summary: json.RawMessage(`{"stale":1}`)}), "Put")
	}
	if _, err := db.ExecContext(c, `UPDATE reconciliations SET summary = NULL`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(c, `DELETE FROM schema_migrations WHERE version = 6`); err != nil {
		t.Fatal(err)
	}
	applied, err := s.Migrate(c)
	ok(t, err, "Migrate")
	if len(applied) == 0 || applied[0] != "0006_summaries_in_sql.sql" {
		t.Fatalf("Migrate applied %v, want 0006 again", applied)
	}
	page, err := s.PageReconciliations(c, store.ReconciliationQuery{Filter: store.GroupFilter{Scope: auth.Scope{Role: auth.Admin}}, Limit: 10, Summaries: true})
	ok(t, err, "PageReconciliations")
	if len(page) != len(cases) {
		t.Fatalf("PageReconciliations = %+v", page)
	}
	for _, r := range page {
		jsonEq(t, r.Summary, json.RawMessage(cases[r.Group.Pharmacy].want), "summary of "+r.Group.Pharmacy)
	}
}
