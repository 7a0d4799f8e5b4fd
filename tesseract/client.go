package tesseract

import (
	"fmt"
	"image"
	"math"
	"strings"
	"sync"

	"github.com/regfus/regfus/resample"
)

// newMu serialises client creation: Tesseract's initialisation sets
// process-wide state (its parameter defaults, the tessdata path) and is
// not documented as safe to run in two threads at once, and loading one
// model at a time keeps a pool's start-up memory peak low.
var newMu sync.Mutex

// pageSegMode is raw line (13): the whole crop is the line, exactly as in
// training (lstm.train on whole line images). Single line (7) lets
// Tesseract's layout analysis re-crop the text first; measured on the
// held-out lines that lost 5-10 points of exact-line accuracy (the "A" read
// as "8", spurious leading characters), so the reader's crop is trusted.
const pageSegMode = psmRawLine

// Client is one Tesseract engine with the printed-digits model loaded. It
// is not safe for concurrent use: one per goroutine.
type Client struct {
	tc        *engine
	whitelist string
	closed    bool
	// second is the second opinion (see second.go), loaded at first use.
	second *Client
	// noSecond marks the second opinion itself, which has none.
	noSecond bool
	// recent is the last readings, given back for a repeated crop
	// (recent.go); recognitions counts the engine's recognitions.
	recent       recent
	recognitions int
}

// New loads the model into a new engine. Create clients one at a time
// (New holds a package mutex) and Close each.
func New() (*Client, error) {
	dir, err := modelDir()
	if err != nil {
		return nil, err
	}
	return newClient(dir, Language, pageSegMode)
}

// newClient loads language lang from tessdata directory dir, reading lines
// in page segmentation mode psm. Besides New, the accuracy tests use it to
// measure other models (the previous one, stock eng) the same way.
func newClient(dir, lang string, psm segMode) (*Client, error) {
	tc, err := newWarmEngine(dir, lang, Any.whitelist(), psm)
	if err != nil {
		return nil, err
	}
	return &Client{tc: tc, whitelist: Any.whitelist()}, nil
}

// newWarmEngine loads lang from dir under newMu, sets the reader's
// parameters and page segmentation mode, and recognises one blank line, so
// that whatever Tesseract initialises at the first recognition is done
// before the engine is handed out.
func newWarmEngine(dir, lang, whitelist string, psm segMode) (*engine, error) {
	newMu.Lock()
	defer newMu.Unlock()
	tc, err := newEngine(dir, lang)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*engine, error) {
		tc.close()
		return nil, fmt.Errorf("tesseract: new client: %w", err)
	}
	// Lines are dark on light: never retry a weak line inverted (Tesseract 5
	// does by default, at twice the cost, and can return the inverse's
	// guess).
	if err := tc.setVariable("tessedit_do_invert", "0"); err != nil {
		return fail(err)
	}
	if err := tc.setVariable("tessedit_char_whitelist", whitelist); err != nil {
		return fail(err)
	}
	blank := make([]byte, 4*LineHeight*LineHeight)
	for i := range blank {
		blank[i] = 255
	}
	// In Init's default mode (6, a block): single-line mode's line finder
	// prints its statistics to stderr when it finds no line.
	if _, err := tc.recognize(blank, 4*LineHeight, LineHeight); err != nil {
		return fail(fmt.Errorf("load model %s from %s: %w", lang, dir, err))
	}
	tc.setPageSegMode(psm)
	tc.used = Usage{} // the warm-up is not the caller's
	return tc, nil
}

// Close frees the engine. It is safe to call twice.
func (c *Client) Close() error {
	if c.closed {
		return nil
	}
	c.closed = true
	if c.second != nil {
		c.second.Close()
	}
	c.tc.close()
	return nil
}

// ReadLine recognises one line (page segmentation mode 13, raw line: the
// whole image is the line) with the whitelist of kind k.
//
// img should be a crop of a single line (see the package doc), best scaled
// to LineHeight pixels high; a crop of another height is scaled to it here
// (keeping the aspect ratio) when it is off by more than the model's
// training range (0.85-1.2x), with the filter the training lines were
// scaled with (package resample). A crop the client has just read under
// a whitelist that answers this call is not recognised again (recent.go).
// Colour is converted to grey with the BT.601
// weights. The result is Tesseract's, unverified: use the Read* helpers
// for codes.
func (c *Client) ReadLine(img image.Image, k Kind) (Line, error) {
	if c.closed {
		return Line{}, fmt.Errorf("tesseract: ReadLine on a closed client")
	}
	b := img.Bounds()
	if b.Dx() < 8 || b.Dy() < 8 {
		return Line{}, fmt.Errorf("tesseract: line image %dx%d is too small", b.Dx(), b.Dy())
	}
	if wl := k.whitelist(); wl != c.whitelist {
		if err := c.tc.setVariable("tessedit_char_whitelist", wl); err != nil {
			return Line{}, fmt.Errorf("tesseract: whitelist for %s: %w", k, err)
		}
		c.whitelist = wl
	}
	px := grey(img)
	w, h := b.Dx(), b.Dy()
	if h < LineHeight*85/100 || h > LineHeight*120/100 {
		w = max(8, (w*LineHeight+h/2)/h)
		px = resample.Gray(px, b.Dx(), b.Dy(), w, LineHeight)
		h = LineHeight
	}
	soften(px, w, h)
	if contrast(px) < minContrast {
		// Blank paper: the model, never trained on empty lines, would
		// hallucinate digits.
		return Line{}, nil
	}
	if l, ok := c.recent.find(px, w, h, c.whitelist); ok {
		return l, nil
	}
	c.recognitions++
	boxes, err := c.tc.recognize(px, w, h)
	if err != nil {
		return Line{}, fmt.Errorf("tesseract: recognise %s: %w", k, err)
	}
	l := lineOf(boxes)
	c.recent.add(px, w, h, c.whitelist, l)
	return l, nil
}

// lineOf makes a Line of the symbols Tesseract recognised, dropping empty
// ones.
func lineOf(boxes []symbolBox) Line {
	var l Line
	var text strings.Builder
	sum := 0.0
	l.MinConfidence = 1
	for _, bb := range boxes {
		s := strings.TrimSpace(bb.text)
		if s == "" {
			continue
		}
		conf := math.Max(0, math.Min(1, bb.confidence/100))
		l.Symbols = append(l.Symbols, Symbol{Text: s, Confidence: conf, Box: bb.box})
		text.WriteString(s)
		sum += conf
		l.MinConfidence = math.Min(l.MinConfidence, conf)
	}
	if len(l.Symbols) == 0 {
		l.MinConfidence = 0
		return l
	}
	l.Text = text.String()
	l.Confidence = sum / float64(len(l.Symbols))
	return l
}

// soften blurs the grey pixels (w x h) in place with a small Gaussian
// (sigma about 1.3 px at LineHeight, 5 taps, separable). The model saw few
// razor-sharp lines in training (most crops are scanned or photographed
// soft) and misread some very sharp, thin-stroked 300-dpi crops (clean
// profile 97.2% exact lines without it); a slight blur brings them into its
// range and does not hurt the soft ones (every profile gained). Chosen on
// the held-out seed of TestAccuracyOnUnseenLines and confirmed on a fresh
// one.
func soften(px []byte, w, h int) {
	k := [5]int{18, 45, 60, 45, 18} // exp(-x²/2σ²), σ≈1.3, scaled to integers
	const sum = 186
	tmp := make([]int32, len(px))
	// Each pass clamps at the image's edges; the two columns or rows
	// next to an edge take that path, the others read their taps
	// directly (the same sums).
	for y := range h {
		row := px[y*w : (y+1)*w]
		out := tmp[y*w : (y+1)*w]
		for x := range w {
			if x >= 2 && x < w-2 {
				r := row[x-2 : x+3 : x+3]
				out[x] = int32(18*int(r[0]) + 45*int(r[1]) + 60*int(r[2]) + 45*int(r[3]) + 18*int(r[4]))
				continue
			}
			acc := 0
			for i, kv := range k {
				xx := min(w-1, max(0, x+i-2))
				acc += kv * int(row[xx])
			}
			out[x] = int32(acc)
		}
	}
	for y := range h {
		if y >= 2 && y < h-2 {
			r0, r1, r2 := tmp[(y-2)*w:(y-1)*w], tmp[(y-1)*w:y*w], tmp[y*w:(y+1)*w]
			r3, r4 := tmp[(y+1)*w:(y+2)*w], tmp[(y+2)*w:(y+3)*w]
			dst := px[y*w : (y+1)*w]
			for x := range dst {
				acc := 18*int(r0[x]) + 45*int(r1[x]) + 60*int(r2[x]) + 45*int(r3[x]) + 18*int(r4[x])
				dst[x] = uint8((acc + sum*sum/2) / (sum * sum))
			}
			continue
		}
		for x := range w {
			acc := 0
			for i, kv := range k {
				yy := min(h-1, max(0, y+i-2))
				acc += kv * int(tmp[yy*w+x])
			}
			px[y*w+x] = uint8((acc + sum*sum/2) / (sum * sum))
		}
	}
}

// minContrast is the least spread between dark and light pixels (1st and
// 99th percentile, grey levels) for a crop to hold text. The faintest
// training lines (dark grey ink on a shadowed page) spread over 60.
const minContrast = 40

// contrast returns the spread between the 1st and 99th percentile of px.
func contrast(px []byte) int {
	var hist [256]int
	for _, v := range px {
		hist[v]++
	}
	lo, hi := len(px)/100, len(px)-len(px)/100-1
	p1, p99, n := -1, 0, 0
	for v, c := range hist {
		n += c
		if p1 < 0 && n > lo {
			p1 = v
		}
		if n > hi {
			p99 = v
			break
		}
	}
	return p99 - p1
}

// grey returns img's pixels in 8-bit grey, rows of Dx() bytes: a copy
// (the caller may change it), converted with the BT.601 weights unless
// img is already grey.
func grey(img image.Image) []byte {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	px := make([]byte, w*h)
	if g, ok := img.(*image.Gray); ok {
		for y := range h {
			copy(px[y*w:(y+1)*w], g.Pix[(y+b.Min.Y-g.Rect.Min.Y)*g.Stride+(b.Min.X-g.Rect.Min.X):])
		}
		return px
	}
	for y := range h {
		for x := range w {
			r, g, bl, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			l := (299*float64(r) + 587*float64(g) + 114*float64(bl)) / 1000 / 257
			px[y*w+x] = uint8(math.Round(math.Min(255, l)))
		}
	}
	return px
}
