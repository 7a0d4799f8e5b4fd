// Command icrcal measures package icr's ensemble on the held-out set and
// writes the model's icr.json: the members' own records (as
// icr/train/train.py wrote them) and, for the ensemble as Classify runs it
// (the mean of the members' calibrated probabilities, through OpenCV's
// dnn), the held-out figures and the acceptance threshold.
//
//	go run ./icr/cmd/icrcal -data DIR -model icr/model [-consult P] DIR/net-a.json DIR/net-c.json ...
//
// With -consult the ensemble is a cascade (icr.Info.Consult): the members
// after the first run only on the glyphs the first reads below P; the
// temperature is fitted on the whole mean, the threshold and figures are
// the cascade's.
// DIR holds icrgen's heldout-*.idx; each member file names its network
// (its "file", in -model). MNIST's t10k split is not read. Each member is
// also measured alone on the same held-out set, and printed beside the
// ensemble.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"math"
	"os"
	"path/filepath"
	"sort"

	"github.com/regfus/regfus/icr"
	"github.com/regfus/regfus/icr/handgen"
)

// thresholds are the confidences the figures give coverage and errors at
// (train.py's).
var thresholds = []float64{0.5, 0.8, 0.9, 0.95, 0.99, 0.995, 0.999}

func main() {
	data := flag.String("data", "", "directory of icrgen's heldout-*.idx")
	dir := flag.String("model", "icr/model", "directory of the members' networks; icr.json is written there")
	rate := flag.Float64("rate", 0.001, "held-out error rate the threshold keeps to")
	consult := flag.Float64("consult", 0, "a cascade: the members after the first run on the glyphs the first reads below this (icr.Info.Consult; 0: on all)")
	var agree icr.Agree
	second := flag.Bool("second-opinion", false, "two members as a second opinion (icr.Info.Agree) rather than a mean")
	flag.Float64Var(&agree.Second, "agree-second", 0, "with -second-opinion: the least confidence of the second member on the first's class for it to be lifted (0: none is, the second is for icr.Model.Confirm only)")
	flag.Float64Var(&agree.First, "agree-first", 0.9, "with -second-opinion: the least confidence of the first member for the second to be consulted")
	flag.Float64Var(&agree.Conf, "agree-conf", 0, "with -second-opinion: the probability an agreed class is given (at least the first member's threshold)")
	flag.Parse()
	if *second {
		if err := runAgree(*data, *dir, *rate, agree, flag.Args()); err != nil {
			fmt.Fprintln(os.Stderr, "icrcal:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*data, *dir, *rate, *consult, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "icrcal:", err)
		os.Exit(1)
	}
}

// heldOut reads icrgen's held-out set in DIR.
func heldOut(data string) ([]*image.Gray, truth, error) {
	var set truth
	imgs, n, err := handgen.ReadIDX(filepath.Join(data, "heldout-images.idx"))
	if err != nil {
		return nil, truth{}, err
	}
	if n != icr.Size {
		return nil, truth{}, fmt.Errorf("held-out images are %d×%d", n, n)
	}
	labels, _, err := handgen.ReadIDX(filepath.Join(data, "heldout-labels.idx"))
	if err != nil {
		return nil, truth{}, err
	}
	sources, _, err := handgen.ReadIDX(filepath.Join(data, "heldout-sources.idx"))
	if err != nil {
		return nil, truth{}, err
	}
	if len(labels) != len(imgs) || len(sources) != len(imgs) {
		return nil, truth{}, fmt.Errorf("held out: %d images, %d labels, %d sources", len(imgs), len(labels), len(sources))
	}
	in := make([]*image.Gray, len(imgs))
	for i, b := range imgs {
		in[i] = &image.Gray{Pix: b, Stride: icr.Size, Rect: image.Rect(0, 0, icr.Size, icr.Size)}
	}
	for i := range labels {
		set.labels = append(set.labels, icr.Class(labels[i][0]))
		set.sources = append(set.sources, handgen.Source(sources[i][0]))
	}
	return in, set, nil
}

// readMembers reads the members' records and their networks (in dir).
// load reads the held-out set in data and the members' records and
// networks in dir.
func load(data, dir string, memberFiles []string) ([]*image.Gray, truth, []icr.Member, [][]byte, error) {
	in, set, err := heldOut(data)
	if err != nil {
		return nil, truth{}, nil, nil, err
	}
	members, nets, err := readMembers(dir, memberFiles)
	return in, set, members, nets, err
}

func readMembers(dir string, memberFiles []string) ([]icr.Member, [][]byte, error) {

	var members []icr.Member
	var nets [][]byte
	for _, f := range memberFiles {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, nil, err
		}
		var mb icr.Member
		if err := json.Unmarshal(b, &mb); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", f, err)
		}
		net, err := os.ReadFile(filepath.Join(dir, mb.File))
		if err != nil {
			return nil, nil, err
		}
		members, nets = append(members, mb), append(nets, net)
	}
	return members, nets, nil
}

func run(data, dir string, rate, consult float64, memberFiles []string) error {
	if data == "" || len(memberFiles) == 0 {
		return fmt.Errorf("usage: icrcal -data DIR [-model DIR] MEMBER.json...")
	}
	in, set, members, nets, err := load(data, dir, memberFiles)
	if err != nil {
		return err
	}

	measure := func(name string, temp, consult float64, onnx ...[]byte) (map[string]float64, float64, error) {
		m, err := icr.LoadCascade(temp, consult, onnx...)
		if err != nil {
			return nil, 0, err
		}
		defer m.Close()
		ps, err := m.ClassifyNormalized(in)
		if err != nil {
			return nil, 0, err
		}
		fig, th := set.figures(ps, rate)
		if temp == 0 && len(onnx) > 1 {
			fig["temperature"] = set.fitTemperature(ps)
		}
		if consult > 0 && len(onnx) > 1 {
			// The share of glyphs the members after the first see.
			first, err := icr.LoadNets(1, onnx[0])
			if err != nil {
				return nil, 0, err
			}
			defer first.Close()
			fs, err := first.ClassifyNormalized(in)
			if err != nil {
				return nil, 0, err
			}
			asked := 0
			for _, p := range fs {
				if p.Conf < consult {
					asked++
				}
			}
			fig["consulted"] = float64(asked) / float64(len(fs))
			fmt.Printf("%-28s the other members consulted on %.1f%% of the glyphs (first member below %.4f)\n", name, 100*fig["consulted"], consult)
		}
		fmt.Printf("%-28s accuracy %.4f  ECE %.4f  NLL %.4f  threshold %.4f: %.1f%% accepted (MNIST %.1f%%), %d wrong; at 0.99: %.1f%%, %d wrong\n",
			name, fig["accuracy"], fig["ece"], fig["nll"], th, 100*fig["coverage@threshold"], 100*fig["coverage@threshold_mnist"],
			int(fig["errors@threshold"]), 100*fig["coverage@0.99"], int(fig["errors@0.99"]))
		fmt.Printf("%-28s errors at the threshold: %s\n", "", set.confused(ps, th))
		return fig, th, nil
	}
	if len(nets) > 1 {
		for i, mb := range members {
			if _, _, err := measure(fmt.Sprintf("member %s (%s)", mb.File, mb.Width), 0, 0, nets[i]); err != nil {
				return err
			}
		}
	}
	fig, th, err := measure(fmt.Sprintf("mean of %d", len(nets)), 0, 0, nets...)
	if err != nil {
		return err
	}
	temp := 1.0
	if len(nets) > 1 {
		temp = fig["temperature"]
		if fig, th, err = measure(fmt.Sprintf("mean of %d, T %.3f", len(nets), temp), temp, 0, nets...); err != nil {
			return err
		}
		if consult > 0 {
			// The temperature is the whole mean's; the cascade keeps
			// it for the glyphs it consults on.
			if fig, th, err = measure(fmt.Sprintf("cascade at %.4f, T %.3f", consult, temp), temp, consult, nets...); err != nil {
				return err
			}
		}
	} else {
		consult = 0
	}
	return writeInfo(dir, icr.Info{Threshold: th, ThresholdErrorRate: rate, HeldOut: fig, Temperature: temp, Members: members, Consult: consult})
}

// writeInfo writes the model's icr.json into dir.
func writeInfo(dir string, info icr.Info) error {
	b, err := json.MarshalIndent(info, "", " ")
	if err != nil {
		return err
	}
	out := filepath.Join(dir, "icr.json")
	if err := os.WriteFile(out, append(b, '\n'), 0o644); err != nil {
		return err
	}
	fmt.Printf("icrcal: wrote %s\n", out)
	return nil
}

// truth is the held-out set's labels and sources.
type truth struct {
	labels  []icr.Class
	sources []handgen.Source
}

// fitTemperature is the temperature t that minimises the held-out
// negative log-likelihood of the predictions' probabilities raised to 1/t
// and normalised (as icr's ensemble applies it): a golden-section search
// over [0.2, 5] in log t.
func (s truth) fitTemperature(ps []icr.Prediction) float64 {
	nll := func(lt float64) float64 {
		t := math.Exp(lt)
		var sum float64
		for i, p := range ps {
			var z float64
			for _, v := range p.Probs {
				z += math.Pow(math.Max(v, 1e-300), 1/t)
			}
			sum -= math.Log(math.Max(p.Probs[s.labels[i]], 1e-300))/t - math.Log(z)
		}
		return sum
	}
	a, b := math.Log(0.2), math.Log(5)
	g := (math.Sqrt(5) - 1) / 2
	c, d := b-g*(b-a), a+g*(b-a)
	fc, fd := nll(c), nll(d)
	for b-a > 1e-4 {
		if fc < fd {
			b, d, fd = d, c, fc
			c = b - g*(b-a)
			fc = nll(c)
		} else {
			a, c, fc = c, d, fd
			d = a + g*(b-a)
			fd = nll(d)
		}
	}
	return math.Exp((a + b) / 2)
}

// confused lists the errors at confidence th or more, as "want>got
// (source)" with their counts.
func (s truth) confused(ps []icr.Prediction, th float64) string {
	count := map[string]int{}
	for i, p := range ps {
		if p.Conf >= th && p.Class != s.labels[i] {
			count[fmt.Sprintf("%v>%v (%v)", s.labels[i], p.Class, s.sources[i])]++
		}
	}
	keys := make([]string, 0, len(count))
	for k := range count {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := ""
	for _, k := range keys {
		out += fmt.Sprintf("%s %d; ", k, count[k])
	}
	return out
}

// figures gives what train.py's figures give, for predictions ps of the
// set, and the threshold: the lowest confidence whose accepted glyphs
// (highest confidence first) keep an error rate of at most rate.
func (s truth) figures(ps []icr.Prediction, rate float64) (map[string]float64, float64) {
	n := len(ps)
	fig := map[string]float64{"n": float64(n)}
	right := make([]bool, n)
	var acc, nll float64
	var bins [15]struct{ n, right, conf float64 }
	for i, p := range ps {
		right[i] = p.Class == s.labels[i]
		if right[i] {
			acc++
		}
		nll -= math.Log(math.Max(p.Probs[s.labels[i]], 1e-12))
		b := min(int(p.Conf*15), 14)
		bins[b].n++
		bins[b].conf += p.Conf
		if right[i] {
			bins[b].right++
		}
	}
	fig["accuracy"] = acc / float64(n)
	fig["nll"] = nll / float64(n)
	var ece float64
	for _, b := range bins {
		if b.n > 0 {
			ece += b.n / float64(n) * math.Abs(b.right/b.n-b.conf/b.n)
		}
	}
	fig["ece"] = ece
	at := func(t float64, keep func(i int) bool) (accepted, wrong, total int) {
		for i, p := range ps {
			if !keep(i) {
				continue
			}
			total++
			if p.Conf >= t {
				accepted++
				if !right[i] {
					wrong++
				}
			}
		}
		return
	}
	all := func(int) bool { return true }
	for _, t := range thresholds {
		a, w, tot := at(t, all)
		fig[fmt.Sprintf("coverage@%g", t)] = float64(a) / float64(tot)
		fig[fmt.Sprintf("errors@%g", t)] = float64(w)
		if a > 0 {
			fig[fmt.Sprintf("error@%g", t)] = float64(w) / float64(a)
		}
	}
	// the threshold
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return ps[order[a]].Conf > ps[order[b]].Conf })
	th, wrong := 1.0, 0
	for k, i := range order {
		if !right[i] {
			wrong++
		}
		if float64(wrong) <= rate*float64(k+1) {
			th = ps[i].Conf
		}
	}
	a, w, _ := at(th, all)
	fig["coverage@threshold"] = float64(a) / float64(n)
	fig["errors@threshold"] = float64(w)
	am, _, tm := at(th, func(i int) bool { return s.sources[i] == handgen.MNIST })
	if tm > 0 {
		fig["coverage@threshold_mnist"] = float64(am) / float64(tm)
	}
	for _, c := range []icr.Class{icr.D, icr.Other} {
		var want, got, hit float64
		for i, p := range ps {
			if s.labels[i] == c {
				want++
			}
			if p.Class == c {
				got++
				if s.labels[i] == c {
					hit++
				}
			}
		}
		if want > 0 {
			fig["recall_"+c.String()] = hit / want
		}
		if got > 0 {
			fig["precision_"+c.String()] = hit / got
		}
	}
	for src := range handgen.NumSources {
		var k, r float64
		for i := range ps {
			if s.sources[i] == src {
				k++
				if right[i] {
					r++
				}
			}
		}
		if k > 0 {
			fig["accuracy_"+src.String()] = r / k
		}
	}
	return fig, th
}

// runAgree measures a second opinion (icr.Info.Agree) of two members on
// the held-out set and writes icr.json for it: the threshold is the first
// member's own, and the rule's lifted glyphs must keep to the threshold's
// error rate.
func runAgree(data, dir string, rate float64, a icr.Agree, memberFiles []string) error {
	if data == "" || len(memberFiles) != 2 {
		return fmt.Errorf("usage: icrcal -data DIR [-model DIR] -second-opinion [-agree-second S -agree-first F -agree-conf C] FIRST.json SECOND.json")
	}
	in, set, members, nets, err := load(data, dir, memberFiles)
	if err != nil {
		return err
	}
	first, err := icr.LoadNets(1, nets[0])
	if err != nil {
		return err
	}
	defer first.Close()
	fs, err := first.ClassifyNormalized(in)
	if err != nil {
		return err
	}
	firstFig, th := set.figures(fs, rate)
	fmt.Printf("%-28s threshold %.4f: %.1f%% accepted, %d wrong\n", "first member alone", th, 100*firstFig["coverage@threshold"], int(firstFig["errors@threshold"]))
	a.Below = th
	a.Conf = max(a.Conf, th)
	if a.Second == 0 {
		a.First = th
	}
	m, err := icr.LoadAgree(a, nets...)
	if err != nil {
		return err
	}
	defer m.Close()
	ps, err := m.ClassifyNormalized(in)
	if err != nil {
		return err
	}
	consulted := 0
	a.Lifted, a.Errors = 0, 0
	for i, p := range ps {
		if p.Second != nil {
			consulted++
		}
		if p.Conf > fs[i].Conf {
			a.Lifted++
			if p.Class != set.labels[i] {
				a.Errors++
			}
		}
	}
	fig, _ := set.figures(ps, rate)
	accepted, wrong := 0, 0
	for i, p := range ps {
		if p.Conf >= th {
			accepted++
			if p.Class != set.labels[i] {
				wrong++
			}
		}
	}
	fig["consulted"] = float64(consulted) / float64(len(ps))
	// Confirm: the glyphs the first member reads for sure that the second
	// alone does not read the same at its own threshold.
	// (Confirm is the second alone; these images are normalised already.)
	secondAlone, err := icr.LoadNets(1, nets[1])
	if err != nil {
		return err
	}
	defer secondAlone.Close()
	cs, err := secondAlone.ClassifyNormalized(in)
	if err != nil {
		return err
	}
	sure, unconfirmed, sureWrong, caught := 0, 0, 0, 0
	for i, p := range fs {
		if p.Conf < th {
			continue
		}
		sure++
		wrong := p.Class != set.labels[i]
		if wrong {
			sureWrong++
		}
		if cs[i].Class != p.Class || cs[i].Conf < members[1].Threshold {
			unconfirmed++
			if wrong {
				caught++
			}
		}
	}
	fig["unconfirmed@threshold"] = float64(unconfirmed) / float64(sure)
	fig["caught@threshold"] = float64(caught)
	fmt.Printf("%-28s of %d glyphs the first reads for sure, the second alone does not read %d the same at its %.4f; of their %d wrong, %d\n",
		"confirm", sure, unconfirmed, members[1].Threshold, sureWrong, caught)
	fig["coverage@first_threshold"] = float64(accepted) / float64(len(ps))
	fig["errors@first_threshold"] = float64(wrong)
	fmt.Printf("%-28s second consulted on %.1f%% (first in [%.4f, %.4f)); lifted to %.4f where it reads the same at %.4f+: %d glyphs, %d wrong; at %.4f: %.1f%% accepted, %d wrong\n",
		"second opinion", 100*fig["consulted"], a.First, a.Below, a.Conf, a.Second, a.Lifted, a.Errors, th, 100*fig["coverage@first_threshold"], wrong)
	if float64(a.Errors) > rate*float64(a.Lifted) {
		return fmt.Errorf("the lifted glyphs' error rate %d/%d is over %v", a.Errors, a.Lifted, rate)
	}
	return writeInfo(dir, icr.Info{Threshold: th, ThresholdErrorRate: rate, HeldOut: fig, Temperature: 1, Members: members, Agree: &a})
}
