// Command ocrtrain writes printed-digit line images (OCR-A, OCR-B, sans and
// monospace faces) with their ground truth for training and checking the
// Tesseract model (see scripts/train-ocr and package lines):
//
//	go run ./ocrtrain -o DIR -n N --seed S [--set train|clean|office|bitonal|phone|small|eval]
//
// For every line it writes NAME.png (the grey crop at the reader's line
// height), NAME.gt.txt (the text) and NAME.box (a WordStr line box for
// Tesseract's lstm.train), plus DIR/manifest.jsonl with the parameters of
// every line and DIR/list.txt with the PNG paths. With --shard K it writes
// multi-page TIFF shards of K lines, each with one box file, instead (one
// Tesseract process per shard makes the .lstmf; list.txt then names the
// shards). "train" is the training
// mixture; clean, office, bitonal, phone and small are the held-out
// evaluation profiles, drawn over the trained faces ("eval" writes N lines
// of each; the held-out faces are measured by package tesseract's tests,
// never here); any other NAME is a generator
// registered with lines.Register by a package this command imports, and
// --mix NAME=WEIGHT mixes such generators into the training set. The same
// seed always gives the same files.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/regfus/regfus/ocrtrain/lines"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "ocrtrain:", err)
		var ue usageError
		if errors.As(err, &ue) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

type usageError struct{ error }

func run(args []string) error {
	fs := flag.NewFlagSet("ocrtrain", flag.ContinueOnError)
	out := fs.String("o", "", "output directory (required)")
	n := fs.Int("n", 1000, "number of lines (per profile for --set eval)")
	seed := fs.Uint64("seed", 1, "random seed; training and evaluation must use different seeds")
	set := fs.String("set", "train", "train, clean, office, bitonal, phone, small or eval")
	mix := fs.String("mix", "", "with --set train: NAME=WEIGHT,... registered generators mixed in (the font mixture weighs 1)")
	shard := fs.Int("shard", 0, "if > 0, write multi-page TIFF shards of this many lines (+ .box) instead of PNG files")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if *out == "" || *n <= 0 || *shard < 0 || fs.NArg() > 0 {
		return usageError{fmt.Errorf("usage: ocrtrain -o DIR -n N --seed S [--set NAME]")}
	}
	sets, err := pick(*set, *mix, *seed, *n)
	if err != nil {
		return usageError{err}
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	man, err := os.Create(filepath.Join(*out, "manifest.jsonl"))
	if err != nil {
		return err
	}
	defer man.Close()
	list, err := os.Create(filepath.Join(*out, "list.txt"))
	if err != nil {
		return err
	}
	defer list.Close()
	mw, lw := bufio.NewWriter(man), bufio.NewWriter(list)
	for _, s := range sets {
		var sh *lines.Shard
		err := s.Each(func(i int, smp lines.Sample) error {
			name := fmt.Sprintf("%s_%06d", s.Gen.Name(), i)
			file := name + ".png"
			if *shard > 0 {
				if i%*shard == 0 {
					if sh != nil {
						if err := sh.Close(); err != nil {
							return err
						}
					}
					base := filepath.Join(*out, fmt.Sprintf("%s_shard%03d", s.Gen.Name(), i / *shard))
					var err error
					if sh, err = lines.CreateShard(base); err != nil {
						return err
					}
					fmt.Fprintln(lw, base+".tif")
				}
				file = fmt.Sprintf("%s_shard%03d.tif#%d", s.Gen.Name(), i / *shard, sh.Pages())
				if err := sh.Add(smp); err != nil {
					return err
				}
			} else {
				base := filepath.Join(*out, name)
				if err := lines.WriteSample(base, smp); err != nil {
					return err
				}
				fmt.Fprintln(lw, base+".png")
			}
			b, err := lines.Manifest(file, smp)
			if err != nil {
				return err
			}
			mw.Write(append(b, '\n'))
			return nil
		})
		if err == nil && sh != nil {
			err = sh.Close()
		}
		if err != nil {
			return err
		}
	}
	if err := mw.Flush(); err != nil {
		return err
	}
	if err := lw.Flush(); err != nil {
		return err
	}
	if err := man.Close(); err != nil {
		return err
	}
	return list.Close()
}

// pick returns the sets named by --set (and --mix).
func pick(name, mix string, seed uint64, n int) ([]lines.Set, error) {
	if mix != "" && name != "train" {
		return nil, fmt.Errorf("--mix goes with --set train only")
	}
	if name == "train" {
		var gen lines.Generator = lines.Train()
		if mix != "" {
			m := lines.Mix{Label: "train", Parts: []lines.Weighted{{Gen: gen, Weight: 1}}}
			for _, part := range strings.Split(mix, ",") {
				k, v, ok := strings.Cut(part, "=")
				w, err := strconv.ParseFloat(v, 64)
				g, found := lines.Registered(k)
				if !ok || err != nil || w <= 0 || !found {
					return nil, fmt.Errorf("--mix %q: want NAME=WEIGHT with a registered generator and a positive weight", part)
				}
				m.Parts = append(m.Parts, lines.Weighted{Gen: g, Weight: w})
			}
			gen = m
		}
		return []lines.Set{{Gen: gen, Seed: seed, N: n}}, nil
	}
	if g, ok := lines.Registered(name); ok {
		return []lines.Set{{Gen: g, Seed: seed, N: n}}, nil
	}
	var sets []lines.Set
	for _, p := range lines.EvalProfiles() {
		if name == "eval" || name == p.Name {
			p.Faces = lines.TrainedFaces()
			sets = append(sets, lines.Set{Gen: lines.FontGenerator{Profile: p}, Seed: seed, N: n})
		}
	}
	if len(sets) == 0 {
		return nil, fmt.Errorf("unknown --set %q (train, clean, office, bitonal, phone, small, eval)", name)
	}
	return sets, nil
}
