package ui_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestReviewShowsScanOrder: sheets 2, 3 and 4 are scanned in that order
// and no progressive is read (bars-only readers). Once a person has
// corrected sheets 2 and 4, reconciliation offers "3" on the middle
// page's progressive item, from the scan order: the API gives it as the
// item's suggestion (source scan_order, confidence 0), and the review
// screen shows it, named as the scan order's and with no confidence,
// without pre-filling the value field (nothing in the image backs it);
// the page's value stays unread.
func TestReviewShowsScanOrder(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	station := e.key(stationScope)
	batch := e.upload(station, scanBitonal, scanUpside, scanClean) // sheets 2, 3, 4
	source := map[int64]string{}
	for _, p := range e.pagesOf(station, batch) {
		source[p.ID] = p.Source
	}
	prog := map[string]reviewItem{} // by scan
	for _, it := range e.reviewItems(station, "open") {
		if it.Field == "progressive" {
			prog[source[it.PageID]] = it
		}
	}
	for _, s := range []string{scanBitonal, scanUpside, scanClean} {
		if _, ok := prog[s]; !ok {
			t.Fatalf("no progressive item for %s (items by scan: %v)", s, prog)
		}
	}
	middle := prog[scanUpside].ID
	if it := e.reviewItem(station, middle); it.Suggestion != nil {
		t.Fatalf("before any correction the middle page has a suggestion %+v: no neighbour is read", *it.Suggestion)
	}
	for s, v := range map[string]string{scanBitonal: "2", scanClean: "4"} {
		body := fmt.Sprintf(`{"value":%q}`, v)
		if st, b := e.apiDo("POST", fmt.Sprintf("/v1/review/%d", prog[s].ID), station, []byte(body), "application/json"); st != http.StatusOK {
			t.Fatalf("correcting %s: %d %s", s, st, b)
		}
	}
	it := e.reviewItem(station, middle)
	if it.Status != "open" || it.Suggestion == nil || it.Suggestion.Text != "3" || it.Suggestion.Source != "scan_order" || it.Suggestion.Confidence != 0 {
		t.Fatalf("middle page's item after the corrections: %+v, suggestion %+v; want \"3\" of the scan order", it, it.Suggestion)
	}
	if string(it.Value) != "null" {
		t.Errorf("middle page's value %s: a suggestion is not a value", it.Value)
	}

	c := e.client()
	c.signIn(station)
	resp, html := c.do("GET", fmt.Sprintf("/ui/review/%d", middle), nil, "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("review screen: %d", resp.StatusCode)
	}
	for _, want := range []string{`id="suggestion-text" class="mono">3<`, "ordine di scansione"} {
		if !strings.Contains(html, want) {
			t.Errorf("review screen lacks %q", want)
		}
	}
	if strings.Contains(html, `id="suggestion-confidence"`) {
		t.Errorf("review screen shows a confidence for the scan order's suggestion")
	}
	// Shown, not pre-filled: the reviewer types what the crop shows.
	if strings.Contains(html, `value="3"`) {
		t.Errorf("review screen pre-fills the scan order's suggestion")
	}
}
