package page

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/regfus/regfus/sheet"
)

// TestSheetWire: a sheet's JSON carries its code's parts beside the code,
// in the order results have always had, and reads back; parts that
// contradict the code, or come without one, are refused.
func TestSheetWire(t *testing.T) {
	code := sheet.MustParseCode("12020599999012023")
	b, err := json.Marshal(Sheet{Code: CodeOf(code), TailCode: CodeOf(code), Progressive: Str("2")})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"code":"12020599999012023","region":"120","asl":"205","pharmacy":"99999","month":1,"year":2023,"tail_code":"12020599999012023","progressive":"2","declared_count":null,"date":null}`
	if string(b) != want {
		t.Fatalf("json.Marshal = %s\nwant %s", b, want)
	}
	var back Sheet
	if err := json.Unmarshal(b, &back); err != nil || back.Code == nil || *back.Code != code || back.TailCode == nil || *back.TailCode != code || *back.Progressive != "2" {
		t.Fatalf("json.Unmarshal(%s) = %+v, %v", b, back, err)
	}
	if b, _ := json.Marshal(Sheet{}); !strings.HasPrefix(string(b), `{"code":null,"region":null,"asl":null,"pharmacy":null,"month":null,"year":null,"tail_code":null,`) {
		t.Errorf("unidentified sheet: %s", b)
	}
	for _, bad := range []string{
		`{"code":"12020599999012023","asl":"206"}`,
		`{"code":"12020599999012023","month":2}`,
		`{"code":null,"region":"120"}`,
		`{"code":"1202059999901202","region":"120"}`,
		`{"code":"1202059999901202"}`,
		`{"code":"12020599999132023"}`,
		`{"code":"12020599999012023","tail_code":"x"}`,
		`{"code":12020599999012023}`,
	} {
		var s Sheet
		if err := json.Unmarshal([]byte(bad), &s); err == nil {
			t.Errorf("json.Unmarshal(%s) = nil error", bad)
		}
	}
}
