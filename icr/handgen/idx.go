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

// ReadIDX reads what WriteIDX writes: the items and their side n (0 for
// one byte per item).
func ReadIDX(path string) (items [][]byte, n int, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, err
	}
	if len(b) < 8 {
		return nil, 0, fmt.Errorf("handgen: %s: not an idx file", path)
	}
	magic, count := binary.BigEndian.Uint32(b), int(binary.BigEndian.Uint32(b[4:]))
	off, size := 8, 1
	switch magic {
	case 0x0801:
	case 0x0803:
		if len(b) < 16 {
			return nil, 0, fmt.Errorf("handgen: %s: short idx header", path)
		}
		n = int(binary.BigEndian.Uint32(b[8:]))
		if m := int(binary.BigEndian.Uint32(b[12:])); m != n {
			return nil, 0, fmt.Errorf("handgen: %s: %d×%d images, want square", path, n, m)
		}
		off, size = 16, n*n
	default:
		return nil, 0, fmt.Errorf("handgen: %s: idx magic %#x", path, magic)
	}
	if len(b) != off+count*size {
		return nil, 0, fmt.Errorf("handgen: %s: %d bytes for %d items of %d", path, len(b), count, size)
	}
	items = make([][]byte, count)
	for i := range items {
		items[i] = b[off+i*size : off+(i+1)*size]
	}
	return items, n, nil
}
