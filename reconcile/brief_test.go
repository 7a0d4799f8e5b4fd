package reconcile

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// TestBriefFollowsGroup: a group's Brief has every member of the group's
// JSON but the lists, and NAME_count with the length of each list NAME. A
// member added to Group and not to Brief fails here.
func TestBriefFollowsGroup(t *testing.T) {
	t.Parallel()
	in := cleanMonth()
	in.Pages = in.Pages[1:] // a missing sheet: findings too
	rep := mustReconcile(t, in)
	if len(rep.Groups) == 0 {
		t.Fatal("no group to test on")
	}
	for _, g := range rep.Groups {
		if len(g.Payable) == 0 || len(g.Records) == 0 || len(g.Sheets) == 0 || len(g.Findings) == 0 {
			t.Fatalf("%s: want a group with every list non-empty, findings %d payable %d records %d sheets %d",
				g.Key, len(g.Findings), len(g.Payable), len(g.Records), len(g.Sheets))
		}
		full, err := json.Marshal(g)
		if err != nil {
			t.Fatal(err)
		}
		var members map[string]json.RawMessage
		if err := json.Unmarshal(full, &members); err != nil {
			t.Fatal(err)
		}
		want := map[string]any{}
		for k, v := range members {
			var list []json.RawMessage
			if bytes.HasPrefix(bytes.TrimSpace(v), []byte("[")) && json.Unmarshal(v, &list) == nil {
				want[k+"_count"] = float64(len(list))
				continue
			}
			var x any
			json.Unmarshal(v, &x)
			want[k] = x
		}
		b, err := json.Marshal(g.Brief())
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]any
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: brief\n%s\nwant the group's members with lists counted:\n%v", g.Key, b, want)
		}
	}
}
