package linenet

import (
	"errors"
	"image"
	"sync"
	"testing"

	"github.com/regfus/regfus/ocrtrain/lines"
)

func TestReadErrors(t *testing.T) {
	var nilReader *Reader
	if _, err := nilReader.Read(image.NewGray(image.Rect(0, 0, 10, 10))); err == nil {
		t.Error("Read on a nil Reader: no error")
	}
	r, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if info := r.Info(); info.Threshold <= 0 || info.Threshold >= 1 || info.Temperature <= 0 {
		t.Errorf("model info: threshold %v, temperature %v", info.Threshold, info.Temperature)
	}
	blank := image.NewGray(image.Rect(0, 0, 200, 48))
	for i := range blank.Pix {
		blank.Pix[i] = 230
	}
	if _, err := r.Read(blank); !errors.Is(err, ErrBlank) {
		t.Errorf("blank crop: %v, want ErrBlank", err)
	}
	if _, err := r.Read(nil); err == nil {
		t.Error("nil crop: no error")
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	smp, err := lines.Set{Gen: lines.FontGenerator{Profile: lines.EvalProfiles()[0]}, Seed: 77, N: 1}.Line(0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Read(smp.Image); err == nil {
		t.Error("Read after Close: no error")
	}
}

// TestConcurrentRead reads the same lines from one Reader on four
// goroutines (the race detector watches) and checks every goroutine
// gets what a lone Read gets.
func TestConcurrentRead(t *testing.T) {
	r, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var crops []*image.Gray
	var want []Line
	set := lines.Set{Gen: lines.FontGenerator{Profile: lines.EvalProfiles()[1].WithFace("ocrb")}, Seed: 78, N: 8}
	if err := set.Each(func(i int, s lines.Sample) error {
		l, err := r.Read(s.Image)
		crops, want = append(crops, s.Image), append(want, l)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range 3 * len(crops) {
				i := (k + g) % len(crops)
				l, err := r.Read(crops[i])
				if err != nil {
					t.Error(err)
					return
				}
				if l.Text != want[i].Text || l.Conf != want[i].Conf {
					t.Errorf("goroutine %d line %d: %q %.4f, alone %q %.4f", g, i, l.Text, l.Conf, want[i].Text, want[i].Conf)
				}
			}
		}()
	}
	wg.Wait()
}
