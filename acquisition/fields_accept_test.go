package acquisition

import (
	"strings"
	"testing"
)

func sure(text string) boxRead { return boxRead{written: true, text: text, conf: 0.99, sure: true} }

func TestAcceptProgressive(t *testing.T) {
	for _, tc := range []struct {
		br   boxRead
		want string // "" when refused
	}{
		{sure("7"), "7"},
		{sure("D12"), "D12"},
		{sure("012"), "12"},
		{sure("D"), ""},     // a D alone
		{sure("1D2"), ""},   // a D not first
		{sure("DD2"), ""},   // two Ds
		{sure("0"), ""},     // not positive
		{sure("D00"), ""},   // not positive
		{sure("1?2"), ""},   // a mark that is neither
		{sure("12345"), ""}, // too long
		{boxRead{written: true, text: "D12", conf: 0.5, why: "unsure"}, ""},
	} {
		got, why := acceptProgressive(tc.br)
		if got != tc.want || (got == "") == (why == "") {
			t.Errorf("acceptProgressive(%q sure=%v) = %q, %q; want %q", tc.br.text, tc.br.sure, got, why, tc.want)
		}
	}
}

func TestAcceptCount(t *testing.T) {
	for _, tc := range []struct {
		br   boxRead
		want int // -1 when refused
	}{
		{sure("7"), 7}, {sure("28"), 28}, {sure("0"), 0},
		{sure("29"), -1}, {sure("123"), -1}, {sure("D2"), -1}, {sure("?"), -1},
		{boxRead{written: true, text: "12", conf: 0.6, why: "unsure"}, -1},
	} {
		got, why := acceptCount(tc.br)
		if tc.want < 0 && why == "" || tc.want >= 0 && (why != "" || got != tc.want) {
			t.Errorf("acceptCount(%q) = %d, %q; want %d", tc.br.text, got, why, tc.want)
		}
	}
}

func TestAcceptDate(t *testing.T) {
	for _, tc := range []struct {
		br   boxRead
		want string
	}{
		{sure("05022024"), "2024-02-05"},
		{sure("29022024"), "2024-02-29"},
		{sure("29022023"), ""}, // not a calendar date
		{sure("31042024"), ""},
		{sure("0502202_"), ""}, // an empty cell
		{sure("05?22024"), ""},
		{boxRead{written: true, text: "05022024", conf: 0.7, why: "unsure"}, ""},
	} {
		d, why := acceptDate(tc.br)
		got := ""
		if why == "" {
			got = d.Format("2006-01-02")
		}
		if got != tc.want {
			t.Errorf("acceptDate(%q) = %q (%s); want %q", tc.br.text, got, why, tc.want)
		}
	}
}

func TestHandReadThreshold(t *testing.T) {
	reads := []charRead{{ch: 'D', conf: 0.99}, {ch: '1', conf: 0.97}, {ch: '7', conf: handThreshold - 0.01}}
	br := handRead(reads, boxRead{written: true}, handThreshold)
	if br.sure || br.text != "D17" || br.conf != handThreshold-0.01 || !strings.Contains(br.why, "confidence") {
		t.Errorf("one character under the threshold: %+v", br)
	}
	reads[2].conf = handThreshold
	if br := handRead(reads, boxRead{written: true}, handThreshold); !br.sure || br.text != "D17" {
		t.Errorf("every character at the threshold: %+v", br)
	}
	// A character the context expects needs only ctxThreshold.
	reads[2].conf, reads[2].ctx = ctxThreshold, true
	if br := handRead(reads, boxRead{written: true}, handThreshold); !br.sure {
		t.Errorf("a character the context expects, at ctxThreshold: %+v", br)
	}
	reads[2].conf = ctxThreshold - 0.01
	if br := handRead(reads, boxRead{written: true}, handThreshold); br.sure {
		t.Errorf("a character the context expects, under ctxThreshold: %+v", br)
	}
	reads[2].conf, reads[2].ctx = handThreshold, false
	// A reason found before (too many marks) stands whatever the model says.
	if br := handRead(reads, boxRead{written: true, why: "6 marks"}, handThreshold); br.sure {
		t.Errorf("a box refused before the model is read sure: %+v", br)
	}
}
