package synth

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/regfus/regfus/barcode"
	"github.com/regfus/regfus/fustella"
)

// External encoders. A label design may have its bars drawn by a barcode
// encoder regfus does not contain - Debian's zint or GNU barcode - so that
// a reader is measured on symbols its own encoder did not make. The tool
// draws the symbol as SVG; its bars' geometry (left edge and width of
// every bar) is read back into a module sequence and drawn through
// render.Canvas like any other bars, so rasters and PDFs carry the same
// symbol. Each tool fixes its own wide:narrow ratio (EncoderRatios), which
// the label takes.
//
// Command lines (text is the symbol's content):
//
//	zint --barcode=CODE32 -d <first 8 AIC digits> --notext --direct --filetype=svg
//	zint --barcode=C25INTER -d <10 targatura digits> --notext --direct --filetype=svg
//	barcode -e 39 -c -n -S -b <Code 32's 6 base-32 characters>
//	barcode -e i25 -c -n -S -b <10 targatura digits>
//
// zint computes the Code 32 check digit and the base-32 conversion itself;
// GNU barcode has no Code 32, so it is given the 6 characters as plain
// CODE 39 without a check character (-c), which is what SPEC says a Code 32
// is. -c on i25 keeps GNU barcode from appending a check digit (the
// targatura's tenth digit is its own).

// EncoderRatios returns the wide:narrow ratios an encoder draws Code 32 and
// ITF with (package barcode takes any ratio: 0).
func EncoderRatios(enc string) (code32, itf float64) {
	switch enc {
	case EncoderZint:
		return 2, 3
	case EncoderGNUBarcode:
		return 3, 3
	}
	return 0, 0
}

// ExternalCommand returns the command line an external encoder is run
// with for a symbol of kind (SymCode32 or SymITF); data is the 9-digit AIC
// for a Code 32 and the 10-digit targatura for an ITF.
func ExternalCommand(enc, kind, data string) ([]string, error) {
	switch {
	case enc == EncoderZint && kind == SymCode32:
		if len(data) != 9 {
			return nil, fmt.Errorf("synth: zint Code 32 of %q: want a 9-digit AIC", data)
		}
		return []string{"zint", "--barcode=CODE32", "-d", data[:8], "--notext", "--direct", "--filetype=svg"}, nil
	case enc == EncoderZint && kind == SymITF:
		return []string{"zint", "--barcode=C25INTER", "-d", data, "--notext", "--direct", "--filetype=svg"}, nil
	case enc == EncoderGNUBarcode && kind == SymCode32:
		c32, err := code32Of(data)
		if err != nil {
			return nil, err
		}
		return []string{"barcode", "-e", "39", "-c", "-n", "-S", "-b", c32}, nil
	case enc == EncoderGNUBarcode && kind == SymITF:
		return []string{"barcode", "-e", "i25", "-c", "-n", "-S", "-b", data}, nil
	}
	return nil, fmt.Errorf("synth: no %s encoder for %s", enc, kind)
}

// ExternalSymbol runs an external encoder and returns the bars it drew.
func ExternalSymbol(enc, kind, data string) (barcode.Symbol, error) {
	args, err := ExternalCommand(enc, kind, data)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("synth: %s (scripts/setup installs zint and barcode): %v: %s", strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	bars, err := svgBars(out.Bytes())
	if err != nil {
		return nil, fmt.Errorf("synth: %s: %w", strings.Join(args, " "), err)
	}
	return barsToSymbol(bars)
}

// code32Of returns the Code 32 characters of a 9-digit AIC.
func code32Of(aic string) (string, error) {
	a, err := fustella.ParseAIC(aic)
	if err != nil {
		return "", fmt.Errorf("synth: Code 32 of %q: %w", aic, err)
	}
	return a.Code32(), nil
}

// interval is one bar: its left and right edges in the SVG's units.
type interval struct{ l, r float64 }

// svgBars reads the bars of a 1D symbol from an SVG: zint draws each bar
// as a black <rect> (the white background is a rect too), GNU barcode as a
// vertical <line> whose stroke is the bar's width less 0.15 pt (the ink
// spread it compensates for, SHRINK_AMOUNT in its source).
func svgBars(svg []byte) ([]interval, error) {
	d := xml.NewDecoder(bytes.NewReader(svg))
	d.Strict = false
	var bars []interval
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("svg: %w", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		at := map[string]string{}
		for _, a := range se.Attr {
			at[a.Name.Local] = a.Value
		}
		switch se.Name.Local {
		case "rect":
			fill := at["fill"]
			if v := styleValue(at["style"], "fill"); v != "" {
				fill = v
			}
			if f := strings.ToUpper(fill); f == "#FFFFFF" || f == "WHITE" {
				continue
			}
			x, e1 := num(at["x"])
			w, e2 := num(at["width"])
			if e1 != nil || e2 != nil {
				return nil, fmt.Errorf("rect %v: bad x or width", at)
			}
			bars = append(bars, interval{x, x + w})
		case "line":
			x, e1 := num(at["x1"])
			sw, e2 := num(styleValue(at["style"], "stroke-width"))
			if e1 != nil || e2 != nil {
				return nil, fmt.Errorf("line %v: bad x1 or stroke-width", at)
			}
			w := sw + 0.15
			bars = append(bars, interval{x - w/2, x + w/2})
		}
	}
	if len(bars) < 2 {
		return nil, fmt.Errorf("svg: %d bars", len(bars))
	}
	slices.SortFunc(bars, func(a, b interval) int {
		switch {
		case a.l < b.l:
			return -1
		case a.l > b.l:
			return 1
		}
		return 0
	})
	return bars, nil
}

// barsToSymbol turns bar edges into element widths in narrow units: the
// narrowest bar is the unit, every element must be a whole number of
// units (both tools draw integer multiples of their X dimension).
func barsToSymbol(bars []interval) (barcode.Symbol, error) {
	unit := math.Inf(1)
	for _, b := range bars {
		unit = math.Min(unit, b.r-b.l)
	}
	if !(unit > 0) {
		return nil, fmt.Errorf("synth: bars of zero width")
	}
	var s barcode.Symbol
	whole := func(w float64) (float64, error) {
		n := math.Round(w / unit)
		if n < 1 || math.Abs(w/unit-n) > 0.05 {
			return 0, fmt.Errorf("synth: element %.3f wide is not a whole number of %.3f units", w, unit)
		}
		return n, nil
	}
	for i, b := range bars {
		if i > 0 {
			sp, err := whole(b.l - bars[i-1].r)
			if err != nil {
				return nil, err
			}
			s = append(s, sp)
		}
		w, err := whole(b.r - b.l)
		if err != nil {
			return nil, err
		}
		s = append(s, w)
	}
	return s, nil
}

func num(s string) (float64, error) {
	return strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(s), "pt"), 64)
}

// styleValue returns one property of a CSS style attribute.
func styleValue(style, prop string) string {
	for _, kv := range strings.Split(style, ";") {
		k, v, ok := strings.Cut(kv, ":")
		if ok && strings.TrimSpace(k) == prop {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
