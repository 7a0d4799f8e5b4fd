package synth

import (
	"context"
	"fmt"
	"runtime"
)

// DesignCorpus writes a corpus of pages whose labels are all of the named
// designs to dir, scanned through the named profiles (cycled file by
// file; "all" for every profile): the corpus a leave-one-design-out
// measurement runs on. It is `regfus synth -o dir -n pages --seed seed
// --profile profiles --designs designs`.
func DesignCorpus(ctx context.Context, dir, designs string, pages int, seed uint64, profiles string) (*Manifest, error) {
	ds, err := ParseDesigns(designs)
	if err != nil {
		return nil, fmt.Errorf("synth: %w", err)
	}
	ps, err := ParseProfiles(profiles)
	if err != nil {
		return nil, fmt.Errorf("synth: %w", err)
	}
	return Generate(ctx, Options{Dir: dir, Pages: pages, Seed: seed, Profiles: ps, Designs: ds, Workers: runtime.NumCPU()})
}

// IndependentDesigns returns the names of the designs nothing of regfus
// drew the bars or the digit font of (Design.Independent).
func IndependentDesigns() []string {
	var out []string
	for _, d := range designs {
		if d.Independent {
			out = append(out, d.Name)
		}
	}
	return out
}
