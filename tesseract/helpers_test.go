package tesseract

import (
	"testing"

	"github.com/regfus/regfus/ocrtrain/lines"
)

// mustClient returns a client of New that is closed when tb's test ends.
func mustClient(tb testing.TB) *Client {
	tb.Helper()
	c, err := New()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

// samples returns the lines of set, in order.
func samples(tb testing.TB, set lines.Set) []lines.Sample {
	tb.Helper()
	var out []lines.Sample
	if err := set.Each(func(_ int, s lines.Sample) error { out = append(out, s); return nil }); err != nil {
		tb.Fatal(err)
	}
	return out
}
