package linenet

import (
	"syscall"
	"testing"
	"time"

	"github.com/regfus/regfus/ocrtrain/lines"
)

// BenchmarkRead reads AIC and targatura lines of the office evaluation
// profile (200 dpi, JPEG 75) in OCR-B, as the reader's crops: normalising,
// the network in OpenCV's dnn and the decoding, per line.
func BenchmarkRead(b *testing.B) {
	r, err := Load()
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	var prof lines.Profile
	for _, p := range lines.EvalProfiles() {
		if p.Name == "office" {
			prof = p.WithFace("ocrb")
		}
	}
	prof.Kinds = []lines.KindWeight{{Kind: lines.KindAIC, Weight: 1}, {Kind: lines.KindTargatura, Weight: 1}}
	set := lines.Set{Gen: lines.FontGenerator{Profile: prof}, Seed: 4242, N: 32}
	var crops []lines.Sample
	for i := range set.N {
		s, err := set.Line(i)
		if err != nil {
			b.Fatal(err)
		}
		crops = append(crops, s)
	}
	for _, s := range crops { // networks of every width made before timing
		if _, err := r.Read(s.Image); err != nil {
			b.Fatal(err)
		}
	}
	cpu0 := cpuTime()
	n := 0
	for i := 0; b.Loop(); i++ {
		if _, err := r.Read(crops[i%len(crops)].Image); err != nil {
			b.Fatal(err)
		}
		n++
	}
	// The shared machine's load inflates wall time: CPU time is the figure.
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(n), "cpu-ns/op")
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
