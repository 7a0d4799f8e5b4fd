package api

import (
	"context"
	"encoding/json"
	"image"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/regfus/regfus/acquisition"
	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/scanfile"
)

// readForTest decodes page 1 of a scan of testdata/scans and reads it with
// a bars-only reader, as the service would.
func readForTest(t *testing.T, name string) (*image.Gray, *page.Result) {
	t.Helper()
	ctx := context.Background()
	f, err := scanfile.Open(ctx, filepath.Join("..", "testdata", "scans", name), scanfile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pg, err := f.Page(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	r := acquisition.NewReader(nil)
	defer r.Close()
	return pg.Image, r.Read(ctx, pg.Image, name, 1)
}

// truthHomography is where the synthesiser put the sheet (layout mm to
// pixels), from the scan's truth file.
func truthHomography(t *testing.T, name string) [9]float64 {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "scans", name[:len(name)-len(filepath.Ext(name))]+".truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	var truth struct {
		Pages []struct {
			Scan struct {
				Homography [9]float64 `json:"homography"`
			} `json:"scan"`
		} `json:"pages"`
	}
	if err := json.Unmarshal(b, &truth); err != nil {
		t.Fatal(err)
	}
	return truth.Pages[0].Scan.Homography
}

// TestPageMapOnFlatbedScans: on flatbed scans (any orientation) the
// overlay's placement puts every marker centre within 3 mm of where the
// synthesiser printed it. (Photos are not held to this: see pageMap.)
func TestPageMapOnFlatbedScans(t *testing.T) {
	t.Parallel()
	l := layout.Current()
	for _, name := range []string{"0001-clean.png", "0002-office.jpg", "0003-bitonal.tif", "0004-upside-down.png", "0005-sideways.jpg", "0009-clean.png"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			img, res := readForTest(t, name)
			if res.Orientation == nil {
				t.Fatalf("the reader found no orientation: %v", res.Reasons)
			}
			m := newPageMap(img.Bounds(), res, l)
			h := truthHomography(t, name)
			for _, mk := range l.Markers {
				x, y := mk.Rect.Center()
				w := h[6]*x + h[7]*y + h[8]
				tx, ty := (h[0]*x+h[1]*y+h[2])/w, (h[3]*x+h[4]*y+h[5])/w
				px, py := m.pt(x, y)
				if d := math.Hypot(px-tx, py-ty) / m.k; d > 3 {
					t.Errorf("marker %s placed %.1f mm from where it is (orientation %d)", mk.Name, d, *res.Orientation)
				}
			}
		})
	}
}

func TestDrawOverlay(t *testing.T) {
	t.Parallel()
	img, res := readForTest(t, "0009-clean.png")
	out := drawOverlay(img, res, layout.Current())
	if out.Bounds() != img.Bounds() {
		t.Fatalf("overlay is %v, page %v", out.Bounds(), img.Bounds())
	}
	count := map[color.RGBA]int{}
	for i := 0; i+3 < len(out.Pix); i += 4 {
		count[color.RGBA{out.Pix[i], out.Pix[i+1], out.Pix[i+2], out.Pix[i+3]}]++
	}
	states := map[color.RGBA]bool{}
	for _, s := range res.Slots {
		states[slotColour(s)] = true
	}
	for c := range states {
		if count[c] == 0 {
			t.Errorf("no pixel of slot colour %v, though a slot has it", c)
		}
	}
	if count[colMarker] == 0 || count[colField] == 0 {
		t.Errorf("markers (%d px) or fields (%d px) not drawn", count[colMarker], count[colField])
	}
	// The banner has the page status's colour across the first row.
	want := colSure
	switch res.Status {
	case page.Review:
		want = colDoubt
	case page.Rejected:
		want = colUnreadable
	}
	if got := out.RGBAAt(out.Bounds().Max.X-2, 1); got != want {
		t.Errorf("banner colour %v, want %v for status %s", got, want, res.Status)
	}
	// A page read as nothing still gets its banner.
	rej := &page.Result{Page: 1, Status: page.Rejected, Reasons: []string{"markers_not_found"}}
	if out := drawOverlay(img, rej, layout.Current()); out.RGBAAt(1, 1) != colUnreadable {
		t.Errorf("rejected page banner %v", out.RGBAAt(1, 1))
	}
}

func TestCropFor(t *testing.T) {
	t.Parallel()
	img, res := readForTest(t, "0004-upside-down.png")
	l := layout.Current()
	m := newPageMap(img.Bounds(), res, l)
	slot := cropFor(img, res, l, 5, "slot").Bounds()
	// An upright slot crop is wider than tall, about 52 x 36 mm.
	if w, h := float64(slot.Dx())/m.k, float64(slot.Dy())/m.k; math.Abs(w-52) > 3 || math.Abs(h-36) > 3 {
		t.Errorf("slot crop %.1f x %.1f mm, want about 52 x 36", w, h)
	}
	if b := cropFor(img, res, l, 0, "page").Bounds(); b.Dx() != img.Bounds().Dx() || b.Dy() != img.Bounds().Dy() {
		t.Errorf("page crop %v, want the whole (upright) page %v", b, img.Bounds())
	}
	if b := cropFor(img, &page.Result{}, l, 3, "slot").Bounds(); b != img.Bounds() {
		t.Errorf("crop of an unplaced page %v, want the page", b)
	}
}

func TestUpright(t *testing.T) {
	t.Parallel()
	// 3 x 2: a b c / d e f
	g := image.NewGray(image.Rect(0, 0, 3, 2))
	copy(g.Pix, []byte{'a', 'b', 'c', 'd', 'e', 'f'})
	for _, c := range []struct {
		deg  int
		w, h int
		want string
	}{
		{0, 3, 2, "abcdef"},
		{90, 2, 3, "cfbead"},  // undo a clockwise turn: turn counter-clockwise
		{180, 3, 2, "fedcba"}, //
		{270, 2, 3, "daebfc"}, // undo a counter-clockwise turn
	} {
		out := upright(g, c.deg)
		if out.Bounds().Dx() != c.w || out.Bounds().Dy() != c.h || string(out.Pix) != c.want {
			t.Errorf("upright(%d) = %dx%d %q, want %dx%d %q", c.deg, out.Bounds().Dx(), out.Bounds().Dy(), out.Pix, c.w, c.h, c.want)
		}
	}
}
