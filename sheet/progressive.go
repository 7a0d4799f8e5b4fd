package sheet

import (
	"fmt"
	"strconv"
	"strings"
)

// MaxProgressive bounds a sheet progressive: one sheet per working day is
// allowed, and a big pharmacy fills a few sheets a day.
const MaxProgressive = 9999

// Progressive is the number of a sheet within its competence month. A
// dispensario (satellite outlet) numbers its sheets apart, with a D prefix.
type Progressive struct {
	N           int
	Dispensario bool
}

// ParseProgressive parses "2", "02" or "D2" (case-insensitive D).
func ParseProgressive(s string) (Progressive, error) {
	t := strings.TrimSpace(s)
	var p Progressive
	if strings.HasPrefix(t, "D") || strings.HasPrefix(t, "d") {
		p.Dispensario = true
		t = t[1:]
	}
	if t == "" {
		return Progressive{}, fmt.Errorf("sheet progressive %q: no number", s)
	}
	for i := 0; i < len(t); i++ {
		if t[i] < '0' || t[i] > '9' {
			return Progressive{}, fmt.Errorf("sheet progressive %q: want digits with an optional D prefix", s)
		}
	}
	if len(t) > 4 {
		return Progressive{}, fmt.Errorf("sheet progressive %q: more than 4 digits", s)
	}
	n, _ := strconv.Atoi(t)
	if n < 1 || n > MaxProgressive {
		return Progressive{}, fmt.Errorf("sheet progressive %q: out of range 1-%d", s, MaxProgressive)
	}
	p.N = n
	return p, nil
}

// String formats p as printed: "2" or "D2".
func (p Progressive) String() string {
	if p.Dispensario {
		return "D" + strconv.Itoa(p.N)
	}
	return strconv.Itoa(p.N)
}
