// Command variants writes N distinct copies of the single-page PNG and
// JPEG scans of a folder, for load tests: each copy carries a comment
// (a PNG tEXt chunk, a JPEG COM segment) with its number, so its sha256
// differs and the service reads it as a new file, while its pixels, and
// so the work of reading it, are those of the original.
//
//	go run ./api/loadbench/variants -n 1000 -o DIR testdata/scans
package main

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

func main() {
	n := flag.Int("n", 1000, "copies to write")
	out := flag.String("o", "", "output folder")
	flag.Parse()
	if *out == "" || flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: variants -n N -o DIR SCANS_DIR")
		os.Exit(2)
	}
	var srcs []string
	for _, pat := range []string{"*.png", "*.jpg"} {
		m, _ := filepath.Glob(filepath.Join(flag.Arg(0), pat))
		srcs = append(srcs, m...)
	}
	sort.Strings(srcs)
	if len(srcs) == 0 {
		fmt.Fprintln(os.Stderr, "variants: no PNG or JPEG in", flag.Arg(0))
		os.Exit(1)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for i := 0; i < *n; i++ {
		src := srcs[i%len(srcs)]
		data, err := os.ReadFile(src)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		note := fmt.Sprintf("regfus load variant %d", i)
		var b []byte
		switch {
		case bytes.HasPrefix(data, []byte("\x89PNG")) && bytes.HasSuffix(data[len(data)-8:], []byte("IEND\xaeB`\x82")):
			chunk := append([]byte("tEXt"), append([]byte("Comment\x00"), note...)...)
			var c [12]byte
			binary.BigEndian.PutUint32(c[:4], uint32(len(chunk)-4))
			crc := crc32.ChecksumIEEE(chunk)
			b = append(b, data[:len(data)-12]...)
			b = append(b, c[:4]...)
			b = append(b, chunk...)
			binary.BigEndian.PutUint32(c[4:8], crc)
			b = append(b, c[4:8]...)
			b = append(b, data[len(data)-12:]...)
		case bytes.HasPrefix(data, []byte{0xFF, 0xD8}):
			seg := []byte{0xFF, 0xFE, 0, 0}
			binary.BigEndian.PutUint16(seg[2:], uint16(len(note)+2))
			b = append(append(append([]byte{0xFF, 0xD8}, seg...), note...), data[2:]...)
		default:
			continue
		}
		name := fmt.Sprintf("%04d-%s", i, filepath.Base(src))
		if err := os.WriteFile(filepath.Join(*out, name), b, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	fmt.Printf("%d variants of %d scans in %s\n", *n, len(srcs), strings.TrimSuffix(*out, "/"))
}
