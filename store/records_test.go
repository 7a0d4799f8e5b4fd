package store

import (
	"reflect"
	"testing"

	"github.com/regfus/regfus/records"
)

// The committed examples of package records survive the trip through the
// store's row types unchanged.
func TestRecordsMappingRoundTrip(t *testing.T) {
	t.Parallel()
	recs, err := records.LoadRecords("../records/testdata/records.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) == 0 {
		t.Fatal("no records in the example")
	}
	sawClosed, sawSuspended := false, false
	for _, r := range recs {
		row := RecordFrom(r)
		if row.Line != r.Pos.Line || row.Line == 0 {
			t.Fatalf("record %s: line %d, want %d", r.ID, row.Line, r.Pos.Line)
		}
		back, err := row.Record()
		if err != nil {
			t.Fatal(err)
		}
		want := r
		want.Pos = records.Position{Line: r.Pos.Line}
		if !reflect.DeepEqual(back, want) {
			t.Fatalf("record %s:\n got %+v\nwant %+v", r.ID, back, want)
		}
		sawClosed = sawClosed || row.ClosedOn != ""
		sawSuspended = sawSuspended || row.ClosedOn == ""
	}
	if !sawClosed || !sawSuspended {
		t.Fatalf("example lacks closed (%v) or suspended (%v) records: the test proves less than it says", sawClosed, sawSuspended)
	}

	decls, err := records.LoadDeclarations("../records/testdata/declarations.csv")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range decls {
		back := DeclarationFrom(d).Declaration()
		want := d
		want.Pos = records.Position{Line: d.Pos.Line}
		if !reflect.DeepEqual(back, want) {
			t.Fatalf("declaration:\n got %+v\nwant %+v", back, want)
		}
	}
}

func TestRecordRowErrors(t *testing.T) {
	t.Parallel()
	for _, r := range []Record{
		{RecordID: "a", DispensedOn: "2023-13-01"},
		{RecordID: "b", DispensedOn: "2023-01-01", ClosedOn: "yesterday"},
		{RecordID: "c", DispensedOn: "2023-01-01", Sheet: "X"},
	} {
		if _, err := r.Record(); err == nil {
			t.Errorf("Record(%+v) = nil error", r)
		}
	}
}
