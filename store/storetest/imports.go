package storetest

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/regfus/regfus/fustella"
	"github.com/regfus/regfus/records"
	"github.com/regfus/regfus/sheet"
	"github.com/regfus/regfus/store"
)

func decl(line int, pharm, competence string, bundle records.Bundle, sheets int) records.Declaration {
	return records.Declaration{Key: sheet.Key{Region: "120", ASL: "205", Pharmacy: pharm, Competence: competence}, Bundle: bundle, Sheets: sheets,
		Pos: records.Position{File: "dcr.csv", Line: line}}
}

func testDeclarations(t *testing.T, c context.Context, s Store) {
	k := mustKey(t, s, validator)
	first := []records.Declaration{
		decl(2, "99999", "2023-01", records.REGFUS, 10),
		decl(3, "99999", "2023-01", records.REGFUSD, 2),
		decl(4, "11111", "2023-01", records.REGFUS, 5),
	}
	first[2].GrossAmount, first[2].Ticket = 1234, 50
	sum, err := s.ImportDeclarations(c, store.Import{KeyID: k.ID, Source: "dcr.csv"}, first)
	ok(t, err, "ImportDeclarations")
	if sum.Rows != 3 || sum.Replaced != 0 || len(sum.Groups) != 2 || sum.ImportID == 0 ||
		sum.Groups[0] != (sheet.Key{Region: "120", ASL: "205", Pharmacy: "11111", Competence: "2023-01"}) {
		t.Fatalf("summary = %+v", sum)
	}
	all, err := s.ListDeclarations(c, store.GroupFilter{Scope: admin})
	ok(t, err, "ListDeclarations")
	if len(all) != 3 {
		t.Fatalf("ListDeclarations = %d rows", len(all))
	}
	want := first[2]
	want.Pos = records.Position{} // not stored
	if !reflect.DeepEqual(all[0], want) {
		t.Fatalf("row did not round-trip:\n got %+v\nwant %+v", all[0], want)
	}

	// Re-import of pharmacy 99999 January: both its rows go, 11111 stays.
	sum2, err := s.ImportDeclarations(c, store.Import{Source: "dcr-fix.json"}, []records.Declaration{decl(1, "99999", "2023-01", records.REGFUS, 7)})
	ok(t, err, "re-import")
	if sum2.Replaced != 2 || sum2.Rows != 1 {
		t.Fatalf("re-import summary %+v, want 2 replaced", sum2)
	}
	a, _ := s.ListDeclarations(c, store.GroupFilter{Scope: admin, Key: sheet.Key{Pharmacy: "99999"}})
	if len(a) != 1 || a[0].Sheets != 7 || a[0].Bundle != records.REGFUS {
		t.Fatalf("after re-import: %+v", a)
	}
	if b, _ := s.ListDeclarations(c, store.GroupFilter{Scope: pharmacyB}); len(b) != 1 || b[0].Sheets != 5 {
		t.Fatalf("other group touched or scope ignored: %+v", b)
	}
	if x, _ := s.ListDeclarations(c, store.GroupFilter{Scope: station206}); len(x) != 0 {
		t.Fatalf("station 206 sees %d declarations", len(x))
	}

	// Duplicates in one file: refused with both lines named, nothing changed.
	_, err = s.ImportDeclarations(c, store.Import{Source: "dup.csv"}, []records.Declaration{
		decl(2, "11111", "2023-01", records.REGFUS, 1), decl(3, "11111", "2023-01", records.REGFUS, 1)})
	is(t, err, store.ErrInvalid, "duplicate rows")
	if !strings.Contains(err.Error(), "dup.csv line 3") || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("duplicate error does not name file and lines: %v", err)
	}
	// A row the database refuses rolls back the whole import.
	_, err = s.ImportDeclarations(c, store.Import{Source: "bad.csv"}, []records.Declaration{
		decl(2, "11111", "2023-01", records.REGFUS, 99), decl(3, "11111", "2023-01", "BOGUS", 1)})
	if err == nil || !strings.Contains(err.Error(), "bad.csv line 3") {
		t.Fatalf("bad bundle: error %v, want one naming bad.csv line 3", err)
	}
	if b, _ := s.ListDeclarations(c, store.GroupFilter{Scope: pharmacyB}); len(b) != 1 || b[0].Sheets != 5 {
		t.Fatalf("failed import half-applied: %+v", b)
	}
	// An import without rows (a file with only its header) is an import
	// that changes nothing.
	sum, err = s.ImportDeclarations(c, store.Import{Source: "empty.csv"}, nil)
	ok(t, err, "empty import")
	if sum.Rows != 0 || len(sum.Groups) != 0 || sum.Replaced != 0 || sum.ImportID == 0 {
		t.Fatalf("empty import = %+v, want an import of 0 rows", sum)
	}
	if b, _ := s.ListDeclarations(c, store.GroupFilter{Scope: pharmacyB}); len(b) != 1 || b[0].Sheets != 5 {
		t.Fatalf("empty import changed declarations: %+v", b)
	}
}

// rec is a closed, signed record dispensed on the 15th of its month, on
// slot 3 of sheet 1.
func rec(line int, id, pharm, competence string, targatura fustella.Targatura) records.Record {
	day, err := time.Parse(time.DateOnly, competence+"-15")
	if err != nil {
		panic(err)
	}
	return records.Record{ID: id, Key: sheet.Key{Region: "120", ASL: "205", Pharmacy: pharm, Competence: competence}, DispensedOn: day,
		Prescription: "NRE" + id, AIC: "012345676", Targatura: targatura, Sheet: sheet.Progressive{N: 1}, Slot: 3,
		State: records.Closed, ClosedOn: day, Signature: records.Digital, SignedDocumentID: "DOC" + id,
		Pos: records.Position{File: "records.csv", Line: line}}
}

func testRecords(t *testing.T, c context.Context, s Store) {
	susp := rec(3, "r2", "99999", "2023-01", "2222222222")
	susp.State, susp.ClosedOn, susp.Signature, susp.SignedDocumentID, susp.Sheet, susp.Slot = records.Suspended, time.Time{}, records.Unsigned, "", sheet.Progressive{}, 0
	disp := rec(5, "r3", "99999", "2023-01", "4444444444")
	disp.Sheet = sheet.Progressive{Dispensario: true, N: 12}
	rows := []records.Record{rec(2, "r1", "99999", "2023-01", "1111111111"), susp, rec(4, "r1", "99999", "2023-02", "3333333333"), disp}
	sum, err := s.ImportRecords(c, store.Import{Source: "records.csv"}, rows)
	ok(t, err, "ImportRecords")
	if sum.Rows != 4 || len(sum.Groups) != 2 {
		t.Fatalf("summary = %+v", sum)
	}
	jan, err := s.ListRecords(c, store.GroupFilter{Scope: pharmacyA, Key: sheet.Key{Competence: "2023-01"}})
	ok(t, err, "ListRecords")
	if len(jan) != 3 {
		t.Fatalf("January records: %+v", jan)
	}
	for i, want := range []records.Record{rows[0], susp, disp} {
		want.Pos = records.Position{} // not stored
		if !reflect.DeepEqual(jan[i], want) {
			t.Fatalf("record %s did not round-trip:\n got %+v\nwant %+v", want.ID, jan[i], want)
		}
	}
	if x, _ := s.ListRecords(c, store.GroupFilter{Scope: pharmacyB}); len(x) != 0 {
		t.Fatalf("pharmacy B sees %d records of A", len(x))
	}

	// Re-import January: r2 disappears, February stays.
	sum2, err := s.ImportRecords(c, store.Import{Source: "records-2.csv"}, []records.Record{rec(2, "r1", "99999", "2023-01", "1111111112")})
	ok(t, err, "re-import")
	if sum2.Replaced != 3 {
		t.Fatalf("re-import replaced %d, want 3", sum2.Replaced)
	}
	all, _ := s.ListRecords(c, store.GroupFilter{Scope: admin})
	if len(all) != 2 || all[0].Targatura != "1111111112" || all[1].Competence != "2023-02" {
		t.Fatalf("after re-import: %+v", all)
	}

	_, err = s.ImportRecords(c, store.Import{Source: "dup.csv"}, []records.Record{rec(5, "x", "99999", "2023-03", "1"), rec(9, "x", "99999", "2023-03", "2")})
	is(t, err, store.ErrInvalid, "duplicate record ids")
	if !strings.Contains(err.Error(), "dup.csv line 9") || !strings.Contains(err.Error(), "line 5") || !strings.Contains(err.Error(), `"x"`) {
		t.Fatalf("duplicate error: %v", err)
	}
	bad := rec(3, "y", "99999", "2023-01", "1")
	bad.State = "lost"
	_, err = s.ImportRecords(c, store.Import{Source: "bad.csv"}, []records.Record{rec(2, "z", "99999", "2023-01", "1"), bad})
	if err == nil || !strings.Contains(err.Error(), "bad.csv line 3") {
		t.Fatalf("bad state: error %v", err)
	}
	if jan, _ := s.ListRecords(c, store.GroupFilter{Scope: admin, Key: sheet.Key{Competence: "2023-01"}}); len(jan) != 1 || jan[0].Targatura != "1111111112" {
		t.Fatalf("failed import half-applied: %+v", jan)
	}
}
