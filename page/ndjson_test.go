package page

import (
	"strings"
	"testing"
)

func TestReadResults(t *testing.T) {
	t.Parallel()
	good := `{"source":"a.png","page":1,"status":"ok","reasons":[],"slots":[]}` + "\n\n" +
		`  {"source":"a.png","page":2,"status":"rejected","reasons":["no_markers"],"slots":[]}  ` + "\n"
	got, err := ReadResults(strings.NewReader(good), "good")
	if err != nil || len(got) != 2 || got[0].Status != OK || got[1].Page != 2 || got[1].Status != Rejected {
		t.Fatalf("ReadResults = %+v, %v", got, err)
	}
	bad := `{"source":"a.png","page":1,"status":"ok"}` + "\n" + `not json` + "\n" + `{"source":"b.png","page":1,"status":"maybe"}` + "\n"
	got, err = ReadResults(strings.NewReader(bad), "bad.ndjson")
	if got != nil || err == nil {
		t.Fatalf("malformed input: %+v, %v", got, err)
	}
	for _, want := range []string{"2 malformed line(s) in bad.ndjson", "bad.ndjson:2: not a page result", `bad.ndjson:3: status "maybe"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	long := strings.Repeat(" ", maxResultLine+1) + "\n"
	if _, err := ReadResults(strings.NewReader("\n"+long), "long"); err == nil || !strings.Contains(err.Error(), "long:2: line longer than") {
		t.Errorf("an over-long line: %v", err)
	}
}
