package sqlstore

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
)

func allQueries(skip string, extra string) string {
	var b strings.Builder
	for _, n := range queryNames {
		if n == skip {
			continue
		}
		b.WriteString("-- name: " + n + "\nSELECT 1;\n\n")
	}
	return b.String() + extra
}

func TestParseQueries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, text, wantErr string
	}{
		{"complete", "-- header comment\n" + allQueries("", ""), ""},
		{"missing", allQueries("GetBatch", ""), "missing queries [GetBatch]"},
		{"unknown", allQueries("", "-- name: GetBatchez\nSELECT 2;\n"), "unknown queries [GetBatchez]"},
		{"duplicate", allQueries("", "-- name: GetBatch\nSELECT 2;\n"), fmt.Sprintf(`line %d: query "GetBatch" defined twice`, 3*len(queryNames)+1)},
		{"empty body", strings.Replace(allQueries("", ""), "-- name: InsertKey\nSELECT 1;", "-- name: InsertKey\n;", 1), "missing queries [InsertKey]"},
		{"sql before names", "SELECT 1;\n" + allQueries("", ""), "line 1: SQL before the first"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			q, err := parseQueries("test", tt.text)
			if tt.wantErr == "" {
				if err != nil || q["GetBatch"] != "SELECT 1;" {
					t.Fatalf("parseQueries = %q, %v", q["GetBatch"], err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want it to contain %q", err, tt.wantErr)
			}
		})
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
