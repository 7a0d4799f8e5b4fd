package reconcile

import (
	"fmt"
	"sort"
	"strings"
)

func (r *run) duplicates() {
	var dups []*tgEntry
	for i := range r.entries {
		e := &r.entries[i]
		if len(e.fust) > 1 || len(e.recs) > 1 || len(r.known[e.t]) > 0 {
			dups = append(dups, e)
		}
	}
	sort.Slice(dups, func(i, j int) bool { return dups[i].t < dups[j].t })
	for _, e := range dups {
		t := e.t
		type place struct {
			desc string
			f    *slotRef
			rec  *recInfo
		}
		var places []place
		for i := range e.fust {
			c := &e.fust[i]
			places = append(places, place{desc: fmt.Sprintf("%s slot %d of %s (%s)", c.p.where(), c.s.n, c.p.key, c.p.ref()), f: c})
		}
		for _, ri := range e.recs {
			ri.dup = true
			places = append(places, place{desc: fmt.Sprintf("record %s of %s", ri.r.ID, ri.key), rec: ri})
		}
		for _, s := range r.known[t] {
			places = append(places, place{desc: s.String() + " (known)"})
		}
		others := func(self int) string {
			var b []string
			for i, pl := range places {
				if i == self || (pl.rec != nil && places[self].f != nil && places[self].f.s.rec == pl.rec) ||
					(pl.f != nil && places[self].rec != nil && pl.f.s.rec == places[self].rec) {
					continue // a fustella and its own record are one pack
				}
				if len(b) == 5 {
					b = append(b, fmt.Sprintf("and %d more", len(places)-i))
					break
				}
				b = append(b, pl.desc)
			}
			return "targatura also on " + strings.Join(b, "; ")
		}
		for i, pl := range places {
			switch {
			case pl.f != nil:
				f := Finding{Kind: DuplicateTargatura, Targatura: string(t), Detail: others(i)}
				if pl.f.s.rec != nil {
					f.RecordID = pl.f.s.rec.r.ID
				}
				r.add(pl.f.p.g, f, pl.f.p, pl.f.s)
			case pl.rec != nil && pl.rec.foundS == nil:
				rec := pl.rec.r
				r.add(pl.rec.g, Finding{Kind: DuplicateTargatura, Sheet: rec.Sheet.String(), Slot: rec.Slot, Targatura: string(t), RecordID: rec.ID, Detail: others(i)}, nil, nil)
			}
		}
	}
}
