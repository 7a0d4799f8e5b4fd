package typeface

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/image/font/opentype"
)

// A loaded font is a font file read at run time - a system font such as
// Debian's OCR-B or DejaVu Sans Mono - registered as a Font numbered after
// the embedded ones, so that everything drawing with a Font (the raster
// canvas, text measures) takes it like an embedded one. Loaded fonts are
// not in All: a PDF embeds only the fonts every machine has.
type loaded struct {
	name, path string
	data       []byte
}

// registry holds the loaded fonts, guarded by mu; Font(len(All)+i) is
// registry[i].
var registry []loaded

// Load reads a TrueType or OpenType (glyf or CFF outlines) font file and
// returns it as a Font named after the file ("OCRB" for .../OCRB.otf).
// Loading the same path again returns the same Font. A file that is missing
// or does not parse is an error naming the file.
func Load(path string) (Font, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return 0, fmt.Errorf("typeface: %s: %w", path, err)
	}
	mu.Lock()
	for i, l := range registry {
		if l.path == abs {
			mu.Unlock()
			return Font(len(All) + i), nil
		}
	}
	mu.Unlock()
	data, err := os.ReadFile(abs)
	if err != nil {
		return 0, fmt.Errorf("typeface: %w", err)
	}
	p, err := opentype.Parse(data)
	if err != nil {
		return 0, fmt.Errorf("typeface: %s does not parse as a font: %w", abs, err)
	}
	name := strings.TrimSuffix(filepath.Base(abs), filepath.Ext(abs))
	mu.Lock()
	defer mu.Unlock()
	for i, l := range registry { // another goroutine may have loaded it meanwhile
		if l.path == abs {
			return Font(len(All) + i), nil
		}
	}
	registry = append(registry, loaded{name: name, path: abs, data: data})
	f := Font(len(All) + len(registry) - 1)
	parsed[f] = p
	return f, nil
}

// loadedFont returns the registry entry of f, if f was loaded.
func loadedFont(f Font) (loaded, bool) {
	mu.Lock()
	defer mu.Unlock()
	return loadedLocked(f)
}

func loadedLocked(f Font) (loaded, bool) {
	i := int(f) - len(All)
	if i < 0 || i >= len(registry) {
		return loaded{}, false
	}
	return registry[i], true
}

// ttfLocked is TTF for a caller holding mu.
func (f Font) ttfLocked() []byte {
	if l, ok := loadedLocked(f); ok {
		return l.data
	}
	return embeddedTTF(f)
}
