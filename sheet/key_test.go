package sheet

import (
	"encoding/json"
	"slices"
	"testing"
)

func TestKey(t *testing.T) {
	t.Parallel()
	c := mustParseCode(t, "12020599999012023")
	k := c.Key()
	if k != (Key{Region: "120", ASL: "205", Pharmacy: "99999", Competence: "2023-01"}) {
		t.Fatalf("Code.Key = %+v", k)
	}
	if k.String() != "120-205-99999 2023-01" || k.AnyMonth().String() != "120-205-99999" {
		t.Errorf("String: %q, AnyMonth: %q", k, k.AnyMonth())
	}
	b, err := json.Marshal(k)
	if err != nil || string(b) != `{"region":"120","asl":"205","pharmacy":"99999","competence":"2023-01"}` {
		t.Errorf("JSON %s, %v", b, err)
	}
	keys := []Key{
		{"120", "205", "99999", "2023-02"}, {"120", "205", "11111", "2023-01"}, {"030", "999", "99999", "2023-01"},
		{"120", "205", "99999", "2023-01"}, {"120", "201", "99999", "2024-01"}, {"120", "205", "99999", ""},
	}
	slices.SortFunc(keys, Key.Compare)
	want := []Key{
		{"030", "999", "99999", "2023-01"}, {"120", "201", "99999", "2024-01"}, {"120", "205", "11111", "2023-01"},
		{"120", "205", "99999", ""}, {"120", "205", "99999", "2023-01"}, {"120", "205", "99999", "2023-02"},
	}
	if !slices.Equal(keys, want) {
		t.Errorf("sorted %v, want %v", keys, want)
	}
}
