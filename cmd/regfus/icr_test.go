package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/regfus/regfus/auth"
	"github.com/regfus/regfus/blob"
	"github.com/regfus/regfus/intake"
	"github.com/regfus/regfus/internal/servicetest"
	"github.com/regfus/regfus/process"
	"github.com/regfus/regfus/store"
	"github.com/regfus/regfus/synth"
)

// TestICRExport: a synth page read by a reader without the handwriting
// model leaves its handwritten fields to review; a person answers one with the truth; regfus icr export
// writes it as a labelled example, its crops cut again from the stored
// original.
func TestICRExport(t *testing.T) {
	if testing.Short() {
		t.Skip("reads a page")
	}
	ctx := context.Background()
	dir := t.TempDir()
	// A page with a handwritten date (synth's pen model).
	sdir := t.TempDir()
	prof, err := synth.ParseProfiles("clean")
	if err != nil {
		t.Fatal(err)
	}
	var tr *synth.Truth
	var img string
	for seed := uint64(1); seed < 30 && tr == nil; seed++ {
		os.RemoveAll(sdir)
		if _, err := synth.Generate(ctx, synth.Options{Dir: sdir, Pages: 1, Seed: seed, Profiles: prof, Workers: 1}); err != nil {
			t.Fatal(err)
		}
		truths, paths, err := synth.LoadCorpus(sdir)
		if err != nil {
			t.Fatal(err)
		}
		if c := truths[paths[0]]; c.Pages[0].Sheet.DateSource == synth.SourceHandwritten {
			tr, img = c, synth.ImagePath(paths[0], c)
		}
	}
	if tr == nil {
		t.Fatal("no page with a handwritten date in 30 seeds")
	}
	s := servicetest.SQLite(t, dir)
	blobs, err := blob.Open(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	eng := servicetest.Started(t, process.Config{Store: s, Blobs: blobs, Queue: process.LocalQueue(dir), Workers: 1, CPU: 1,
		// No handwriting model: the handwritten fields go to review.
		NewReader: servicetest.BarsOnly, PollInterval: 50 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	b, err := os.ReadFile(img)
	if err != nil {
		t.Fatal(err)
	}
	admin := auth.Scope{Role: auth.Admin}
	rc, err := eng.Submit(ctx, process.Submission{Scope: admin, Files: []intake.File{{Name: filepath.Base(img), Body: bytes.NewReader(b)}}})
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	ch, err := eng.Events(wctx, rc.Batch.ID, admin)
	if err != nil {
		t.Fatal(err)
	}
	for range ch {
	}
	items, err := s.ListReview(ctx, store.ReviewFilter{Scope: admin, BatchID: rc.Batch.ID})
	if err != nil {
		t.Fatal(err)
	}
	// A person answers a handwritten field left to review with the truth.
	sh := tr.Pages[0].Sheet
	var item *store.ReviewItem
	var after json.RawMessage
	var field, want string
	// The date first (eight characters), else the progressive or count.
	slices.SortStableFunc(items, func(a, b store.ReviewItem) int {
		rank := func(it store.ReviewItem) int {
			if it.Field == process.FieldDate {
				return 0
			}
			return 1
		}
		return cmp.Compare(rank(a), rank(b))
	})
	for i := range items {
		it := &items[i]
		switch {
		case it.Field == process.FieldDate && sh.DateSource == synth.SourceHandwritten:
			after, _ = json.Marshal(sh.Date)
			field, want = "date", sh.Date[8:10]+sh.Date[5:7]+sh.Date[0:4]
		case it.Field == process.FieldProgressive && sh.ProgressiveSource == synth.SourceHandwritten:
			after, _ = json.Marshal(sh.Progressive)
			field, want = "progressive", sh.Progressive
		case it.Field == process.FieldCount && sh.CountSource == synth.SourceHandwritten:
			after, _ = json.Marshal(*sh.DeclaredCount)
			field, want = "count", strconv.Itoa(*sh.DeclaredCount)
		default:
			continue
		}
		item = it
		break
	}
	if item == nil {
		t.Fatalf("no handwritten field left to review on this page (%d items): pick another seed", len(items))
	}
	if _, err := eng.Correct(ctx, process.Correction{ItemID: item.ID, Scope: admin, After: after}); err != nil {
		t.Fatal(err)
	}
	if err := eng.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	s.Close()

	out := filepath.Join(t.TempDir(), "set")
	var stdout, stderr bytes.Buffer
	c := &ICRCommand{Streams: Streams{Stdout: &stdout, Stderr: &stderr}}
	if err := c.Run(ctx, []string{"export", "-o", out, "--data", dir}); err != nil {
		t.Fatalf("icr export: %v\n%s", err, stderr.String())
	}
	f, err := os.Open(filepath.Join(out, "labels.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	fields, glyphs := 0, 0
	for _, r := range rows[1:] {
		if _, err := os.Stat(filepath.Join(out, r[0])); err != nil {
			t.Errorf("%v: %v", r, err)
		}
		switch r[1] {
		case "field":
			fields++
			if r[2] != want || r[3] != field {
				t.Errorf("field row %v, want label %s", r, want)
			}
		case "glyph":
			glyphs++
			if !strings.Contains(want, r[2]) {
				t.Errorf("glyph row %v: label not in %s", r, want)
			}
		}
	}
	// Characters are written when the cut matches the label (a date's
	// cells are all written on these pages).
	if fields != 1 || glyphs != 0 && glyphs != len(want) || field == "date" && glyphs != 8 {
		t.Errorf("%s %q: %d fields, %d glyphs\n%s", field, want, fields, glyphs, stdout.String())
	}
	t.Logf("%s %q: %s", field, want, stdout.String())
}
