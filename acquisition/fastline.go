package acquisition

// The fast line reader (package linenet) beside Tesseract.
//
// A symbol's value needs two independent reads. When its bars decoded,
// the second is its digit line: the fast reader (a small convolutional
// network trained on many label faces, well under a millisecond a line)
// reads it first, and a sure reading equal to the bars' value confirms
// them; only when it does not (unsure, another value, no line) does
// Tesseract read the line, as before. When the bars did not decode, a
// value rests on OCR alone and needs two different models to agree: the
// fast reader's sure reading with Tesseract's label model, or, on a face
// the label model was not trained on, with the stock model of the field
// reader reading the same digits twice (fieldsRead). The fast reader's
// own unsure readings are never used.

import (
	"image"
	"math"
	"strings"

	"github.com/regfus/regfus/fustella"
	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/linenet"
	"github.com/regfus/regfus/tesseract"
)

// LineReader reads one printed digit line fast: package linenet's Reader.
type LineReader interface {
	Read(g *image.Gray) (linenet.Line, error)
	Close() error
}

var _ LineReader = (*linenet.Reader)(nil)

// WithLineReader gives the reader the fast line reader (see fastline.go);
// without one, every digit line is read by the OCR engine.
func WithLineReader(l LineReader) Option { return func(r *Reader) { r.lines = l } }

// fastCode reads limg with the fast reader as a code of kind ("code32":
// an AIC, "itf": a targatura) and returns it with its confidence when the
// reading is sure and passes the code's check digit; "" otherwise.
func (st *pageState) fastCode(limg *image.Gray, kind string) (string, float64) {
	if st.r.lines == nil || limg == nil {
		return "", 0
	}
	l, err := st.fastRead(limg)
	if err != nil || l.Unsure || l.Text == "" {
		return "", 0
	}
	switch kind {
	case "code32":
		// A label printing "AIC 012345678" or "A.I.C. 012345678" reads
		// "A?012345678": the fast reader gives one Other for a run of
		// symbols outside its charset, so the prefix is known and the
		// nine digits after it are the code (still checked, and still to
		// agree with a second read).
		t := l.Text
		if rest, ok := strings.CutPrefix(t, "A"+string(linenet.Other)); ok {
			t = "A" + rest
		}
		a, err := tesseract.CheckAIC(t)
		if err != nil {
			return "", 0
		}
		return string(a), l.Conf
	case "itf":
		t, err := tesseract.CheckTargatura(l.Text)
		if err != nil {
			return "", 0
		}
		return string(t), l.Conf
	}
	return "", 0
}

// fastReading is the fast reader's reading of one line crop.
type fastReading struct {
	img  *image.Gray
	line linenet.Line
	err  error
}

// fastRead reads limg with the fast reader, or gives back its last
// reading when limg is the crop it read: a region whose bars did not
// decode has the same crop read by the fast reader as a second read of
// the label model's value, as its agreement, or alone (fastSecond,
// fastAgrees, fastAlone, aicLine), and the network gives the same
// reading of the same pixels (a crop is not written once cut, see
// ocrLine). LineStats.Fast counts the readings made.
func (st *pageState) fastRead(limg *image.Gray) (linenet.Line, error) {
	if st.fast.img == limg {
		return st.fast.line, st.fast.err
	}
	l, err := st.r.lines.Read(limg)
	st.r.lineStats.Fast++
	st.fast = fastReading{img: limg, line: l, err: err}
	return l, err
}

// fastConfirms reads the digit line in win under lr's decoded bars with
// the fast reader and reports whether it reads the bars' value for sure:
// the second read, without Tesseract.
func (st *pageState) fastConfirms(lr *labelRead, win layout.Rect) bool {
	if st.r.lines == nil {
		return false
	}
	limg, _ := st.ocrLine(lr.center, lr.angle, lr.reversed, win, codeLineChars, lineMargin, &lr.text)
	code, conf := st.fastCode(limg, lr.kind)
	if code == "" || code != lr.barsValue() {
		return false
	}
	lr.confirmBars(conf)
	st.r.lineStats.Confirmed++
	return true
}

// fastAgrees reports whether the fast reader reads, for sure, the value
// the label model read by OCR alone (lr.ocrAIC or lr.ocrTG) in the same
// line crop limg: two different models agree.
func (st *pageState) fastAgrees(lr *labelRead, kind string, limg *image.Gray) bool {
	code, conf := st.fastCode(limg, kind)
	if code == "" || code != lr.ocrValue(kind) {
		return false
	}
	lr.ocrConf = math.Min(lr.ocrConf, conf)
	return true
}

// fastAlone reads the line crop limg (of win) as kind with the fast
// reader when the label model read nothing there (a face it was not
// trained on), and keeps the value when the field reader's stock model
// reads the same digits twice (fieldsRead): two different models agree.
// It reports whether a value was kept (lr.ocrAIC or lr.ocrTG).
func (st *pageState) fastAlone(lr *labelRead, kind string, flip bool, win layout.Rect, limg *image.Gray) bool {
	code, conf := st.fastCode(limg, kind)
	if code == "" {
		return false
	}
	other, ok := st.fieldsRead(lr, flip, win, code)
	if !ok {
		return false
	}
	lr.ocrAIC, lr.ocrTG = "", ""
	if kind == "itf" {
		lr.ocrTG = fustella.Targatura(code)
	} else {
		lr.ocrAIC = fustella.AIC(code)
	}
	lr.ocrConf = math.Min(conf, other)
	st.r.lineStats.Alone++
	return true
}

// barsValue is the value lr's bars decoded to, "" when they did not.
// confirmBars records that a reading of the digit line at confidence
// conf equals the bars' value: the OCR value is the bars'.
func (lr *labelRead) confirmBars(conf float64) {
	if lr.kind == "itf" {
		lr.ocrTG = lr.tg
	} else {
		lr.ocrAIC = lr.aic
	}
	lr.ocrConf, lr.text.found = conf, true
}

func (lr *labelRead) barsValue() string {
	switch lr.kind {
	case "code32":
		return string(lr.aic)
	case "itf":
		return string(lr.tg)
	}
	return ""
}

// ocrValue is the value of kind lr's digit line was read as, "" if none.
func (lr *labelRead) ocrValue(kind string) string {
	if kind == "itf" {
		return string(lr.ocrTG)
	}
	return string(lr.ocrAIC)
}

// LineStats counts what a Reader's digit-line readers did over the
// pages it read: how often the fast reader read a line, how many decoded
// symbols it confirmed alone (no Tesseract call for them), how many values
// it made with the field reader where the label model read nothing, and
// how many Tesseract readings of a label's line were asked (each may read
// the line more than once inside package tesseract).
type LineStats struct {
	Fast, Confirmed, Alone, Tesseract int
}

// LineStats returns the counts since the Reader was made.
func (r *Reader) LineStats() LineStats { return r.lineStats }
