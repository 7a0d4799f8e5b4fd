package scanfile

import (
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
