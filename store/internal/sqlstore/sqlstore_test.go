package sqlstore

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

func TestParseQueries(t *testing.T) {
	t.Parallel()
	q, err := parseQueries("test", "-- header\n\n-- name: A\n-- about A\nSELECT 1\nFROM x;\n\n-- name: B\nSELECT 2;\n")
	if err != nil || q["A"] != "SELECT 1\nFROM x;" || q["B"] != "SELECT 2;" || len(q) != 2 {
		t.Fatalf("parseQueries = %q, %v", q, err)
	}
	for text, want := range map[string]string{
		"-- name: A\nSELECT 1;\n-- name: A\nSELECT 2;\n": `line 3: query "A" defined twice`,
		"SELECT 1;\n-- name: A\nSELECT 1;\n":             "line 1: SQL before the first",
	} {
		if _, err := parseQueries("test", text); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("parseQueries(%q) error %v, want it to contain %q", text, err, want)
		}
	}
}

// allStatements names every statement with a trivial body.
func allStatements(skip string) map[string]string {
	q := map[string]string{}
	v := reflect.TypeOf(statements{})
	for i := range v.NumField() {
		if n := v.Field(i).Name; n != skip {
			q[n] = "SELECT 1;"
		}
	}
	return q
}

func TestFillStatements(t *testing.T) {
	t.Parallel()
	st, err := fillStatements("test", allStatements(""))
	if err != nil || st.GetBatch != (statement{name: "GetBatch", text: "SELECT 1;"}) {
		t.Fatalf("fillStatements = %+v, %v", st.GetBatch, err)
	}
	missing := allStatements("GetBatch")
	extra := allStatements("")
	extra["GetBatchez"] = "SELECT 2;"
	empty := allStatements("")
	empty["InsertKey"] = ";"
	for q, want := range map[*map[string]string]string{&missing: "missing queries [GetBatch]", &extra: "unknown queries [GetBatchez]", &empty: "missing queries [InsertKey]"} {
		if _, err := fillStatements("test", *q); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v, want it to contain %q", err, want)
		}
	}
}

// TestStatementsRender renders queries.sql for both dialects' words:
// every statement is there, no template text is left, and only the
// dialect's words differ.
func TestStatementsRender(t *testing.T) {
	t.Parallel()
	lite, err := loadStatements(Dialect{Name: "sqlite", JSONElements: "SELECT value FROM json_each(%s)"})
	if err != nil {
		t.Fatal(err)
	}
	pg, err := loadStatements(Dialect{Name: "postgres", RowLock: "FOR UPDATE", JSONElements: "SELECT jsonb_array_elements_text(CAST(%s AS jsonb))"})
	if err != nil {
		t.Fatal(err)
	}
	lv, pv := reflect.ValueOf(lite), reflect.ValueOf(pg)
	differ := 0
	for i := range lv.NumField() {
		l, p := lv.Field(i).Interface().(statement), pv.Field(i).Interface().(statement)
		for _, s := range []statement{l, p} {
			if strings.Contains(s.text, "{{") || strings.Contains(s.text, "}}") || strings.Contains(s.text, "<no value>") {
				t.Errorf("%s: template text left: %s", s.name, s.text)
			}
		}
		if strings.Contains(l.text, "FOR UPDATE") || strings.Contains(l.text, "jsonb") {
			t.Errorf("%s: PostgreSQL words in SQLite's text: %s", l.name, l.text)
		}
		if l.text != p.text {
			differ++
		}
	}
	if differ != 4 { // LockFile, ClaimPage, LockPage, FindTargature
		t.Errorf("%d statements differ between the dialects, want 4", differ)
	}
	want := "((CAST($2 AS TEXT) IS NULL OR ob.region = $2) AND (CAST($3 AS TEXT) IS NULL OR ob.asl = $3) AND (CAST($4 AS TEXT) IS NULL OR ob.pharmacy = $4)) " +
		"OR EXISTS (SELECT 1 FROM sheets vs WHERE vs.page_id = p.id AND (CAST($2 AS TEXT) IS NULL OR vs.region = $2) AND " +
		"(CAST($3 AS TEXT) IS NULL OR vs.asl = $3) AND (CAST($4 AS TEXT) IS NULL OR vs.pharmacy = $4)))"
	if !strings.Contains(lite.GetPage.text, want) {
		t.Errorf("GetPage's scope predicate:\n%s\nwant it to contain\n%s", lite.GetPage.text, want)
	}
}

func TestLoadMigrations(t *testing.T) {
	t.Parallel()
	ok := fstest.MapFS{"0002_more.sql": {Data: []byte("B")}, "0001_init.sql": {Data: []byte("A")}}
	ms, err := LoadMigrations(ok)
	if err != nil || len(ms) != 2 || ms[0].Name != "0001_init.sql" || ms[1].SQL != "B" {
		t.Fatalf("LoadMigrations = %+v, %v", ms, err)
	}
	for name, fsys := range map[string]fstest.MapFS{
		"gap":      {"0001_init.sql": {}, "0003_x.sql": {}},
		"bad name": {"0001_init.sql": {}, "2_x.sql": {}},
		"upper":    {"0001_Init.sql": {}},
		"no one":   {"0002_x.sql": {}},
	} {
		if _, err := LoadMigrations(fsys); err == nil {
			t.Errorf("%s: LoadMigrations accepted %v", name, fsys)
		}
	}
}

// TestMigrationsInStep: both stores number the same schema steps the same
// way (a step that changes nothing in one database is a file that says
// so), so a schema version means the same change in either.
func TestMigrationsInStep(t *testing.T) {
	t.Parallel()
	names := map[string][]string{}
	for _, dialect := range []string{"postgres", "sqlite"} {
		ms, err := LoadMigrations(os.DirFS(filepath.Join("..", "..", dialect, "migrations")))
		if err != nil {
			t.Fatalf("%s: %v", dialect, err)
		}
		for _, m := range ms {
			names[dialect] = append(names[dialect], m.Name)
		}
	}
	pg, lite := names["postgres"], names["sqlite"]
	if len(pg) == 0 || !slices.Equal(pg, lite) {
		t.Fatalf("migrations out of step:\npostgres %v\nsqlite   %v", pg, lite)
	}
}
