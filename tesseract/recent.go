package tesseract

import (
	"bytes"
	"slices"
	"strings"
)

// The reader often asks one client for the same crop twice, under two
// whitelists: a label whose bars did not decode has its digit line read as
// an AIC ("A" and digits) and then as a targatura (digits only), and so
// does the second opinion. On regfus bench's office pages about one
// recognition in five was such a repeat (74 of 343 in 30 pages), and the
// first reading already answers most of them.
//
// A whitelist does not change what the network computes: Tesseract's beam
// search only leaves the characters outside it out of its choices. So a
// reading under a whitelist that contains the one asked, whose text uses
// only characters of the one asked, is what the narrower whitelist reads.
// Measured, not assumed: on 60 held-out lines of each evaluation profile
// (clean, office, bitonal, phone, small; seeds 555000-555004), as given and
// squeezed, every reading of both engines under the AIC whitelist that held
// no "A" was the digits-only reading exactly, text, confidences and boxes
// (404 of 404 for the model, 425 of 425 for the second opinion). (From the
// whole charset "0123456789AD" down, the second opinion's single-line mode
// once read "0" where digits-only read nothing; the Read* helpers never
// ask it for the whole charset.) The same pixels under the same whitelist
// read the same: Tesseract keeps no state between lines in LSTM mode.
//
// recent keeps a client's last few readings, with the exact pixels they
// were made from (after scaling and softening, so compared as the engine
// saw them), and ReadLine gives one back instead of recognising again when
// it answers the call as above. Repeats come two or three calls apart.

// recentReadings is how many of its last readings a client keeps.
const recentReadings = 4

// reading is one recognition: the pixels, the whitelist, the result.
type reading struct {
	w, h      int
	px        []byte
	whitelist string
	line      Line
}

// recent is a client's last readings, oldest first.
type recent []reading

// find returns a reading of px (w x h) that answers a call with whitelist
// wl: made under wl, or under a whitelist holding every character of wl
// with a text of characters of wl only.
func (r recent) find(px []byte, w, h int, wl string) (Line, bool) {
	for i := len(r) - 1; i >= 0; i-- {
		e := &r[i]
		if e.w != w || e.h != h || !bytes.Equal(e.px, px) {
			continue
		}
		if e.whitelist == wl || (within(wl, e.whitelist) && within(e.line.Text, wl)) {
			l := e.line
			l.Symbols = slices.Clone(l.Symbols)
			return l, true
		}
	}
	return Line{}, false
}

// add records a reading, forgetting the oldest beyond recentReadings. It
// keeps its own copies of px and of the line's symbols.
func (r *recent) add(px []byte, w, h int, wl string, l Line) {
	if len(*r) == recentReadings {
		*r = append((*r)[:0], (*r)[1:]...)
	}
	l.Symbols = slices.Clone(l.Symbols)
	*r = append(*r, reading{w: w, h: h, px: slices.Clone(px), whitelist: wl, line: l})
}

// within reports whether every character of s is in set.
func within(s, set string) bool {
	return strings.Trim(s, set) == ""
}
