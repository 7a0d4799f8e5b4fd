package reconcile

import (
	"fmt"
	"strings"
	"time"
)

// SheetCount is the one way a group's sheets are counted, wherever they
// are told (the sheet_count_mismatch finding, the report's table, the
// command lines' summaries): the REGFUS and REGFUS-D declarations against
// the sheets delivered of each kind, and apart the delivered sheets whose
// progressive was not read, which could be of either kind.
type SheetCount struct {
	DeclaredREGFUS, DeclaredREGFUSD *int
	// REGFUS and REGFUSD count delivered sheets whose progressive was read
	// (without and with the D); a second scan of a sheet does not count.
	REGFUS, REGFUSD    int
	UnknownProgressive int
}

// SheetCount returns the group's count.
func (g *Group) SheetCount() SheetCount {
	return SheetCount{
		DeclaredREGFUS: g.DeclaredSheets, DeclaredREGFUSD: g.DeclaredDispensarioSheets,
		REGFUS: g.ScannedSheets - g.UnknownProgressiveSheets, REGFUSD: g.ScannedDispensarioSheets,
		UnknownProgressive: g.UnknownProgressiveSheets,
	}
}

// Delivered is every sheet delivered.
func (c SheetCount) Delivered() int { return c.REGFUS + c.REGFUSD + c.UnknownProgressive }

// String tells the count in one line, e.g. "REGFUS 12 declared, 11
// delivered; REGFUS-D 1 declared, 1 delivered; 1 delivered sheet of
// unknown progressive (14 delivered in all)".
func (c SheetCount) String() string {
	decl := func(p *int) string {
		if p == nil {
			return "not declared"
		}
		return fmt.Sprintf("%d declared", *p)
	}
	parts := []string{
		fmt.Sprintf("REGFUS %s, %d delivered", decl(c.DeclaredREGFUS), c.REGFUS),
		fmt.Sprintf("REGFUS-D %s, %d delivered", decl(c.DeclaredREGFUSD), c.REGFUSD),
	}
	if c.UnknownProgressive > 0 {
		s := "s"
		if c.UnknownProgressive == 1 {
			s = ""
		}
		parts = append(parts, fmt.Sprintf("%d delivered sheet%s of unknown progressive (%d delivered in all)", c.UnknownProgressive, s, c.Delivered()))
	}
	return strings.Join(parts, "; ")
}

// parseDate parses a page's DATA field (YYYY-MM-DD).
func parseDate(s *string) (time.Time, bool) {
	if s == nil {
		return time.Time{}, false
	}
	d, err := time.Parse("2006-01-02", *s)
	return d, err == nil
}
