package barcode

import (
	"errors"
	"image"
	"testing"

	"github.com/regfus/regfus/fustella"
	"github.com/regfus/regfus/sheet"
)

// FuzzDecoder feeds arbitrary pixels to every Decoder entry point: no
// panic, every error a *DecodeError, and every value returned valid (a
// check digit that passes, a sheet code that parses). Data: byte 0 is the
// width - 1, the rest the pixels, row by row.
func FuzzDecoder(f *testing.F) {
	f.Add([]byte{0})
	f.Add(append([]byte{99}, make([]byte, 100*30)...))
	for _, img := range []*image.Gray{
		label(mustCode39(f, "0CSSBD", 3), 1.5, 16, 10, 4, 0, degrade{}),
		label(mustITF(f, "1234567895", 3), 1.5, 16, 10, 4, 0, degrade{}),
		label(mustCode39(f, "12020599999012023", 2.5), 1, 12, 10, 3, 1, degrade{noise: 20}),
	} {
		w := img.Bounds().Dx()
		if w > 256 {
			w = 256
		}
		data := []byte{byte(w - 1)}
		for y := 0; y < img.Bounds().Dy(); y++ {
			data = append(data, img.Pix[y*img.Stride:y*img.Stride+w]...)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 || len(data) > 1<<16 {
			return
		}
		w := int(data[0]) + 1
		h := (len(data) - 1) / w
		img := image.NewGray(image.Rect(0, 0, w, h))
		copy(img.Pix, data[1:])
		var d Decoder
		check := func(err error) {
			var de *DecodeError
			if err != nil && !errors.As(err, &de) {
				t.Fatalf("error %T %v is not a *DecodeError", err, err)
			}
		}
		if r, err := d.Code39(img); err == nil && r.Text == "" {
			t.Fatal("Code39 read an empty text")
		} else {
			check(err)
		}
		_, err := d.ITF(img)
		check(err)
		if a, _, err := d.Code32(img); err == nil {
			if _, perr := fustella.ParseAIC(string(a)); perr != nil {
				t.Fatalf("Code32 returned invalid AIC %q: %v", a, perr)
			}
		} else {
			check(err)
		}
		if g, _, err := d.Targatura(img); err == nil {
			if _, perr := fustella.ParseTargatura(string(g)); perr != nil {
				t.Fatalf("Targatura returned invalid %q: %v", g, perr)
			}
		} else {
			check(err)
		}
		if c, _, err := d.SheetCode(img); err == nil {
			if _, perr := sheet.ParseCode(c.String()); perr != nil {
				t.Fatalf("SheetCode returned invalid %+v: %v", c, perr)
			}
		} else {
			check(err)
		}
		for _, det := range d.FindAll(img) {
			if det.Lines < findMinLines || det.Text == "" {
				t.Fatalf("FindAll returned %+v", det)
			}
			if det.Format == FormatCode32 {
				if _, perr := fustella.ParseAIC(det.Text); perr != nil {
					t.Fatalf("FindAll CODE32 %q invalid: %v", det.Text, perr)
				}
			}
		}
	})
}
