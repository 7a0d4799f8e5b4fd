package sheet

import (
	"cmp"
	"fmt"
)

// Key identifies one pharmacy in one competence month: what a sheet code
// names, what a declaration and a dispensing record are about, and the
// unit the service reconciles, stores reports for and lists. It is the
// one type for that key everywhere (reconciliation's groups, the store's
// groups, the engine's pharmacies).
//
// A Key with an empty Competence stands for the pharmacy in every month
// (AnyMonth): reconciliation takes a pharmacy's months together, since a
// prescription suspended in one month is paid in another.
type Key struct {
	Region     string `json:"region"`     // 3 digits
	ASL        string `json:"asl"`        // 3 digits
	Pharmacy   string `json:"pharmacy"`   // 5 digits, the pharmacy's code within its ASL
	Competence string `json:"competence"` // YYYY-MM
}

// Key returns the pharmacy and month the code names.
func (c Code) Key() Key {
	return Key{Region: c.Region, ASL: c.ASL, Pharmacy: c.Pharmacy, Competence: c.Competence()}
}

// String formats k as "120-205-99999 2023-01", or "120-205-99999" for
// the pharmacy in every month.
func (k Key) String() string {
	if k.Competence == "" {
		return k.Region + "-" + k.ASL + "-" + k.Pharmacy
	}
	return fmt.Sprintf("%s-%s-%s %s", k.Region, k.ASL, k.Pharmacy, k.Competence)
}

// AnyMonth returns the key of the same pharmacy in every month.
func (k Key) AnyMonth() Key {
	k.Competence = ""
	return k
}

// Compare orders keys by region, ASL, pharmacy and competence (-1, 0 or
// +1, as cmp.Compare).
func (k Key) Compare(o Key) int {
	return cmp.Or(cmp.Compare(k.Region, o.Region), cmp.Compare(k.ASL, o.ASL),
		cmp.Compare(k.Pharmacy, o.Pharmacy), cmp.Compare(k.Competence, o.Competence))
}
