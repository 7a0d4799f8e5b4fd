package store

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestSummarizeReport(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ name, report, want string }{
		{"group", `{"region":"120","declared_sheets":null,"scanned_sheets":3,"findings":[{"kind":"a"},{"kind":"b"}],"payable":[],` +
			`"records":[{}],"sheets":[{},{},{}],"summary":{"payable":0,"findings":{"a":1,"b":1}}}`,
			`{"region":"120","declared_sheets":null,"scanned_sheets":3,"findings_count":2,"payable_count":0,"records_count":1,` +
				`"sheets_count":3,"summary":{"payable":0,"findings":{"a":1,"b":1}}}`},
		{"empty object", `{}`, `{}`},
		{"not an object", `[1,2]`, `{}`},
		{"not JSON", `{`, `{}`},
		{"null", `null`, `{}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var got, want any
			if err := json.Unmarshal(SummarizeReport(json.RawMessage(c.report)), &got); err != nil {
				t.Fatalf("summary is not JSON: %v", err)
			}
			json.Unmarshal([]byte(c.want), &want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("SummarizeReport(%s) = %v, want %v", c.report, got, want)
			}
		})
	}
}
