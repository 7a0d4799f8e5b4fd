package synth

import (
	"math"
	"math/rand/v2"
)

// rng is the one source of randomness of a page. Every page draws from its
// own generator seeded from the corpus seed and the page's index, so a page
// is the same bytes whichever worker renders it and in whatever order.
type rng struct{ *rand.Rand }

// splitmix64 scrambles a 64-bit value (Steele, Lea, Flood 2014); it turns
// sequential indices into well-spread seeds.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// derive returns the seed of item i of a stream named by tag under seed.
func derive(seed uint64, tag string, i int) uint64 {
	h := seed
	for _, c := range []byte(tag) {
		h = splitmix64(h ^ uint64(c))
	}
	return splitmix64(h ^ splitmix64(uint64(i)))
}

func newRNG(seed uint64) *rng {
	return &rng{rand.New(rand.NewPCG(seed, splitmix64(seed)))}
}

// uniform returns a value in [a, b).
func (r *rng) uniform(a, b float64) float64 { return a + (b-a)*r.Float64() }

// normal returns a normal value with the given mean and deviation, clamped
// to mean +- 3 deviations so that no draw is absurd.
func (r *rng) normal(mean, sd float64) float64 {
	v := r.NormFloat64()
	return mean + sd*math.Max(-3, math.Min(3, v))
}

// chance returns true with probability p.
func (r *rng) chance(p float64) bool { return r.Float64() < p }

// between returns an integer in [a, b].
func (r *rng) between(a, b int) int { return a + r.IntN(b-a+1) }

// digits returns n random decimal digits.
func (r *rng) digits(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + r.IntN(10))
	}
	return string(b)
}

func pick[T any](r *rng, xs []T) T { return xs[r.IntN(len(xs))] }
