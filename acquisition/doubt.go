package acquisition

import "github.com/regfus/regfus/page"

// Geometry in doubt. Every slot value is credited to its slot through the
// page's map from the sheet to the image (geometry, refine). A map that is
// wrong by a row or more still finds labels in slot crops, reads their
// bars whole and credits them to the wrong slot: each label looks well
// enough placed in the crop it was read from for no per-slot check to
// see it. What such a map does show is that the labels it reads lie
// across slot borders: when most of the slots that report values (those
// the attribution rules of slots left credited) are flagged crossing, no slot's state or values are reported as read
// (every slot unreadable, cause geometry_doubt: a person reads the page).
//
// This sign is used only where the sheet's slot grid cannot say whether
// the map is right (checkMap, mapcheck.go: a bitonal scan that lost the
// grid's grey lines, or a map neither clearly right nor clearly wrong): a
// right map with many false crossings (phone pictures) keeps its values,
// and a map the grid shows wrong withholds them with no crossing at all.
//
//   - seed 6101's classic phone page 4, mapped at 80 dpi for 155: values
//     in 2 slots, both crossing; slot 23 (empty) was given slot 15's
//     targatura, slot 25 slot 18's, and four filled slots were reported
//     empty;
//   - seed 4414's bordered phone page 2, mapped a row off at the bottom:
//     values in 11 slots, 8 crossing; slots 26 and 27 were given slots 22
//     and 23's codes.
//
// Signs tried and dropped on seed 5303's pages: neither sheet barcode
// read (true of five phone pages at 127-139 dpi whose maps were right and
// whose values were all right); most labelled slots crossing, read or
// not (a compact phone page with 16 false crossings and 10 values read,
// all right, 5 of them crossing); the same share judged before the
// attribution rules withheld the values they withhold (that compact page
// again, and a digits-over phone page with one value left).
const (
	// doubtLeast slots with values must be crossing for the doubt: one
	// crossing label is a label, not a map.
	doubtLeast = 2
)

// geometryDoubt says whether the page's map is too doubtful for any
// slot's reading to be credited to its slot (see above).
func geometryDoubt(reads []*slotRead) bool {
	valued, crossing := 0, 0
	for _, r := range reads {
		if r.out.AIC == nil && r.out.Targatura == nil {
			continue
		}
		valued++
		if r.out.HasFlag(page.FlagCrossing) {
			crossing++
		}
	}
	return crossing >= doubtLeast && 2*crossing > valued
}

// withhold reports slot r as unreadable, its values (if any) not read
// for cause.
func (r *slotRead) withhold(cause string) {
	if r.out.AIC != nil {
		r.why[0] = cause
	}
	if r.out.Targatura != nil {
		r.why[1] = cause
	}
	r.out.AIC, r.out.Targatura, r.out.Confidence = nil, nil, 0
	r.out.State = page.Unreadable
}

// withholdOne reports value k of slot r (0 the AIC, 1 the targatura) not
// read for cause; the slot, a value short, is unreadable.
func (r *slotRead) withholdOne(k int, cause string) {
	if k == 0 && r.out.AIC != nil {
		r.out.AIC = nil
		addFlag(&r.out, page.FlagAICUnread)
	} else if k == 1 && r.out.Targatura != nil {
		r.out.Targatura = nil
		addFlag(&r.out, page.FlagTargaturaUnread)
	} else {
		return
	}
	r.why[k] = cause
	r.out.Confidence = 0
	r.out.State = page.Unreadable
}
