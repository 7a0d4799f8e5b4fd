package vision

import (
	"math"
	"os"
	"sync"
	"testing"
)

// tinyNet loads testdata/tinynet.onnx: relu(W x + b) on 3×4 images, with
// W and b as tinynet.py sets them.
func tinyNet(t testing.TB) *Net {
	t.Helper()
	b, err := os.ReadFile("testdata/tinynet.onnx")
	if err != nil {
		t.Fatal(err)
	}
	n, err := ReadNetONNX(b, 3, 4)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func tinyWant(x []float32) []float32 {
	out := make([]float32, 2)
	for k := range out {
		s := 0.5 - float64(k)
		for i, v := range x {
			s += (float64(k+1)*float64(i%5) - float64(i)/4) * float64(v)
		}
		out[k] = float32(math.Max(0, s))
	}
	return out
}

func TestNetForward(t *testing.T) {
	n := tinyNet(t)
	defer n.Close()
	if n.Outputs() != 2 {
		t.Fatalf("Outputs() = %d, want 2", n.Outputs())
	}
	// three images: a ramp, its negative (some outputs cut by the relu),
	// and one bright pixel
	in := make([]float32, 3*12)
	for i := range 12 {
		in[i] = float32(i) / 11
		in[12+i] = -float32(i) / 5
	}
	in[24+7] = 1
	out, err := n.Forward(in, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 3 {
		t.Fatalf("%d outputs, want 3", len(out))
	}
	for j := range 3 {
		want := tinyWant(in[j*12 : (j+1)*12])
		for k := range 2 {
			if math.Abs(float64(out[j][k]-want[k])) > 1e-4 {
				t.Errorf("image %d output %d = %g, want %g", j, k, out[j][k], want[k])
			}
		}
	}
}

func TestNetBadInput(t *testing.T) {
	n := tinyNet(t)
	if _, err := n.Forward(make([]float32, 11), 1); err == nil {
		t.Error("11 values for one 3x4 image: no error")
	}
	if _, err := n.Forward(nil, 0); err == nil {
		t.Error("no images: no error")
	}
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	if err := n.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := n.Forward(make([]float32, 12), 1); err == nil {
		t.Error("Forward after Close: no error")
	}
	if _, err := ReadNetONNX([]byte("not a model"), 3, 4); err == nil {
		t.Error("garbage model: no error")
	}
	b, err := os.ReadFile("testdata/tinynet.onnx")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ReadNetONNX(b[:len(b)/2], 3, 4); err == nil {
		t.Error("truncated model: no error")
	}
	if _, err := ReadNetONNX(nil, 3, 4); err == nil {
		t.Error("empty model: no error")
	}
}

// One Net on several goroutines: the mutex serialises them, and each gets
// its own answer.
func TestNetConcurrent(t *testing.T) {
	n := tinyNet(t)
	defer n.Close()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := make([]float32, 12)
			in[g] = float32(g + 1)
			for range 50 {
				out, err := n.Forward(in, 1)
				if err != nil {
					t.Error(err)
					return
				}
				want := tinyWant(in)
				if math.Abs(float64(out[0][0]-want[0])) > 1e-4 || math.Abs(float64(out[0][1]-want[1])) > 1e-4 {
					t.Errorf("goroutine %d: %v, want %v", g, out[0], want)
					return
				}
			}
		}()
	}
	wg.Wait()
}
