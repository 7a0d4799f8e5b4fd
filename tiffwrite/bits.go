package tiffwrite

import "io"

// bitWriter packs codes most significant bit first.
type bitWriter struct {
	w    io.Writer
	buf  []byte
	acc  uint64
	nacc uint
	err  error
}

func (b *bitWriter) put(code uint32, n uint) {
	b.acc = b.acc<<n | uint64(code)&(1<<n-1)
	b.nacc += n
	for b.nacc >= 8 {
		b.nacc -= 8
		b.buf = append(b.buf, byte(b.acc>>b.nacc))
	}
	if len(b.buf) >= 1<<16 && b.err == nil {
		_, b.err = b.w.Write(b.buf)
		b.buf = b.buf[:0]
	}
}

func (b *bitWriter) flush() error {
	if b.nacc > 0 {
		b.buf = append(b.buf, byte(b.acc<<(8-b.nacc)))
		b.nacc = 0
	}
	if b.err == nil {
		_, b.err = b.w.Write(b.buf)
	}
	b.buf = b.buf[:0]
	return b.err
}

// vertical mode codes for a1 - b1 = -3..3.
var vCodes = [7]code{
	{0x02, 7}, // VL3 0000010
	{0x02, 6}, // VL2 000010
	{0x2, 3},  // VL1 010
	{0x1, 1},  // V0  1
	{0x3, 3},  // VR1 011
	{0x03, 6}, // VR2 000011
	{0x03, 7}, // VR3 0000011
}

func (b *bitWriter) putV(d int) {
	c := vCodes[d+3]
	b.put(c.bits, c.n)
}

// run writes a run length with make-up codes as needed, then its
// terminating code.
func (b *bitWriter) run(n int, black bool) {
	term, makeup := whiteTerm[:], whiteMakeup[:]
	if black {
		term, makeup = blackTerm[:], blackMakeup[:]
	}
	for n >= 2560+64 {
		c := makeup[len(makeup)-1] // 2560
		b.put(c.bits, c.n)
		n -= 2560
	}
	if n >= 64 {
		c := makeup[n/64-1]
		b.put(c.bits, c.n)
		n %= 64
	}
	c := term[n]
	b.put(c.bits, c.n)
}

type code struct {
	bits uint32
	n    uint
}
