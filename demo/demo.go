// Package demo builds a complete demonstration month for one pharmacy: the
// synthetic scans of its filled sheets (package synth) and the two files it
// is reconciled against, its DCR REGFUS declaration and its dispensing
// records, written from the scans' ground truth with a few realistic
// discrepancies injected on purpose.
//
// Every injected discrepancy is returned with the finding kind it should
// produce, so the demo can tell the user what to look for in the report and
// a test can check that reconciliation finds exactly those.
package demo

import (
	"context"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/regfus/regfus/fustella"
	"github.com/regfus/regfus/internal/atomicfile"
	"github.com/regfus/regfus/synth"
)

// Options configure a demo month.
type Options struct {
	// Dir receives scans/, declarations.csv and records.csv.
	Dir                   string
	Sheets                int
	Seed                  uint64
	Region, ASL, Pharmacy string
	Month, Year           int
	// Profiles are the scan profiles cycled over the sheets.
	Profiles []string
	Workers  int
	Progress func()
}

// DefaultProfiles mixes what an ASL scanning station really receives.
var DefaultProfiles = []string{"office", "bitonal", "clean", "upside-down", "sideways", "office", "batch-pdf"}

// Discrepancy is one problem injected into the declaration or the records.
type Discrepancy struct {
	Kind   string `json:"kind"` // the finding kind reconciliation should report
	Detail string `json:"detail"`
}

// Month is what Build wrote.
type Month struct {
	Scans        string        `json:"scans"`
	Declarations string        `json:"declarations"`
	Records      string        `json:"records"`
	Pages        int           `json:"pages"`
	Regular      int           `json:"regular"`
	Dispensario  int           `json:"dispensario"`
	Fustelle     int           `json:"fustelle"`
	Injected     []Discrepancy `json:"injected"`
}

type recordRow struct {
	id, dispensedOn, prescription, aic, targatura, sheet string
	slot                                                 int
	state, closedOn, signature, signedDoc                string
}

// Build writes the demo month.
func Build(ctx context.Context, o Options) (*Month, error) {
	if o.Sheets < 1 {
		return nil, fmt.Errorf("demo: %d sheets: want at least 1", o.Sheets)
	}
	if len(o.Profiles) == 0 {
		o.Profiles = DefaultProfiles
	}
	profs, err := synth.ParseProfiles(strings.Join(o.Profiles, ","))
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	scans := filepath.Join(o.Dir, "scans")
	if _, err := synth.Generate(ctx, synth.Options{
		Dir: scans, Pages: o.Sheets, Seed: o.Seed, Profiles: profs, Workers: o.Workers,
		Region: o.Region, ASL: o.ASL, Pharmacy: o.Pharmacy, Month: o.Month, Year: o.Year,
		Progress: o.Progress,
	}); err != nil {
		return nil, fmt.Errorf("demo: synthetic scans: %w", err)
	}
	truths, names, err := synth.LoadCorpus(scans)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	var pages []synth.Page
	for _, n := range names {
		pages = append(pages, truths[n].Pages...)
	}
	sort.SliceStable(pages, func(i, j int) bool { return pages[i].Index < pages[j].Index })
	m := &Month{Scans: scans, Pages: len(pages),
		Declarations: filepath.Join(o.Dir, "declarations.csv"),
		Records:      filepath.Join(o.Dir, "records.csv"),
	}
	if len(pages) == 0 {
		return nil, fmt.Errorf("demo: synth wrote no pages")
	}
	first := pages[0].Sheet
	competence := fmt.Sprintf("%04d-%02d", first.Year, first.Month)

	// One record per fustella on the sheets, closed the day it was dispensed
	// and signed digitally: a clean month, before the discrepancies.
	rng := rand.New(rand.NewPCG(o.Seed, 0xdec0))
	var rows []recordRow
	seen := map[string]bool{}
	for _, p := range pages {
		day := 1 + p.Index%27
		if d := p.Sheet.Date; len(d) == 10 {
			if n, err := strconv.Atoi(d[8:10]); err == nil && n >= 1 && n <= 28 {
				day = n
			}
		}
		on := fmt.Sprintf("%s-%02d", competence, day)
		for _, s := range p.Slots {
			if s.State != synth.StateFilled || s.Targatura == "" || seen[s.Targatura] {
				continue
			}
			seen[s.Targatura] = true
			n := len(rows) + 1
			rows = append(rows, recordRow{
				id: fmt.Sprintf("R%05d", n), dispensedOn: on,
				prescription: fmt.Sprintf("%s0A%010d", first.Region, 4000000000+n),
				aic:          s.AIC, targatura: s.Targatura, sheet: p.Sheet.Progressive, slot: s.Slot,
				state: "closed", closedOn: on, signature: "digital",
				signedDoc: fmt.Sprintf("SD-%s-%06d", strings.ReplaceAll(competence, "-", ""), n),
			})
		}
	}
	m.Fustelle = len(rows)
	if len(rows) < 8 {
		return nil, fmt.Errorf("demo: only %d fustelle on %d sheets; use more sheets", len(rows), len(pages))
	}

	// The discrepancies, each on a different record picked at random.
	pick := rng.Perm(len(rows))
	next := 0
	take := func() *recordRow { r := &rows[pick[next]]; next++; return r }

	r := take()
	r.state, r.closedOn = "suspended", ""
	m.Injected = append(m.Injected, Discrepancy{"suspended", fmt.Sprintf("record %s (targatura %s) is a suspended prescription, not payable this month", r.id, r.targatura)})

	r = take()
	r.signature, r.signedDoc = "none", ""
	m.Injected = append(m.Injected, Discrepancy{"unsigned", fmt.Sprintf("record %s (targatura %s) has no signature", r.id, r.targatura)})

	r = take()
	old := r.slot
	r.slot = old%28 + 1
	m.Injected = append(m.Injected, Discrepancy{"slot_mismatch", fmt.Sprintf("record %s assigns targatura %s to slot %d of sheet %s; it is stuck in slot %d", r.id, r.targatura, r.slot, r.sheet, old)})

	r = take()
	wrong, err := otherAIC(r.aic, rng)
	if err != nil {
		return nil, err
	}
	m.Injected = append(m.Injected, Discrepancy{"aic_mismatch", fmt.Sprintf("record %s says AIC %s for targatura %s; the fustella says %s", r.id, wrong, r.targatura, r.aic)})
	r.aic = string(wrong)

	r = take()
	m.Injected = append(m.Injected, Discrepancy{"unrecorded_fustella", fmt.Sprintf("targatura %s (sheet %s slot %d) is on a sheet but in no record", r.targatura, r.sheet, r.slot)})
	r.id = "" // dropped below

	missing, err := fustella.NewTargatura(fmt.Sprintf("%09d", 900000000+rng.IntN(99999999)))
	if err != nil {
		return nil, err
	}
	proto := rows[pick[next]]
	ghostAIC, _ := otherAIC(proto.aic, rng)
	rows = append(rows, recordRow{
		id: "R99999", dispensedOn: proto.dispensedOn, prescription: first.Region + "0A9999999999",
		aic: string(ghostAIC), targatura: string(missing), sheet: proto.sheet, slot: 28,
		state: "closed", closedOn: proto.closedOn, signature: "manual", signedDoc: "MAN-DEMO-1",
	})
	m.Injected = append(m.Injected, Discrepancy{"missing_fustella", fmt.Sprintf("record R99999 (targatura %s) is recorded but on no sheet", missing)})

	// Dispensario sheets are declared apart (REGFUS-D); the main bundle
	// declares one sheet more than was delivered.
	regular, disp := 0, 0
	for _, p := range pages {
		if p.Sheet.Dispensario {
			disp++
		} else {
			regular++
		}
	}
	declared := regular + 1
	m.Injected = append(m.Injected, Discrepancy{"sheet_count_mismatch", fmt.Sprintf("the DCR declares %d REGFUS sheets; %d were delivered", declared, regular)})
	decl := [][]string{{first.Region, first.ASL, first.Pharmacy, competence, "REGFUS", strconv.Itoa(declared), "0.00", "0.00"}}
	if disp > 0 {
		decl = append(decl, []string{first.Region, first.ASL, first.Pharmacy, competence, "REGFUS-D", strconv.Itoa(disp), "0.00", "0.00"})
	}
	m.Regular, m.Dispensario = regular, disp

	if err := writeCSV(m.Declarations, []string{"region", "asl", "pharmacy", "competence", "bundle", "sheets", "gross_amount", "ticket"}, decl); err != nil {
		return nil, err
	}
	var out [][]string
	for _, r := range rows {
		if r.id == "" {
			continue
		}
		out = append(out, []string{r.id, first.Region, first.ASL, first.Pharmacy, r.dispensedOn, competence, r.prescription,
			r.aic, r.targatura, r.sheet, strconv.Itoa(r.slot), r.state, r.closedOn, r.signature, r.signedDoc})
	}
	if err := writeCSV(m.Records, []string{"record_id", "region", "asl", "pharmacy", "dispensed_on", "competence", "prescription",
		"aic", "targatura", "sheet", "slot", "state", "closed_on", "signature", "signed_document_id"}, out); err != nil {
		return nil, err
	}
	return m, nil
}

// otherAIC returns a valid AIC different from a.
func otherAIC(a string, rng *rand.Rand) (fustella.AIC, error) {
	for {
		b, err := fustella.NewAIC(fmt.Sprintf("0%07d", rng.IntN(10_000_000)))
		if err != nil {
			return "", err
		}
		if string(b) != a {
			return b, nil
		}
	}
}

func writeCSV(path string, header []string, rows [][]string) error {
	err := atomicfile.Write(path, 0o644, func(f *os.File) error {
		w := csv.NewWriter(f)
		w.Write(header)
		w.WriteAll(rows) // flushes
		return w.Error()
	})
	if err != nil {
		return fmt.Errorf("demo: writing %s: %w", path, err)
	}
	return nil
}
