package barcode

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/makiuchi-d/gozxing"

	"github.com/regfus/regfus/fustella"
)

// code39NarrowWide is (a copy of) gozxing's code39ToNarrowWidePattern: the pattern of
// wide elements if exactly 3 of the 9 are wide, else -1.
func code39NarrowWide(counters []int) int {
	maxNarrow := 0
	for {
		minCounter := math.MaxInt32
		for _, v := range counters {
			if v < minCounter && v > maxNarrow {
				minCounter = v
			}
		}
		maxNarrow = minCounter
		wide, total, pattern := 0, 0, 0
		for i, v := range counters {
			if v > maxNarrow {
				pattern |= 1 << uint(len(counters)-1-i)
				wide++
				total += v
			}
		}
		if wide == 3 {
			for _, v := range counters {
				if v > maxNarrow && 2*v >= total {
					return -1
				}
			}
			return pattern
		}
		if wide <= 3 {
			return -1
		}
	}
}

// isStar decides exactly as gozxing's narrow/wide classification does.
func TestIsStarMatchesGozxing(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewSource(1))
	c := make([]int, 9)
	hits := 0
	for k := 0; k < 300000; k++ {
		for i := range c {
			c[i] = 1 + rng.Intn(7)
		}
		p := code39NarrowWide(c)
		if got, want := isStar(c, 1, 4, 6), p == 0x094; got != want {
			t.Fatalf("%v: isStar(0x094) = %v, gozxing pattern %#x", c, got, p)
		}
		if got, want := isStar(c, 2, 4, 7), p == 0x052; got != want {
			t.Fatalf("%v: isStar(0x052) = %v, gozxing pattern %#x", c, got, p)
		}
		if p == 0x094 || p == 0x052 {
			hits++
		}
	}
	if hits < 100 {
		t.Fatalf("only %d star patterns drawn: the test proves little", hits)
	}
}

// The guards never veto a line gozxing would read: on thousands of
// binarized lines through degraded symbols, every line (or its reverse)
// that a reader decodes passes that reader's guard.
func TestGuardsNeverVetoAReadableLine(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewSource(2))
	d := NewDecoder()
	read := map[string]int{}
	n := 300
	if testing.Short() {
		n = 100
	}
	for k := 0; k < n; k++ {
		narrow := 1 + 3*rng.Float64()
		ci := rng.Intn(len(conditions))
		var sym Symbol
		isITF := k%2 == 1
		if isITF {
			tg, _ := fustella.NewTargatura(fmt.Sprintf("%09d", rng.Intn(1_000_000_000)))
			sym = mustITF(t, string(tg), 2+rng.Float64())
		} else {
			a, _ := fustella.NewAIC(fmt.Sprintf("%08d", rng.Intn(100_000_000)))
			sym = mustCode39(t, a.Code32(), 2+rng.Float64())
		}
		img := condLabel(sym, narrow, ci, rng.Int63())
		p := planeFromGray(img)
		d.hybrid = [2]*gozxing.BitMatrix{}
		for _, ps := range cropPlan[:7] {
			for _, y := range cropRows(p.h, false) {
				bits := d.cropLine(p, ps, y)
				if bits == nil {
					continue
				}
				rl := runs(bits, nil)
				for rev := 0; rev < 2; rev++ {
					if rev == 1 {
						bits.Reverse()
					}
					var err error
					var g guard
					if isITF {
						_, err = d.itf.DecodeRow(0, bits, itfTarget.hints)
						g = itfGuard
					} else {
						_, err = d.code39.DecodeRow(0, bits, nil)
						g = code39Guard
					}
					if err == nil {
						read[fmt.Sprint(isITF)]++
						if !g(rl) {
							t.Fatalf("guard vetoes a line gozxing reads (ITF %v, %s, rev %d, runs %v)", isITF, ps.bin, rev, rl)
						}
					}
					if rev == 1 {
						bits.Reverse()
					}
				}
			}
		}
	}
	if read["true"] < n || read["false"] < n {
		t.Fatalf("too few lines read to prove anything: %v", read)
	}

}
