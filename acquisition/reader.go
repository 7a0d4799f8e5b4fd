package acquisition

import (
	"context"
	"errors"
	"image"
	"runtime/pprof"
	"time"

	"github.com/regfus/regfus/barcode"
	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/linenet"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/tesseract"
	"github.com/regfus/regfus/vision"
)

// Reader reads pages, one at a time. It holds per-worker state (a barcode
// decoder, an OCR client) and is not safe for concurrent use.
type Reader struct {
	layout *layout.Layout
	bars   *barcode.Decoder
	ocr    OCR
	// lines is the fast digit-line reader (fastline.go), nil without.
	lines     LineReader
	lineStats LineStats
	// fields reads the printed progressive and count, hand the handwritten
	// characters (fields.go); either may be nil.
	fields    FieldOCR
	hand      handClassifier
	handClose func() error // set when the Reader owns the model
	handMin   float64      // least confidence of a handwritten character
	// confirm is the model's second opinion alone, confirmMin its
	// threshold (boxField.confirmOne); nil for a model of one member.
	confirm    handClassifier
	confirmMin float64
	// trace, when set (by tests), sees every page's slot reads as the
	// slots step ends: what the accuracy measurement explains misses with.
	trace func(*page.Result, []*slotRead)
}

// Option configures a Reader.
type Option func(*Reader)

// WithOCR gives the reader an OCR engine for the printed digits (package
// tesseract's client); without one, values rest on their bars alone.
func WithOCR(o OCR) Option { return func(r *Reader) { r.ocr = o } }

// NewReader returns a Reader for sheets of layout l (nil: layout.Current()).
func NewReader(l *layout.Layout, opts ...Option) *Reader {
	if l == nil {
		l = layout.Current()
	}
	r := &Reader{layout: l, bars: barcode.NewDecoder()}
	for _, o := range opts {
		o(r)
	}
	return r
}

// NewOCRReader returns a Reader with its own Tesseract client: what each
// worker of a pool uses. Clients are created one at a time (package
// tesseract serialises New). Close the Reader when done.
func NewOCRReader(l *layout.Layout) (*Reader, error) {
	c, err := tesseract.New()
	if err != nil {
		return nil, err
	}
	fc, err := tesseract.NewFieldClient()
	if err != nil {
		c.Close()
		return nil, err
	}
	ln, err := linenet.Load()
	if err != nil {
		c.Close()
		fc.Close()
		return nil, err
	}
	hm, err := loadHandReader()
	if err != nil {
		c.Close()
		fc.Close()
		ln.Close()
		return nil, err
	}
	return NewReader(l, WithOCR(c), WithFieldOCR(fc), hm, WithLineReader(ln)), nil
}

// Close releases the reader's OCR engine.
func (r *Reader) Close() error {
	var err error
	if r.ocr != nil {
		err = r.ocr.Close()
		r.ocr = nil
	}
	if r.lines != nil {
		if e := r.lines.Close(); err == nil {
			err = e
		}
		r.lines = nil
	}
	if r.fields != nil {
		if e := r.fields.Close(); err == nil {
			err = e
		}
		r.fields = nil
	}
	if r.handClose != nil {
		if e := r.handClose(); err == nil {
			err = e
		}
		r.handClose, r.hand = nil, nil
	}
	return err
}

// pageState is what the steps share while reading one page.
type pageState struct {
	ctx    context.Context
	r      *Reader
	src    *image.Gray
	img    *vision.Image
	geo    *Geometry
	res    *page.Result
	native float64 // source pixels per mm, once geometry is known
	// lines are the page's last line crops (ocrLine), fast the fast
	// reader's last reading (fastCode): work not done twice.
	lines []cutLine
	fast  fastReading
}

// step is one stage of the pipeline. A step returning an error stops the
// pipeline; the error's text is the page's last reason and the page is
// rejected.
type step struct {
	name string
	run  func(*pageState) error
}

var steps = []step{
	{"geometry", (*pageState).geometry},
	{"identity", (*pageState).identity},
	{"slots", (*pageState).slots},
	{"handwriting", (*pageState).handwriting},
	{"output", (*pageState).output},
}

// StageLabel is the pprof label key under which every step of the
// pipeline runs (its value the step's name, "image" for the copy into
// OpenCV, "decode" for the pool's decoding, "startup" for making its
// readers), so a CPU profile of a scan splits by stage: `regfus bench`
// prints that breakdown. Goroutines a step starts inherit the label.
const StageLabel = "stage"

func stageLabel(name string) pprof.LabelSet { return pprof.Labels(StageLabel, name) }

// Read reads one page image. source and pageNo (1-based) are copied into
// the result. It never returns a nil result: a page that cannot be read is
// "rejected" with its reasons.
func (r *Reader) Read(ctx context.Context, src *image.Gray, source string, pageNo int) *page.Result {
	start := time.Now()
	res := newResult(source, pageNo, r)
	st := &pageState{ctx: ctx, r: r, src: src, res: res}
	var img *vision.Image
	var err error
	pprof.Do(ctx, stageLabel("image"), func(context.Context) { img, err = vision.NewImage(src) })
	if err != nil {
		res.Status = page.Rejected
		res.Reasons = append(res.Reasons, page.Reason{Kind: page.ReasonDecode, Detail: err.Error()})
		return res
	}
	st.img = img
	defer img.Close()
	for _, s := range steps {
		if err := ctx.Err(); err != nil {
			res.Status = page.Rejected
			res.Reasons = append(res.Reasons, page.Reason{Kind: page.ReasonTimeout, Detail: s.name + ": " + err.Error()})
			break
		}
		var err error
		pprof.Do(ctx, stageLabel(s.name), func(context.Context) { err = s.run(st) })
		if err != nil {
			res.Status = page.Rejected
			var re *reasonError
			if errors.As(err, &re) {
				res.Reasons = append(res.Reasons, re.reason)
			} else {
				// A step's own failure has no kind of its own: its text
				// names the step where a kind stands ("slots: ...").
				res.Reasons = append(res.Reasons, page.Reason{Kind: page.ReasonKind(s.name), Detail: err.Error()})
			}
			break
		}
	}
	if res.Quality != nil {
		res.Quality.Millis = time.Since(start).Milliseconds()
	}
	return res
}

func newResult(source string, pageNo int, r *Reader) *page.Result {
	return &page.Result{Source: source, Page: pageNo, Status: page.OK, Reasons: page.Reasons{}, Slots: []page.Slot{}, LayoutVersion: r.layout.Version}
}

// reasonError is a step failure whose text is a page reason as it is.
type reasonError struct{ reason page.Reason }

func (e *reasonError) Error() string { return e.reason.String() }
