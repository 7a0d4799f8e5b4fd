package store

import (
	"testing"

	"github.com/regfus/regfus/sheet"
)

func TestCursor(t *testing.T) {
	g := sheet.Key{Region: "120", ASL: "205", Pharmacy: "99999", Competence: "2023-01"}
	if got, err := DecodeCursor(EncodeCursor(g)); err != nil || got != g {
		t.Fatalf("DecodeCursor(EncodeCursor(%v)) = %v, %v", g, got, err)
	}
	for _, bad := range []string{"not-a-cursor", "WzFd" /* [1] */, "WyIxIiwiMiIsIjMiXQ" /* ["1","2","3"] */, ""} {
		if _, err := DecodeCursor(bad); err == nil {
			t.Errorf("DecodeCursor(%q) = nil error", bad)
		}
	}
}
