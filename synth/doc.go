// Package synth makes synthetic scans of filled Registro delle Fustelle
// sheets, with their ground truth, for developing and measuring every
// reader in regfus. The corpus must look like the real world, not like a
// reader's assumptions, so each stage models what happens to a real sheet:
//
//  1. The sheet is drawn by package render from package layout, exactly as
//     the counter software prints it (fill.go).
//  2. The paper: the printer may scale it "to fit" and always shifts it a
//     little; a corner may be dog-eared (paper.go).
//  3. A person fills it: fustelle (label.go) drawn with the same Canvas on
//     their own raster - Code 32 and ITF bars with their OCR-A lines, name
//     and holder, sometimes a Data Matrix or QR code; random paper tint,
//     ink, bar gain and blur - then stuck in their slots with a hand's
//     jitter and a sticker's shadow and cut edge (composite.go), some
//     overlapping, upside down or across the border; progressive, count and
//     date written by hand and pen marks where rule g forbids them, as
//     distorted pen strokes (hand.go).
//  4. A device captures it (scan.go): a named Profile - flatbed, office
//     MFP, bitonal document scanner, phone - sets resolution, rotation and
//     skew, feed-scale error, perspective, optics blur, lamp and room light,
//     noise, colour cast, threshold and file format (PNG, JPEG with JFIF
//     density, CCITT G4 TIFF via package tiffwrite, image-only PDF).
//  5. The truth (truth.go) records everything a reader could be scored on:
//     header values and how they were written, every slot's codes and
//     defects, every symbol's corners on the page and whether it is clear,
//     and the homography from layout millimetres to image pixels.
//
// Labels come in named designs (design.go, look.go): the classic one of
// the committed corpus and families that vary what real manufacturers'
// printers vary - Code 32 above, below or beside the ITF, label size and
// paper, frame, bar heights, narrow widths and ratios, digits in OCR-A,
// OCR-B, a sans or a monospace system font, under or over the bars, the
// targatura's digits absent, other AIC forms, a 2D symbol in any corner -
// some with bars drawn by an independent encoder, zint or GNU barcode
// (extenc.go). Options.Designs picks them per label; DesignCorpus writes a
// corpus of one design, for measuring a reader leave-one-design-out, and
// Options.Degrade passes pages through ImageMagick as well (magick.go).
//
// Every page draws from its own generator, seeded from the corpus seed and
// the page's index, and the corpus plan (which pharmacy, which progressive,
// which profile, which file) is made sequentially before rendering; so a
// corpus is the same bytes whatever the number of workers, and a page is
// the same sheet under any profile. Generate writes a corpus; LoadTruth and
// LoadCorpus read one back.
package synth
