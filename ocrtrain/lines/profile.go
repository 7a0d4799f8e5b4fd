package lines

import (
	"math"
	"math/rand/v2"
)

// LineHeight is the height in pixels the reader scales a line crop to before
// OCR. It must equal tesseract.LineHeight (a test there checks it); it lives
// here too so that this package stays free of cgo.
const LineHeight = 48

// Range is a closed interval of a float parameter; Min == Max is a constant.
type Range struct{ Min, Max float64 }

func (r Range) draw(rng *rand.Rand) float64 {
	if r.Max <= r.Min {
		return r.Min
	}
	return r.Min + rng.Float64()*(r.Max-r.Min)
}

func (r Range) contains(x float64) bool { return x >= r.Min && x <= r.Max }

// Params are the concrete choices behind one rendered line. They are kept
// with each sample (the CLI writes them to manifest.jsonl) so a failure can be
// reproduced and explained.
type Params struct {
	Kind         Kind    `json:"kind"`
	Text         string  `json:"text"`
	DPI          float64 `json:"dpi"`
	CharHeightMM float64 `json:"char_height_mm"` // height of a digit on paper
	Font         string  `json:"font"`           // a Face's name
	Tracking     float64 `json:"tracking"`       // extra advance, fraction of the pitch
	Stroke       float64 `json:"stroke"`         // ink spread in scan pixels (+ thicker, - thinner)
	RotationDeg  float64 `json:"rotation"`       // degrees, counter-clockwise
	Shear        float64 `json:"shear"`          // horizontal shear (x += Shear*y)
	Keystone     float64 `json:"keystone"`       // relative scale change across the line (perspective)
	Blur         float64 `json:"blur"`           // Gaussian sigma in scan pixels
	MotionBlur   float64 `json:"motion_blur"`    // horizontal box length in scan pixels
	Noise        float64 `json:"noise"`          // Gaussian noise sigma, 0..1 scale
	Specks       int     `json:"specks"`         // dark dust dots
	Paper        [3]float64
	Ink          [3]float64
	Gradient     float64 `json:"gradient"`          // illumination fall-off across the crop
	GradientDir  float64 `json:"gradient_dir"`      // radians
	JPEGQuality  int     `json:"jpeg,omitempty"`    // 0: no JPEG round trip
	Bitonal      bool    `json:"bitonal,omitempty"` // thresholded to 1 bit at scan resolution
	Threshold    float64 `json:"threshold"`         // bitonal cut, relative to mid-grey between paper and ink
	// Margins around the ink, in character heights.
	MarginTop, MarginBottom, MarginLeft, MarginRight float64
	// WhiteMargins whitens the rows above and below the ink (from 1-3 px
	// off it), as the scan reader does to keep bar ends out of the line.
	WhiteMargins bool `json:"white_margins,omitempty"`
	// Bars puts the ends of a barcode's bars in the crop's margin, "above"
	// or "below" the digits (empty: none), BarsGap character heights off
	// the ink, as a crop of digits printed over or under the bars can
	// hold them.
	Bars    string  `json:"bars,omitempty"`
	BarsGap float64 `json:"bars_gap,omitempty"`
	// ScaleJitter multiplies LineHeight for the final scaling, standing for
	// a reader whose crop is not exactly the expected size.
	ScaleJitter float64 `json:"scale_jitter"`
	// Supersample is the rendering oversampling factor (anti-aliasing and
	// sub-pixel geometry). Evaluation uses a different one from training.
	Supersample int `json:"supersample"`
}

// Profile is a family of degradations: ranges the Params are drawn from.
// Probabilities are in 0..1. A training profile names Holdout ranges that
// evaluation uses, so measured accuracy is on conditions never trained on.
type Profile struct {
	Name         string
	Kinds        []KindWeight
	Faces        []FaceWeight // empty: OCR-A
	DPI          Range
	CharHeightMM map[Kind]Range
	// MinCharPx is the smallest digit height in scan pixels: a smaller
	// draw is raised to it.
	MinCharPx   float64
	Tracking    Range
	Stroke      Range
	Rotation    Range // degrees, symmetric use is up to the caller
	Shear       Range
	Keystone    Range
	Blur        Range
	MotionProb  float64
	MotionBlur  Range
	Noise       Range
	SpeckProb   float64
	PaperLum    Range // paper luminance
	PaperTint   Range // saturation of the paper colour
	InkLum      Range
	Gradient    Range
	JPEGProb    float64
	JPEGQuality Range
	BitonalProb float64
	Threshold   Range
	MarginV     Range   // top and bottom, character heights
	MarginH     Range   // left and right, character heights
	WhiteProb   float64 // probability of WhiteMargins
	BarsProb    float64 // probability of bar ends above or below
	BarsGap     Range   // character heights between the ink and the bars
	ScaleJitter Range
	Supersample int
	// HoldoutDPI and HoldoutJPEG are never drawn (redrawn instead).
	HoldoutDPI  []Range
	HoldoutJPEG []Range
}

// DefaultCharHeightMM is the printed digit height per kind: the fustella's
// AIC and targatura are 2.2-2.8 mm, the sheet code about 3.5 mm, a printed
// progressive or count 2.5-5 mm.
var DefaultCharHeightMM = map[Kind]Range{
	KindAIC:         {2.2, 2.8},
	KindTargatura:   {2.2, 2.8},
	KindSheetCode:   {3.2, 3.8},
	KindProgressive: {2.5, 5},
	KindCount:       {2.5, 5},
	KindRandom:      {2.2, 3.8},
}

// trainCharHeightMM widens the label digits down to 1 mm (8 px at 200 dpi,
// small labels, small printers) and up to 3.2 mm.
var trainCharHeightMM = map[Kind]Range{
	KindAIC:         {1.0, 3.2},
	KindTargatura:   {1.0, 3.2},
	KindSheetCode:   {2.0, 4.0},
	KindProgressive: {2.2, 5.5},
	KindCount:       {2.2, 5.5},
	KindRandom:      {1.0, 4.5},
}

func drawAvoiding(rng *rand.Rand, r Range, holdout []Range) float64 {
	for range 1000 {
		x := r.draw(rng)
		ok := true
		for _, h := range holdout {
			if h.contains(x) {
				ok = false
				break
			}
		}
		if ok {
			return x
		}
	}
	return r.Min
}

// Draw picks the concrete parameters of one line.
func (p Profile) Draw(rng *rand.Rand) (Params, error) {
	k := drawKind(rng, p.Kinds)
	text, err := RandomText(rng, k)
	if err != nil {
		return Params{}, err
	}
	ch := p.CharHeightMM
	if ch == nil {
		ch = DefaultCharHeightMM
	}
	sym := func(r Range) float64 { // a symmetric draw: sign at random
		x := r.draw(rng)
		if rng.IntN(2) == 0 {
			return -x
		}
		return x
	}
	q := Params{
		Kind:         k,
		Text:         text,
		DPI:          drawAvoiding(rng, p.DPI, p.HoldoutDPI),
		CharHeightMM: ch[k].draw(rng),
		Font:         drawFace(rng, p.Faces),
		Tracking:     p.Tracking.draw(rng),
		Stroke:       p.Stroke.draw(rng),
		RotationDeg:  sym(p.Rotation),
		Shear:        sym(p.Shear),
		Keystone:     sym(p.Keystone),
		Blur:         p.Blur.draw(rng),
		Noise:        p.Noise.draw(rng),
		Gradient:     p.Gradient.draw(rng),
		GradientDir:  rng.Float64() * 2 * math.Pi,
		Threshold:    p.Threshold.draw(rng),
		MarginTop:    p.MarginV.draw(rng),
		MarginBottom: p.MarginV.draw(rng),
		MarginLeft:   p.MarginH.draw(rng),
		MarginRight:  p.MarginH.draw(rng),
		ScaleJitter:  p.ScaleJitter.draw(rng),
		Supersample:  p.Supersample,
	}
	if f, _ := FaceNamed(q.Font); f.Thin {
		q.Stroke = math.Abs(q.Stroke)
	}
	if min := p.MinCharPx / q.DPI * 25.4; q.CharHeightMM < min {
		q.CharHeightMM = min
	}
	if q.ScaleJitter == 0 {
		q.ScaleJitter = 1
	}
	if q.Supersample == 0 {
		q.Supersample = 4
	}
	if rng.Float64() < p.MotionProb {
		q.MotionBlur = p.MotionBlur.draw(rng)
	}
	if rng.Float64() < p.SpeckProb {
		q.Specks = 1 + rng.IntN(4)
	}
	// Paper: a light colour of luminance PaperLum, tinted towards a random hue.
	lum := p.PaperLum.draw(rng)
	tint := p.PaperTint.draw(rng)
	hue := [3]float64{rng.Float64(), rng.Float64(), rng.Float64()}
	for c := range 3 {
		q.Paper[c] = clamp01(lum * (1 - tint*hue[c]))
	}
	ink := p.InkLum.draw(rng)
	blue := rng.Float64() * 0.1 // office ink is sometimes bluish
	q.Ink = [3]float64{ink, ink, clamp01(ink + blue)}
	if rng.Float64() < p.JPEGProb {
		q.JPEGQuality = int(math.Round(drawAvoiding(rng, p.JPEGQuality, p.HoldoutJPEG)))
	}
	q.Bitonal = rng.Float64() < p.BitonalProb
	q.WhiteMargins = rng.Float64() < p.WhiteProb
	if rng.Float64() < p.BarsProb {
		q.Bars, q.BarsGap = "above", p.BarsGap.draw(rng)
		if rng.IntN(2) == 0 {
			q.Bars = "below"
		}
	}
	return q, nil
}

func clamp01(x float64) float64 { return math.Max(0, math.Min(1, x)) }

var trainKinds = []KindWeight{{KindAIC, 0.26}, {KindTargatura, 0.22}, {KindSheetCode, 0.12},
	{KindProgressive, 0.08}, {KindCount, 0.06}, {KindRandom, 0.26}}
var evalKinds = []KindWeight{{KindAIC, 0.35}, {KindTargatura, 0.3}, {KindSheetCode, 0.15},
	{KindProgressive, 0.1}, {KindCount, 0.1}}

// trainHoldoutDPI are the scanner resolutions evaluation uses (150 phone,
// 200 office/bitonal, 300 clean): training never draws near them.
var trainHoldoutDPI = []Range{{145, 155}, {195, 205}, {295, 305}}

// trainHoldoutJPEG is the office JPEG quality evaluation uses.
var trainHoldoutJPEG = []Range{{72.5, 77.5}}

// base is the shared default of the training profiles.
func base(name string) Profile {
	return Profile{
		Name: name, Kinds: trainKinds, Faces: TrainedFaces(),
		CharHeightMM: trainCharHeightMM, MinCharPx: 7.5,
		Tracking: Range{-0.06, 0.12}, Stroke: Range{-0.3, 0.4},
		Rotation: Range{0, 1.5}, Shear: Range{0, 0.03}, Keystone: Range{0, 0.03},
		Noise: Range{0, 0.03}, PaperLum: Range{0.8, 1}, PaperTint: Range{0, 0.12},
		InkLum: Range{0, 0.3}, Gradient: Range{0, 0.08}, JPEGQuality: Range{50, 95},
		Threshold: Range{-0.25, 0.25}, MarginV: Range{0.12, 0.6}, MarginH: Range{0.2, 1.5},
		WhiteProb: 0.4, BarsProb: 0.2, BarsGap: Range{0.12, 0.6},
		ScaleJitter: Range{0.85, 1.2}, Supersample: 4,
		HoldoutDPI: trainHoldoutDPI, HoldoutJPEG: trainHoldoutJPEG,
	}
}

// TrainProfiles are the degradation families of the training set, mixed by
// Train, over the trained faces. Their ranges cover the evaluation
// conditions but skip the evaluation's exact scanner settings (HoldoutDPI,
// HoldoutJPEG).
func TrainProfiles() []Profile {
	clean := base("train-clean")
	clean.DPI, clean.Blur, clean.JPEGProb, clean.JPEGQuality = Range{230, 320}, Range{0, 0.6}, 0.3, Range{80, 95}
	clean.Noise = Range{0, 0.02}

	office := base("train-office")
	office.DPI, office.Blur, office.JPEGProb = Range{165, 260}, Range{0.3, 1.1}, 0.9
	office.Noise, office.PaperLum, office.Gradient = Range{0.01, 0.05}, Range{0.72, 1}, Range{0, 0.12}

	bitonal := base("train-bitonal")
	bitonal.DPI, bitonal.Blur, bitonal.BitonalProb = Range{140, 320}, Range{0, 1.1}, 1
	bitonal.Noise, bitonal.SpeckProb, bitonal.Rotation = Range{0, 0.06}, 0.2, Range{0, 2}

	phone := base("train-phone")
	phone.DPI, phone.Blur, phone.MotionProb, phone.MotionBlur = Range{120, 185}, Range{0.5, 1.8}, 0.5, Range{1, 2.5}
	phone.Noise, phone.JPEGProb, phone.JPEGQuality = Range{0.02, 0.08}, 0.85, Range{40, 92}
	phone.Rotation, phone.Shear, phone.Keystone = Range{0, 2}, Range{0, 0.06}, Range{0, 0.1}
	phone.PaperLum, phone.PaperTint, phone.InkLum, phone.Gradient = Range{0.55, 0.95}, Range{0, 0.2}, Range{0.05, 0.4}, Range{0, 0.3}
	phone.SpeckProb, phone.BitonalProb = 0.15, 0.1

	wild := base("train-wild")
	wild.DPI, wild.Blur, wild.MotionProb, wild.MotionBlur = Range{120, 320}, Range{0, 1.6}, 0.2, Range{1, 2}
	wild.Noise, wild.JPEGProb, wild.BitonalProb = Range{0, 0.08}, 0.5, 0.25
	wild.Rotation, wild.Shear, wild.Keystone = Range{0, 2}, Range{0, 0.05}, Range{0, 0.08}
	wild.PaperLum, wild.PaperTint, wild.InkLum, wild.Gradient = Range{0.55, 1}, Range{0, 0.2}, Range{0, 0.4}, Range{0, 0.25}
	wild.SpeckProb, wild.MarginV, wild.MarginH = 0.15, Range{0.08, 0.8}, Range{0.1, 2.5}
	wild.ScaleJitter = Range{0.7, 1.4}

	return []Profile{clean, office, bitonal, phone, wild}
}

// EvalProfiles are the held-out measurement conditions, named like the
// scan profiles of the test corpus: exact scanner settings never drawn in
// training (300, 200 and 150 dpi; JPEG quality 75) and a different
// supersampling (3 instead of 4), so glyph edges fall differently; "small"
// is 200-dpi office scans of 1.05-1.5 mm digits (8-12 px). They draw the
// OCR-A face: measure other faces with WithFace.
func EvalProfiles() []Profile {
	ev := func(name string) Profile {
		p := base(name)
		p.Kinds, p.Supersample, p.HoldoutDPI, p.HoldoutJPEG = evalKinds, 3, nil, nil
		p.Faces, p.CharHeightMM, p.MinCharPx = nil, DefaultCharHeightMM, 0
		p.MarginV, p.MarginH, p.ScaleJitter, p.WhiteProb = Range{0.15, 0.5}, Range{0.3, 1.2}, Range{0.9, 1.1}, 0.5
		p.BarsProb, p.BarsGap = 0.2, Range{0.15, 0.5}
		return p
	}
	clean := ev("clean")
	clean.DPI, clean.Blur, clean.Noise, clean.Rotation = Range{300, 300}, Range{0, 0.5}, Range{0, 0.015}, Range{0, 1}

	office := ev("office")
	office.DPI, office.Blur, office.Noise = Range{200, 200}, Range{0.4, 0.9}, Range{0.015, 0.04}
	office.JPEGProb, office.JPEGQuality, office.PaperLum = 1, Range{75, 75}, Range{0.78, 0.97}

	bitonal := ev("bitonal")
	bitonal.DPI, bitonal.Blur, bitonal.BitonalProb, bitonal.Noise = Range{200, 200}, Range{0.2, 0.8}, 1, Range{0, 0.04}
	bitonal.Threshold = Range{-0.2, 0.2}

	phone := ev("phone")
	phone.DPI, phone.Blur, phone.MotionProb, phone.MotionBlur = Range{150, 150}, Range{0.8, 1.4}, 0.4, Range{1, 1.8}
	phone.Noise, phone.JPEGProb, phone.JPEGQuality = Range{0.03, 0.06}, 1, Range{75, 75}
	phone.Rotation, phone.Shear, phone.Keystone = Range{0, 2}, Range{0, 0.05}, Range{0, 0.06}
	phone.PaperLum, phone.PaperTint, phone.InkLum, phone.Gradient = Range{0.6, 0.9}, Range{0, 0.15}, Range{0.1, 0.35}, Range{0, 0.2}

	small := ev("small")
	small.DPI, small.Blur, small.Noise = Range{200, 200}, Range{0.3, 0.7}, Range{0.01, 0.03}
	small.JPEGProb, small.JPEGQuality = 0.5, Range{75, 75}
	small.CharHeightMM = map[Kind]Range{}
	for k := range DefaultCharHeightMM {
		small.CharHeightMM[k] = Range{1.05, 1.5}
	}
	return []Profile{clean, office, bitonal, phone, small}
}

// WithFace returns p drawing only the named face, named PROFILE/FACE.
func (p Profile) WithFace(face string) Profile {
	p.Name = p.Name + "/" + face
	p.Faces = []FaceWeight{{face, 1}}
	return p
}

// ScanProfiles are TrainProfiles widened towards what the scan reader's
// line crops of bitonal and phone pages show (docs/linenet.md, "On the
// synthetic label pages"), for package linenet's TrainScan mixture;
// Tesseract's recipe keeps TrainProfiles.
//
//   - bitonal: synth's bitonal pages cut at 105-150 of 255, -0.3..+0.15 of
//     the half contrast on white labels and up to +0.5 on tinted ones, so
//     strokes come out thinned to broken dots or fattened into blobs: the
//     threshold is drawn from -0.35..0.45 (was -0.25..0.25), the blur
//     before it up to 1.3 px (was 1.1) and the resolution from 130 dpi
//     (was 140);
//   - phone: digits 13-16 px high blurred to the edge of legibility: blur
//     up to 2 px (was 1.8), motion blur up to 3 px (was 2.5), JPEG from
//     quality 35 (was 40), perspective up to 0.12 (was 0.1).
//
// Both keep their digits at least 9 (bitonal) and 10 (phone) pixels high
// (MinCharPx, 7.5 in TrainProfiles): at the widened extremes a smaller
// line is no longer legible to anyone (a 1 mm line at 130 dpi, cut at
// -0.35, is a row of dots), and a line nothing can read only teaches the
// network to guess. The label lines of those pages are 2.2-2.8 mm: 17-22
// px at 200 dpi, 13-16 px on a 150 dpi photo. The evaluation's exact
// scanner settings (HoldoutDPI, HoldoutJPEG) are still never drawn.
func ScanProfiles() []Profile {
	ps := TrainProfiles()
	for i := range ps {
		p := &ps[i]
		switch p.Name {
		case "train-bitonal":
			p.Threshold, p.Blur, p.DPI, p.MinCharPx = Range{-0.35, 0.45}, Range{0, 1.3}, Range{130, 320}, 9
		case "train-phone":
			p.Blur, p.MotionBlur, p.MinCharPx = Range{0.5, 2}, Range{1, 3}, 10
			p.JPEGQuality, p.Keystone = Range{35, 92}, Range{0, 0.12}
		case "train-wild":
			p.Threshold = Range{-0.35, 0.45}
		}
	}
	return ps
}
