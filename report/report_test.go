package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/reconcile"
	"github.com/regfus/regfus/records"
)

// example reconciles the example files of records/testdata: the month of
// docs/formats.md.
func example(t *testing.T) *reconcile.Report {
	t.Helper()
	decls, err := records.LoadDeclarations("../records/testdata/declarations.csv")
	if err != nil {
		t.Fatal(err)
	}
	recs, err := records.LoadRecords("../records/testdata/records.csv")
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("../records/testdata/results.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pages, err := page.ReadResults(f, "results.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	// A page of nobody, to have a top-level finding too.
	pages = append(pages, page.Result{Source: "scans/blank.png", Page: 1, Status: page.Rejected, Reasons: page.Reasons{{Kind: page.ReasonNoMarkers}}})
	rep, err := reconcile.Reconcile(reconcile.Input{Pages: pages, Declarations: decls, Records: recs})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestJSONHasSpecKeys(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := WriteJSON(&b, example(t)); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	has := func(what string, m map[string]any, keys ...string) {
		t.Helper()
		for _, k := range keys {
			if _, ok := m[k]; !ok {
				t.Errorf("%s lacks key %q: %v", what, k, m)
			}
		}
	}
	has("report", doc, "groups")
	groups := doc["groups"].([]any)
	if len(groups) != 2 {
		t.Fatalf("%d groups, want January and February (the carried record)", len(groups))
	}
	var findings, payable int
	for _, gi := range groups {
		g := gi.(map[string]any)
		has("group", g, "region", "asl", "pharmacy", "competence", "declared_sheets", "scanned_sheets", "findings", "payable")
		for _, fi := range g["findings"].([]any) {
			findings++
			has("finding", fi.(map[string]any), "kind", "sheet", "slot", "targatura", "record_id", "detail")
		}
		for _, pi := range g["payable"].([]any) {
			payable++
			p := pi.(map[string]any)
			has("payable", p, "record_id", "aic", "targatura", "attestation")
			if p["record_id"] == "R001" && p["attestation"] != "SD-2023-0001" {
				t.Errorf("attestation of R001 = %v, want its signed document id", p["attestation"])
			}
		}
	}
	jan := groups[0].(map[string]any)
	if jan["competence"] != "2023-01" || jan["declared_sheets"] != 2.0 || jan["scanned_sheets"] != 2.0 || jan["region"] != "120" {
		t.Errorf("January group header: %v", jan)
	}
	if findings == 0 || payable != 4 {
		t.Errorf("%d findings, %d payable (want R001, R002, R006 and R004 carried to February)", findings, payable)
	}
	// Empty values are null, not "" or 0.
	if !strings.Contains(b.String(), `"slot": null`) || !strings.Contains(b.String(), `"record_id": null`) {
		t.Errorf("no null values in findings")
	}
}

func TestJSONIsDeterministic(t *testing.T) {
	t.Parallel()
	var a, b bytes.Buffer
	if err := WriteJSON(&a, example(t)); err != nil {
		t.Fatal(err)
	}
	if err := WriteJSON(&b, example(t)); err != nil {
		t.Fatal(err)
	}
	if a.String() != b.String() {
		t.Error("two renderings differ")
	}
}

func TestFindingsCSV(t *testing.T) {
	t.Parallel()
	rep := example(t)
	var b bytes.Buffer
	if err := WriteCSV(&b, rep); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := len(rep.Findings)
	for _, g := range rep.Groups {
		want += len(g.Findings)
	}
	if strings.Join(rows[0], ",") != strings.Join(FindingColumns, ",") || len(rows) != want+1 {
		t.Fatalf("header %v, %d rows, want %d", rows[0], len(rows)-1, want)
	}
	var kinds []string
	for _, r := range rows[1:] {
		kinds = append(kinds, r[4])
	}
	for _, k := range []string{"unrecorded_fustella", "suspended", "unsigned", "unreadable"} {
		if !strings.Contains(strings.Join(kinds, " "), k) {
			t.Errorf("no %s row in %v", k, kinds)
		}
	}
	last := rows[len(rows)-1]
	if last[0] != "" || last[10] != "scans/blank.png" {
		t.Errorf("the page of nobody: %v", last)
	}
}

func TestPayableCSV(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := WritePayableCSV(&b, example(t)); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	got := []string{}
	for _, r := range rows[1:] {
		got = append(got, r[3]+"/"+r[4]+"/"+r[7]+"/"+r[11])
	}
	// R006 is on dispensario sheet D1, a page in review for its slot 2:
	// its own slot 1 is read for sure, so it is paid.
	want := "2023-01/R001/SD-2023-0001/ 2023-01/R002/MAN-2023-0002/ 2023-01/R006/SD-2023-0006/ 2023-02/R004/SD-2023-0004/2023-01"
	if strings.Join(got, " ") != want {
		t.Errorf("payable rows %v, want %s", got, want)
	}
}

func TestHTMLIsSelfContained(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := WriteHTML(&b, example(t), HTMLOptions{Subtitle: "example <month>"}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, bad := range []string{"http://", "https://", "//cdn", "<link", "<script", "@import", "url(", "<img", "<iframe"} {
		if strings.Contains(out, bad) {
			t.Errorf("HTML contains %q", bad)
		}
	}
	doc, err := html.Parse(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	var svgs, slots int
	classes := map[string]int{}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			for _, a := range n.Attr {
				if (a.Key == "href" || a.Key == "src") && !strings.HasPrefix(a.Val, "#") {
					t.Errorf("<%s %s=%q> points outside the page", n.Data, a.Key, a.Val)
				}
				if a.Key == "class" && strings.HasPrefix(a.Val, "slot ") {
					slots++
					classes[strings.Fields(a.Val)[1]]++
				}
			}
			if n.Data == "svg" {
				svgs++
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	// Three delivered sheets, 28 slots each: R001, R002 and R006 (on D1,
	// in review for its other slot) payable (green); R003 suspended, R004
	// carried and R005 unsigned matched with a finding; D1 slot 2 grey.
	if svgs != 3 || slots != 3*28 {
		t.Errorf("%d pictures with %d slots, want 3 with 84", svgs, slots)
	}
	if classes["o-matched"] != 3 || classes["o-issue"] != 3 || classes["o-unrecorded"] != 1 || classes["o-unreadable"] != 1 || classes["o-empty"] != 76 {
		t.Errorf("slot classes %v", classes)
	}
	for _, s := range []string{"Pharmacy 120-205-99999, 2023-01", "unrecorded_fustella", "example &lt;month&gt;", "R004", "scans/blank.png"} {
		if !strings.Contains(out, s) {
			t.Errorf("HTML lacks %q", s)
		}
	}
	if m := regexp.MustCompile(`<title>slot 3: unrecorded[^<]*targatura 1000000076`).FindString(out); m == "" {
		t.Error("slot 3 of sheet 2 has no tooltip naming its targatura")
	}
}

func TestParseFormat(t *testing.T) {
	t.Parallel()
	for _, f := range Formats {
		if got, err := ParseFormat(strings.ToUpper(string(f))); err != nil || got != f {
			t.Errorf("ParseFormat(%s) = %v, %v", f, got, err)
		}
	}
	if _, err := ParseFormat("pdf"); err == nil || !strings.Contains(err.Error(), "json, csv, payable-csv, html") {
		t.Errorf("err = %v", err)
	}
	var b bytes.Buffer
	if err := Write(&b, &reconcile.Report{}, "xml"); err == nil {
		t.Error("Write accepted format xml")
	}
}

func TestEmptyReport(t *testing.T) {
	t.Parallel()
	rep, err := reconcile.Reconcile(reconcile.Input{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range Formats {
		var b bytes.Buffer
		if err := Write(&b, rep, f); err != nil || b.Len() == 0 {
			t.Errorf("%s: %v, %d bytes", f, err, b.Len())
		}
	}
}
