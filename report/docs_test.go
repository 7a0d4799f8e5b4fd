package report

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/regfus/regfus/reconcile"
)

// TestFormatsDocIsCurrent keeps docs/formats.md honest: the example files
// it shows are the ones in records/testdata, and the reports it shows are
// what this code renders for them.
func TestFormatsDocIsCurrent(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../docs/formats.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"declarations.csv", "declarations.json", "records.csv", "declarations_bad.csv", "records_bad.csv", "records_bad.json"} {
		data, err := os.ReadFile("../records/testdata/" + f)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(doc, data) {
			t.Errorf("docs/formats.md does not show records/testdata/%s as it is", f)
		}
	}
	rep := example(t)
	rep.Findings = nil // example() adds a page of nobody the doc does not have
	for _, f := range []Format{CSV, PayableCSV} {
		var b bytes.Buffer
		if err := Write(&b, rep, f); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(doc), "```csv\n"+b.String()+"```") {
			t.Errorf("docs/formats.md does not show the current %s report:\n%s", f, b.String())
		}
	}
	// Every finding kind is documented.
	for _, k := range reconcile.Kinds {
		if !strings.Contains(string(doc), "| `"+string(k)+"` |") {
			t.Errorf("finding kind %s is not in the table of docs/formats.md", k)
		}
	}
}
