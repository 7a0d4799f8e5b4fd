package records

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/regfus/regfus/sheet"
)

const recordHeader = "record_id,region,asl,pharmacy,dispensed_on,competence,prescription,aic,targatura,sheet,slot,state,closed_on,signature,signed_document_id\n"

// goodRecord is one valid CSV row; tests replace one field at a time.
var goodRecord = []string{"R1", "120", "205", "99999", "2023-01-09", "2023-01", "1200A4000000001", "034567899", "1000000014", "1", "1", "closed", "2023-01-09", "digital", "SD-1"}

func recordRow(changes map[string]string) string {
	f := append([]string(nil), goodRecord...)
	for k, v := range changes {
		i := indexOf(RecordColumns, k)
		if i < 0 {
			panic(k)
		}
		f[i] = v
	}
	return strings.Join(f, ",") + "\n"
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

func problemsOf(t *testing.T, err error) []Problem {
	t.Helper()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v, want a *ValidationError", err)
	}
	return ve.Problems
}

func mustLoad[T any](t *testing.T, load func(string) ([]T, error), path string) []T {
	t.Helper()
	rows, err := load(path)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestExampleFiles(t *testing.T) {
	t.Parallel()
	dc, dj := mustLoad(t, LoadDeclarations, "testdata/declarations.csv"), mustLoad(t, LoadDeclarations, "testdata/declarations.json")
	rc, rj := mustLoad(t, LoadRecords, "testdata/records.csv"), mustLoad(t, LoadRecords, "testdata/records.json")
	if len(dc) != 2 || len(rc) != 6 {
		t.Fatalf("got %d declarations, %d records", len(dc), len(rc))
	}
	// The CSV and JSON examples hold the same data.
	for i := range dc {
		dc[i].Pos, dj[i].Pos = Position{}, Position{}
	}
	if !reflect.DeepEqual(dc, dj) {
		t.Errorf("declarations differ:\n%+v\n%+v", dc, dj)
	}
	for i := range rc {
		rc[i].Pos, rj[i].Pos = Position{}, Position{}
	}
	if !reflect.DeepEqual(rc, rj) {
		t.Errorf("records differ:\n%+v\n%+v", rc, rj)
	}
	want := Declaration{Key: sheet.Key{Region: "120", ASL: "205", Pharmacy: "99999", Competence: "2023-01"}, Bundle: REGFUSD, Sheets: 1}
	if dc[1] != want {
		t.Errorf("declaration 2 = %+v, want %+v", dc[1], want)
	}
	r := rc[3]
	if r.ID != "R004" || r.Sheet != (sheet.Progressive{N: 2}) || r.Slot != 1 || r.State != Closed ||
		r.ClosedOn != time.Date(2023, 2, 2, 0, 0, 0, 0, time.UTC) || r.PayableCompetence() != "2023-02" {
		t.Errorf("record R004 = %+v", r)
	}
	if rc[2].PayableCompetence() != "" || rc[0].PayableCompetence() != "2023-01" {
		t.Errorf("payable competence: %q %q", rc[2].PayableCompetence(), rc[0].PayableCompetence())
	}
	if rc[5].Sheet != (sheet.Progressive{N: 1, Dispensario: true}) {
		t.Errorf("R006 sheet = %v", rc[5].Sheet)
	}
}

// TestBadExampleFiles pins the problem lists docs/formats.md shows.
func TestBadExampleFiles(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		file string
		want []string
	}{
		{"declarations_bad.csv", []string{
			"2:9: pharmacy: \"9999\": want 5 digits",
			"2:14: competence: competence \"2023-13\": month 13 out of range 01-12",
			"2:29: sheets: \"two\": want a whole number 0-9999",
			"3:23: bundle: \"regfus\": want one of REGFUS, REGFUS-D (write it \"REGFUS\")",
			"3:32: gross_amount: amount \"12,50\": want euro with a dot as decimal separator, e.g. 12.50",
			"5:1: second REGFUS declaration for 120-205-99999 2023-01 (first on line 4)",
		}},
		{"records_bad.csv", []string{
			"2:55: aic: invalid AIC \"034567898\": check digit is 8, want 9",
			"3:20: dispensed_on: date \"2023-02-30\" does not exist",
			"3:65: targatura: invalid targatura \"1000000015\": check digit is 5, want 4",
			"3:78: slot: 29 out of range 1-28",
			"3:81: state: \"open\": want one of closed, suspended",
			"4:1: record_id: \"R001\" already used on line 2",
			"4:65: targatura: 1000000014 already on line 2: the same pack twice",
			"4:76: sheet: sheet progressive \"X2\": want digits with an optional D prefix",
			"4:88: closed_on: empty, but state is closed: want the closing date",
			"4:97: signed_document_id: empty, but signature is digital: want the signed document id (the attestation code)",
			"5:90: closed_on: 2023-02-02 given, but state is suspended: a suspended prescription has no closing date",
			"5:106: signed_document_id: \"SD-2023-0004\" given, but signature is none",
			"6: row has 8 fields, the header has 15",
		}},
		{"records_bad.json", []string{
			"2:35: region: number 120, want a string (a number loses leading zeros)",
			"3:48: competence: competence \"2023-1\": want YYYY-MM, e.g. 2023-01",
			"5:36: closed_on: 2023-01-08 is before dispensed_on 2023-01-09",
			"5:63: signature: true, want a string",
			"6:3: region: key missing from the object",
			"8:73: slot: \"2.5\": want a whole number 1-28",
			"9:96: signed_document_id: empty, but signature is digital: want the signed document id (the attestation code)",
			"10:3: element 3: want an object",
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join("testdata", tc.file)
			var err error
			var n int
			if strings.HasPrefix(tc.file, "declarations") {
				var d []Declaration
				d, err = LoadDeclarations(path)
				n = len(d)
			} else {
				var r []Record
				r, err = LoadRecords(path)
				n = len(r)
			}
			if n != 0 {
				t.Errorf("%d rows imported from a bad file", n)
			}
			ps := problemsOf(t, err)
			var got []string
			for _, p := range ps {
				if p.File != path {
					t.Errorf("problem names file %q, want %q", p.File, path)
				}
				got = append(got, strings.TrimPrefix(p.String(), path+":"))
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			if !strings.Contains(err.Error(), fmt.Sprintf("%d problem", len(tc.want))) {
				t.Errorf("Error() = %q", err)
			}
		})
	}
}

func TestRecordRules(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		changes map[string]string
		field   string // "" when the row must be accepted
		says    string
	}{
		{"valid", nil, "", ""},
		{"AIC with its printed A", map[string]string{"aic": "A034567899"}, "", ""},
		{"dispensario sheet", map[string]string{"sheet": "D3"}, "", ""},
		{"spaces around values", map[string]string{"asl": " 205 ", "state": "closed "}, "", ""},
		{"manual signature", map[string]string{"signature": "manual"}, "", ""},
		{"suspended", map[string]string{"state": "suspended", "closed_on": ""}, "", ""},
		{"unsigned", map[string]string{"signature": "none", "signed_document_id": ""}, "", ""},
		{"closed next month", map[string]string{"closed_on": "2023-02-28"}, "", ""},
		{"empty id", map[string]string{"record_id": ""}, "record_id", "empty"},
		{"long id", map[string]string{"record_id": strings.Repeat("x", 65)}, "record_id", "at most 64"},
		{"region letters", map[string]string{"region": "12A"}, "region", "3 digits"},
		{"asl short", map[string]string{"asl": "25"}, "asl", "3 digits"},
		{"pharmacy long", map[string]string{"pharmacy": "999999"}, "pharmacy", "5 digits"},
		{"date format", map[string]string{"dispensed_on": "09/01/2023"}, "dispensed_on", "YYYY-MM-DD"},
		{"date nonexistent", map[string]string{"dispensed_on": "2023-02-29"}, "dispensed_on", "does not exist"},
		{"date year", map[string]string{"dispensed_on": "1999-01-01", "competence": "2000-01"}, "dispensed_on", "year out of range"},
		{"competence form", map[string]string{"competence": "01/2023"}, "competence", "YYYY-MM"},
		{"competence month", map[string]string{"competence": "2023-00"}, "competence", "month 00"},
		{"competence before dispensing", map[string]string{"dispensed_on": "2023-02-01", "closed_on": "2023-02-01"}, "competence", "before the dispensing month"},
		{"no prescription", map[string]string{"prescription": " "}, "prescription", "empty"},
		{"AIC check digit", map[string]string{"aic": "034567890"}, "aic", "check digit"},
		{"AIC length", map[string]string{"aic": "34567899"}, "aic", "9 digits"},
		{"targatura check digit", map[string]string{"targatura": "1000000010"}, "targatura", "check digit"},
		{"targatura letters", map[string]string{"targatura": "10000000a4"}, "targatura", "digit"},
		{"sheet zero", map[string]string{"sheet": "0"}, "sheet", "out of range"},
		{"sheet letters", map[string]string{"sheet": "B2"}, "sheet", "optional D prefix"},
		{"slot zero", map[string]string{"slot": "0"}, "slot", "out of range 1-28"},
		{"slot text", map[string]string{"slot": "first"}, "slot", "whole number"},
		{"slot plus", map[string]string{"slot": "+3"}, "slot", "whole number"},
		{"state", map[string]string{"state": "Closed"}, "state", `write it "closed"`},
		{"closed without date", map[string]string{"closed_on": ""}, "closed_on", "want the closing date"},
		{"closed before dispensed", map[string]string{"closed_on": "2023-01-08"}, "closed_on", "before dispensed_on"},
		{"suspended with date", map[string]string{"state": "suspended"}, "closed_on", "no closing date"},
		{"signature", map[string]string{"signature": "otp"}, "signature", "digital, manual, none"},
		{"signed without document", map[string]string{"signed_document_id": ""}, "signed_document_id", "attestation"},
		{"unsigned with document", map[string]string{"signature": "none"}, "signed_document_id", "signature is none"},
		{"control character", map[string]string{"signed_document_id": "SD\x01"}, "signed_document_id", "control character"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			data := recordHeader + recordRow(tc.changes)
			recs, err := ParseRecords([]byte(data), "r.csv", CSV)
			if tc.field == "" {
				if err != nil || len(recs) != 1 {
					t.Fatalf("rejected: %v", err)
				}
				return
			}
			if recs != nil {
				t.Errorf("imported %d records from a bad file", len(recs))
			}
			ps := problemsOf(t, err)
			if len(ps) != 1 || ps[0].Field != tc.field || ps[0].Line != 2 || ps[0].Column < 1 || !strings.Contains(ps[0].Message, tc.says) {
				t.Errorf("problems = %v, want one on line 2, field %s, saying %q", ps, tc.field, tc.says)
			}
		})
	}
}

func TestDeclarationRules(t *testing.T) {
	t.Parallel()
	const header = "region,asl,pharmacy,competence,bundle,sheets,gross_amount,ticket\n"
	for _, tc := range []struct {
		row   string
		field string
		says  string
	}{
		{row: "120,205,99999,2023-01,REGFUS,3,0,0"},
		{row: "120,205,99999,2023-01,REGFUS,0,12.5,-1.05"}, // non-zero amounts are a finding, not an import error
		{row: "120,205,99999,2023-01,REGFUS-D,3,0.00,0.0"},
		{"120,205,99999,2023-01,REGFUSD,3,0,0", "bundle", "REGFUS, REGFUS-D"},
		{"120,205,99999,2023-01,REGFUS,-1,0,0", "sheets", "out of range"},
		{"120,205,99999,2023-01,REGFUS,1.5,0,0", "sheets", "whole number"},
		{"120,205,99999,2023-01,REGFUS,1,1.234,0", "gross_amount", "with a dot"},
		{"120,205,99999,2023-01,REGFUS,1,0,1e3", "ticket", "with a dot"},
		{"120,205,99999,2023-01,REGFUS,1,.5,0", "gross_amount", "with a dot"},
		{"120,205,99999,2023-1,REGFUS,1,0,0", "competence", "YYYY-MM"},
		{"120,205,99999,2023-01,,1,0,0", "bundle", "empty"},
	} {
		d, err := ParseDeclarations([]byte(header+tc.row+"\n"), "d.csv", Auto)
		if tc.field == "" {
			if err != nil || len(d) != 1 {
				t.Errorf("%s: rejected: %v", tc.row, err)
			}
			continue
		}
		if d != nil {
			t.Errorf("%s: imported", tc.row)
		}
		ps := problemsOf(t, err)
		if len(ps) != 1 || ps[0].Field != tc.field || !strings.Contains(ps[0].Message, tc.says) {
			t.Errorf("%s: problems = %v, want one in %s saying %q", tc.row, ps, tc.field, tc.says)
		}
	}
}

func TestParseCents(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want Cents
		bad  bool
	}{
		{in: "0", want: 0}, {in: "0.00", want: 0}, {in: "12.5", want: 1250}, {in: "12.05", want: 1205},
		{in: "-3.10", want: -310}, {in: "1234567.89", want: 123456789},
		{in: "", bad: true}, {in: "1,5", bad: true}, {in: "1.", bad: true}, {in: "1.234", bad: true},
		{in: "1e2", bad: true}, {in: "€1", bad: true}, {in: "1 000", bad: true}, {in: "-", bad: true},
		{in: "99999999999999", bad: true},
	} {
		got, err := ParseCents(tc.in)
		if (err != nil) != tc.bad || (!tc.bad && got != tc.want) {
			t.Errorf("ParseCents(%q) = %v, %v", tc.in, got, err)
		}
	}
	if s := Cents(-1205).String(); s != "-12.05" {
		t.Errorf("String = %s", s)
	}
}

func TestStructuralProblems(t *testing.T) {
	t.Parallel()
	good := recordRow(nil)
	for _, tc := range []struct {
		name string
		data string
		f    Format
		want []string // substrings, each in some problem
	}{
		{"empty CSV", "", CSV, []string{"file is empty"}},
		{"blank CSV", " \n\n", Auto, []string{"file is empty"}},
		{"semicolons", strings.ReplaceAll(recordHeader, ",", ";") + good, CSV, []string{"separated by ';'"}},
		{"missing columns", "record_id,region\nR1,120\n", CSV, []string{"lacks column(s) asl, pharmacy"}},
		{"column twice", strings.TrimSuffix(recordHeader, "\n") + ",ASL\n" + strings.TrimSuffix(good, "\n") + ",205\n", CSV, []string{"appears twice"}},
		{"bare quote", recordHeader + "R\"1" + good[2:], CSV, []string{"bare \""}},
		{"field count", recordHeader + "R1,120\n" + good + "x\n", CSV, []string{"2 fields", "1 fields"}},
		{"invalid UTF-8", recordHeader + strings.Replace(good, "R1", "R\xff1", 1), CSV, []string{"invalid UTF-8"}},
		{"JSON object", `{"record_id":"R1"}`, Auto, []string{"want a JSON array"}},
		{"JSON syntax", `[{"record_id": "R1",}]`, Auto, []string{"JSON syntax"}},
		{"JSON truncated", `[{"record_id": "R1"`, Auto, []string{"too early"}},
		{"JSON trailing", `[] []`, Auto, []string{"after the end"}},
		{"JSON nested", `[{"record_id": ["R1"]}]`, JSON, []string{"an array, want a string"}},
		{"JSON duplicate key", `[{"record_id": "R1", "RECORD_ID": "R2"}]`, JSON, []string{"appears twice"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			recs, err := ParseRecords([]byte(tc.data), "f", tc.f)
			if recs != nil {
				t.Errorf("imported %d records", len(recs))
			}
			ps := problemsOf(t, err)
			if len(ps) < len(tc.want) {
				t.Fatalf("problems = %v, want at least %d", ps, len(tc.want))
			}
			for _, w := range tc.want {
				found := false
				for _, p := range ps {
					found = found || strings.Contains(p.Message, w)
				}
				if !found {
					t.Errorf("problems = %v, want one saying %q", ps, w)
				}
			}
		})
	}
}

func TestCSVVariants(t *testing.T) {
	t.Parallel()
	// A byte-order mark, CRLF line ends, quoted cells, reordered and extra
	// columns and upper-case names are all fine.
	cols := append([]string{"note"}, RecordColumns...)
	cols[1], cols[2] = cols[2], cols[1]
	hdr := strings.ToUpper(strings.Join(cols, ","))
	f := append([]string{`"a, note"`}, goodRecord...)
	f[1], f[2] = f[2], f[1]
	data := "\xEF\xBB\xBF" + hdr + "\r\n" + strings.Join(f, ",") + "\r\n"
	recs, err := ParseRecords([]byte(data), "x.csv", Auto)
	if err != nil || len(recs) != 1 || recs[0].ID != "R1" || recs[0].Region != "120" {
		t.Fatalf("recs = %+v, err = %v", recs, err)
	}
	// A header alone is an empty, valid import.
	recs, err = ParseRecords([]byte(recordHeader), "x.csv", CSV)
	if err != nil || len(recs) != 0 {
		t.Fatalf("header only: %v %v", recs, err)
	}
	recs, err = ParseRecords([]byte(" [ ] "), "x.json", Auto)
	if err != nil || len(recs) != 0 {
		t.Fatalf("empty array: %v %v", recs, err)
	}
}

func TestRecordJSONRoundTrip(t *testing.T) {
	t.Parallel()
	recs, err := LoadRecords("testdata/records.csv")
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(recs)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseRecords(data, "export.json", JSON)
	if err != nil {
		t.Fatal(err)
	}
	for i := range recs {
		recs[i].Pos, back[i].Pos = Position{}, Position{}
	}
	if !reflect.DeepEqual(recs, back) {
		t.Errorf("round trip differs:\n%+v\n%+v", recs, back)
	}
	decls, _ := LoadDeclarations("testdata/declarations.csv")
	data, _ = json.Marshal(decls)
	if _, err := ParseDeclarations(data, "export.json", JSON); err != nil {
		t.Errorf("declarations round trip: %v\n%s", err, data)
	}
}

func TestLoadMissingFile(t *testing.T) {
	t.Parallel()
	_, err := LoadRecords(filepath.Join(t.TempDir(), "nope.csv"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("err = %v", err)
	}
}

func TestManyProblemsAllListed(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString(recordHeader)
	for i := 0; i < 200; i++ {
		b.WriteString(recordRow(map[string]string{"record_id": fmt.Sprintf("R%d", i), "slot": "99", "targatura": "1000000010"}))
	}
	_, err := ParseRecords([]byte(b.String()), "big.csv", CSV)
	ps := problemsOf(t, err)
	if len(ps) != 400 {
		t.Errorf("%d problems, want 400 (two per row)", len(ps))
	}
	if msg := err.Error(); !strings.Contains(msg, "400 problems") || !strings.Contains(msg, "and 350 more") {
		t.Errorf("Error() does not summarise: %.200s", msg)
	}
}
