package acquisition

import (
	"image"

	"github.com/regfus/regfus/fustella"
	"github.com/regfus/regfus/sheet"
)

// OCR reads the OCR-A lines printed on a sheet and on fustelle: package
// tesseract's client, with a model trained on OCR-A. Each method gets one
// upright line crop and returns a value that passed its own validation
// (length, check digit) with a confidence in [0,1], or an error.
type OCR interface {
	ReadAIC(line *image.Gray) (fustella.AIC, float64, error)
	ReadTargatura(line *image.Gray) (fustella.Targatura, float64, error)
	ReadSheetCode(line *image.Gray) (sheet.Code, float64, error)
}
