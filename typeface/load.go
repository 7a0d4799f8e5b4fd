package typeface

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// A loaded font is a font file read at run time - a system font such as
// Debian's OCR-B or DejaVu Sans Mono - registered as a Font numbered after
// the embedded ones, so that everything drawing with a Font (the raster
// canvas, text measures) takes it like an embedded one. Loaded fonts are
// not in All: a PDF embeds only the fonts every machine has.
type loaded struct {
	name string
	path string // the file's absolute path; "data:" + name for LoadData
	data []byte
}

// registry holds the loaded fonts, guarded by mu; Font(len(All)+i) is
// registry[i].
var registry []loaded

// Load reads a TrueType or OpenType (glyf or CFF outlines) font file and
// returns it as a Font named after the file ("OCRB" for .../OCRB.otf).
// Loading the same path again returns the same Font. A file that is missing
// or does not parse is an error naming the file. A font that parses may
// still hold glyphs Go's sfnt cannot draw (Debian's OCRB.otf: its 8 uses
// the CFF flex1 operator, and draws as nothing): Draws tells.
func Load(path string) (Font, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return 0, fmt.Errorf("typeface: %s: %w", path, err)
	}
	if f, ok := registered(abs); ok {
		return f, nil
	}
	data, err := os.ReadFile(abs)
	if err != nil {
		return 0, fmt.Errorf("typeface: %w", err)
	}
	return register(strings.TrimSuffix(filepath.Base(abs), filepath.Ext(abs)), abs, data)
}

// LoadData is Load for a font file held in memory (one a package embeds),
// named name; loading the same name again returns the same Font.
func LoadData(name string, data []byte) (Font, error) {
	key := "data:" + name
	if f, ok := registered(key); ok {
		return f, nil
	}
	return register(name, key, data)
}

// registered returns the loaded font of key (a file's absolute path, or
// "data:" and a LoadData name).
func registered(key string) (Font, bool) {
	mu.Lock()
	defer mu.Unlock()
	for i, l := range registry {
		if l.path == key {
			return Font(len(All) + i), true
		}
	}
	return 0, false
}

// register parses data and registers it under key as a Font named name.
func register(name, key string, data []byte) (Font, error) {
	p, err := opentype.Parse(data)
	if err != nil {
		return 0, fmt.Errorf("typeface: %s does not parse as a font: %w", key, err)
	}
	mu.Lock()
	defer mu.Unlock()
	for i, l := range registry { // another goroutine may have loaded it meanwhile
		if l.path == key {
			return Font(len(All) + i), nil
		}
	}
	registry = append(registry, loaded{name: name, path: key, data: data})
	f := Font(len(All) + len(registry) - 1)
	parsed[f] = p
	return f, nil
}

// Draws reports an error naming the first rune of s that f has no glyph
// for or whose outline cannot be read: such a rune is drawn as nothing.
func (f Font) Draws(s string) error {
	p := f.Parsed()
	var b sfnt.Buffer
	for _, r := range s {
		gi, err := p.GlyphIndex(&b, r)
		if err == nil && gi == 0 {
			err = errors.New("no glyph")
		}
		if err == nil {
			_, err = p.LoadGlyph(&b, gi, fixed.I(64), nil)
		}
		if err != nil {
			return fmt.Errorf("typeface: %s cannot draw %q: %w", f.Name(), r, err)
		}
	}
	return nil
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
