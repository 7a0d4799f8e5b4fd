package scanfile

import (
	"bytes"
	"image"
	"strings"
	"testing"
)

// TestJPEGTrailingBytes: bytes after the end-of-image marker (scanner
// padding, an appended block) do not make a JPEG truncated, and the page
// decodes as the clean file does.
func TestJPEGTrailingBytes(t *testing.T) {
	t.Parallel()
	src := synthPage(300, 420, 3)
	clean := encodeJPEG(t, src, 90)
	padded := append(append([]byte{}, clean...), make([]byte, 700)...)
	padded = append(padded, "trailer"...)
	dir := t.TempDir()
	var got [2][]byte
	for i, data := range [][]byte{clean, padded} {
		_, pages, errs, err := decodeAll(t, writeFile(t, dir, []string{"a.jpg", "b.jpg"}[i], data), Options{})
		if err != nil || len(errs) != 0 || len(pages) != 1 {
			t.Fatalf("file %d: open %v, page errors %v, %d pages", i, err, errs, len(pages))
		}
		got[i] = pages[0].Image.Pix
	}
	if string(got[0]) != string(got[1]) {
		t.Fatal("the padded JPEG decodes differently")
	}
}

// TestJPEGDecoderOption: a JPEG's pixels come from Options.JPEG when it
// is set (the reader gives libjpeg-turbo's), after the header checks, and
// a decoder that returns another size than the header's is an error; a
// stream the header checks refuse never reaches it.
func TestJPEGDecoderOption(t *testing.T) {
	t.Parallel()
	src := synthPage(300, 420, 4)
	data := encodeJPEG(t, src, 90)
	dir := t.TempDir()
	path := writeFile(t, dir, "a.jpg", data)
	calls := 0
	mark := image.NewGray(image.Rect(0, 0, 300, 420))
	mark.Pix[0] = 7
	dec := func(b []byte) (*image.Gray, error) {
		calls++
		if !bytes.Equal(b, data) {
			t.Error("the decoder was not given the whole file")
		}
		return mark, nil
	}
	_, pages, errs, err := decodeAll(t, path, Options{JPEG: dec})
	if err != nil || len(errs) != 0 || len(pages) != 1 || calls != 1 {
		t.Fatalf("open %v, page errors %v, %d pages, %d calls", err, errs, len(pages), calls)
	}
	if pages[0].Image.Pix[0] != 7 {
		t.Error("the page is not the decoder's image")
	}

	small := func([]byte) (*image.Gray, error) { return image.NewGray(image.Rect(0, 0, 30, 42)), nil }
	if _, _, errs, _ := decodeAll(t, path, Options{JPEG: small}); len(errs) != 1 || !strings.Contains(errs[0].Error(), "decoded 30x42, header says 300x420") {
		t.Errorf("a decoder's wrong size: %v", errs)
	}

	calls = 0
	cut := writeFile(t, dir, "cut.jpg", data[:len(data)-2])
	if _, _, errs, _ := decodeAll(t, cut, Options{JPEG: dec}); len(errs) != 1 || calls != 0 {
		t.Errorf("truncated file: errors %v, %d decoder calls", errs, calls)
	}
}
