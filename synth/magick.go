package synth

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"os/exec"
	"strings"
	"time"

	"github.com/regfus/regfus/render"
)

// Degradations a corpus may add after the scan simulation.
const (
	// DegradeMagick passes every scanned page through ImageMagick's
	// convert - Gaussian blur, Gaussian noise, a JPEG round trip - as the
	// issue's independent testers degraded their pages: the reader meets
	// blur, noise and compression artefacts another tool made, on top of
	// the profile's own. Only geometry-preserving operations are used, so
	// the truth's homography and corners stay exact; the command line is
	// recorded in the truth (scan.degrade).
	DegradeMagick = "magick"
)

// ParseDegrade checks a degradation name ("" for none).
func ParseDegrade(s string) (string, error) {
	switch s {
	case "", "none":
		return "", nil
	case DegradeMagick:
		return s, nil
	}
	return "", fmt.Errorf("unknown degradation %q (have none, %s)", s, DegradeMagick)
}

// magickArgs draws the degradation of one page: the convert arguments
// between input and output.
func magickArgs(r *rng, dpi float64) []string {
	sigma := r.uniform(0.3, 0.8) * dpi / 200 // px: 0.04-0.1 mm
	return []string{
		"-seed", fmt.Sprint(r.between(1, 1<<30)),
		"-blur", fmt.Sprintf("0x%.2f", sigma),
		"-attenuate", fmt.Sprintf("%.2f", r.uniform(0.05, 0.18)),
		"+noise", "Gaussian",
		"-quality", fmt.Sprint(r.between(55, 85)),
	}
}

// magick runs convert on img (PNG in, JPEG out) with args and decodes the
// result: gray stays gray, colour comes back as RGBA.
func magick(img image.Image, dpi float64, args []string) (image.Image, error) {
	var in bytes.Buffer
	if err := render.WritePNG(&in, img, dpi); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	full := append(append([]string{"png:-"}, args...), "jpg:-")
	cmd := exec.CommandContext(ctx, "convert", full...)
	var out, errb bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = &in, &out, &errb
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("synth: convert %s (ImageMagick, installed by scripts/setup): %v: %s", strings.Join(full, " "), err, strings.TrimSpace(errb.String()))
	}
	dec, err := jpeg.Decode(&out)
	if err != nil {
		return nil, fmt.Errorf("synth: convert's JPEG: %w", err)
	}
	if g, ok := dec.(*image.Gray); ok {
		return g, nil
	}
	if _, gray := img.(*image.Gray); gray {
		g := image.NewGray(dec.Bounds())
		draw.Draw(g, g.Rect, dec, dec.Bounds().Min, draw.Src)
		return g, nil
	}
	rgba := image.NewRGBA(dec.Bounds())
	draw.Draw(rgba, rgba.Rect, dec, dec.Bounds().Min, draw.Src)
	return rgba, nil
}
