package tiffwrite

import "io"

// CCITT Group 4 (ITU-T T.6) two-dimensional coding of a bilevel image.
//
// Every row is coded against the row above it (the first against an
// imaginary white row) as a sequence of modes that describe where the
// colour changes ("changing elements") relative to the changes of the
// reference row:
//
//   - pass mode when the reference row's next two changes (b1, b2) both come
//     before the coding row's next change (a1);
//   - vertical mode when a1 is within 3 pixels of b1 (one short code for
//     each offset -3..3);
//   - horizontal mode otherwise: the next two runs as Modified Huffman
//     run-length codes (white and black tables, make-up codes for long runs).
//
// The stream ends with EOFB (two EOL codes); there is no per-row
// byte alignment, no EOLs between rows. Bits are written most significant
// first (TIFF FillOrder 1). The code tables are those of T.4, transcribed
// from golang.org/x/image/ccitt (BSD licence), whose decoder the tests use
// to check this encoder.

// EncodeG4 writes the rows of a bilevel image (black[y*w+x] true for a
// black pixel) as a CCITT G4 stream.
func EncodeG4(w io.Writer, black []bool, width, height int) error {
	bw := &bitWriter{w: w}
	ref := make([]bool, width) // imaginary white row
	for y := 0; y < height; y++ {
		row := black[y*width : (y+1)*width]
		encodeRow(bw, row, ref)
		ref = row
	}
	bw.put(0x001, 12) // EOFB: EOL EOL
	bw.put(0x001, 12)
	return bw.flush()
}

// firstNot returns the first position >= from whose colour is not c, or
// len(row).
func firstNot(row []bool, from int, c bool) int {
	for i := from; i < len(row); i++ {
		if row[i] != c {
			return i
		}
	}
	return len(row)
}

// findB1 returns the first changing element of the reference row to the
// right of a0 whose colour is the opposite of colour (the colour of a0): a
// position i with ref[i] != colour and ref[i-1] == colour, the pixel before
// the row counting as white.
func findB1(ref []bool, a0 int, colour bool) int {
	for i := a0 + 1; i < len(ref); i++ {
		prev := false
		if i > 0 {
			prev = ref[i-1]
		}
		if ref[i] != colour && prev == colour {
			return i
		}
	}
	return len(ref)
}

func encodeRow(bw *bitWriter, row, ref []bool) {
	n := len(row)
	a0, colour := -1, false // imaginary white pixel before the row
	for a0 < n {
		a1 := firstNot(row, a0+1, colour)
		b1 := findB1(ref, a0, colour)
		b2 := n
		if b1 < n {
			b2 = firstNot(ref, b1+1, ref[b1])
		}
		switch {
		case b2 < a1:
			bw.put(0x1, 4) // pass
			a0 = b2
		case a1-b1 >= -3 && a1-b1 <= 3:
			bw.putV(a1 - b1)
			a0, colour = a1, !colour
		default:
			a2 := n
			if a1 < n {
				a2 = firstNot(row, a1+1, row[a1])
			}
			bw.put(0x1, 3) // horizontal
			bw.run(a1-max(a0, 0), colour)
			bw.run(a2-a1, !colour)
			a0 = a2
		}
	}
}
