package lines

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"strings"
)

// Shard is a multi-page TIFF of line images with one WordStr box file whose
// entries carry each line's page number. Tesseract's lstm.train turns a
// whole shard into one .lstmf in a single process, which is far faster than
// one process per line (golang.org/x/image/tiff writes single pages only,
// hence this small writer).
type Shard struct {
	f     *os.File
	w     *bufio.Writer
	box   strings.Builder
	base  string
	off   uint32 // bytes written so far
	link  uint32 // file offset of the previous IFD's next-IFD field
	pages int
}

// CreateShard starts base.tif; Close writes base.box.
func CreateShard(base string) (*Shard, error) {
	f, err := os.Create(base + ".tif")
	if err != nil {
		return nil, err
	}
	s := &Shard{f: f, w: bufio.NewWriter(f), base: base}
	// Little-endian header; the first IFD offset is patched when known.
	s.write([]byte{'I', 'I', 42, 0, 0, 0, 0, 0})
	s.link = 4
	return s, nil
}

func (s *Shard) write(b []byte) {
	s.w.Write(b)
	s.off += uint32(len(b))
}

// Add appends one line as the next page.
func (s *Shard) Add(smp Sample) error {
	if strings.ContainsAny(smp.Text, "\n\t") || smp.Text == "" {
		return fmt.Errorf("%s.tif page %d: text %q is empty or has a newline or tab", s.base, s.pages, smp.Text)
	}
	img := smp.Image
	w, h := img.Rect.Dx(), img.Rect.Dy()
	data := s.off
	for y := range h {
		s.write(img.Pix[y*img.Stride : y*img.Stride+w])
	}
	if s.off%2 == 1 { // IFDs start on a word boundary
		s.write([]byte{0})
	}
	ifd := s.off
	// Patch the previous pointer to this IFD.
	if err := s.w.Flush(); err != nil {
		return err
	}
	var b4 [4]byte
	binary.LittleEndian.PutUint32(b4[:], ifd)
	if _, err := s.f.WriteAt(b4[:], int64(s.link)); err != nil {
		return err
	}
	type entry struct {
		tag, typ uint16
		val      uint32
	}
	const short, long = 3, 4
	entries := []entry{
		{256, long, uint32(w)},     // ImageWidth
		{257, long, uint32(h)},     // ImageLength
		{258, short, 8},            // BitsPerSample
		{259, short, 1},            // Compression: none
		{262, short, 1},            // Photometric: BlackIsZero
		{273, long, data},          // StripOffsets
		{277, short, 1},            // SamplesPerPixel
		{278, long, uint32(h)},     // RowsPerStrip
		{279, long, uint32(w * h)}, // StripByteCounts
	}
	buf := make([]byte, 2+12*len(entries)+4)
	binary.LittleEndian.PutUint16(buf, uint16(len(entries)))
	for i, e := range entries {
		p := buf[2+12*i:]
		binary.LittleEndian.PutUint16(p[0:], e.tag)
		binary.LittleEndian.PutUint16(p[2:], e.typ)
		binary.LittleEndian.PutUint32(p[4:], 1)
		if e.typ == short {
			binary.LittleEndian.PutUint16(p[8:], uint16(e.val))
		} else {
			binary.LittleEndian.PutUint32(p[8:], e.val)
		}
	}
	s.write(buf)
	s.link = ifd + uint32(2+12*len(entries))
	s.box.WriteString(BoxFile(smp, s.pages))
	s.pages++
	return nil
}

// Pages is the number of lines added.
func (s *Shard) Pages() int { return s.pages }

// Close finishes base.tif and writes base.box.
func (s *Shard) Close() error {
	if err := s.w.Flush(); err != nil {
		s.f.Close()
		return err
	}
	if err := s.f.Close(); err != nil {
		return err
	}
	if s.pages == 0 {
		return fmt.Errorf("%s.tif: no pages", s.base)
	}
	return os.WriteFile(s.base+".box", []byte(s.box.String()), 0o644)
}

var _ io.Closer = (*Shard)(nil)
