package acquisition

import (
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/regfus/regfus/scanfile"
	"github.com/regfus/regfus/synth"
	"github.com/regfus/regfus/vision"
)

// TestFieldsDiagnose explains, field by field, why handwritten fields of a
// synth corpus go unread: it reads each box as the handwriting step does,
// keeps the model's reading of every character, and sorts each unread or
// wrong field into one cause:
//   - segment: the box did not give one glyph per character (too many or
//     too few marks, a cell empty, touching characters cut, stray ink);
//   - misread: the model's first choice of some character is wrong;
//   - confidence: every first choice is right, some below the threshold;
//   - context: every character read right and sure, the value refused.
//
// REGFUS_FIELDS_DIAG=DIR (the corpus; written with REGFUS_FIELDS_SEED and
// REGFUS_FIELDS_PAGES if it is not there); REGFUS_FIELDS_DUMP=DIR writes
// every handwritten glyph's crop there, named by page, field, truth and
// reading.
func TestFieldsDiagnose(t *testing.T) {
	dir := os.Getenv("REGFUS_FIELDS_DIAG")
	if dir == "" {
		t.Skip("set REGFUS_FIELDS_DIAG=DIR")
	}
	pages, seed := 60, uint64(1212)
	if v := os.Getenv("REGFUS_FIELDS_PAGES"); v != "" {
		fmt.Sscan(v, &pages)
	}
	if v := os.Getenv("REGFUS_FIELDS_SEED"); v != "" {
		fmt.Sscan(v, &seed)
	}
	if _, err := os.Stat(filepath.Join(dir, "manifest.json")); err != nil {
		handCorpus(t, dir, seed, pages)
	}
	dump := os.Getenv("REGFUS_FIELDS_DUMP")
	if dump != "" {
		os.MkdirAll(dump, 0o755)
	}
	truths, paths, err := synth.LoadCorpus(dir)
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewOCRReader(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	hand := r.hand
	type rec struct {
		crops []*image.Gray
		reads []charRead
	}
	var last rec
	r.hand = func(gs []*image.Gray) ([]charRead, error) {
		rs, err := hand(gs)
		last = rec{gs, rs}
		return rs, err
	}
	causes := map[string]map[string]int{}
	total := map[string]int{}
	cause := func(field, c, line string) {
		if causes[field] == nil {
			causes[field] = map[string]int{}
		}
		causes[field][c]++
		t.Logf("%-11s %-10s %s", field, c, line)
	}
	only := os.Getenv("REGFUS_FIELDS_ONLY") // a substring of the file names to read
	for _, p := range paths {
		tr := truths[p]
		if only != "" && !strings.Contains(p, only) {
			continue
		}
		img := synth.ImagePath(p, tr)
		for pg, err := range scanfile.All(context.Background(), []string{img}, scanfile.Options{}) {
			if err != nil {
				t.Fatal(err)
			}
			tp := tr.Pages[pg.Index-1]
			st := &pageState{ctx: context.Background(), r: r, src: pg.Image, res: newResult(img, pg.Index, r)}
			if st.img, err = vision.NewImage(pg.Image); err != nil {
				t.Fatal(err)
			}
			if err := st.geometry(); err != nil {
				t.Logf("%s: geometry: %v", img, err)
				st.img.Close()
				continue
			}
			if err := st.identity(); err != nil {
				t.Logf("%s: identity: %v", img, err)
			}
			name := fmt.Sprintf("%s-%s", strings.TrimSuffix(filepath.Base(img), filepath.Ext(img)), tp.Profile)
			sh := tp.Sheet
			check := func(field, want string, br boxRead, accept func(boxRead) string) {
				total[field]++
				why := accept(br)
				if dump != "" {
					for i, c := range last.crops {
						f, _ := os.Create(filepath.Join(dump, fmt.Sprintf("%s-%s-%d-want%s-got%c-%.3f.png", name, field, i, want, last.reads[i].ch, last.reads[i].conf)))
						png.Encode(f, c)
						f.Close()
					}
				}
				got := br.text
				var confs []string
				for i, rd := range last.reads {
					c := fmt.Sprintf("%c%.3f", rd.ch, rd.conf)
					// The model's probability of the truth's character,
					// when the reads are one per character.
					if len(last.reads) == len(want) && rd.probs != nil && rd.ch != want[i] {
						if k := want[i]; k >= '0' && k <= '9' {
							c += fmt.Sprintf("(%c%.3f)", k, rd.probs[k-'0'])
						}
					}
					confs = append(confs, c)
				}
				line := fmt.Sprintf("%s want %s got %q src %s [%s] %s", name, want, got, br.source, strings.Join(confs, " "), why)
				if br.source != "handwritten" {
					return
				}
				switch {
				case why == "" && got == want:
					cause(field, "ok", line)
				case why == "":
					cause(field, "SILENT", line)
				case len(got) != len(want) || strings.Contains(br.why, "touching") || strings.Contains(br.why, "marks") || strings.Contains(br.why, "cells written") || strings.Contains(br.why, "ink is in"):
					cause(field, "segment", line)
				case got != want:
					cause(field, "misread", line)
				case !br.sure:
					cause(field, "confidence", line)
				default:
					cause(field, "context", line)
				}
			}
			if sh.ProgressiveSource == synth.SourceHandwritten {
				last = rec{}
				br, err := st.readBox(r.layout.Progressive.Rect, progressiveField, "")
				if err != nil {
					t.Fatal(err)
				}
				check("progressive", sh.Progressive, br, func(b boxRead) string { _, w := acceptProgressive(b); return w })
			}
			if sh.CountSource == synth.SourceHandwritten {
				last = rec{}
				// The slots are not read here: the context is the
				// truth's filled slots (what a right slot reader finds).
				br, err := st.readBox(r.layout.Count.Rect, countField, fmt.Sprint(sh.Fustelle))
				if err != nil {
					t.Fatal(err)
				}
				check("count", fmt.Sprint(*sh.DeclaredCount), br, func(b boxRead) string { _, w := acceptCount(b); return w })
			}
			if sh.DateSource == synth.SourceHandwritten {
				last = rec{}
				br, err := st.readDate()
				if err != nil {
					t.Fatal(err)
				}
				d := sh.Date
				if dump != "" {
					dumpDateArea(st, filepath.Join(dump, name+"-area"))
				}
				check("date", d[8:10]+d[5:7]+d[0:4], br, func(b boxRead) string { _, w := acceptDate(b); return w })
			}
			st.img.Close()
		}
	}
	var fields []string
	for f := range causes {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	for _, f := range fields {
		t.Logf("%s: %d handwritten: %v", f, total[f], causes[f])
	}
}

// dumpDateArea writes the DATA area's grey crop and its ink mask after the
// lines are removed (base-gray.png, base-mask.png).
func dumpDateArea(st *pageState, base string) {
	l := st.r.layout
	area := l.DateBox
	area.X, area.W = area.X-fieldMarginMM, area.W+2*fieldMarginMM
	area.Y, area.H = area.Y-0.6, area.H+0.6+fieldMarginMM
	s, err := st.segmentArea(area, dateRules(l.DateCells, area, fieldPx))
	if err != nil || s.labels == nil {
		return
	}
	f, _ := os.Create(base + "-gray.png")
	png.Encode(f, s.gray)
	f.Close()
	m := image.NewGray(image.Rect(0, 0, s.mask.w, s.mask.h))
	for i, on := range s.mask.on {
		if !on {
			m.Pix[i] = 255
		}
	}
	f, _ = os.Create(base + "-mask.png")
	png.Encode(f, m)
	f.Close()
}
