package lines

import (
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sync"
)

// Sample is one line image and its ground truth.
type Sample struct {
	Text   string      // exact expected OCR output
	Kind   Kind        // what the line is, so which check applies
	Source string      // generator or profile name, for per-group reports
	Image  *image.Gray // the crop as the reader hands it to Tesseract
	// Box is the line box for training, in Image's coordinates; empty (the
	// usual) means the whole image, which is what Tesseract reads in raw
	// line mode.
	Box image.Rectangle
	// Ink is the bounding box of the text in Image, when known.
	Ink image.Rectangle
	// Params describes how a FontGenerator made the line; other generators
	// may leave it nil.
	Params *Params
}

// Generator makes line samples. Line must take all its randomness from rng,
// so that a set is reproducible from its seed. Implement it to plug another
// source of lines (say, crops of the fustella renderer) into training (Mix)
// or evaluation (Set).
type Generator interface {
	Name() string
	Line(rng *rand.Rand) (Sample, error)
}

// FontGenerator renders the OCR-A font degraded by one Profile.
type FontGenerator struct{ Profile Profile }

// Name is the profile's name.
func (g FontGenerator) Name() string { return g.Profile.Name }

// Line draws parameters from the profile and renders them.
func (g FontGenerator) Line(rng *rand.Rand) (Sample, error) {
	p, err := g.Profile.Draw(rng)
	if err != nil {
		return Sample{}, err
	}
	img, ink, err := Render(p, rng)
	if err != nil {
		return Sample{}, fmt.Errorf("%s: %q: %w", g.Profile.Name, p.Text, err)
	}
	return Sample{Text: p.Text, Kind: p.Kind, Source: g.Profile.Name, Image: img, Ink: ink, Params: &p}, nil
}

// Weighted is a generator with its share in a Mix.
type Weighted struct {
	Gen    Generator
	Weight float64
}

// Mix picks one of its generators per line, by weight.
type Mix struct {
	Label string
	Parts []Weighted
}

// Name is the mix's label.
func (m Mix) Name() string { return m.Label }

// Line delegates to a generator chosen by weight.
func (m Mix) Line(rng *rand.Rand) (Sample, error) {
	total := 0.0
	for _, p := range m.Parts {
		total += p.Weight
	}
	x := rng.Float64() * total
	for _, p := range m.Parts {
		if x < p.Weight {
			return p.Gen.Line(rng)
		}
		x -= p.Weight
	}
	return m.Parts[len(m.Parts)-1].Gen.Line(rng)
}

// Train is the training mixture: every TrainProfiles family, weighted
// towards the hard ones.
func Train() Generator {
	w := map[string]float64{"train-clean": 0.15, "train-office": 0.2, "train-bitonal": 0.2, "train-phone": 0.25, "train-wild": 0.2}
	return weighted("train", TrainProfiles(), w)
}

// TrainScan is a training mixture for package linenet (linegen -mix scan,
// LINENET_MIX=scan scripts/train-linenet): the ScanProfiles families,
// weighted further towards bitonal and phone lines than Train. The
// committed model is still Train's (docs/linenet.md says why).
func TrainScan() Generator {
	w := map[string]float64{"train-clean": 0.12, "train-office": 0.18, "train-bitonal": 0.22, "train-phone": 0.28, "train-wild": 0.2}
	return weighted("train-scan", ScanProfiles(), w)
}

// weighted is the mixture label of one FontGenerator per profile, each
// weighted by w[its name], in the profiles' order.
func weighted(label string, profiles []Profile, w map[string]float64) Mix {
	m := Mix{Label: label}
	for _, p := range profiles {
		m.Parts = append(m.Parts, Weighted{FontGenerator{p}, w[p.Name]})
	}
	return m
}

// Set is a reproducible numbered set of lines: line i of a set depends only
// on (Seed, i), so a set can be generated in parallel, in part, or again.
type Set struct {
	Gen  Generator
	Seed uint64
	N    int
}

// Line returns line i of the set.
func (s Set) Line(i int) (Sample, error) {
	rng := rand.New(rand.NewPCG(s.Seed, uint64(i)))
	return s.Gen.Line(rng)
}

// Each generates the set on all cores and calls fn for every line, in
// index order. It stops at the first error.
func (s Set) Each(fn func(i int, smp Sample) error) error {
	return s.EachFrom(0, fn)
}

// EachFrom is Each over lines from to from+s.N-1 of the set's seed: a
// caller that writes a set in parts (a training set after its validation
// lines) draws each part once, with the line numbers of the whole.
func (s Set) EachFrom(from int, fn func(i int, smp Sample) error) error {
	type res struct {
		smp Sample
		err error
	}
	workers := runtime.GOMAXPROCS(0)
	out := make([]chan res, s.N)
	for i := range out {
		out[i] = make(chan res, 1)
	}
	next := make(chan int)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				smp, err := s.Line(from + i)
				out[i] <- res{smp, err}
			}
		}()
	}
	go func() {
		defer close(next)
		for i := range s.N {
			select {
			case next <- i:
			case <-stop:
				return
			}
		}
	}()
	defer wg.Wait()
	defer close(stop)
	for i := range s.N {
		r := <-out[i]
		if r.err != nil {
			return fmt.Errorf("line %d of %s (seed %d): %w", from+i, s.Gen.Name(), s.Seed, r.err)
		}
		if err := fn(from+i, r.smp); err != nil {
			return err
		}
	}
	return nil
}

// WriteSample writes base.png, base.gt.txt (the text, no newline) and
// base.box (one WordStr line box over the whole image, the format
// Tesseract's lstm.train expects for line images).
func WriteSample(base string, s Sample) error {
	if err := os.MkdirAll(filepath.Dir(base), 0o755); err != nil {
		return err
	}
	f, err := os.Create(base + ".png")
	if err != nil {
		return err
	}
	if err := png.Encode(f, s.Image); err != nil {
		f.Close()
		return fmt.Errorf("%s.png: %w", base, err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.WriteFile(base+".gt.txt", []byte(s.Text), 0o644); err != nil {
		return err
	}
	return os.WriteFile(base+".box", []byte(BoxFile(s, 0)), 0o644)
}

// BoxFile returns the Tesseract WordStr box entry of a sample on page page:
// the line box (Box, or the whole image) in Tesseract's bottom-left origin,
// the text after '#', and a tab line that ends the line (tesstrain's format).
func BoxFile(s Sample, page int) string {
	h := s.Image.Rect.Dy()
	b := s.Box
	if b.Empty() {
		b = s.Image.Rect
	}
	b = b.Sub(s.Image.Rect.Min)
	return fmt.Sprintf("WordStr %d %d %d %d %d #%s\n\t %d %d %d %d %d\n",
		b.Min.X, h-b.Max.Y, b.Max.X, h-b.Min.Y, page, s.Text,
		b.Max.X, h-b.Min.Y, b.Max.X+1, h-b.Min.Y+1, page)
}

// ManifestLine is one line of the CLI's manifest.jsonl.
type ManifestLine struct {
	File   string  `json:"file"`
	Text   string  `json:"text"`
	Kind   Kind    `json:"kind"`
	Source string  `json:"source"`
	Params *Params `json:"params,omitempty"`
}

// Manifest marshals a manifest line.
func Manifest(file string, s Sample) ([]byte, error) {
	return json.Marshal(ManifestLine{File: file, Text: s.Text, Kind: s.Kind, Source: s.Source, Params: s.Params})
}

var (
	registryMu sync.Mutex
	registry   = map[string]Generator{}
)

// Register makes a generator available by name to the ocrtrain command
// (--set NAME for a set of its own, --mix NAME=WEIGHT to mix it into the
// training set) and to tests. A package that renders lines another way
// (say, crops of the fustella renderer) registers itself in an init
// function; the command blank-imports it. Registering a name twice panics.
func Register(g Generator) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[g.Name()]; dup {
		panic("lines: generator " + g.Name() + " registered twice")
	}
	registry[g.Name()] = g
}

// Registered returns the generator registered under name.
func Registered(name string) (Generator, bool) {
	registryMu.Lock()
	defer registryMu.Unlock()
	g, ok := registry[name]
	return g, ok
}
