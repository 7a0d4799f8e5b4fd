// Package acquisition reads scanned Registro delle Fustelle pages back: it
// turns one decoded page image into a page.Result, the NDJSON line of
// `regfus scan`.
//
// # Pipeline
//
// Reading a page is a fixed list of steps (see steps in reader.go), one
// file each, that share a pageState:
//
//   - geometry: find the four corner markers (head finder patterns, tail
//     solid squares; package layout), tell the orientation from which side
//     the heads are on, fit the map from layout millimetres to source pixels
//     (affine from three or four markers; a homography when four markers
//     show perspective) and measure skew, dpi, blur and fit residual;
//   - identity: head and tail CODE 39 sheet codes, validated and compared;
//   - slots: for each of the 28 slots, filled or empty from the ink inside
//     (relative to the local paper level, so tint and shadows divide out);
//     the fustella's bar regions located (vertical edges closed into
//     blocks, told from text by comparing row profiles), Code 32 and ITF
//     decoded and checked (both asked quickly first, since which of the two
//     a region holds is a guess; the whole plan of both only for a region
//     of 1D bars, never for the labels' 2D symbols: barsOnly); the OCR-A
//     line under each symbol found (its ink band), scaled to the model's
//     line height and read; a region the slot's crop cuts off is followed
//     to its whole bars (wholeBars); the label's outline placed from its
//     bars and refined on its cut edges (outline.go), giving the crossing
//     and overlap flags (only a Code 32 places a label across: decoded,
//     read by OCR and centred on its line, or with whole bars of a Code
//     32's width; an outline placed otherwise spans only its bars across);
//     upside down and crossing are judged on the slot's own label when a
//     neighbour's reaches into the slot;
//     upside down when the bars read right to left, or, bars unread, when
//     the OCR line reads (confirmed) only in the flipped crop; a Code 32
//     whose bars were not found at all is looked for by its AIC line,
//     where the label puts it above the ITF read (credited only when the
//     slot has no overlap);
//   - handwriting: whether the progressive, count and DATA boxes carry ink;
//   - output: the status and reasons of the page.
//
// Every crop is warped from the source image through the page map, so a
// barcode is read at the scan's own resolution whatever the page's skew.
//
// # Never guess
//
// A value is reported only when two independent reads agree, or when one
// read passes its check digit (or, for the sheet code, its validation) and
// nothing contradicts it. Anything else is null, with a flag on the slot
// and a reason on the page, and the page goes to review. A page reported
// "ok" has every value read and cross-checked. In particular:
//
//   - bars and OCR disagreeing, or two labels' symbols in one slot, leave
//     the value null (aic_disagree, targatura_disagree);
//   - the bars and the OCR line are the two independent reads: with the
//     bars read and valid, one OCR reading that passes its check and
//     equals the bars' value confirms it (when the first crop of the line
//     gives nothing passing its check, a second crop at other margins is
//     read: only a reading equal to the bars' can confirm them, so trying
//     again cannot make a wrong value); any other OCR reading counts
//     only once a second reading of the line (squeezed to 90% width)
//     agrees with it, and then contradicts the bars (disagree);
//   - a value from bars alone needs the decoder's confidence; from OCR alone
//     (bars unreadable), two agreeing reads of the line at high confidence,
//     because a check digit lets two wrong digits through one time in ten
//     (each of them itself confirmed at 90% width; the two from crops of
//     the line at different margins and scales);
//   - a value left null records why (why.go), for measurements;
//   - the values of overlapping labels are kept only when the slot's Code
//     32 and ITF sit where one label puts them and that label is centred on
//     the slot: a label pushed onto its neighbour is never credited to it;
//   - handwriting is not read (no model for it): the progressive, count and
//     date stay null, with a reason when their box carries ink, so every
//     page goes to review for now (reasons progressive_unread, ...).
//
// # Concurrency
//
// A Reader owns one barcode decoder (and one OCR client) and is used by one
// goroutine at a time; Pool runs one Reader per worker and streams results
// in completion order.
package acquisition
