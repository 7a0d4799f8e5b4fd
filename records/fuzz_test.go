package records

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func addSeeds(f *testing.F, glob string) {
	files, _ := filepath.Glob(filepath.Join("testdata", glob))
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, uint8(Auto))
		f.Add(data, uint8(CSV))
		f.Add(data, uint8(JSON))
	}
	f.Add([]byte(""), uint8(Auto))
	f.Add([]byte("[{}]"), uint8(JSON))
	f.Add([]byte("a,\"b\nc"), uint8(CSV))
}

// checkRejection asserts the all-or-nothing contract: an error is a
// *ValidationError listing at least one problem, each naming the file, and
// nothing is returned with it.
func checkRejection(t *testing.T, n int, err error) {
	t.Helper()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %v is not a *ValidationError", err)
	}
	if n != 0 {
		t.Fatalf("%d rows returned with an error", n)
	}
	if len(ve.Problems) == 0 {
		t.Fatal("ValidationError with no problems")
	}
	for _, p := range ve.Problems {
		if p.File != "fuzz" || p.Line < 0 || p.Column < 0 || p.Message == "" {
			t.Fatalf("bad problem %+v", p)
		}
	}
}

func FuzzParseRecords(f *testing.F) {
	addSeeds(f, "records*")
	f.Fuzz(func(t *testing.T, data []byte, format uint8) {
		recs, err := ParseRecords(data, "fuzz", Format(format%3))
		if err != nil {
			checkRejection(t, len(recs), err)
			return
		}
		// What was accepted exports and imports back to the same records.
		out, err := json.Marshal(recs)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseRecords(out, "fuzz", JSON)
		if err != nil || len(back) != len(recs) {
			t.Fatalf("accepted records do not round-trip: %v\n%s", err, out)
		}
		for i := range recs {
			a, b := recs[i], back[i]
			a.Pos, b.Pos = Position{}, Position{}
			if a != b {
				t.Fatalf("record %d: %+v != %+v", i, a, b)
			}
		}
	})
}

func FuzzParseDeclarations(f *testing.F) {
	addSeeds(f, "declarations*")
	f.Fuzz(func(t *testing.T, data []byte, format uint8) {
		decls, err := ParseDeclarations(data, "fuzz", Format(format%3))
		if err != nil {
			checkRejection(t, len(decls), err)
			return
		}
		out, _ := json.Marshal(decls)
		back, err := ParseDeclarations(out, "fuzz", JSON)
		if err != nil || len(back) != len(decls) {
			t.Fatalf("accepted declarations do not round-trip: %v\n%s", err, out)
		}
		for i := range decls {
			a, b := decls[i], back[i]
			a.Pos, b.Pos = Position{}, Position{}
			if a != b {
				t.Fatalf("declaration %d: %+v != %+v", i, a, b)
			}
		}
	})
}
