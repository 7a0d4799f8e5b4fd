package page

import (
	"slices"
	"strconv"
	"strings"
)

// ReasonKind names why a page is in review or rejected.
type ReasonKind string

// Page-level reason kinds.
const (
	ReasonNoMarkers         ReasonKind = "markers_not_found"
	ReasonHeadUnread        ReasonKind = "head_barcode_unread"
	ReasonTailUnread        ReasonKind = "tail_barcode_unread"
	ReasonHeadTailMismatch  ReasonKind = "head_tail_mismatch"
	ReasonInvalidCode       ReasonKind = "invalid_sheet_code"
	ReasonUnreadableSlot    ReasonKind = "unreadable_slot" // Slots: the unreadable slots
	ReasonProgressiveUnread ReasonKind = "progressive_unread"
	ReasonCountUnread       ReasonKind = "count_unread"
	ReasonDateUnread        ReasonKind = "date_unread"
	ReasonDecode            ReasonKind = "decode_error"
	ReasonTimeout           ReasonKind = "timeout"
	// ReasonRuleBroken: Detail is the slot flag of the rule (FlagOverlap,
	// FlagCrossing, FlagUpsideDown), Slots the slots that break it; one
	// reason per flag.
	ReasonRuleBroken ReasonKind = "rule_broken"
	// ReasonLowResolution accompanies unreadable slots (or an unread head
	// barcode) on a page scanned
	// too coarsely for the fustelle's bars and print: what to change at
	// the scanner, where unreadable_slot alone says only what failed.
	ReasonLowResolution ReasonKind = "low_resolution"
	// ReasonOutOfScope: the page was read as a sheet outside the scope of
	// the key that uploaded it (a station's ASL, a pharmacy itself). The
	// page stays in the uploader's batch, rejected, and nothing of it
	// reaches that sheet's pharmacy.
	ReasonOutOfScope ReasonKind = "out_of_scope"
)

// Page reasons about the header fields read for sure that contradict the
// page: the value is kept, the reason names its field.
const (
	// ReasonCountMismatch: the count in its box differs from the fustelle
	// found on the page.
	ReasonCountMismatch ReasonKind = "count_mismatch"
	// ReasonDateOutsideMonth: the DATA field is a date outside the sheet's
	// competence month.
	ReasonDateOutsideMonth ReasonKind = "date_outside_month"
)

// DetailBoxEmpty is the Detail of a progressive_unread reason when the
// progressive box holds no writing at all.
const DetailBoxEmpty = "box empty"

// Reason is one reason a page is not ok: its kind, the slots it is about
// (unreadable_slot, rule_broken) and free text for people.
//
// Its text form, which is its JSON form and the wire format of results,
// is the kind, then, when there is more, ": " and the detail, and the
// slots as " in slots 3,4" after a detail or "slots 3,4" alone:
// "head_barcode_unread", "decode_error: EOF", "unreadable_slot: slots
// 3,4", "rule_broken: crossing in slots 2,12". ParseReason reads any text
// back to the same text, a reason no reader writes included (a result
// stored by an older or newer reader keeps its reasons as they were).
type Reason struct {
	Kind ReasonKind
	// Slots are slot numbers (1-28), in the order written.
	Slots  []int
	Detail string
}

// String returns the reason's text form.
func (r Reason) String() string {
	if r.Detail == "" && len(r.Slots) == 0 {
		return string(r.Kind)
	}
	var b strings.Builder
	b.WriteString(string(r.Kind))
	b.WriteString(": ")
	b.WriteString(r.Detail)
	if len(r.Slots) > 0 {
		if r.Detail != "" {
			b.WriteString(" in ")
		}
		b.WriteString("slots ")
		for i, n := range r.Slots {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(n))
		}
	}
	return b.String()
}

// ParseReason reads a reason's text form. Any text is some reason, so it
// cannot fail: text without ": " (or with nothing after it) is a kind
// alone, and a slot list counts as one only when written as String writes
// it, so that ParseReason(s).String() == s for every s.
func ParseReason(s string) Reason {
	kind, rest, ok := strings.Cut(s, ": ")
	if !ok || rest == "" {
		return Reason{Kind: ReasonKind(s)}
	}
	r := Reason{Kind: ReasonKind(kind)}
	if list, ok := strings.CutPrefix(rest, "slots "); ok {
		if slots, ok := parseSlots(list); ok {
			r.Slots = slots
			return r
		}
	}
	const in = " in slots "
	if i := strings.LastIndex(rest, in); i > 0 {
		if slots, ok := parseSlots(rest[i+len(in):]); ok {
			r.Detail, r.Slots = rest[:i], slots
			return r
		}
	}
	r.Detail = rest
	return r
}

// parseSlots reads "3,4,12" as String writes it: numbers from 1, no
// leading zero, no space.
func parseSlots(list string) ([]int, bool) {
	var out []int
	for part := range strings.SplitSeq(list, ",") {
		n, err := strconv.Atoi(part)
		if err != nil || n < 1 || strconv.Itoa(n) != part {
			return nil, false
		}
		out = append(out, n)
	}
	return out, true
}

// MarshalText implements encoding.TextMarshaler: the text form.
func (r Reason) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler (ParseReason).
func (r *Reason) UnmarshalText(b []byte) error {
	*r = ParseReason(string(b))
	return nil
}

// Equal reports whether r and o are the same reason.
func (r Reason) Equal(o Reason) bool {
	return r.Kind == o.Kind && r.Detail == o.Detail && slices.Equal(r.Slots, o.Slots)
}

// HasSlot reports whether the reason names slot n.
func (r Reason) HasSlot(n int) bool { return slices.Contains(r.Slots, n) }

// Reasons are a page's reasons, in the order the reader found them.
type Reasons []Reason

// Has reports whether a reason is of one of the kinds.
func (rs Reasons) Has(kinds ...ReasonKind) bool {
	return slices.ContainsFunc(rs, func(r Reason) bool { return slices.Contains(kinds, r.Kind) })
}

// Contains reports whether r is among the reasons, detail and slots
// included.
func (rs Reasons) Contains(r Reason) bool {
	return slices.ContainsFunc(rs, r.Equal)
}

// HasSlot reports whether the reason of this kind and detail names slot n
// ("unreadable_slot" with no detail, "rule_broken" with the flag).
func (rs Reasons) HasSlot(kind ReasonKind, detail string, n int) bool {
	return slices.ContainsFunc(rs, func(r Reason) bool { return r.Kind == kind && r.Detail == detail && r.HasSlot(n) })
}

// Without returns a copy without the reasons of these kinds.
func (rs Reasons) Without(kinds ...ReasonKind) Reasons {
	out := Reasons{}
	for _, r := range rs {
		if !slices.Contains(kinds, r.Kind) {
			out = append(out, r)
		}
	}
	return out
}

// WithoutSlot returns a copy in which the reason of this kind and detail
// no longer names slot n, and is gone when it named no other slot.
func (rs Reasons) WithoutSlot(kind ReasonKind, detail string, n int) Reasons {
	out := Reasons{}
	for _, r := range rs {
		if r.Kind == kind && r.Detail == detail && len(r.Slots) > 0 {
			r.Slots = slices.DeleteFunc(slices.Clone(r.Slots), func(s int) bool { return s == n })
			if len(r.Slots) == 0 {
				continue
			}
		}
		out = append(out, r)
	}
	return out
}

// Strings returns the text form of each reason.
func (rs Reasons) Strings() []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.String()
	}
	return out
}
