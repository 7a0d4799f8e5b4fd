package synth

import (
	"context"
	"testing"
)

// BenchmarkCorpus measures whole pages (fill, draw, scan, encode, write)
// through Generate, per profile; pages/s is reported as a metric.
func BenchmarkCorpus(b *testing.B) {
	for _, name := range ProfileNames() {
		b.Run(name, func(b *testing.B) {
			profs, _ := ParseProfiles(name)
			pages := 0
			for i := 0; b.Loop(); i++ {
				n := profs[0].Pages[1]
				if _, err := Generate(context.Background(), Options{Dir: b.TempDir(), Pages: n, Seed: uint64(i + 1), Profiles: profs, Workers: 1}); err != nil {
					b.Fatal(err)
				}
				pages += n
			}
			b.ReportMetric(float64(pages)/b.Elapsed().Seconds(), "pages/s")
		})
	}
}

// BenchmarkDesigns measures whole office pages (fill, draw, scan, encode,
// write) per label design, on one worker; pages/s is reported as a metric.
// The zint and gnu-barcode designs run their encoder twice per label.
func BenchmarkDesigns(b *testing.B) {
	profs, _ := ParseProfiles("office")
	for _, d := range Designs() {
		b.Run(d.Name, func(b *testing.B) {
			pages := 0
			for i := 0; b.Loop(); i++ {
				if _, err := Generate(context.Background(), Options{Dir: b.TempDir(), Pages: 2, Seed: uint64(i + 1), Profiles: profs, Workers: 1, Designs: []Design{d}}); err != nil {
					b.Fatal(err)
				}
				pages += 2
			}
			b.ReportMetric(float64(pages)/b.Elapsed().Seconds(), "pages/s")
		})
	}
}
