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
//     show perspective, or when one is hidden and the sheet barcodes' ends
//     show it: refine.go) and measure skew, dpi, blur and fit residual;
//   - identity: head and tail CODE 39 sheet codes, validated and compared;
//   - slots: for each of the 28 slots, filled or empty from the ink inside
//     (relative to the local paper level, so tint and shadows divide out);
//     the fustella's bar regions located (vertical edges closed into
//     blocks, told from text by comparing row profiles), Code 32 and ITF
//     decoded and checked (both asked quickly first, since which of the two
//     a region holds is a guess; the whole plan of both only for a region
//     of 1D bars, never for the labels' 2D symbols: barsOnly); the digit
//     line of each symbol found under or over its bars (its ink band, any
//     font), scaled to the model's line height and read; a region the
//     slot's crop cuts off is followed to its whole bars (wholeBars); the
//     label placed from what the image shows, not from one design
//     (label.go, outline.go): its symbols are the ones that read the same
//     way, square to each other and fit on the largest label; its outline
//     is their print grown to the nearest paper edge that shows along the
//     whole print (a sticker's cut edge and shadow: a thin dark line; a
//     tinted sticker: a step in grey level, looked for again over a wider
//     span on a dim phone picture), never past a line of the sheet that
//     shows (a label hides what it covers); the crossing and overlap flags
//     come from that outline, and from a slot border the label covers;
//     with every slot read, a label off its slot's centre is told from a
//     neighbour's moved onto it by what that neighbour shows (crossslot.go:
//     a label of its own, nothing, or an empty look); upside down and
//     crossing are judged on the slot's own label when a neighbour's
//     reaches into the slot; upside down when the bars read right to left,
//     or, bars unread, when the digit line reads (confirmed) only in the
//     flipped crop;
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
//     bars read and valid, a sure reading of the line by the fast reader
//     (package linenet, a small network trained on many label faces; see
//     fastline.go) equal to the bars' value confirms it without Tesseract;
//     otherwise one Tesseract reading that passes its check and
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
//     the line at different margins and scales), and a second, independent
//     model (the field reader's) reading the same digits: one model's
//     readings share its misreads on a font it never saw; the fast
//     reader's sure reading stands for the second reading of the line,
//     and where the label model reads nothing, the fast reader's sure
//     reading and the field reader's two agreeing ones are two models;
//   - two labels' symbols in one slot (two of one kind, or a label read
//     across two slots beside another: label.go) give the slot the
//     overlap flag and no values;
//   - a value left null records why (why.go), for measurements;
//   - the values of overlapping labels are kept only when the slot's Code
//     32 and ITF can be one label's and that label is centred on the slot:
//     a label pushed onto its neighbour is never credited to it;
//   - the progressive, count and date (fields*.go): a printed value is read
//     by two print models (the field OCR twice, and the fast line reader;
//     where the OCR reads nothing the same, the fast reader's sure reading
//     needs the digit model's first choice on every character), a
//     handwritten one by the digit model, and either is accepted only when
//     the context agrees (the count equals the labels found, the date is a
//     real one in the competence month; a reading the context confirms
//     needs the lower threshold the context's prior leaves); any other
//     reading stays null, kept as a suggestion for the reviewer.
//
// # Concurrency
//
// A Reader owns one barcode decoder (and one OCR client) and is used by one
// goroutine at a time; Pool runs one Reader per worker and streams results
// in completion order.
package acquisition
