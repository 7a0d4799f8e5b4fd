package acquisition

import (
	"image"
	"slices"

	"github.com/regfus/regfus/icr"
)

// WithHandReader gives the reader the handwriting model (package icr) for
// the progressive, count and date; the caller closes it after the Reader.
// Without one, handwritten values stay null (with their reasons).
func WithHandReader(m *icr.Model) Option {
	return func(r *Reader) {
		r.handMin = max(handThreshold, m.Info().Threshold)
		if in := m.Info(); in.Agree != nil && len(in.Members) == 2 {
			r.confirmMin = max(handThreshold, in.Members[1].Threshold)
			r.confirm = func(glyphs []*image.Gray) ([]charRead, error) {
				ps, err := m.Confirm(glyphs)
				if err != nil {
					return nil, err
				}
				out := make([]charRead, len(ps))
				for i, p := range ps {
					out[i] = charRead{ch: classChar(p.Class), conf: p.Conf, probs: p.Probs}
				}
				return out, nil
			}
		}
		r.hand = func(glyphs []*image.Gray) ([]charRead, error) {
			ps, err := m.Classify(glyphs)
			if err != nil {
				return nil, err
			}
			out := make([]charRead, len(ps))
			for i, p := range ps {
				out[i] = charRead{ch: classChar(p.Class), conf: p.Conf, probs: p.Probs}
				if len(p.First) == icr.NumClasses && !slices.Equal(p.First, p.Probs) {
					// An ensemble: what its first member says alone
					// (charRead.alone).
					best := icr.Class(0)
					for c := range icr.Class(icr.NumClasses) {
						if p.First[c] > p.First[best] {
							best = c
						}
					}
					out[i].alone = &charRead{ch: classChar(best), conf: p.First[best], probs: p.First}
				}
			}
			return out, nil
		}
	}
}

// loadHandReader loads the embedded handwriting model for a Reader that
// owns it (NewOCRReader): its Close closes the model.
func loadHandReader() (Option, error) {
	m, err := icr.Load()
	if err != nil {
		return nil, err
	}
	with := WithHandReader(m)
	return func(r *Reader) {
		with(r)
		r.handClose = m.Close
	}, nil
}
