package tesseract

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	_ "embed"

	"github.com/regfus/regfus/internal/atomicfile"
)

// Language is the model's Tesseract language name.
const Language = "ocra"

// model is tesseract/model/ocra.traineddata, made by scripts/train-ocr.
//
//go:embed model/ocra.traineddata
var model []byte

// ModelSHA256 is the hex SHA-256 of the embedded model.
var ModelSHA256 = func() string {
	s := sha256.Sum256(model)
	return hex.EncodeToString(s[:])
}()

var modelDir = sync.OnceValues(func() (string, error) { return writeTessdata(Language, model) })

// writeTessdata writes an embedded model (the OCR-A model, the
// printed-field model of fields.go) to
// <user cache dir>/regfus/tessdata-<lang>-<hash prefix>/<lang>.traineddata
// (or the same under the temp dir when there is no cache dir), unless it
// is already there with the right content, and returns the directory
// (Tesseract's tessdata prefix). The directory is private (0700); the file
// is written to a temporary name and renamed, so concurrent processes
// never see half a model.
func writeTessdata(lang string, data []byte) (string, error) {
	sum := sha256.Sum256(data)
	hash := hex.EncodeToString(sum[:])
	base, err := os.UserCacheDir()
	if err != nil || base == "" {
		base = os.TempDir()
	}
	dir := filepath.Join(base, "regfus", "tessdata-"+lang+"-"+hash[:16])
	path := filepath.Join(dir, lang+".traineddata")
	if b, err := os.ReadFile(path); err == nil && sha256.Sum256(b) == sum {
		return dir, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("tesseract: model cache %s: %w", dir, err)
	}
	if err := atomicfile.Write(path, 0o600, func(f *os.File) error { _, err := f.Write(data); return err }); err != nil {
		return "", fmt.Errorf("tesseract: write model to %s: %w", path, err)
	}
	return dir, nil
}
