package linenet

import (
	"errors"
	"fmt"
	"image"
	"sync"

	"github.com/regfus/regfus/vision"
)

// bucket is the width step of the networks a Reader loads: a normalised
// line is padded with paper on the right to the next multiple of it.
// package vision fixes a network's input size at load (a forward pass of
// another size would abort the process if the model did not take it), so
// a Reader keeps one network per width it has met, each made on first
// use; padding costs at most bucket-1 columns of work.
const bucket = 32

// Reader reads printed digit lines with the embedded network. A Reader is
// safe for concurrent use, but two calls on lines of the same width
// bucket wait for each other (an OpenCV Net runs one forward pass at a
// time); load one Reader per goroutine to read in parallel (Load is
// cheap: the networks are made on first use, about a millisecond and a
// few hundred KB each).
type Reader struct {
	info Info
	mu   sync.Mutex
	nets map[int]*vision.Net // by padded width
	shut bool
}

// Load returns a Reader over the embedded model.
func Load() (*Reader, error) {
	info, err := loadInfo()
	if err != nil {
		return nil, fmt.Errorf("linenet: model info: %w", err)
	}
	return &Reader{info: info, nets: map[int]*vision.Net{}}, nil
}

// Info returns what training measured of the model, with the threshold
// Read marks unsure lines and characters against.
func (r *Reader) Info() Info { return r.info }

// net returns the network for padded width w, loading it on first use.
func (r *Reader) net(w int) (*vision.Net, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.shut {
		return nil, errors.New("linenet: Read on a closed Reader")
	}
	if n := r.nets[w]; n != nil {
		return n, nil
	}
	n, err := vision.ReadNetONNX(onnxModel, Height, w)
	if err != nil {
		return nil, fmt.Errorf("linenet: %w", err)
	}
	if n.Outputs() != classes*w/stride {
		n.Close()
		return nil, fmt.Errorf("linenet: model gives %d outputs for width %d, want %d", n.Outputs(), w, classes*w/stride)
	}
	r.nets[w] = n
	return n, nil
}

// Read reads one line crop: grey, dark print on light paper, the line
// spanning most of the crop's height (as the scan reader cuts a line
// under or over a barcode's bars), any resolution. A crop with no ink is
// ErrBlank; one wider than MaxWidth/Height heights is an error.
func (r *Reader) Read(g *image.Gray) (Line, error) {
	if r == nil {
		return Line{}, errors.New("linenet: Read on a nil Reader")
	}
	n, err := Normalize(g)
	if err != nil {
		return Line{}, err
	}
	w := (n.W + bucket - 1) / bucket * bucket
	net, err := r.net(w)
	if err != nil {
		return Line{}, err
	}
	in := n.Pix
	if w != n.W {
		in = make([]float32, Height*w)
		for y := range Height {
			copy(in[y*w:], n.Pix[y*n.W:(y+1)*n.W])
		}
	}
	out, err := net.Forward(in, 1)
	if err != nil {
		return Line{}, fmt.Errorf("linenet: %w", err)
	}
	cols := w / stride
	used := (n.W + stride - 1) / stride
	scale := float64(stride) * float64(g.Rect.Dy()) / Height
	return decode(out[0], cols, used, scale, r.info.Threshold), nil
}

// Close frees the networks. It is safe to call more than once; Read after
// Close is an error.
func (r *Reader) Close() error {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.shut = true
	var first error
	for w, n := range r.nets {
		if err := n.Close(); err != nil && first == nil {
			first = err
		}
		delete(r.nets, w)
	}
	return first
}
