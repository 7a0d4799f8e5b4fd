package handgen

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"os"
)

// WriteIDX writes images (each n×n bytes) or, with n == 0, one byte per
// item (labels) in the idx format MNIST uses: the magic 0x0803 or 0x0801,
// then the sizes as big-endian uint32, then the bytes.
func WriteIDX(path string, items [][]byte, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	hdr := []uint32{0x0801, uint32(len(items))}
	if n > 0 {
		hdr = []uint32{0x0803, uint32(len(items)), uint32(n), uint32(n)}
	}
	for _, v := range hdr {
		binary.Write(w, binary.BigEndian, v)
	}
	for i, it := range items {
		want := max(n*n, 1)
		if len(it) != want {
			f.Close()
			return fmt.Errorf("handgen: idx item %d has %d bytes, want %d", i, len(it), want)
		}
		w.Write(it)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
