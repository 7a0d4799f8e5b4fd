package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/regfus/regfus/acquisition"
	"github.com/regfus/regfus/auth"
	"github.com/regfus/regfus/icr"
	"github.com/regfus/regfus/process"
	"github.com/regfus/regfus/scanfile"
	"github.com/regfus/regfus/store"
)

func init() {
	register("icr", "the handwriting model's data: export the fields people answered in review as a labelled data set (export)", func(s Streams) Command { return &ICRCommand{Streams: s} })
}

// ICRCommand works on the handwriting model's data (package icr).
type ICRCommand struct{ Streams }

const icrUsage = "export -o DIR [--data DIR] [--database-url URL] [--blob-cache-mb N]"

// Run implements Command.
func (c *ICRCommand) Run(ctx context.Context, args []string) error {
	return runAction(ctx, c.Stdout, "icr", icrUsage, args, action{"export", c.export})
}

// export writes every resolved review item of a progressive, count or
// date answered with a value as an example of icr's data set (see
// icr.DatasetWriter for the format): the person's answer is the label,
// the crops are cut again from the page's original with the geometry its
// stored result keeps (acquisition.CropField), so nothing was stored for
// it at answer time.
func (c *ICRCommand) export(ctx context.Context, args []string) error {
	fs := newFlagSet("icr export", "-o DIR [--data DIR] [--database-url URL] [--blob-cache-mb N]", c.Stdout)
	out := fs.String("o", "", "the data set's folder (created; must not hold one already)")
	sf := addBlobFlags(fs)
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usagef("icr export: -o DIR is required")
	}
	be, err := sf.openBackend(ctx)
	if err != nil {
		return err
	}
	defer be.store.Close()
	all := auth.Scope{Role: auth.Admin}
	items, err := be.store.ListReview(ctx, store.ReviewFilter{Scope: all, Status: store.ReviewResolved})
	if err != nil {
		return err
	}
	w, err := icr.NewDatasetWriter(*out)
	if err != nil {
		return err
	}
	skipped := 0
	for _, it := range items {
		field, ok := map[string]string{process.FieldProgressive: acquisition.FieldProgressive, process.FieldCount: acquisition.FieldCount, process.FieldDate: acquisition.FieldDate}[it.Field]
		if !ok {
			continue
		}
		full, err := be.store.GetReview(ctx, it.ID, all)
		if err != nil {
			w.Close()
			return err
		}
		label, ok := answerLabel(field, full)
		if !ok {
			continue // answered "nothing there", or not with a value
		}
		ex, err := c.example(ctx, be, full, field, label)
		if err != nil {
			fmt.Fprintf(c.Stderr, "icr export: review item %d: %v (left out)\n", it.ID, err)
			skipped++
			continue
		}
		if err := w.Add(ex); err != nil {
			w.Close()
			return err
		}
	}
	if err := w.Close(); err != nil {
		return err
	}
	fmt.Fprintf(c.Stdout, "%d fields and %d characters written to %s (%d answers left out)\n", w.Fields, w.Chars, *out, skipped)
	return nil
}

// answerLabel is the field's text as the last correction of it gives it:
// a progressive as written ("D12"), a count's digits, a date's eight
// cells (DDMMYYYY). false for no value (null: the box holds nothing).
func answerLabel(field string, it store.ReviewItem) (string, bool) {
	if len(it.Corrections) == 0 {
		return "", false
	}
	after := it.Corrections[len(it.Corrections)-1].After
	switch field {
	case acquisition.FieldCount:
		var n *int
		if json.Unmarshal(after, &n) != nil || n == nil || *n < 0 {
			return "", false
		}
		return strconv.Itoa(*n), true
	case acquisition.FieldProgressive:
		var s *string
		if json.Unmarshal(after, &s) != nil || s == nil || *s == "" {
			return "", false
		}
		return strings.ToUpper(strings.TrimSpace(*s)), true
	case acquisition.FieldDate:
		var s *string
		if json.Unmarshal(after, &s) != nil || s == nil {
			return "", false
		}
		d, err := icr.DateLabel(*s)
		return d, err == nil
	}
	return "", false
}

// example cuts the item's field from its page's original.
func (c *ICRCommand) example(ctx context.Context, be *backend, it store.ReviewItem, field, label string) (icr.Example, error) {
	p, err := be.store.GetPage(ctx, it.PageID, auth.Scope{Role: auth.Admin})
	if err != nil {
		return icr.Example{}, err
	}
	if p.Result == nil {
		return icr.Example{}, fmt.Errorf("page %d has no reading", p.ID)
	}
	path, err := be.blobs.File(ctx, p.File.SHA256)
	if err != nil {
		return icr.Example{}, err
	}
	pg, err := scanfile.ReadPage(ctx, path, scanfile.Options{}, p.Index)
	if err != nil {
		return icr.Example{}, err
	}
	fc, err := acquisition.CropField(pg.Image, p.Result, field)
	if err != nil {
		return icr.Example{}, err
	}
	return icr.Example{Field: field, Label: label, Box: fc.Box, Glyphs: fc.Glyphs,
		Ref: fmt.Sprintf("review item %d, page %d (%s p.%d)", it.ID, p.ID, p.File.SHA256[:min(12, len(p.File.SHA256))], p.Index)}, nil
}
