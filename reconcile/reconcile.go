// Package reconcile checks what was read on the scanned sheets against what
// the pharmacy declared and recorded (SPEC section 5). It is pure: no I/O,
// no HTTP, no database. Its input is page results (package page), DCR
// declarations and dispensing records (package records); its output is the
// report model that package report renders and the service stores.
//
// # Groups
//
// Everything is grouped by pharmacy (region, ASL, pharmacy) and competence
// month. A page belongs to the group its sheet code names (the head code, or
// the tail code when the head one is unread or invalid: such a page is in
// the group but its identity is not certain, see below); a page with no
// valid code belongs to no group and is reported at the top level. A record
// belongs to the group of its competence; a declaration to its own.
//
// # Outcomes
//
// Every fustella found on a page (a slot whose state is filled or
// unreadable) ends in exactly one FustellaOutcome, and every record in
// exactly one MatchOutcome and one AccountOutcome, so totals always add up:
// the fustelle of all pages are the sum of the fustella outcomes, the
// records are the sum of either record outcome, and the payable lists hold
// exactly the payable and carried records. Findings are separate from
// outcomes: one item may have several findings (a matched fustella in the
// wrong slot with another AIC), or none.
//
// # Never silently wrong: the unit of doubt is the value
//
// Only what was read for sure is reconciled, but doubt is judged value by
// value, not page by page (a deliberate refinement of issue 5, which kept
// every page in review out of matching: the reader sends nearly every real
// page to review because the handwritten progressive, count and date are
// not machine-read, and a tool that matched nothing until a person typed
// every progressive would be of no use).
//
//   - The identity of the page. A page contributes fustelle only when its
//     sheet code is certain: status ok or review, a valid head code, a tail
//     code that is unread or equal to it, and no reason that casts doubt on
//     the identity (head_tail_mismatch, invalid_sheet_code, or any reason
//     this package does not know to be about values only). An unread
//     barcode with the other one read and not contradicted is certain
//     enough: that is how the reader reports it (package acquisition,
//     identity). A rejected page, or one whose identity is not certain,
//     contributes nothing: its fustelle are FUnreadable, one unreadable
//     finding says why, and a record that could be on it is MUnverifiable.
//   - The codes of a slot. On a page of certain identity, in review or not,
//     a slot is read for sure when its state is filled, its AIC and
//     targatura are both present with valid check digits and no flag
//     doubts them (aic_unread, targatura_unread, aic_disagree,
//     targatura_disagree; ocr_only, bars_only and the rule flags do not).
//     Such a slot is matched, unrecorded, duplicate and payable exactly as
//     on an ok page. Any other fustella is FUnreadable with its own
//     unreadable finding, never matched nor unrecorded, and a record that
//     could be it (assigned to that slot, or whose targatura was read
//     there) is MUnverifiable, never missing.
//   - The handwritten fields. A check that needs a value that was not read
//     is not made, and an unreadable finding about the page says so. With
//     the progressive unread, fustelle are still matched by targatura
//     (unique per pack: that is what makes a match certain, not the slot)
//     and the slot number is still compared with the record's, but not the
//     sheet number; and no progressive is reported missing while pages with
//     an unread progressive could be it (when there are more gaps than such
//     pages, one missing_progressive finding says how many are missing at
//     least). With the count unread there is no count_mismatch. The count
//     and date are optional: an empty box is not a finding, only a box
//     with writing that was not read is.
//
// After a person corrects a page, it reconciles like any other.
//
// # Determinism
//
// The report depends only on the content of the input, not on its order
// beyond ties between identical pages: pages are ordered by group,
// progressive, source and page number; records by id; findings by sheet,
// slot, kind, record and targatura.
package reconcile

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

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
	flags   []string
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
	key        Key
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

// valueReasons are the page reasons that doubt values on the page, not the
// identity of the sheet: each is answered slot by slot or field by field.
// An unread head or tail barcode is among them because the reader reports
// a code only when the other barcode read it and nothing contradicts it.
var valueReasons = []page.ReasonKind{
	page.ReasonHeadUnread, page.ReasonTailUnread, page.ReasonUnreadableSlot, page.ReasonProgressiveUnread,
	page.ReasonCountUnread, page.ReasonDateUnread, page.ReasonRuleBroken, page.ReasonLowResolution,
	page.ReasonCountMismatch, page.ReasonDateOutsideMonth,
}

// identityDoubt tells why the identity of a page is not certain, "" when
// it is: status ok or review, a valid head code, a tail code unread or
// equal to it, and only reasons that doubt values (valueReasons). Any
// other reason, known (head_tail_mismatch, invalid_sheet_code,
// markers_not_found, ...) or not, makes the whole page doubtful.
func identityDoubt(res *page.Result) string {
	switch res.Status {
	case page.OK, page.Review:
	case page.Rejected:
		return "the page is rejected"
	default:
		return fmt.Sprintf("unknown page status %q", res.Status)
	}
	sh := res.Sheet
	if sh.Code == nil {
		return "the head sheet code is not read"
	}
	if _, ok := parseCode(sh.Code); !ok {
		return fmt.Sprintf("the sheet code %q is not valid", *sh.Code)
	}
	if sh.TailCode != nil && strings.TrimSpace(*sh.TailCode) != strings.TrimSpace(*sh.Code) {
		return fmt.Sprintf("head code %s and tail code %s disagree", strings.TrimSpace(*sh.Code), strings.TrimSpace(*sh.TailCode))
	}
	for _, x := range res.Reasons {
		if !slices.Contains(valueReasons, x.Kind) {
			return "the reader reports " + x.String()
		}
	}
	return ""
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
	key     Key
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
	key      Key
	pages    []*pageInfo
	recs     []*recInfo
	decl     map[records.Bundle]*records.Declaration
	findings []Finding
	payable  []Payable
}

type run struct {
	groups       map[Key]*group
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

func (r *run) group(k Key) *group {
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
	r := &run{groups: map[Key]*group{}}
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

// ---- indexing ----

func parseCode(s *string) (sheet.Code, bool) {
	if s == nil {
		return sheet.Code{}, false
	}
	c, err := sheet.ParseCode(strings.TrimSpace(*s))
	return c, err == nil
}

func keyOf(c sheet.Code) Key {
	return Key{Region: c.Region, ASL: c.ASL, Pharmacy: c.Pharmacy, Competence: c.Competence()}
}

func (r *run) indexPages(results []page.Result) {
	for i := range results {
		res := &results[i]
		p := &pageInfo{idx: i, res: res}
		if c, ok := parseCode(res.Sheet.Code); ok {
			p.key, p.identified = keyOf(c), true
		} else if c, ok := parseCode(res.Sheet.TailCode); ok {
			p.key, p.identified = keyOf(c), true
		}
		p.doubt = identityDoubt(res)
		p.certain = p.identified && p.doubt == ""
		if res.Sheet.Progressive != nil {
			if pr, err := sheet.ParseProgressive(*res.Sheet.Progressive); err == nil {
				p.prog, p.progKnown = pr, true
			}
		}
		for n := range p.slots {
			p.slots[n].n = n + 1
		}
		for _, s := range res.Slots {
			if s.Slot < 1 || s.Slot > layout.SlotCount {
				p.slotErrs = append(p.slotErrs, fmt.Sprintf("the result lists slot %d, outside 1-%d", s.Slot, layout.SlotCount))
				continue
			}
			si := &p.slots[s.Slot-1]
			if si.present {
				p.slotErrs = append(p.slotErrs, fmt.Sprintf("the result lists slot %d twice", s.Slot))
				continue
			}
			si.present, si.state, si.flags = true, s.State, s.Flags
			readSlot(si, &s)
		}
		if p.identified {
			g := r.group(p.key)
			g.pages = append(g.pages, p)
			p.g = g
			r.pages = append(r.pages, p)
		} else {
			r.unidentified = append(r.unidentified, p)
		}
	}
}

// doubtFlags are the slot flags that say a code is not read for sure.
var doubtFlags = []string{page.FlagAICUnread, page.FlagTargaturaUnread, page.FlagAICDisagree, page.FlagTargaturaDisagree}

// readSlot decides whether a slot's codes can be used: state filled, both
// codes present and valid, and no flag in doubtFlags. The codes are kept
// even when they cannot be used, to tell where a record may be.
func readSlot(si *slotInfo, s *page.Slot) {
	if s.State == page.Empty {
		return
	}
	var problems []string
	if s.AIC == nil {
		problems = append(problems, "AIC not read")
	} else if a, err := fustella.ParseAIC(*s.AIC); err != nil {
		problems = append(problems, err.Error())
	} else {
		si.aic = a
	}
	if s.Targatura == nil {
		problems = append(problems, "targatura not read")
	} else if t, err := fustella.ParseTargatura(*s.Targatura); err != nil {
		problems = append(problems, err.Error())
	} else {
		si.tg = t
	}
	switch s.State {
	case page.Unreadable:
		si.why = "slot unreadable"
		if len(s.Flags) > 0 {
			si.why += " (" + strings.Join(s.Flags, ", ") + ")"
		}
		return
	case page.Filled:
	default:
		si.why = fmt.Sprintf("unknown slot state %q", s.State)
		return
	}
	var doubts []string
	for _, f := range s.Flags {
		if slices.Contains(doubtFlags, f) {
			doubts = append(doubts, f)
		}
	}
	if len(doubts) > 0 {
		problems = append(problems, "codes read with doubt ("+strings.Join(doubts, ", ")+")")
	}
	if len(problems) > 0 {
		si.why = strings.Join(problems, "; ")
		return
	}
	si.codesOK = true
}

func (r *run) indexRecords(recs []records.Record) {
	infos := make([]recInfo, len(recs))
	r.recs = make([]*recInfo, len(recs))
	var g *group
	for i := range recs {
		rec := &recs[i]
		ri := &infos[i]
		ri.r, ri.key = rec, Key{rec.Region, rec.ASL, rec.Pharmacy, rec.Competence}
		if g == nil || g.key != ri.key {
			g = r.group(ri.key)
		}
		ri.g = g
		r.recs[i] = ri
		g.recs = append(g.recs, ri)
	}
	slices.SortStableFunc(r.recs, recCmp)
}

func recCmp(a, b *recInfo) int {
	if c := strings.Compare(a.r.ID, b.r.ID); c != 0 {
		return c
	}
	if c := strings.Compare(a.r.Pos.File, b.r.Pos.File); c != 0 {
		return c
	}
	return a.r.Pos.Line - b.r.Pos.Line
}

func (r *run) indexDeclarations(decls []records.Declaration) {
	sorted := make([]*records.Declaration, len(decls))
	for i := range decls {
		sorted[i] = &decls[i]
	}
	sort.SliceStable(sorted, func(i, j int) bool {
		a, b := sorted[i].Pos, sorted[j].Pos
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line
	})
	for _, d := range sorted {
		g := r.group(Key{d.Region, d.ASL, d.Pharmacy, d.Competence})
		if first := g.decl[d.Bundle]; first != nil {
			g.findings = append(g.findings, Finding{Kind: DuplicateDeclaration,
				Detail: fmt.Sprintf("%s declared twice: %d sheets at %s is used, %d sheets at %s is ignored", d.Bundle, first.Sheets, first.Pos, d.Sheets, d.Pos)})
			continue
		}
		g.decl[d.Bundle] = d
	}
}

func (r *run) sortGroups() {
	for _, g := range r.groups {
		sort.SliceStable(g.pages, func(i, j int) bool { return pageLess(g.pages[i], g.pages[j]) })
		slices.SortStableFunc(g.recs, recCmp)
	}
	sort.SliceStable(r.pages, func(i, j int) bool {
		a, b := r.pages[i], r.pages[j]
		if a.key != b.key {
			return a.key.less(b.key)
		}
		return pageLess(a, b)
	})
	sort.SliceStable(r.unidentified, func(i, j int) bool { return pageLess(r.unidentified[i], r.unidentified[j]) })
}

func pageLess(a, b *pageInfo) bool {
	if ra, rb := a.rank(), b.rank(); ra != rb {
		return ra < rb
	}
	if a.res.Source != b.res.Source {
		return a.res.Source < b.res.Source
	}
	if a.res.Page != b.res.Page {
		return a.res.Page < b.res.Page
	}
	return a.idx < b.idx
}

func (r *run) sortedGroups() []*group {
	out := make([]*group, 0, len(r.groups))
	for _, g := range r.groups {
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key.less(out[j].key) })
	return out
}

// detectRescans marks a page of certain identity whose progressive and
// every slot equal an earlier such page's of the same group: the same sheet
// scanned twice. Pages whose progressive was not read are never taken for
// a second scan: a copy of a sheet under another number would be hidden,
// and counting both makes their targature duplicates, which a person sees.
func (r *run) detectRescans() {
	for _, g := range r.groups {
		seen := map[string]*pageInfo{}
		for _, p := range g.pages {
			if !p.certain || !p.progKnown || p.found() == 0 {
				continue
			}
			var b strings.Builder
			b.WriteString(p.prog.String())
			for i := range p.slots {
				s := &p.slots[i]
				b.WriteByte('|')
				if s.present {
					b.WriteString(string(s.state))
				}
				b.WriteByte(',')
				b.WriteString(string(s.aic))
				b.WriteByte(',')
				b.WriteString(string(s.tg))
			}
			sig := b.String()
			if first := seen[sig]; first != nil {
				p.rescanOf = first
				continue
			}
			seen[sig] = p
		}
	}
}

// markForeign marks the pages of groups nobody declared or recorded.
func (r *run) markForeign() {
	for _, g := range r.groups {
		if r.isForeign(g) {
			for _, p := range g.pages {
				p.foreign = true
			}
		}
	}
}

func (r *run) isForeign(g *group) bool {
	return len(g.pages) > 0 && len(g.decl) == 0 && len(g.recs) == 0
}

// tgEntry lists where one targatura is: on usable pages, in page order
// (so within a group in that group's page order), and in records, in
// record order.
type tgEntry struct {
	t    fustella.Targatura
	fust []slotRef
	recs []*recInfo
}

// index builds the targatura index: one map, and no allocation per
// targatura seen once (its slices point into two shared arrays, capped so
// that a second sighting copies out).
func (r *run) index() {
	nf := 0
	for _, p := range r.pages {
		if p.usable() {
			for i := range p.slots {
				if s := &p.slots[i]; s.hasFustella() && s.codesOK {
					nf++
				}
			}
		}
	}
	r.tg = make(map[fustella.Targatura]*tgEntry, nf+len(r.recs))
	r.entries = make([]tgEntry, 0, nf+len(r.recs))
	entry := func(t fustella.Targatura) *tgEntry {
		e := r.tg[t]
		if e == nil {
			r.entries = append(r.entries, tgEntry{t: t})
			e = &r.entries[len(r.entries)-1]
			r.tg[t] = e
		}
		return e
	}
	fbuf := make([]slotRef, nf)
	fi := 0
	for _, p := range r.pages {
		if !p.usable() {
			continue
		}
		for i := range p.slots {
			s := &p.slots[i]
			if !s.hasFustella() || !s.codesOK {
				continue
			}
			e := entry(s.tg)
			if e.fust == nil {
				fbuf[fi] = slotRef{p, s}
				e.fust = fbuf[fi : fi+1 : fi+1]
				fi++
			} else {
				e.fust = append(e.fust, slotRef{p, s})
			}
		}
	}
	rbuf := make([]*recInfo, len(r.recs))
	for i, ri := range r.recs {
		e := entry(ri.r.Targatura)
		if e.recs == nil {
			rbuf[i] = ri
			e.recs = rbuf[i : i+1 : i+1]
		} else {
			e.recs = append(e.recs, ri)
		}
	}
}

// fusts returns the usable fustelle with targatura t.
func (r *run) fusts(t fustella.Targatura) []slotRef {
	if e := r.tg[t]; e != nil {
		return e.fust
	}
	return nil
}

// recsOf returns the records with targatura t.
func (r *run) recsOf(t fustella.Targatura) []*recInfo {
	if e := r.tg[t]; e != nil {
		return e.recs
	}
	return nil
}

func (r *run) lookupKnown(k KnownTargature) error {
	if k == nil {
		return nil
	}
	ts := make([]fustella.Targatura, len(r.entries))
	for i := range r.entries {
		ts[i] = r.entries[i].t
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i] < ts[j] })
	found, err := k.Sightings(ts)
	if err != nil {
		return fmt.Errorf("reconcile: looking up known targature: %w", err)
	}
	r.known = map[fustella.Targatura][]Sighting{}
	for t, ss := range found {
		var keep []Sighting
		for _, s := range ss {
			if _, inInput := r.groups[s.Key]; !inInput {
				keep = append(keep, s)
			}
		}
		if len(keep) > 0 {
			sortSightings(keep)
			r.known[t] = keep
		}
	}
	return nil
}

// ---- findings ----

// add records a finding in g; p and s, when given, are the page and slot it
// is about.
func (r *run) add(g *group, f Finding, p *pageInfo, s *slotInfo) {
	if p != nil {
		if f.Sheet == "" {
			f.Sheet = p.label()
		}
		f.Source, f.Page = p.res.Source, p.res.Page
		f.sheetRank = p.rank()
	} else if f.Sheet != "" {
		if pr, err := sheet.ParseProgressive(f.Sheet); err == nil {
			f.sheetRank = progRank(pr, true)
		}
	}
	if s != nil {
		f.Slot = s.n
		s.issues = append(s.issues, f.Kind)
	}
	if g == nil {
		r.top = append(r.top, f)
		return
	}
	g.findings = append(g.findings, f)
}

// pageChecks: head/tail, written count, rules, foreign sheets.
func (r *run) pageChecks(g *group) {
	foreign := r.isForeign(g)
	for _, p := range g.pages {
		if p.rescanOf != nil {
			continue
		}
		sh := p.res.Sheet
		if (sh.Code != nil && sh.TailCode != nil && strings.TrimSpace(*sh.Code) != strings.TrimSpace(*sh.TailCode)) ||
			p.res.Reasons.Has(page.ReasonHeadTailMismatch) {
			r.add(g, Finding{Kind: HeadTailMismatch, Detail: fmt.Sprintf("head code %s, tail code %s", strOrUnread(sh.Code), strOrUnread(sh.TailCode))}, p, nil)
		}
		if sh.DeclaredCount != nil && len(p.res.Slots) > 0 {
			if n := p.found(); n != *sh.DeclaredCount {
				r.add(g, Finding{Kind: CountMismatch, Detail: fmt.Sprintf("%d fustelle written on the sheet, %d found", *sh.DeclaredCount, n)}, p, nil)
			}
		}
		if d, ok := parseDate(sh.Date); ok && !foreign && d.Format("2006-01") != g.key.Competence {
			r.add(g, Finding{Kind: DateOutsideMonth, Detail: fmt.Sprintf("the DATA field says %s, outside the competence %s", d.Format("02/01/2006"), g.key.Competence)}, p, nil)
		}
		for i := range p.slots {
			s := &p.slots[i]
			if broken := ruleFlags(s.flags); s.present && len(broken) > 0 {
				r.add(g, Finding{Kind: RuleBroken, Targatura: string(s.tg), Detail: ruleDetail(broken)}, p, s)
			}
		}
		if foreign {
			r.add(g, Finding{Kind: ForeignSheet, Detail: fmt.Sprintf("sheet of %s in %s p.%d, but there is no declaration and no record for that pharmacy and month; its %d fustelle are not reconciled", g.key, p.res.Source, p.res.Page, p.found())}, p, nil)
		}
	}
}

func strOrUnread(s *string) string {
	if s == nil {
		return "unread"
	}
	return *s
}

func ruleFlags(flags []string) []string {
	var out []string
	for _, f := range flags {
		switch f {
		case page.FlagOverlap, page.FlagCrossing, page.FlagUpsideDown:
			out = append(out, f)
		}
	}
	return out
}

func ruleDetail(flags []string) string {
	words := map[string]string{
		page.FlagOverlap:    "overlaps a neighbouring fustella (rule a)",
		page.FlagCrossing:   "crosses the slot border",
		page.FlagUpsideDown: "is upside down (rule b)",
	}
	parts := make([]string, len(flags))
	for i, f := range flags {
		parts[i] = words[f]
	}
	return "the fustella " + strings.Join(parts, " and ")
}

// sheetChecks: declarations against delivered sheets, progressives.
func (r *run) sheetChecks(g *group) {
	for _, b := range []records.Bundle{records.REGFUS, records.REGFUSD} {
		if d := g.decl[b]; d != nil && (d.GrossAmount != 0 || d.Ticket != 0) {
			r.add(g, Finding{Kind: NonzeroAmount, Detail: fmt.Sprintf("%s declaration at %s has gross amount %s and ticket %s: both must be 0", b, d.Pos, d.GrossAmount, d.Ticket)}, nil, nil)
		}
	}
	reg, disp, unknown := g.counts()
	declR, declD := g.declared(records.REGFUS), g.declared(records.REGFUSD)
	dr, dd := deref(declR), deref(declD)
	story := SheetCount{DeclaredREGFUS: declR, DeclaredREGFUSD: declD, REGFUS: reg, REGFUSD: disp, UnknownProgressive: unknown}.String()
	switch {
	case unknown == 0 || (declD == nil && disp == 0):
		// Pages with an unread progressive count as regular sheets.
		if (declR != nil || reg+unknown > 0) && reg+unknown != dr || (declD != nil || disp > 0) && disp != dd {
			r.add(g, Finding{Kind: SheetCountMismatch, Detail: story}, nil, nil)
		}
	default:
		// Sheets with an unread progressive could be of either kind: report
		// only when no split of them makes both counts right.
		if reg > dr || disp > dd || reg+disp+unknown != dr+dd {
			r.add(g, Finding{Kind: SheetCountMismatch, Detail: story}, nil, nil)
		}
	}
	r.progressives(g, declR, declD, unknown)
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

// counts returns the delivered sheets: regular, dispensario, and with an
// unread progressive. A second scan of a sheet does not count.
func (g *group) counts() (reg, disp, unknown int) {
	for _, p := range g.pages {
		switch {
		case p.rescanOf != nil:
		case !p.progKnown:
			unknown++
		case p.prog.Dispensario:
			disp++
		default:
			reg++
		}
	}
	return
}

func (g *group) declared(b records.Bundle) *int {
	if d := g.decl[b]; d != nil {
		n := d.Sheets
		return &n
	}
	return nil
}

// maxMissingListed bounds missing_progressive findings per group: a
// misread progressive of 9000 must not flood the report.
const maxMissingListed = 100

// progressives reports duplicated and missing progressives, regular and
// dispensario apart. unknown counts the delivered pages whose progressive
// was not read: any of them may be any missing number, so while they are
// at least as many as the gaps no progressive is reported missing (the
// pages' own unreadable findings say the progressive was not read), and
// when they are fewer one finding lists the gaps and how many of them at
// least are missing.
func (r *run) progressives(g *group, declR, declD *int, unknown int) {
	var gaps []string
	for _, disp := range []bool{false, true} {
		declared := declR
		if disp {
			declared = declD
		}
		byN := map[int][]*pageInfo{}
		maxSeen := 0
		for _, p := range g.pages {
			if !p.progKnown || p.prog.Dispensario != disp {
				continue
			}
			if p.rescanOf != nil {
				r.add(g, Finding{Kind: DuplicateProgressive, Detail: fmt.Sprintf("identical to %s (same fustelle in the same slots): the sheet was scanned twice and is counted once", p.rescanOf.ref())}, p, nil)
				continue
			}
			byN[p.prog.N] = append(byN[p.prog.N], p)
			maxSeen = max(maxSeen, p.prog.N)
		}
		for n := 1; n <= maxSeen; n++ {
			ps := byN[n]
			for _, p := range ps[min(1, len(ps)):] {
				r.add(g, Finding{Kind: DuplicateProgressive, Detail: fmt.Sprintf("progressive %s is also on %s", p.prog, ps[0].ref())}, p, nil)
			}
		}
		last := max(maxSeen, deref(declared))
		missing := 0
		for n := 1; n <= last; n++ {
			if len(byN[n]) > 0 {
				continue
			}
			label := sheet.Progressive{N: n, Dispensario: disp}.String()
			if unknown > 0 {
				gaps = append(gaps, label)
				continue
			}
			missing++
			if missing > maxMissingListed {
				continue
			}
			d := fmt.Sprintf("no sheet %s delivered", label)
			if declared != nil {
				d += fmt.Sprintf(" (%d declared)", *declared)
			}
			r.add(g, Finding{Kind: MissingProgressive, Sheet: label, Detail: d}, nil, nil)
		}
		if missing > maxMissingListed {
			r.add(g, Finding{Kind: MissingProgressive, Detail: fmt.Sprintf("%d more progressives up to %d are missing; only the first %d are listed", missing-maxMissingListed, last, maxMissingListed)}, nil, nil)
		}
	}
	if len(gaps) > unknown {
		list := gaps
		if len(list) > maxMissingListed {
			list = append(slices.Clone(list[:maxMissingListed]), fmt.Sprintf("and %d more", len(gaps)-maxMissingListed))
		}
		atLeast := fmt.Sprintf("at least %d are missing", len(gaps)-unknown)
		if len(gaps)-unknown == 1 {
			atLeast = "at least 1 is missing"
		}
		r.add(g, Finding{Kind: MissingProgressive, Detail: fmt.Sprintf("no delivered sheet was read as %s; %d delivered sheets have an unread progressive and may be %d of these: %s",
			strings.Join(list, ", "), unknown, unknown, atLeast)}, nil, nil)
	}
}

// ---- matching ----

func (r *run) match(g *group) {
	// The fustelle of this group with a targatura, in page order.
	occ := func(t fustella.Targatura) []slotRef {
		all := r.fusts(t)
		for i := range all {
			if all[i].p.g != g {
				out := make([]slotRef, 0, len(all))
				for _, c := range all {
					if c.p.g == g {
						out = append(out, c)
					}
				}
				return out
			}
		}
		return all
	}
	pair := func(ri *recInfo, c slotRef) {
		c.s.rec, c.s.outcome = ri, FMatched
		ri.match, ri.foundP, ri.foundS = MMatched, c.p, c.s
		rec := ri.r
		// A page whose progressive was not read may well be the assigned
		// sheet: only a known other sheet, or another slot, is a mismatch.
		if (c.p.progKnown && c.p.prog != rec.Sheet) || c.s.n != rec.Slot {
			r.add(g, Finding{Kind: SlotMismatch, Targatura: string(rec.Targatura), RecordID: rec.ID,
				Detail: fmt.Sprintf("recorded on sheet %s slot %d, found on %s slot %d", rec.Sheet, rec.Slot, c.p.where(), c.s.n)}, c.p, c.s)
		}
		if c.s.aic != rec.AIC {
			r.add(g, Finding{Kind: AICMismatch, Targatura: string(rec.Targatura), RecordID: rec.ID,
				Detail: fmt.Sprintf("AIC read %s, recorded %s", c.s.aic, rec.AIC)}, c.p, c.s)
		}
	}
	// Pass 1: a fustella exactly where its record puts it. Pass 2: anywhere
	// else on the sheets of this group.
	for _, ri := range g.recs {
		for _, c := range occ(ri.r.Targatura) {
			if c.s.rec == nil && c.p.progKnown && c.p.prog == ri.r.Sheet && c.s.n == ri.r.Slot {
				pair(ri, c)
				break
			}
		}
	}
	for _, ri := range g.recs {
		if ri.match != "" {
			continue
		}
		cands := occ(ri.r.Targatura)
		for _, c := range cands {
			if c.s.rec == nil {
				pair(ri, c)
				break
			}
		}
		if ri.match == "" && len(cands) > 0 {
			ri.match = MDuplicate
			ri.why = fmt.Sprintf("its fustella on %s slot %d is matched to record %s, which has the same targatura", cands[0].p.where(), cands[0].s.n, cands[0].s.rec.r.ID)
		}
	}
	// A fustella left over is unrecorded, or a duplicate when another copy
	// in this group is matched or was reported unrecorded before it.
	counted := func(t fustella.Targatura) bool {
		for _, c := range r.fusts(t) {
			if c.p.g == g && (c.s.rec != nil || c.s.outcome == FUnrecorded) {
				return true
			}
		}
		return false
	}
	for _, p := range g.pages {
		if !p.usable() {
			continue
		}
		for i := range p.slots {
			s := &p.slots[i]
			if !s.hasFustella() || !s.codesOK || s.rec != nil {
				continue
			}
			if counted(s.tg) {
				s.outcome = FDuplicate
				continue
			}
			s.outcome = FUnrecorded
			d := fmt.Sprintf("targatura %s (AIC %s) is in no record of %s", s.tg, s.aic, g.key)
			if others := r.recsOf(s.tg); len(others) > 0 {
				d += fmt.Sprintf("; recorded as %s in %s", others[0].r.ID, others[0].key)
			}
			r.add(g, Finding{Kind: UnrecordedFustella, Targatura: string(s.tg), Detail: d}, p, s)
		}
	}
}

// unmatched decides, for each record not matched, between missing and
// unverifiable.
func (r *run) unmatched(g *group) {
	var h *hiding
	for _, ri := range g.recs {
		if ri.match != "" {
			continue
		}
		if h == nil {
			h = newHiding(g)
		}
		rec := ri.r
		why, coverS := h.couldBeHidden(ri)
		if why != "" {
			ri.match, ri.why = MUnverifiable, why
			if coverS != nil && coverS.rec == nil {
				// The slot's own unreadable finding names the record.
				ri.covered = true
				coverS.rec = ri
			}
			continue
		}
		ri.match = MMissing
		d := fmt.Sprintf("recorded on sheet %s slot %d (AIC %s)", rec.Sheet, rec.Slot, rec.AIC)
		switch {
		case len(h.byProg[rec.Sheet]) > 0:
			d += ", not found on the delivered sheets"
		case len(h.unnumbered) > 0 && rec.Slot >= 1 && rec.Slot <= layout.SlotCount:
			d += fmt.Sprintf(", not found on the delivered sheets: none was read as %s, and slot %d is read for sure on the %d whose progressive was not read", rec.Sheet, rec.Slot, len(h.unnumbered))
		case len(h.unnumbered) > 0:
			d += fmt.Sprintf(", not found on the delivered sheets (none was read as %s)", rec.Sheet)
		default:
			d += fmt.Sprintf("; sheet %s was not delivered", rec.Sheet)
		}
		for _, c := range r.fusts(rec.Targatura) {
			if c.p.g != g {
				d += fmt.Sprintf("; found on %s slot %d of %s", c.p.where(), c.s.n, c.p.key)
				break
			}
		}
		r.add(g, Finding{Kind: MissingFustella, Sheet: rec.Sheet.String(), Slot: rec.Slot, Targatura: string(rec.Targatura), RecordID: rec.ID, Detail: d}, nil, nil)
	}
}

// hiding indexes, for one group, the places a fustella not found could be
// hiding in: targature read on a slot or page not read for sure, pages by
// progressive, pages of uncertain identity whose progressive is unread
// (they could be any sheet), and pages of certain identity whose
// progressive is unread (they could be any sheet, but only their slots not
// read for sure could hide a fustella).
type hiding struct {
	doubtful   map[fustella.Targatura]slotRef
	byProg     map[sheet.Progressive][]*pageInfo
	dark       int
	unnumbered []*pageInfo
}

func newHiding(g *group) *hiding {
	h := &hiding{doubtful: map[fustella.Targatura]slotRef{}, byProg: map[sheet.Progressive][]*pageInfo{}}
	for _, p := range g.pages {
		if p.rescanOf != nil {
			continue
		}
		for i := range p.slots {
			s := &p.slots[i]
			if !s.hasFustella() || s.tg == "" || (p.usable() && s.codesOK) {
				continue
			}
			if _, seen := h.doubtful[s.tg]; !seen {
				h.doubtful[s.tg] = slotRef{p, s}
			}
		}
		switch {
		case p.progKnown:
			h.byProg[p.prog] = append(h.byProg[p.prog], p)
		case !p.usable():
			h.dark++
		default:
			h.unnumbered = append(h.unnumbered, p)
		}
	}
	return h
}

// couldBeHidden tells why a record not found might still be on a sheet
// that was not read for sure; "" when nothing could hide it. The slot is
// returned when the reason is that one slot, on a page whose slots have
// findings of their own (the slot's finding then names the record).
func (h *hiding) couldBeHidden(ri *recInfo) (string, *slotInfo) {
	rec := ri.r
	const notMissing = "; not reported missing until a person checks"
	if c, ok := h.doubtful[rec.Targatura]; ok {
		if !c.p.usable() {
			return fmt.Sprintf("its targatura was read on %s slot %d, a page not reconciled: %s%s", c.p.where(), c.s.n, c.p.doubt, notMissing), nil
		}
		return fmt.Sprintf("its targatura was read on %s slot %d, which is not read for sure (%s)%s", c.p.where(), c.s.n, c.s.why, notMissing), c.s
	}
	assigned := h.byProg[rec.Sheet]
	for _, p := range assigned {
		if !p.usable() {
			return fmt.Sprintf("assigned to sheet %s slot %d, and that page is not reconciled: %s (page %s)%s", rec.Sheet, rec.Slot, p.doubt, statusWords(p), notMissing), nil
		}
		if why, s := slotDoubt(p, rec.Slot); why != "" {
			return fmt.Sprintf("assigned to sheet %s slot %d, which %s%s", rec.Sheet, rec.Slot, why, notMissing), s
		}
	}
	if len(assigned) > 0 {
		return "", nil
	}
	if h.dark > 0 {
		return fmt.Sprintf("assigned to sheet %s slot %d; no delivered sheet was read as %s, and %d sheets with an unread progressive are not reconciled (their identity is not certain) and could be it%s", rec.Sheet, rec.Slot, rec.Sheet, h.dark, notMissing), nil
	}
	for _, p := range h.unnumbered {
		if why, s := slotDoubt(p, rec.Slot); why != "" {
			return fmt.Sprintf("assigned to sheet %s slot %d; no delivered sheet was read as %s, and on %s, which could be it, slot %d %s%s",
				rec.Sheet, rec.Slot, rec.Sheet, p.where(), rec.Slot, why, notMissing), s
		}
	}
	return "", nil
}

// slotDoubt tells, for a page whose identity is certain, why its slot n is
// not read for sure ("" when it is, or when n is not a slot number), and
// returns that slot when it holds a fustella.
func slotDoubt(p *pageInfo, n int) (string, *slotInfo) {
	if n < 1 || n > layout.SlotCount {
		return "", nil
	}
	switch s := &p.slots[n-1]; {
	case !s.present:
		return "is not in the page result", nil
	case s.hasFustella() && !s.codesOK:
		return fmt.Sprintf("is not read for sure (%s)", s.why), s
	}
	return "", nil
}

func statusWords(p *pageInfo) string {
	w := "in review"
	if p.res.Status == page.Rejected {
		w = "rejected"
	} else if p.res.Status != page.Review {
		w = fmt.Sprintf("with status %q", p.res.Status)
	}
	if len(p.res.Reasons) > 0 {
		w += " (" + strings.Join(p.res.Reasons.Strings(), ", ") + ")"
	}
	return w
}

// ---- duplicates across everything ----

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

// ---- accountability ----

func (r *run) accounting() {
	for _, ri := range r.recs {
		rec := ri.r
		g := ri.g
		payIn := payableIn(rec)
		if rec.Signature == records.Unsigned {
			d := "the dispensing form is not signed: not payable"
			if ri.foundS != nil {
				d += fmt.Sprintf(" (fustella on %s slot %d)", ri.foundP.where(), ri.foundS.n)
			}
			r.add(g, Finding{Kind: Unsigned, Sheet: rec.Sheet.String(), Slot: rec.Slot, Targatura: string(rec.Targatura), RecordID: rec.ID, Detail: d}, nil, nil)
			ri.markSlot(Unsigned)
		}
		switch {
		case rec.State == records.Suspended:
			r.add(g, Finding{Kind: Suspended, Sheet: rec.Sheet.String(), Slot: rec.Slot, Targatura: string(rec.Targatura), RecordID: rec.ID,
				Detail: fmt.Sprintf("prescription %s is suspended (not closed): payable in the month it closes", rec.Prescription)}, nil, nil)
			ri.markSlot(Suspended)
		case payIn != rec.Competence:
			r.add(g, Finding{Kind: Suspended, Sheet: rec.Sheet.String(), Slot: rec.Slot, Targatura: string(rec.Targatura), RecordID: rec.ID,
				Detail: fmt.Sprintf("prescription %s closed on %s: carried to %s, accounted there", rec.Prescription, rec.ClosedOn.Format(time.DateOnly), payIn)}, nil, nil)
			ri.markSlot(Suspended)
		}
		switch {
		case ri.match != MMatched:
			ri.account = AUnmatched
		case ri.dup:
			ri.account = AWithheld
		case !rec.Signature.Signed():
			ri.account = AUnsigned
		case rec.State == records.Suspended:
			ri.account = ASuspended
		default:
			ri.account = APayable
			if payIn != rec.Competence {
				ri.account = ACarried
			}
			ri.payIn = payIn
			pg := g
			if payIn != rec.Competence {
				pg = r.group(Key{rec.Region, rec.ASL, rec.Pharmacy, payIn})
			}
			p := Payable{RecordID: rec.ID, AIC: string(rec.AIC), Targatura: string(rec.Targatura), Attestation: rec.SignedDocumentID,
				Signature: string(rec.Signature), Sheet: ri.foundP.label(), Slot: ri.foundS.n}
			if ri.account == ACarried {
				p.CarriedFrom = rec.Competence
			}
			if pg.payable == nil {
				pg.payable = make([]Payable, 0, len(pg.recs))
			}
			pg.payable = append(pg.payable, p)
		}
	}
}

// markSlot lists a record finding among the issues of the slot its
// fustella was matched on, for the pictures.
func (ri *recInfo) markSlot(k Kind) {
	if ri.foundS != nil {
		ri.foundS.issues = append(ri.foundS.issues, k)
	}
}

// payableIn is rec.PayableCompetence without formatting a date for the
// common case of a prescription closed in its own month.
func payableIn(rec *records.Record) string {
	if rec.ClosedOn.IsZero() {
		return ""
	}
	y, m, _ := rec.ClosedOn.Date()
	c := rec.Competence
	if len(c) == 7 {
		cy, err1 := strconv.Atoi(c[:4])
		cm, err2 := strconv.Atoi(c[5:])
		if err1 == nil && err2 == nil && (y < cy || y == cy && int(m) <= cm) {
			return c
		}
	}
	return rec.PayableCompetence()
}

// ---- unreadable ----

func (r *run) unreadables() {
	for _, g := range r.sortedGroups() {
		for _, p := range g.pages {
			if p.rescanOf != nil {
				continue
			}
			for _, e := range p.slotErrs {
				r.add(g, Finding{Kind: Unreadable, Detail: e}, p, nil)
			}
			if !p.certain {
				var bad []string
				for i := range p.slots {
					if s := &p.slots[i]; s.hasFustella() && !s.codesOK {
						bad = append(bad, strconv.Itoa(s.n))
					}
				}
				d := fmt.Sprintf("sheet identity not certain: %s (page %s); its %d fustelle are not reconciled until a person checks it", p.doubt, statusWords(p), p.found())
				if len(bad) > 0 {
					d += "; unreadable slots: " + strings.Join(bad, ", ")
				}
				r.add(g, Finding{Kind: Unreadable, Detail: d}, p, nil)
				continue
			}
			if !p.foreign {
				if d := fieldsUnread(p); d != "" {
					r.add(g, Finding{Kind: Unreadable, Detail: d}, p, nil)
				}
			}
			for i := range p.slots {
				s := &p.slots[i]
				if !s.hasFustella() || s.codesOK {
					continue
				}
				f := Finding{Kind: Unreadable, Detail: s.why}
				if s.rec != nil && s.rec.covered {
					f.RecordID, f.Targatura = s.rec.r.ID, string(s.rec.r.Targatura)
					f.Detail += fmt.Sprintf("; record %s could be this fustella and is not reported missing until a person checks", s.rec.r.ID)
				}
				r.add(g, f, p, s)
			}
		}
		for _, ri := range g.recs {
			if ri.match == MUnverifiable && !ri.covered {
				rec := ri.r
				r.add(g, Finding{Kind: Unreadable, Sheet: rec.Sheet.String(), Slot: rec.Slot, Targatura: string(rec.Targatura), RecordID: rec.ID, Detail: "record " + rec.ID + ": " + ri.why}, nil, nil)
			}
		}
	}
	for _, p := range r.unidentified {
		d := fmt.Sprintf("the sheet could not be identified (no valid head or tail code; status %s", p.res.Status)
		if len(p.res.Reasons) > 0 {
			d += ": " + strings.Join(p.res.Reasons.Strings(), ", ")
		}
		d += fmt.Sprintf("): its %d fustelle are not reconciled", p.found())
		r.add(nil, Finding{Kind: Unreadable, Detail: d}, p, nil)
	}
}

// fieldsUnread tells, in one line for the page (one finding, not one per
// field), the header fields that were not read and the checks therefore
// not made, with the reader's suggestion where it had one. The progressive
// is required, so an unread or empty progressive box is always told; the
// count and the date are optional, so only a box with writing that was
// not read is. Whether a box holds writing comes from page.Sheet.Written
// or, when a result does not say, from the reader's reasons (count_unread,
// date_unread). "" when every field was read or left empty as allowed.
func fieldsUnread(p *pageInfo) string {
	sh := p.res.Sheet
	var out []string
	var sug page.Suggestions
	if sh.Suggestions != nil {
		sug = *sh.Suggestions
	}
	suggested := func(sg *page.Suggestion) string {
		if sg == nil {
			return ""
		}
		return fmt.Sprintf(" (reads %q at %.0f%%: %s)", sg.Text, 100*sg.Confidence, sg.Why)
	}
	if !p.progKnown {
		what := "progressive not read"
		switch {
		case sh.Progressive != nil:
			what = fmt.Sprintf("progressive read as %q, which is not a progressive", *sh.Progressive)
		case sh.Written != nil && !sh.Written.Progressive, p.res.Reasons.Contains(page.Reason{Kind: page.ReasonProgressiveUnread, Detail: page.DetailBoxEmpty}):
			what = "progressive box empty (the progressive is required)"
		default:
			what += suggested(sug.Progressive)
		}
		out = append(out, what+": slot assignment not checked against the sheet number (fustelle are matched by targatura and their slot number is still compared); no progressive is judged missing on its account")
	}
	written := func(w func(*page.Written) bool, kind page.ReasonKind) bool {
		if sh.Written != nil {
			return w(sh.Written)
		}
		return p.res.Reasons.Contains(page.Reason{Kind: kind})
	}
	if sh.DeclaredCount == nil && written(func(w *page.Written) bool { return w.Count }, page.ReasonCountUnread) {
		out = append(out, fmt.Sprintf("count written but not read%s: not checked against the %d fustelle found", suggested(sug.Count), p.found()))
	}
	if sh.Date == nil && written(func(w *page.Written) bool { return w.Date }, page.ReasonDateUnread) {
		out = append(out, fmt.Sprintf("date written but not read%s (the date is not checked)", suggested(sug.Date)))
	}
	return strings.Join(out, "; ")
}

// ---- report ----

func (r *run) fustellaOutcome(p *pageInfo, s *slotInfo) FustellaOutcome {
	switch {
	case !p.identified:
		return FUnreadable
	case p.rescanOf != nil:
		return FRescanned
	case !p.certain, !s.codesOK:
		return FUnreadable
	case p.foreign:
		return FForeign
	}
	return s.outcome
}

func (r *run) report() *Report {
	rep := &Report{Groups: []Group{}, Totals: newSummary()}
	for _, g := range r.sortedGroups() {
		out := Group{Key: g.key, Findings: g.findings, Payable: g.payable, Summary: newSummary()}
		out.DeclaredSheets = g.declared(records.REGFUS)
		out.DeclaredDispensarioSheets = g.declared(records.REGFUSD)
		reg, disp, unknown := g.counts()
		out.ScannedSheets, out.ScannedDispensarioSheets = reg+unknown, disp
		out.UnknownProgressiveSheets = unknown
		out.Sheets = make([]SheetView, 0, len(g.pages))
		for _, p := range g.pages {
			out.Sheets = append(out.Sheets, r.sheetView(p, &out.Summary))
		}
		out.Summary.Pages = len(g.pages)
		out.Records = make([]RecordResult, 0, len(g.recs))
		for _, ri := range g.recs {
			out.Records = append(out.Records, recordResult(ri))
			out.Summary.RecordsMatch[ri.match]++
			out.Summary.RecordsAccount[ri.account]++
		}
		sortFindings(out.Findings)
		for _, f := range out.Findings {
			out.Summary.Findings[f.Kind]++
		}
		sort.Slice(out.Payable, func(i, j int) bool { return out.Payable[i].RecordID < out.Payable[j].RecordID })
		for _, p := range out.Payable {
			out.Summary.Payable++
			if p.CarriedFrom != "" {
				out.Summary.PayableCarried++
			}
		}
		if out.Findings == nil {
			out.Findings = []Finding{}
		}
		if out.Payable == nil {
			out.Payable = []Payable{}
		}
		if out.Records == nil {
			out.Records = []RecordResult{}
		}
		if out.Sheets == nil {
			out.Sheets = []SheetView{}
		}
		rep.Totals.add(out.Summary)
		rep.Groups = append(rep.Groups, out)
	}
	rep.Findings = r.top
	sortFindings(rep.Findings)
	if rep.Findings == nil {
		rep.Findings = []Finding{}
	}
	for _, f := range rep.Findings {
		rep.Totals.Findings[f.Kind]++
	}
	for _, p := range r.unidentified {
		rep.Totals.Pages++
		for i := range p.slots {
			if p.slots[i].hasFustella() {
				rep.Totals.Fustelle[FUnreadable]++
			}
		}
	}
	return rep
}

func (r *run) sheetView(p *pageInfo, sum *Summary) SheetView {
	v := SheetView{Source: p.res.Source, Page: p.res.Page, Status: p.res.Status, Sheet: p.label(),
		DeclaredCount: p.res.Sheet.DeclaredCount, Found: p.found(), Foreign: p.foreign, LayoutVersion: p.res.LayoutVersion}
	if p.rescanOf != nil {
		v.RescanOf = p.rescanOf.ref()
	}
	v.Slots = make([]SlotView, layout.SlotCount)
	for i := range p.slots {
		s := &p.slots[i]
		sv := SlotView{Slot: s.n, AIC: string(s.aic), Targatura: string(s.tg), Issues: s.issues}
		switch {
		case !s.present:
			sv.Outcome = SlotUnknown
		case !s.hasFustella():
			sv.Outcome = SlotEmpty
		default:
			o := r.fustellaOutcome(p, s)
			sv.Outcome = string(o)
			sum.Fustelle[o]++
			if s.rec != nil && o == FMatched {
				sv.RecordID = s.rec.r.ID
			}
		}
		v.Slots[i] = sv
	}
	return v
}

func recordResult(ri *recInfo) RecordResult {
	rec := ri.r
	out := RecordResult{RecordID: rec.ID, Targatura: string(rec.Targatura), AIC: string(rec.AIC), Sheet: rec.Sheet.String(), Slot: rec.Slot,
		Match: ri.match, Account: ri.account, PayableIn: ri.payIn}
	if ri.foundS != nil {
		out.FoundSheet, out.FoundSlot = ri.foundP.label(), ri.foundS.n
	}
	return out
}

func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := &fs[i], &fs[j]
		if (a.Sheet == "" && a.Source == "") != (b.Sheet == "" && b.Source == "") {
			return a.Sheet == "" && a.Source == "" // about the whole group first
		}
		if a.sheetRank != b.sheetRank {
			return a.sheetRank < b.sheetRank
		}
		if a.Slot != b.Slot {
			return a.Slot < b.Slot
		}
		if a.Source != b.Source {
			return a.Source < b.Source
		}
		if a.Page != b.Page {
			return a.Page < b.Page
		}
		if a.Kind != b.Kind {
			return kindRank[a.Kind] < kindRank[b.Kind]
		}
		if a.RecordID != b.RecordID {
			return a.RecordID < b.RecordID
		}
		if a.Targatura != b.Targatura {
			return a.Targatura < b.Targatura
		}
		return a.Detail < b.Detail
	})
}
