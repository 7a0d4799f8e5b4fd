package tesseract

import "fmt"

// The second opinion. The embedded model reads OCR-A; on the other faces
// labels print their digits in (OCR-B, sans, monospace) it reads next to
// nothing, and its own confirmation (a second reading of the squeezed
// line) does not stop it being wrong: measured on lines it never saw
// (docs/ocr.md), 12 wrong AICs and targature in about 1,900 non-OCR-A
// lines passed their check digit on both readings. Debian's stock English
// LSTM (the printed-field model of fields.go, engfields) reads those faces
// (70-90% of their codes) and OCR-A poorly (20-35%), with almost no
// check-valid wrong reading. So the Read* helpers use it twice:
//
//   - as a veto: a value the model read and confirmed is returned only
//     if the second opinion, reading the same line, does not give a
//     different value that passes the same check; if the second opinion
//     reads no valid value, the model must read the value a third time,
//     on the line stretched to 112% width;
//   - as a fallback: when the model gives no confirmed value, the second
//     opinion reads the line as is, squeezed and stretched, and its value
//     is returned when all three readings pass the check and agree, and do
//     not contradict a valid first reading of the model.
//
// A value is thus returned on the word of both models, or of one model's
// three readings of the line at three widths. The two-reading rule alone
// left 3 wrong values in 1,700 AIC and targatura lines of 24 faces; see
// docs/ocr.md for the measurement with three. The veto costs one or two
// more readings per value the bars did not already confirm (see against);
// the fallback three per line the model could not read, which is every
// line of a face it does not know. A model trained on
// those faces (make ocr-model, ocrtrain/lines's catalogue) makes the
// fallback rare; the veto stays, as an independent read.

// secondOpinion returns c's second engine, loading it at first use.
func (c *Client) secondOpinion() (*Client, error) {
	if c.second != nil {
		return c.second, nil
	}
	dir, err := fieldModelDir()
	if err != nil {
		return nil, err
	}
	s, err := newClient(dir, FieldLanguage, psmSingleLine)
	if err != nil {
		return nil, fmt.Errorf("tesseract: second opinion: %w", err)
	}
	s.noSecond = true
	c.second = s
	return s, nil
}
