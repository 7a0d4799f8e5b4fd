package acquisition

import (
	"image"
	"testing"

	"github.com/regfus/regfus/linenet"
)

// fixedLine is a LineReader that reads every crop as one Line.
type fixedLine struct{ l linenet.Line }

func (f fixedLine) Read(*image.Gray) (linenet.Line, error) { return f.l, nil }
func (fixedLine) Close() error                             { return nil }

// The fast reader's reading counts only when it is sure and passes the
// code's check digit: an unsure line, a wrong check digit or the wrong
// length is no reading at all.
func TestFastCode(t *testing.T) {
	t.Parallel()
	img := image.NewGray(image.Rect(0, 0, 100, 20))
	for _, c := range []struct {
		name, kind string
		line       linenet.Line
		want       string
	}{
		{"AIC with its A", "code32", linenet.Line{Text: "A012745168", Conf: 0.99}, "012745168"},
		{"AIC without its A", "code32", linenet.Line{Text: "012745168", Conf: 0.99}, "012745168"},
		{"AIC printed with its AIC prefix", "code32", linenet.Line{Text: "A?012745168", Conf: 0.99}, "012745168"},
		{"other text before the AIC", "code32", linenet.Line{Text: "?012745168", Conf: 0.99}, ""},
		{"other text inside the AIC", "code32", linenet.Line{Text: "A0127?45168", Conf: 0.99}, ""},
		{"AIC unsure", "code32", linenet.Line{Text: "A012745168", Conf: 0.6, Unsure: true}, ""},
		{"AIC check digit wrong", "code32", linenet.Line{Text: "A012745169", Conf: 0.99}, ""},
		{"AIC with a D", "code32", linenet.Line{Text: "D012745168", Conf: 0.99}, ""},
		{"targatura", "itf", linenet.Line{Text: "2800520719", Conf: 0.99}, "2800520719"},
		{"targatura one digit short", "itf", linenet.Line{Text: "280052071", Conf: 0.99}, ""},
		{"nothing read", "itf", linenet.Line{Conf: 0.99}, ""},
	} {
		st := &pageState{r: &Reader{lines: fixedLine{c.line}}}
		got, _ := st.fastCode(img, c.kind)
		if got != c.want {
			t.Errorf("%s: fastCode = %q, want %q", c.name, got, c.want)
		}
	}
	st := &pageState{r: &Reader{}}
	if got, _ := st.fastCode(img, "itf"); got != "" {
		t.Errorf("no fast reader: fastCode = %q, want nothing", got)
	}
}
