package barcode

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestZbarAgrees renders symbols with our encoders and has zbarimg
// (zbar-tools, installed by scripts/setup), an independent reader, decode
// them: it must read exactly what we encoded, and so must our decoder. This
// guards against an encoder and decoder that agree with each other but not
// with the symbology.
func TestZbarAgrees(t *testing.T) {
	t.Parallel()
	zbar, err := exec.LookPath("zbarimg")
	if err != nil {
		t.Fatal("zbarimg not found: install zbar-tools (scripts/setup)")
	}
	for _, tc := range []struct {
		name, text string
		sym        Symbol
		zbarName   string // zbarimg's symbology prefix
	}{
		{"code39-sheet", "12020599999012023", mustCode39(t, "12020599999012023", 3), "CODE-39"},
		{"code39-code32", "0CSSBD", mustCode39(t, "0CSSBD", 3), "CODE-39"},
		{"code39-alphabet", "AZ-. $/+%09", mustCode39(t, "AZ-. $/+%09", 2.5), "CODE-39"},
		{"itf-targatura", "1234567895", mustITF(t, "1234567895", 3), "I2/5"},
		{"itf-14", "31415926535897", mustITF(t, "31415926535897", 2.5), "I2/5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			img := label(tc.sym, 3, 80, 12, 20, 0, degrade{})
			path := filepath.Join(t.TempDir(), tc.name+".png")
			var buf bytes.Buffer
			if err := png.Encode(&buf, img); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			out, err := exec.CommandContext(ctx, zbar, "-q", "--nodbus", path).Output()
			if err != nil {
				t.Fatalf("zbarimg: %v (%s)", err, out)
			}
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			sort.Strings(lines)
			if want := tc.zbarName + ":" + tc.text; len(lines) != 1 || lines[0] != want {
				t.Fatalf("zbarimg read %q, want [%q]", lines, want)
			}
			d := NewDecoder()
			var got string
			if tc.zbarName == "I2/5" {
				r, err := d.ITF(img)
				if err != nil {
					t.Fatal(err)
				}
				got = r.Text
			} else {
				r, err := d.Code39(img)
				if err != nil {
					t.Fatal(err)
				}
				got = r.Text
			}
			if got != tc.text {
				t.Fatalf("our decoder read %q, zbarimg and the encoder %q", got, tc.text)
			}
		})
	}
}
