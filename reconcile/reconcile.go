package reconcile

import (
	"fmt"

	"github.com/regfus/regfus/fustella"
	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/records"
	"github.com/regfus/regfus/sheet"
)

// Input is everything one reconciliation looks at.
type Input struct {
	Pages        []page.Result
	Declarations []records.Declaration
	Records      []records.Record
	// Known is optional: targature seen by the system outside this input.
	Known KnownTargature
}

type slotInfo struct {
	n       int
	present bool
	state   page.SlotState
	aic     fustella.AIC
	tg      fustella.Targatura
	codesOK bool   // both codes present and valid
	why     string // why the codes are not usable
	flags   []page.Flag
	outcome FustellaOutcome
	rec     *recInfo
	issues  []Kind
}

func (s *slotInfo) hasFustella() bool {
	return s.present && s.state != page.Empty
}

type pageInfo struct {
	idx        int
	res        *page.Result
	key        sheet.Key
	identified bool
	// certain: the identity of the sheet is certain (see identityDoubt);
	// otherwise doubt says why not.
	certain   bool
	doubt     string
	prog      sheet.Progressive
	progKnown bool
	rescanOf  *pageInfo
	foreign   bool
	slots     [layout.SlotCount]slotInfo
	slotErrs  []string
	g         *group
}

func (p *pageInfo) label() string {
	if p.progKnown {
		return p.prog.String()
	}
	return ""
}

func (p *pageInfo) where() string {
	if p.progKnown {
		return "sheet " + p.prog.String()
	}
	return fmt.Sprintf("the sheet at %s p.%d (progressive not read)", p.res.Source, p.res.Page)
}

func (p *pageInfo) ref() string { return fmt.Sprintf("%s p.%d", p.res.Source, p.res.Page) }

// usable: the page's fustelle read for sure are matched against records
// (its identity is certain and it is not a second scan).
func (p *pageInfo) usable() bool {
	return p.identified && p.certain && p.rescanOf == nil
}

// found counts the fustelle on the page.
func (p *pageInfo) found() int {
	n := 0
	for i := range p.slots {
		if p.slots[i].hasFustella() {
			n++
		}
	}
	return n
}

func (p *pageInfo) rank() int { return progRank(p.prog, p.progKnown) }

func progRank(pr sheet.Progressive, known bool) int {
	switch {
	case !known:
		return 3 * sheet.MaxProgressive
	case pr.Dispensario:
		return sheet.MaxProgressive + pr.N
	}
	return pr.N
}

type recInfo struct {
	r       *records.Record
	key     sheet.Key
	g       *group
	match   MatchOutcome
	account AccountOutcome
	foundP  *pageInfo
	foundS  *slotInfo
	dup     bool
	// covered: its unverifiable reason is told by the slot's finding.
	covered bool
	why     string
	payIn   string
}

type group struct {
	key      sheet.Key
	pages    []*pageInfo
	recs     []*recInfo
	decl     map[records.Bundle]*records.Declaration
	findings []Finding
	payable  []Payable
}

type run struct {
	groups       map[sheet.Key]*group
	pages        []*pageInfo
	unidentified []*pageInfo
	recs         []*recInfo
	top          []Finding
	// tg indexes every usable fustella and every record by targatura
	// (see index); entries holds the same entries in creation order.
	tg      map[fustella.Targatura]*tgEntry
	entries []tgEntry
	known   map[fustella.Targatura][]Sighting
}

type slotRef struct {
	p *pageInfo
	s *slotInfo
}

func (r *run) group(k sheet.Key) *group {
	g := r.groups[k]
	if g == nil {
		g = &group{key: k, decl: map[records.Bundle]*records.Declaration{}}
		r.groups[k] = g
	}
	return g
}

// Reconcile runs every check of SPEC section 5 over in. It fails only when
// in.Known fails.
func Reconcile(in Input) (*Report, error) {
	r := &run{groups: map[sheet.Key]*group{}}
	r.indexPages(in.Pages)
	r.indexRecords(in.Records)
	r.indexDeclarations(in.Declarations)
	r.sortGroups()
	r.detectRescans()
	r.markForeign()
	r.index()
	if err := r.lookupKnown(in.Known); err != nil {
		return nil, err
	}
	for _, g := range r.sortedGroups() {
		r.pageChecks(g)
		if !r.isForeign(g) {
			r.sheetChecks(g)
			r.match(g)
		}
	}
	r.duplicates()
	for _, g := range r.sortedGroups() {
		r.unmatched(g)
	}
	r.accounting()
	r.unreadables()
	return r.report(), nil
}
