package demo

import (
	"context"
	"testing"

	"github.com/regfus/regfus/records"
)

// TestBuildWritesValidImports checks that the demo's declaration and records
// pass the strict importers and carry each injected discrepancy.
func TestBuildWritesValidImports(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	m, err := Build(context.Background(), Options{
		Dir: dir, Sheets: 3, Seed: 11, Profiles: []string{"clean"}, Workers: 1,
		Region: "120", ASL: "205", Pharmacy: "99999", Month: 3, Year: 2024,
	})
	if err != nil {
		t.Fatal(err)
	}
	decls, err := records.LoadDeclarations(m.Declarations)
	if err != nil {
		t.Fatalf("declarations do not import: %v", err)
	}
	recs, err := records.LoadRecords(m.Records)
	if err != nil {
		t.Fatalf("records do not import: %v", err)
	}
	sheets := map[string]int{}
	for _, d := range decls {
		sheets[string(d.Bundle)] = d.Sheets
	}
	if sheets["REGFUS"] != m.Regular+1 || sheets["REGFUS-D"] != m.Dispensario || m.Regular+m.Dispensario != m.Pages {
		t.Errorf("declarations %v: want REGFUS %d (one more than delivered) and REGFUS-D %d", sheets, m.Regular+1, m.Dispensario)
	}
	// One record per fustella, minus the unrecorded one, plus the ghost.
	if len(recs) != m.Fustelle {
		t.Errorf("%d records for %d fustelle", len(recs), m.Fustelle)
	}
	kinds := map[string]bool{}
	for _, d := range m.Injected {
		kinds[d.Kind] = true
	}
	for _, k := range []string{"suspended", "unsigned", "slot_mismatch", "aic_mismatch", "unrecorded_fustella", "missing_fustella", "sheet_count_mismatch"} {
		if !kinds[k] {
			t.Errorf("no %s injected", k)
		}
	}
	states := map[string]int{}
	for _, r := range recs {
		states[string(r.State)+"/"+string(r.Signature)]++
	}
	if states["suspended/digital"] != 1 || states["closed/none"] != 1 {
		t.Errorf("record states %v: want one suspended and one unsigned", states)
	}
}

func TestBuildRejectsBadOptions(t *testing.T) {
	t.Parallel()
	if _, err := Build(context.Background(), Options{Dir: t.TempDir(), Sheets: 0}); err == nil {
		t.Error("0 sheets accepted")
	}
	if _, err := Build(context.Background(), Options{Dir: t.TempDir(), Sheets: 2, Profiles: []string{"fax"}}); err == nil {
		t.Error("unknown profile accepted")
	}
}
