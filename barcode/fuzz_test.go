package barcode

import (
	"errors"
	"image"
	"testing"

	"github.com/regfus/regfus/fustella"
	"github.com/regfus/regfus/sheet"
)

// FuzzDecoder feeds arbitrary pixels to the Decoder's entry points: no
// panic, every error a *DecodeError, and every value returned valid (a
// check digit that passes, a sheet code that parses). Data: byte 0 picks
// the entry point (one per run keeps runs fast: a failed crop decode tries
// every attempt), byte 1 is the width - 1, the rest the pixels, row by row.
func FuzzDecoder(f *testing.F) {
	f.Add([]byte{0, 0})
	f.Add(append([]byte{5, 99}, make([]byte, 100*30)...))
	for _, img := range []*image.Gray{
		label(mustCode39(f, "0CSSBD", 3), 1.5, 16, 10, 4, 0, degrade{}),
		label(mustITF(f, "1234567895", 3), 1.5, 16, 10, 4, 0, degrade{}),
		label(mustCode39(f, "12020599999012023", 2.5), 1, 12, 10, 3, 1, degrade{noise: 20}),
	} {
		w := img.Bounds().Dx()
		if w > 256 {
			w = 256
		}
		for entry := byte(0); entry < 6; entry++ {
			data := []byte{entry, byte(w - 1)}
			for y := 0; y < img.Bounds().Dy(); y++ {
				data = append(data, img.Pix[y*img.Stride:y*img.Stride+w]...)
			}
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 2 || len(data) > 1<<14 {
			return
		}
		entry, w := data[0]%6, int(data[1])+1
		h := (len(data) - 2) / w
		img := image.NewGray(image.Rect(0, 0, w, h))
		copy(img.Pix, data[2:])
		var d Decoder
		var err error
		switch entry {
		case 0:
			var r Result
			if r, err = d.Code39(img); err == nil && r.Text == "" {
				t.Fatal("Code39 read an empty text")
			}
		case 1:
			var r Result
			if r, err = d.ITF(img); err == nil && (r.Text == "" || len(r.Text)%2 != 0) {
				t.Fatalf("ITF read %q", r.Text)
			}
		case 2:
			var a fustella.AIC
			if a, _, err = d.Code32(img); err == nil {
				if _, perr := fustella.ParseAIC(string(a)); perr != nil {
					t.Fatalf("Code32 returned invalid AIC %q: %v", a, perr)
				}
			}
		case 3:
			var g fustella.Targatura
			if g, _, err = d.Targatura(img); err == nil {
				if _, perr := fustella.ParseTargatura(string(g)); perr != nil {
					t.Fatalf("Targatura returned invalid %q: %v", g, perr)
				}
			}
		case 4:
			var c sheet.Code
			if c, _, err = d.SheetCode(img); err == nil {
				if _, perr := sheet.ParseCode(c.String()); perr != nil {
					t.Fatalf("SheetCode returned invalid %+v: %v", c, perr)
				}
			}
		case 5:
			for _, det := range d.FindAll(img) {
				if det.Text == "" || det.Lines < findMinLines && !checked(det.Format, det.Bars) {
					t.Fatalf("FindAll returned %+v", det)
				}
				if det.Format == FormatCode32 {
					if _, perr := fustella.ParseAIC(det.Text); perr != nil {
						t.Fatalf("FindAll CODE32 %q invalid: %v", det.Text, perr)
					}
				}
			}
		}
		var de *DecodeError
		if err != nil && !errors.As(err, &de) {
			t.Fatalf("error %T %v is not a *DecodeError", err, err)
		}
	})
}
