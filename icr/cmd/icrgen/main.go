// Command icrgen writes the data sets package icr's model is trained on,
// as idx files (MNIST's format), each image already normalised by
// icr.Normalize:
//
//	train-{images,labels,sources}.idx    MNIST train[0:55000], as it is and
//	                                      distorted on paper, plus generated
//	                                      digits, D's and Other (seed -seed),
//	                                      and bad cuts of its digits (Other)
//	heldout-{images,labels,sources}.idx  MNIST train[55000:60000] the same
//	                                      way, plus generated glyphs from
//	                                      seed -seed+1: early stopping,
//	                                      calibration and thresholds
//
// MNIST's t10k split is not read: it is kept for acceptance (icr's tests).
// Labels are icr.Class values; sources are handgen.Source values.
//
//	go run ./icr/cmd/icrgen -o /tmp/icr-data
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/regfus/regfus/icr"
	"github.com/regfus/regfus/icr/handgen"
)

// heldOut is the size of the held-out tail of MNIST's training split.
const heldOut = 5000

func main() {
	out := flag.String("o", "icr-data", "output directory")
	seed := flag.Uint64("seed", 1, "seed of the training set; the held-out set uses seed+1")
	aug := flag.Int("aug", 1, "distorted copies of each MNIST digit")
	penDigits := flag.Int("pen-digits", 800, "pen-model digits per class (training; a tenth held out)")
	ds := flag.Int("d", 9000, "D's (training; a tenth held out)")
	others := flag.Int("other", 14000, "Other glyphs (training; a tenth held out)")
	badCuts := flag.Int("bad-cuts", 0, "Other glyphs made of the set's MNIST digits, two touching or one cut in part (handgen.FromMNISTBadCut; training, a tenth held out)")
	wide := flag.Bool("wide", false, "augment with handgen's Wide recipe (the zero recipe is net-a's)")
	lowres := flag.Float64("lowres", 0, "fraction of the distorted and generated glyphs given a low-resolution scan's look (handgen.LowRes)")
	only := flag.String("only", "", "write only this set (train or heldout)")
	flag.Parse()
	rc := handgen.Recipe{Wide: *wide}
	if err := run(*out, rc, *seed, *aug, *penDigits, *ds, *others, *badCuts, *lowres, *only); err != nil {
		fmt.Fprintln(os.Stderr, "icrgen:", err)
		os.Exit(1)
	}
}

// job is one sample to make: an MNIST digit (mnist >= 0), a bad cut of
// the MNIST digits cut and pair, or a generated glyph of class.
type job struct {
	seed, index uint64
	mnist       int
	augment     bool
	class       icr.Class
	badCut      bool
	cut, pair   int
}

// lowresSeed offsets a sample's seed for the random source of its
// low-resolution look (kept apart from the one that made it, so that
// -lowres 0 writes the data sets it wrote before the flag).
const lowresSeed = 1 << 40

func run(dir string, rc handgen.Recipe, seed uint64, aug, penDigits, ds, others, badCuts int, lowres float64, only string) error {
	start := time.Now()
	images, labels, err := handgen.LoadMNIST("train")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	split := len(images) - heldOut
	sets := []struct {
		name     string
		seed     uint64
		from, to int
		div      int
	}{
		{"train", seed, 0, split, 1},
		{"heldout", seed + 1, split, len(images), 10},
	}
	for _, s := range sets {
		if only != "" && only != s.name {
			continue
		}
		var jobs []job
		for i := s.from; i < s.to; i++ {
			jobs = append(jobs, job{mnist: i})
			for a := range aug {
				jobs = append(jobs, job{seed: s.seed*100 + uint64(a), index: uint64(i), mnist: i, augment: true})
			}
		}
		gen := func(class icr.Class, n int) {
			for i := range n / s.div {
				jobs = append(jobs, job{seed: s.seed*100 + 50 + uint64(class), index: uint64(i), mnist: -1, class: class})
			}
		}
		for d := range icr.Class(10) {
			gen(d, penDigits)
		}
		gen(icr.D, ds)
		gen(icr.Other, others)
		for i := range badCuts / s.div {
			// the digits of a bad cut come from the set's own part of
			// MNIST, so the held-out set's are held out too
			pick := handgen.Rand(s.seed*100+71, uint64(i))
			jobs = append(jobs, job{seed: s.seed*100 + 70, index: uint64(i), mnist: -1, class: icr.Other, badCut: true,
				cut: s.from + pick.IntN(s.to-s.from), pair: s.from + pick.IntN(s.to-s.from)})
		}

		imgs := make([][]byte, len(jobs))
		labs := make([][]byte, len(jobs))
		srcs := make([][]byte, len(jobs))
		var wg sync.WaitGroup
		workers := runtime.GOMAXPROCS(0)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < len(jobs); i += workers {
					j := jobs[i]
					var smp handgen.Sample
					if j.badCut {
						smp = handgen.FromMNISTBadCut(handgen.Rand(j.seed, j.index), images[j.cut], labels[j.cut], images[j.pair])
					} else if j.mnist >= 0 {
						smp = rc.FromMNIST(handgen.Rand(j.seed, j.index), images[j.mnist], labels[j.mnist], j.augment)
					} else {
						smp = rc.Glyph(handgen.Rand(j.seed, j.index), j.class)
					}
					if lowres > 0 && (j.mnist < 0 || j.augment) {
						if lr := handgen.Rand(j.seed+lowresSeed, j.index); lr.Float64() < lowres {
							smp.Crop = handgen.LowRes(lr, smp.Crop)
						}
					}
					n, _ := icr.Normalize(smp.Crop)
					imgs[i], labs[i], srcs[i] = n.Pix, []byte{byte(smp.Class)}, []byte{byte(smp.Source)}
				}
			}()
		}
		wg.Wait()
		for _, f := range []struct {
			suffix string
			items  [][]byte
			n      int
		}{{"images", imgs, icr.Size}, {"labels", labs, 0}, {"sources", srcs, 0}} {
			if err := handgen.WriteIDX(filepath.Join(dir, s.name+"-"+f.suffix+".idx"), f.items, f.n); err != nil {
				return err
			}
		}
		fmt.Printf("icrgen: %s: %d glyphs (%s)\n", s.name, len(jobs), time.Since(start).Round(time.Millisecond))
	}
	return nil
}
