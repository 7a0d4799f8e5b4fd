package reconcile

import (
	"fmt"
	"sort"

	"github.com/regfus/regfus/fustella"
	"github.com/regfus/regfus/sheet"
)

// KnownTargature lets the caller extend duplicate detection beyond the
// input: a service passes the targature its store already holds from other
// months and pharmacies. Reconciliation stays pure; the lookup is the only
// call it makes out, once, with every targatura of the input.
type KnownTargature interface {
	// Sightings returns where else each of the given targature was seen.
	// Targature never seen elsewhere may be left out of the map.
	Sightings(ts []fustella.Targatura) (map[fustella.Targatura][]Sighting, error)
}

// Sighting is one place a targatura was seen outside the input: on a sheet
// (Sheet and Slot set) or in a record (RecordID set).
//
// Sightings inside a group that is part of the input are ignored: the
// input is the authority on its own groups (a store that returns the
// very pages being reconciled again does not make every targatura a
// duplicate).
type Sighting struct {
	sheet.Key
	Sheet    string `json:"sheet,omitempty"`
	Slot     int    `json:"slot,omitempty"`
	RecordID string `json:"record_id,omitempty"`
}

func (s Sighting) String() string {
	switch {
	case s.RecordID != "":
		return fmt.Sprintf("record %s of %s", s.RecordID, s.Key)
	case s.Sheet != "":
		return fmt.Sprintf("sheet %s slot %d of %s", s.Sheet, s.Slot, s.Key)
	}
	return s.Key.String()
}

// KnownMap is a KnownTargature held in memory.
type KnownMap map[fustella.Targatura][]Sighting

// Sightings implements KnownTargature.
func (m KnownMap) Sightings(ts []fustella.Targatura) (map[fustella.Targatura][]Sighting, error) {
	out := make(map[fustella.Targatura][]Sighting)
	for _, t := range ts {
		if s, ok := m[t]; ok {
			out[t] = s
		}
	}
	return out, nil
}

func sortSightings(s []Sighting) {
	sort.Slice(s, func(i, j int) bool {
		a, b := s[i], s[j]
		if a.Key != b.Key {
			return a.Key.Compare(b.Key) < 0
		}
		if a.Sheet != b.Sheet {
			return a.Sheet < b.Sheet
		}
		if a.Slot != b.Slot {
			return a.Slot < b.Slot
		}
		return a.RecordID < b.RecordID
	})
}
