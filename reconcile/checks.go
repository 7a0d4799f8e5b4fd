package reconcile

import (
	"fmt"
	"slices"
	"strings"

	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/records"
	"github.com/regfus/regfus/sheet"
)

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
		if (sh.Code != nil && sh.TailCode != nil && *sh.Code != *sh.TailCode) ||
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

// strOrUnread is what p points to, as text, or "unread".
func strOrUnread[T any](p *T) string {
	if p == nil {
		return "unread"
	}
	return fmt.Sprint(*p)
}

func ruleFlags(flags []page.Flag) []page.Flag {
	var out []page.Flag
	for _, f := range flags {
		if f.Rule() {
			out = append(out, f)
		}
	}
	return out
}

func ruleDetail(flags []page.Flag) string {
	words := map[page.Flag]string{
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
