package acquisition

// WithFieldOCR gives the reader an OCR engine for the sheet's printed
// progressive and count (package tesseract's FieldClient); the Reader
// closes it. Without one, a printed value is read as handwriting.
func WithFieldOCR(o FieldOCR) Option { return func(r *Reader) { r.fields = o } }
