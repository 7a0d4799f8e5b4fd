package reconcile

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/regfus/regfus/fustella"
	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/records"
	"github.com/regfus/regfus/sheet"
)

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
	if sh.TailCode != nil && *sh.TailCode != *sh.Code {
		return fmt.Sprintf("head code %s and tail code %s disagree", sh.Code, sh.TailCode)
	}
	for _, x := range res.Reasons {
		if !slices.Contains(valueReasons, x.Kind) {
			return "the reader reports " + x.String()
		}
	}
	return ""
}

func (r *run) indexPages(results []page.Result) {
	for i := range results {
		res := &results[i]
		p := &pageInfo{idx: i, res: res}
		if c := cmp.Or(res.Sheet.Code, res.Sheet.TailCode); c != nil {
			p.key, p.identified = c.Key(), true
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
var doubtFlags = []page.Flag{page.FlagAICUnread, page.FlagTargaturaUnread, page.FlagAICDisagree, page.FlagTargaturaDisagree}

// readSlot decides whether a slot's codes can be used: state filled, both
// codes present and valid, and no flag in doubtFlags. The codes are kept
// even when they cannot be used, to tell where a record may be.
func readSlot(si *slotInfo, s *page.Slot) {
	if s.State == page.Empty {
		return
	}
	var problems []string
	var why string
	if si.aic, why = readCode(s.AIC, "AIC", fustella.ParseAIC); why != "" {
		problems = append(problems, why)
	}
	if si.tg, why = readCode(s.Targatura, "targatura", fustella.ParseTargatura); why != "" {
		problems = append(problems, why)
	}
	switch s.State {
	case page.Unreadable:
		si.why = "slot unreadable"
		if len(s.Flags) > 0 {
			si.why += " (" + page.JoinFlags(s.Flags, ", ") + ")"
		}
		return
	case page.Filled:
	default:
		si.why = fmt.Sprintf("unknown slot state %q", s.State)
		return
	}
	var doubts []page.Flag
	for _, f := range s.Flags {
		if slices.Contains(doubtFlags, f) {
			doubts = append(doubts, f)
		}
	}
	if len(doubts) > 0 {
		problems = append(problems, "codes read with doubt ("+page.JoinFlags(doubts, ", ")+")")
	}
	if len(problems) > 0 {
		si.why = strings.Join(problems, "; ")
		return
	}
	si.codesOK = true
}

// readCode parses one code of a slot; why says why it cannot be used
// ("" when it can).
func readCode[T ~string](v *string, what string, parse func(string) (T, error)) (code T, why string) {
	if v == nil {
		return "", what + " not read"
	}
	c, err := parse(*v)
	if err != nil {
		return "", err.Error()
	}
	return c, ""
}

func (r *run) indexRecords(recs []records.Record) {
	infos := make([]recInfo, len(recs))
	r.recs = make([]*recInfo, len(recs))
	var g *group
	for i := range recs {
		rec := &recs[i]
		ri := &infos[i]
		ri.r, ri.key = rec, rec.Key
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
		g := r.group(d.Key)
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
			return a.key.Compare(b.key) < 0
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
	sort.Slice(out, func(i, j int) bool { return out[i].key.Compare(out[j].key) < 0 })
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
