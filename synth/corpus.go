package synth

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/regfus/regfus/internal/atomicfile"
	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/sheet"
)

// Options configure a corpus.
type Options struct {
	Dir      string
	Pages    int
	Seed     uint64
	Profiles []Profile // cycled file by file
	Workers  int
	// Identity of the pharmacy. When ASL and Pharmacy are empty the corpus
	// mixes three pharmacies drawn from the seed (one with a dispensario),
	// so that nothing downstream can assume one sheet code.
	Region, ASL, Pharmacy string
	Month, Year           int // competence; 0 = drawn from the seed
	// Designs are the label designs drawn from, one per label (see
	// Design); none means the classic design alone, as corpora were made
	// before designs existed (same bytes).
	Designs []Design
	// Degrade passes every scanned page through another tool's
	// degradation (DegradeMagick), "" for none.
	Degrade string
	// Only, when set, writes just these files of the planned corpus (by
	// name, e.g. "0003-bitonal.tif"), to check or repair part of a corpus
	// without rendering all of it. manifest.json is then not written.
	Only []string
	// Hand, when set, writes the digits of the progressive, count and date
	// with MNIST's handwriting (see LoadMNIST) instead of the pen model's.
	Hand *MNIST
	// PrintFonts, when set, prints the progressive and count in these
	// faces (see printFace), one per page.
	PrintFonts []string
	// Progress is called after every page (from several goroutines).
	Progress func()
}

// Manifest summarises a corpus; it is written as manifest.json.
type Manifest struct {
	Seed     uint64         `json:"seed"`
	Pages    int            `json:"pages"`
	Files    []ManifestFile `json:"files"`
	Profiles map[string]int `json:"profiles"` // pages per profile
	Defects  map[string]int `json:"defects"`  // slots or pages per defect
	Slots    map[string]int `json:"slots"`    // filled / empty
	Bytes    int64          `json:"bytes"`
}

// ManifestFile is one image file of the corpus.
type ManifestFile struct {
	File    string `json:"file"`
	Truth   string `json:"truth"`
	Profile string `json:"profile"`
	Pages   int    `json:"pages"`
	Bytes   int64  `json:"bytes"`
}

type pharmacy struct {
	code        sheet.Code
	vat, name   string
	dispensario bool
	next, nextD int
}

type filePlan struct {
	name  string
	prof  Profile
	pages []sheetSpec
}

// plan decides every file and every sheet of the corpus, sequentially, so
// that progressives run in order per pharmacy; rendering is then
// embarrassingly parallel.
func plan(o Options) ([]filePlan, error) {
	if o.Pages < 0 {
		return nil, fmt.Errorf("synth: negative page count %d", o.Pages)
	}
	if len(o.Profiles) == 0 {
		return nil, fmt.Errorf("synth: no profile")
	}
	r := newRNG(derive(o.Seed, "pharmacies", 0))
	region := o.Region
	if region == "" {
		region = sheet.DefaultRegion
	}
	month, year := o.Month, o.Year
	if month == 0 {
		month, year = r.between(1, 12), r.between(2023, 2025)
	}
	var phs []*pharmacy
	if o.ASL != "" || o.Pharmacy != "" {
		asl, ph := o.ASL, o.Pharmacy
		if asl == "" {
			asl = "205"
		}
		if ph == "" {
			ph = "99999"
		}
		c, err := sheet.NewCode(region, asl, ph, month, year)
		if err != nil {
			return nil, err
		}
		phs = append(phs, &pharmacy{code: c, vat: vatNumber(r), name: pick(r, pharmacyNames), dispensario: true})
	} else {
		for i := 0; i < 3; i++ {
			m, y := month, year
			if i > 0 && o.Month == 0 {
				m, y = r.between(1, 12), r.between(2023, 2025)
			}
			c, err := sheet.NewCode(region, fmt.Sprintf("%03d", r.between(201, 212)), r.digits(5), m, y)
			if err != nil {
				return nil, err
			}
			phs = append(phs, &pharmacy{code: c, vat: vatNumber(r), name: pharmacyNames[(i*3+r.IntN(3))%len(pharmacyNames)], dispensario: i == 0})
		}
	}
	for _, p := range phs {
		p.next, p.nextD = 1, 1
	}
	label := ""
	if region == "120" {
		label = "Regione Lazio"
	}

	var files []filePlan
	page := 0
	for f := 0; page < o.Pages; f++ {
		prof := o.Profiles[f%len(o.Profiles)]
		fr := newRNG(derive(o.Seed, "file", f))
		n := min(fr.between(prof.Pages[0], prof.Pages[1]), o.Pages-page)
		fp := filePlan{name: fmt.Sprintf("%04d-%s%s", f+1, prof.Name, extension(prof.Encoding)), prof: prof}
		for k := 0; k < n; k++ {
			pr := newRNG(derive(o.Seed, "plan", page))
			ph := phs[pr.IntN(len(phs))]
			prog := sheet.Progressive{N: ph.next}
			if ph.dispensario && pr.chance(0.2) {
				prog = sheet.Progressive{N: ph.nextD, Dispensario: true}
				ph.nextD++
			} else {
				ph.next++
			}
			fp.pages = append(fp.pages, sheetSpec{
				code: ph.code, vat: ph.vat, name: ph.name, progressive: prog, regionLabel: label,
				index: page, seed: derive(o.Seed, "page", page), corpusSeed: o.Seed,
				designs: o.Designs, hand: o.Hand, printFonts: o.PrintFonts, degrade: o.Degrade,
			})
			page++
		}
		files = append(files, fp)
	}
	return files, nil
}

// Generate writes a corpus to o.Dir: for every file the image and its
// truth, then manifest.json.
func Generate(ctx context.Context, o Options) (*Manifest, error) {
	files, err := plan(o)
	if err != nil {
		return nil, err
	}
	if len(o.Only) > 0 {
		var keep []filePlan
		for _, f := range files {
			if slices.Contains(o.Only, f.name) {
				keep = append(keep, f)
			}
		}
		if len(keep) != len(o.Only) {
			return nil, fmt.Errorf("synth: %d of the %d files asked for are not in the plan", len(o.Only)-len(keep), len(o.Only))
		}
		files = keep
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, err
	}
	workers := max(o.Workers, 1)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan int)
	results := make([]*Truth, len(files))
	sizes := make([]int64, len(files))
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	l := layout.Current()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				t, n, err := writeOne(ctx, l, o, files[i])
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					cancel()
					continue
				}
				results[i], sizes[i] = t, n
			}
		}()
	}
feed:
	for i := range files {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	if len(o.Only) > 0 {
		return &Manifest{Seed: o.Seed, Pages: o.Pages}, nil
	}
	m := &Manifest{Seed: o.Seed, Pages: o.Pages, Profiles: map[string]int{}, Defects: map[string]int{}, Slots: map[string]int{}}
	for i, t := range results {
		tn := truthName(t.File)
		ti, err := os.Stat(filepath.Join(o.Dir, tn))
		if err != nil {
			return nil, err
		}
		m.Files = append(m.Files, ManifestFile{File: t.File, Truth: tn, Profile: t.Profile, Pages: len(t.Pages), Bytes: sizes[i]})
		m.Bytes += sizes[i] + ti.Size()
		m.Profiles[t.Profile] += len(t.Pages)
		for _, p := range t.Pages {
			for _, d := range p.Defects {
				m.Defects[d]++
			}
			for _, s := range p.Slots {
				m.Slots[s.State]++
				for _, d := range s.Defects {
					m.Defects[d]++
				}
			}
		}
	}
	sort.Slice(m.Files, func(i, j int) bool { return m.Files[i].File < m.Files[j].File })
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(o.Dir, "manifest.json"), append(b, '\n'), 0o644); err != nil {
		return nil, err
	}
	return m, nil
}

// writeOne renders, scans and writes one file and its truth.
func writeOne(ctx context.Context, l *layout.Layout, o Options, fp filePlan) (*Truth, int64, error) {
	t := &Truth{Format: TruthFormat, File: fp.name, Profile: fp.prof.Name}
	var pages []encoded
	for k, spec := range fp.pages {
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		enc, pg, err := renderPage(l, spec, fp.prof)
		if err != nil {
			return nil, 0, fmt.Errorf("synth: %s page %d: %w", fp.name, k+1, err)
		}
		pg.File, pg.Page, pg.Profile = fp.name, k+1, fp.prof.Name
		t.Pages = append(t.Pages, pg)
		pages = append(pages, enc)
		if o.Progress != nil {
			o.Progress()
		}
	}
	path := filepath.Join(o.Dir, fp.name)
	n, err := writeAtomic(path, func(f *os.File) error { return writeFile(f, fp.prof, pages) })
	if err != nil {
		return nil, 0, fmt.Errorf("synth: %s: %w", path, err)
	}
	b, err := json.Marshal(t) // compact: the committed corpus has a size budget
	if err != nil {
		return nil, 0, err
	}
	tp := filepath.Join(o.Dir, truthName(fp.name))
	if _, err := writeAtomic(tp, func(f *os.File) error { _, err := f.Write(append(b, '\n')); return err }); err != nil {
		return nil, 0, fmt.Errorf("synth: %s: %w", tp, err)
	}
	return t, n, nil
}

// writeAtomic writes a file whole or not at all (package atomicfile), so
// an interrupted run never leaves a truncated image next to a complete
// truth; it returns the file's size.
func writeAtomic(path string, write func(*os.File) error) (int64, error) {
	var size int64
	err := atomicfile.Write(path, 0o644, func(f *os.File) error {
		if err := write(f); err != nil {
			return err
		}
		fi, err := f.Stat()
		if err != nil {
			return err
		}
		size = fi.Size()
		return nil
	})
	return size, err
}

// renderPage draws, fills and scans one sheet. Everything random comes from
// spec.seed, so the sheet and its fustelle are the same whatever the
// profile; only the scan differs.
func renderPage(l *layout.Layout, spec sheetSpec, prof Profile) (encoded, Page, error) {
	r := newRNG(spec.seed)
	f, err := fill(l, spec, r)
	if err != nil {
		return encoded{}, Page{}, err
	}
	master, err := f.draw(l, masterDPI, r)
	if err != nil {
		return encoded{}, Page{}, err
	}
	s := simulate(master, l, f.paper, prof, r)
	s.scan.Encoding = prof.Encoding
	if spec.degrade == DegradeMagick {
		args := magickArgs(r, s.scan.EffectiveDPI)
		if s.img, err = magick(s.img, s.scan.DPI, args); err != nil {
			return encoded{}, Page{}, err
		}
		s.scan.Degrade = "convert png:- " + strings.Join(args, " ") + " jpg:-"
	}
	e := encoded{img: s.img}
	if prof.Encoding == "jpeg" || prof.Encoding == "pdf-jpeg" {
		q := r.between(prof.JPEGQuality[0], prof.JPEGQuality[1])
		s.scan.JPEGQuality = q
		if e.jpeg, err = encodeJPEG(s.img, q, s.scan.DPI); err != nil {
			return encoded{}, Page{}, err
		}
	}
	e.scan = s.scan
	pg := f.page
	pg.Scan = s.scan
	return e, pg, nil
}
