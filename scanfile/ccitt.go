package scanfile

import (
	"bytes"
	"errors"
	"image"
	"io"
	"math/bits"

	"golang.org/x/image/ccitt"
)

// Fax software often writes one-dimensional G3 with fill bits: zeros put
// before each EOL code so that it ends on a byte boundary (TIFF T4Options
// bit 2). golang.org/x/image/ccitt wants exactly eleven zeros and a one for
// an EOL and fails on more. The fill cannot be cut by looking at bits
// alone, because the row's last code may itself end in zeros that run into
// the fill; but only one split decodes: keep too few zeros and the code is
// cut short and borrows the EOL's zeros, keep too many and the EOL gets
// twelve. So decodeG3Filled finds every EOL (eleven or more zeros and a
// one: no run of valid codes has eleven zeros in a row, that is what makes
// EOL a synchronisation code), tries the few possible splits for each row
// with x/image/ccitt itself, and then decodes the rebuilt, fill-free stream
// in one go.

// maxFillTrial bounds the zeros a row's last code may own (MH codes end
// in at most a handful of zeros).
const maxFillTrial = 8

// bitSeq is a sequence of bits, one per byte, for easy slicing.
type bitSeq []byte

var eolBits = bitSeq{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}

func (b bitSeq) pack() []byte {
	out := make([]byte, (len(b)+7)/8)
	for i, v := range b {
		out[i/8] |= v << (7 - i%8)
	}
	return out
}

// g3Row is one coded row: its bits up to the last one, and how many zeros
// follow before the EOL's own eleven.
type g3Row struct {
	core  bitSeq
	spare int
}

// splitG3Rows cuts MSB-first G3 data at its EOLs.
func splitG3Rows(data []byte) []g3Row {
	all := make(bitSeq, 0, 8*len(data))
	for _, b := range data {
		for i := 7; i >= 0; i-- {
			all = append(all, b>>i&1)
		}
	}
	var rows []g3Row
	start, zeros := 0, 0
	for i, bit := range all {
		if bit == 0 {
			zeros++
			continue
		}
		if zeros >= 11 {
			// An EOL ends at i. What came before its zeros is a row, if
			// anything (RTC is EOLs back to back).
			coreEnd := i - zeros
			if coreEnd > start {
				rows = append(rows, g3Row{core: all[start:coreEnd], spare: zeros - 11})
			}
			start = i + 1
		}
		zeros = 0
	}
	if end := len(all) - zeros; end > start {
		// The last row, with no EOL after it: its trailing zeros are
		// padding to the byte, but may end its last code.
		rows = append(rows, g3Row{core: all[start:end], spare: zeros})
	}
	return rows
}

// decodeG3Filled decodes one strip of G3 data with fill bits into dst.
func decodeG3Filled(dst *image.Gray, r io.Reader, order ccitt.Order, invert bool) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if order == ccitt.LSB {
		for i, b := range data {
			data[i] = bits.Reverse8(b)
		}
	}
	rows := splitG3Rows(data)
	h := dst.Rect.Dy()
	if len(rows) < h {
		return io.ErrUnexpectedEOF
	}
	rows = rows[:h]
	width := dst.Rect.Dx()
	trial := image.NewGray(image.Rect(0, 0, width, 2))
	clean := append(bitSeq{}, eolBits...)
	var buf bitSeq
	for _, row := range rows {
		found := -1
		for t := 0; t <= min(row.spare, maxFillTrial); t++ {
			// EOL row EOL row: the first row is followed by an EOL the
			// decoder checks strictly (a final row may lack its EOL).
			buf = append(buf[:0], eolBits...)
			buf = append(buf, row.core...)
			buf = append(buf, make(bitSeq, t)...)
			buf = append(buf, eolBits...)
			buf = append(buf, row.core...)
			buf = append(buf, make(bitSeq, t)...)
			if ccitt.DecodeIntoGray(trial, bytes.NewReader(buf.pack()), ccitt.MSB, ccitt.Group3, nil) == nil {
				found = t
				break
			}
		}
		if found < 0 {
			return errors.New("ccitt: no split of a row and its fill bits decodes")
		}
		clean = append(clean, row.core...)
		clean = append(clean, make(bitSeq, found)...)
		clean = append(clean, eolBits...)
	}
	for range 5 { // with the last row's EOL, the six of RTC
		clean = append(clean, eolBits...)
	}
	return ccitt.DecodeIntoGray(dst, bytes.NewReader(clean.pack()), ccitt.MSB, ccitt.Group3, &ccitt.Options{Invert: invert})
}
