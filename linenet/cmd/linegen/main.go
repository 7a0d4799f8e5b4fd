// Command linegen writes the line sets package linenet's network is
// trained on, each line already normalised by linenet.Normalize:
//
//	train.bin, train.jsonl   lines of ocrtrain's training mixture
//	                         (-mix train, lines.Train: the trained faces
//	                         only, the five training degradation families;
//	                         -mix scan, lines.TrainScan: the same families
//	                         widened to the scan reader's bitonal and phone
//	                         crops), seed -seed
//	prefixed.bin, .jsonl     AIC and targatura lines of the same families
//	                         with words before or after ("AIC", "A.I.C.",
//	                         random letters), seed -seed+2 (prefix.go)
//	val.bin, val.jsonl       the training mixture from seed -seed+1: early
//	                         stopping, the temperature and the threshold
//
// The held-out faces and the evaluation profiles (lines.EvalProfiles) are
// never drawn here: linenet's tests measure the model on them, with seeds
// of their own.
//
// X.bin holds the normalised lines one after the other, linenet.Height
// rows of w bytes each (ink 255, paper 0); X.jsonl has one line per line
// image: its index in its set, its width, its byte offset in X.bin and
// its text as the network must read it (target), with the face,
// profile and kind. A line too faint to hold any ink (about 0.6% of the
// training mixture) is left out.
//
//	go run ./linenet/cmd/linegen -o /tmp/linenet-data
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/regfus/regfus/linenet"
	"github.com/regfus/regfus/ocrtrain/lines"
)

func main() {
	out := flag.String("o", "linenet-data", "output directory")
	seed := flag.Uint64("seed", 1, "seed of the training set; the validation set uses seed+1")
	n := flag.Int("n", 60000, "training lines")
	nval := flag.Int("val", 6000, "validation lines")
	npre := flag.Int("prefixed", 2500, "training lines with words before or after the code (seed -seed+2)")
	from := flag.Int("from", 0, "append training lines from this index on to a set of that many lines already written (no validation set)")
	mixName := flag.String("mix", "train", "the degradation mixture: train (lines.Train, the committed model's) or scan (lines.TrainScan, widened to scanned bitonal and phone labels)")
	flag.Parse()
	mix, ok := mixes[*mixName]
	if !ok {
		fmt.Fprintf(os.Stderr, "linegen: unknown -mix %q (train or scan)\n", *mixName)
		os.Exit(2)
	}
	if *from > 0 {
		start := time.Now()
		if err := extend(filepath.Join(*out, "train"), mix, *seed, *from, *n); err != nil {
			fmt.Fprintln(os.Stderr, "linegen:", err)
			os.Exit(1)
		}
		fmt.Printf("linegen: train: lines %d-%d (seed %d) in %.0f s\n", *from, *n-1, *seed, time.Since(start).Seconds())
		return
	}
	if err := run(*out, mix, *seed, *n, *nval, *npre); err != nil {
		fmt.Fprintln(os.Stderr, "linegen:", err)
		os.Exit(1)
	}
}

// entry is one line of X.jsonl.
type entry struct {
	I       int    `json:"i"` // the line's index in its set
	W       int    `json:"w"`
	Off     int64  `json:"off"`
	Text    string `json:"text"`
	Face    string `json:"face"`
	Profile string `json:"profile"`
	Kind    string `json:"kind"`
}

// mixes are the training mixtures -mix names: every set of a run (train,
// prefixed, val) draws from the same one.
var mixes = map[string]func() lines.Generator{"train": lines.Train, "scan": lines.TrainScan}

func run(dir string, mix func() lines.Generator, seed uint64, n, nval, npre int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, s := range []struct {
		name string
		gen  lines.Generator
		seed uint64
		n    int
	}{
		{"train", mix(), seed, n},
		{"prefixed", prefixed{mix().(lines.Mix)}, seed + 2, npre},
		{"val", mix(), seed + 1, nval},
	} {
		start := time.Now()
		if err := write(filepath.Join(dir, s.name), lines.Set{Gen: s.gen, Seed: s.seed, N: s.n}); err != nil {
			return err
		}
		fmt.Printf("linegen: %s: %d lines (seed %d) in %.0f s\n", s.name, s.n, s.seed, time.Since(start).Seconds())
	}
	return nil
}

func write(base string, set lines.Set) error {
	bin, err := os.Create(base + ".bin")
	if err != nil {
		return err
	}
	defer bin.Close()
	idx, err := os.Create(base + ".jsonl")
	if err != nil {
		return err
	}
	defer idx.Close()
	return emit(bin, idx, 0, base, set.Each)
}

// extend appends lines from..n-1 of the training mixture mix's set of seed
// seed to base.{bin,jsonl}, after its lines of index under from (a set
// stopped part way, or a smaller one): line i depends only on (seed, i),
// so the result is the set of n lines.
func extend(base string, mix func() lines.Generator, seed uint64, from, n int) error {
	meta, err := os.ReadFile(base + ".jsonl")
	if err != nil {
		return err
	}
	var end int64
	cut := 0
	for _, row := range strings.SplitAfter(string(meta), "\n") {
		var e entry
		if json.Unmarshal([]byte(row), &e) != nil || e.I >= from {
			break
		}
		end = e.Off + int64(linenet.Height*e.W)
		cut += len(row)
	}
	// Drop whatever follows line from-1 (a stopped run's partial lines).
	if err := os.Truncate(base+".jsonl", int64(cut)); err != nil {
		return err
	}
	if err := os.Truncate(base+".bin", end); err != nil {
		return err
	}
	bin, err := os.OpenFile(base+".bin", os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	defer bin.Close()
	idx, err := os.OpenFile(base+".jsonl", os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	defer idx.Close()
	set := lines.Set{Gen: mix(), Seed: seed, N: n - from}
	each := func(fn func(i int, smp lines.Sample) error) error {
		return set.EachFrom(from, fn)
	}
	return emit(bin, idx, end, base, each)
}

// emit normalises every line each gives and writes it to bin and idx,
// the first at byte offset off of bin.
func emit(bin, idx *os.File, off int64, base string, each func(func(int, lines.Sample) error) error) error {
	bw, iw := bufio.NewWriter(bin), bufio.NewWriter(idx)
	blank := 0
	defer func() {
		if blank > 0 {
			fmt.Printf("linegen: %s: %d blank lines skipped\n", base, blank)
		}
	}()
	err := each(func(i int, smp lines.Sample) error {
		nl, err := linenet.Normalize(smp.Image)
		if errors.Is(err, linenet.ErrBlank) {
			blank++ // a line too faint to read: nothing to learn from
			return nil
		}
		if err != nil {
			return fmt.Errorf("line %d (%q): %w", i, smp.Text, err)
		}
		buf := make([]byte, len(nl.Pix))
		for j, v := range nl.Pix {
			buf[j] = uint8(v*255 + 0.5)
		}
		if _, err := bw.Write(buf); err != nil {
			return err
		}
		e := entry{I: i, W: nl.W, Off: off, Text: target(smp.Text), Profile: smp.Source, Kind: string(smp.Kind)}
		if smp.Params != nil {
			e.Face = smp.Params.Font
		}
		off += int64(len(buf))
		b, err := json.Marshal(e)
		if err != nil {
			return err
		}
		iw.Write(b)
		return iw.WriteByte('\n')
	})
	if err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := iw.Flush(); err != nil {
		return err
	}
	if err := bin.Close(); err != nil {
		return err
	}
	return idx.Close()
}

// target is the network's CTC target for a printed text: spaces dropped,
// linenet.Charset kept, one linenet.Other per other symbol (Read then
// merges a run of them into one, see linenet.Transcribe).
func target(printed string) string {
	var b strings.Builder
	for _, r := range printed {
		switch {
		case r == ' ':
		case strings.ContainsRune(linenet.Charset, r):
			b.WriteRune(r)
		default:
			b.WriteRune(linenet.Other)
		}
	}
	return b.String()
}
