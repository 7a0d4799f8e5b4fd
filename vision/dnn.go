package vision

import (
	"errors"
	"fmt"
	"sync"
	"unsafe"

	"gocv.io/x/gocv"
	"google.golang.org/protobuf/encoding/protowire"
)

// Net is a feed-forward network read from ONNX by OpenCV's dnn module
// (OpenCV 4.6 reads opsets up to 13 for the usual layers: Conv, Gemm,
// MaxPool, Relu, Flatten). It takes single-channel images as float32
// planes and gives each image's output vector (for a classifier: the
// logits, one per class).
//
// An OpenCV Net keeps its blobs between calls, so one Net must not run two
// forward passes at once: Net holds a mutex and is safe for concurrent use,
// but concurrent callers wait for each other. A caller that classifies on
// several goroutines in parallel (one per page, say) loads one Net per
// goroutine instead; a small net costs a few hundred KB.
type Net struct {
	mu   sync.Mutex
	net  gocv.Net
	ok   bool
	h, w int // input image size
	k    int // output values per image
}

// ReadNetONNX loads a network from the bytes of an ONNX model made for
// single-channel images of h×w pixels, and runs it once on a blank image
// to learn its output size.
//
// OpenCV throws from a forward pass whose input does not fit the first
// layer, and gocv does not turn a C++ exception into a Go error: the
// process would abort. The same holds for bytes OpenCV cannot parse. So
// the bytes are first checked to be an ONNX ModelProto (protobuf fields,
// with an IR version and a graph), which turns garbage and truncated files
// into errors; a well-formed model OpenCV still rejects aborts, and so
// does one that does not take h×w images: the input size is fixed here,
// with the model, and Forward accepts only images of that size, so that
// such a model aborts at load, where its package's test finds it, and
// never on a caller's data. Give it only models that a test loads.
func ReadNetONNX(model []byte, h, w int) (*Net, error) {
	if h <= 0 || w <= 0 {
		return nil, fmt.Errorf("vision: ONNX input size %dx%d", w, h)
	}
	if err := checkONNX(model); err != nil {
		return nil, err
	}
	n, err := gocv.ReadNetFromONNXBytes(model)
	if err != nil {
		return nil, fmt.Errorf("vision: reading ONNX model: %w", err)
	}
	if n.Empty() {
		n.Close()
		return nil, errors.New("vision: ONNX model has no layers")
	}
	if err := n.SetPreferableBackend(gocv.NetBackendOpenCV); err != nil {
		n.Close()
		return nil, fmt.Errorf("vision: dnn backend: %w", err)
	}
	if err := n.SetPreferableTarget(gocv.NetTargetCPU); err != nil {
		n.Close()
		return nil, fmt.Errorf("vision: dnn target: %w", err)
	}
	net := &Net{net: n, ok: true, h: h, w: w}
	out, err := net.Forward(make([]float32, h*w), 1)
	if err != nil {
		net.Close()
		return nil, err
	}
	net.k = len(out[0])
	return net, nil
}

// checkONNX checks that b is a protobuf message with the fields an ONNX
// ModelProto must have: ir_version (1, varint) and graph (7, bytes).
func checkONNX(b []byte) error {
	if len(b) == 0 {
		return errors.New("vision: empty ONNX model")
	}
	var version, graph bool
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return fmt.Errorf("vision: not an ONNX model: %w", protowire.ParseError(n))
		}
		m := protowire.ConsumeFieldValue(num, typ, b[n:])
		if m < 0 {
			return fmt.Errorf("vision: not an ONNX model: %w", protowire.ParseError(m))
		}
		switch {
		case num == 1 && typ == protowire.VarintType:
			version = true
		case num == 7 && typ == protowire.BytesType:
			graph = true
		}
		b = b[n+m:]
	}
	if !version || !graph {
		return errors.New("vision: not an ONNX model (no IR version or no graph)")
	}
	return nil
}

// Outputs is the length of each image's output vector.
func (n *Net) Outputs() int { return n.k }

// Forward runs the network on count single-channel images of the size
// given at load, stored one after the other, row by row, in in (len(in)
// must be count*h*w), and returns one output vector per image, in Go
// memory. The input is passed as the NCHW blob (count, 1, h, w).
func (n *Net) Forward(in []float32, count int) (out [][]float32, err error) {
	h, w := n.h, n.w
	if count <= 0 {
		return nil, fmt.Errorf("vision: Forward of %d images", count)
	}
	if len(in) != count*h*w {
		return nil, fmt.Errorf("vision: Forward: %d values for %d images of %dx%d", len(in), count, w, h)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.ok {
		return nil, errors.New("vision: Forward on a closed Net")
	}
	bytes := unsafe.Slice((*byte)(unsafe.Pointer(&in[0])), len(in)*4)
	blob, err := gocv.NewMatWithSizesFromBytes([]int{count, 1, h, w}, gocv.MatTypeCV32F, bytes)
	if err != nil {
		return nil, fmt.Errorf("vision: input blob: %w", err)
	}
	defer blob.Close()
	n.net.SetInput(blob, "")
	res := n.net.Forward("")
	defer res.Close()
	if res.Empty() {
		return nil, errors.New("vision: Forward gave no output")
	}
	vals, err := res.DataPtrFloat32()
	if err != nil {
		return nil, fmt.Errorf("vision: Forward output: %w", err)
	}
	if len(vals)%count != 0 {
		return nil, fmt.Errorf("vision: Forward gave %d values for %d images", len(vals), count)
	}
	k := len(vals) / count
	if n.k != 0 && k != n.k {
		return nil, fmt.Errorf("vision: Forward gave %d values per image, %d at load", k, n.k)
	}
	out = make([][]float32, count)
	flat := make([]float32, len(vals))
	copy(flat, vals)
	for i := range out {
		out[i] = flat[i*k : (i+1)*k : (i+1)*k]
	}
	return out, nil
}

// Close frees the network; it is safe to call more than once, and Forward
// after Close is an error.
func (n *Net) Close() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.ok {
		n.ok = false
		return n.net.Close()
	}
	return nil
}
