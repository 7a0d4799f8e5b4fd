package process

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/regfus/regfus/fustella"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/sheet"
	"github.com/regfus/regfus/store"
)

// Review item fields: what a person is asked to check, and what the
// correction's "after" value must be (ApplyCorrection).
const (
	// FieldPage: a rejected page (not read as a sheet) or a page-level
	// problem with no field of its own. After: null (confirmed: the page
	// is not a readable sheet; it stays rejected) or an object
	// {"sheet":{...},"slots":[...]} as in a page result, the page keyed
	// in by hand.
	FieldPage = "page"
	// FieldCode: the sheet code (head/tail barcodes unread, invalid or
	// disagreeing). After: the 17-digit code as a JSON string.
	FieldCode = "code"
	// FieldProgressive: the handwritten progressive. After: "2" or "D2",
	// or null when the sheet carries none.
	FieldProgressive = "progressive"
	// FieldCount: the number of fustelle written on the sheet. After: an
	// integer 0-28, or null when none is written.
	FieldCount = "declared_count"
	// FieldDate: the DATA box. After: "YYYY-MM-DD", or null.
	FieldDate = "date"
	// FieldSlot: an unreadable slot. After: {"state":"filled","aic":"...",
	// "targatura":"..."} (both codes, with valid check digits) or
	// {"state":"empty"}.
	FieldSlot = "slot"
	// FieldRule: a rule the pharmacy broke in a slot (overlap, crossing,
	// upside down; the item's reason is the flag). After: any JSON value,
	// e.g. {"accepted":true}: the reviewer has seen it. The flag stays on
	// the slot (reconciliation reports it); the page is no longer held
	// for it.
	FieldRule = "rule"
)

// codeReasons are the page reasons about the sheet code; one FieldCode
// item covers them all.
var codeReasons = []page.ReasonKind{page.ReasonHeadUnread, page.ReasonTailUnread, page.ReasonInvalidCode, page.ReasonHeadTailMismatch}

// ReviewItems decides what on a page result needs a person. An ok page
// needs nothing. A rejected page is one FieldPage item (its first reason).
// A page in review gets one item per reason that holds it there: one
// FieldCode item for the sheet code, one each for the progressive, count
// and date, one FieldSlot item per unreadable slot, one FieldRule item per
// broken rule per slot, and a FieldPage item for any other reason. Each
// item's Value is what the machine read (null if nothing); a progressive,
// count or date item also carries the sheet's suggestion for that field,
// what was read there but not accepted, for the reviewer (a progressive
// item with none may get the scan order's later: Engine.Reconcile). So
// once every item is corrected, the page has no reason left and is ok.
func ReviewItems(res *page.Result) []store.NewReviewItem {
	switch res.Status {
	case page.OK:
		return nil
	case page.Rejected:
		reason := "rejected"
		if len(res.Reasons) > 0 {
			reason = res.Reasons[0].String()
		}
		return []store.NewReviewItem{{Field: FieldPage, Reason: reason, Value: mustJSON(map[string]any{"reasons": res.Reasons})}}
	}
	var items []store.NewReviewItem
	var sug page.Suggestions
	if res.Sheet.Suggestions != nil {
		sug = *res.Sheet.Suggestions
	}
	codeDone := false
	for _, r := range res.Reasons {
		switch k := r.Kind; {
		case slices.Contains(codeReasons, k):
			if !codeDone {
				codeDone = true
				items = append(items, store.NewReviewItem{Field: FieldCode, Reason: r.String(),
					Value: mustJSON(map[string]*sheet.Code{"code": res.Sheet.Code, "tail_code": res.Sheet.TailCode})})
			}
		case k == page.ReasonProgressiveUnread:
			items = append(items, store.NewReviewItem{Field: FieldProgressive, Reason: r.String(), Value: mustJSON(res.Sheet.Progressive),
				Suggestion: sug.Progressive})
		case k == page.ReasonCountUnread:
			items = append(items, store.NewReviewItem{Field: FieldCount, Reason: r.String(), Value: mustJSON(res.Sheet.DeclaredCount),
				Suggestion: sug.Count})
		case k == page.ReasonDateUnread:
			items = append(items, store.NewReviewItem{Field: FieldDate, Reason: r.String(), Value: mustJSON(res.Sheet.Date),
				Suggestion: sug.Date})
		case k == page.ReasonUnreadableSlot || k == page.ReasonRuleBroken:
			// one item per slot, below
		case k == page.ReasonLowResolution:
			// why slots or the code went unread: their own items carry
			// the work, and the reason travels with the page
		default:
			items = append(items, store.NewReviewItem{Field: FieldPage, Reason: r.String(), Value: json.RawMessage("null")})
		}
	}
	for _, s := range res.Slots {
		if s.State == page.Unreadable {
			// The item's reason is the slot's: its flags other than rules.
			reason := page.Reason{Kind: page.ReasonUnreadableSlot}
			var why []page.Flag
			for _, f := range s.Flags {
				if !f.Rule() {
					why = append(why, f)
				}
			}
			reason.Detail = page.JoinFlags(why, ",")
			items = append(items, store.NewReviewItem{Slot: s.Slot, Field: FieldSlot, Reason: reason.String(), Value: mustJSON(s)})
		}
	}
	for _, s := range res.Slots {
		for _, f := range s.Flags {
			if f.Rule() && res.Reasons.HasSlot(page.ReasonRuleBroken, string(f), s.Slot) {
				items = append(items, store.NewReviewItem{Slot: s.Slot, Field: FieldRule, Reason: string(f), Value: mustJSON(s)})
			}
		}
	}
	return items
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only plain data is marshalled here
	}
	return b
}

// invalidf is a correction the store cannot take as given (API: 400).
func invalidf(format string, a ...any) error {
	return fmt.Errorf("%w: %s", store.ErrInvalid, fmt.Sprintf(format, a...))
}

// ApplyCorrection returns res as corrected by a person for one review
// item: the item's field is set to after (see the Field constants for the
// value each takes, validated like a read value: check digits, code,
// ranges), the reasons the correction answers are removed, and the status
// follows: ok when no reason is left, review otherwise. A rejected page
// stays rejected unless corrected as a whole (FieldPage with an object).
// res is not modified. Errors wrap store.ErrInvalid.
func ApplyCorrection(res page.Result, item store.ReviewItem, after json.RawMessage) (page.Result, error) {
	out, err := copyResult(res)
	if err != nil {
		return page.Result{}, err
	}
	after = bytes.TrimSpace(after)
	if len(after) == 0 {
		return page.Result{}, invalidf("review item %d: correction has no value", item.ID)
	}
	isNull := string(after) == "null"
	where := fmt.Sprintf("review item %d (%s", item.ID, item.Field)
	if item.Slot > 0 {
		where += fmt.Sprintf(", slot %d", item.Slot)
	}
	where += ")"

	switch item.Field {
	case FieldPage:
		if isNull {
			// Confirmed as it is: a rejected page stays rejected; on a
			// page in review the reason this item stood for is answered.
			out.Reasons = slices.DeleteFunc(out.Reasons, func(r page.Reason) bool { return r.String() == item.Reason })
			break
		}
		var whole struct {
			Sheet *page.Sheet `json:"sheet"`
			Slots []page.Slot `json:"slots"`
		}
		if err := strictJSON(after, &whole); err != nil {
			return page.Result{}, invalidf("%s: want null or {\"sheet\":{...},\"slots\":[...]}: %v", where, err)
		}
		if err := sheetMembersKnown(after); err != nil {
			return page.Result{}, invalidf("%s: want null or {\"sheet\":{...},\"slots\":[...]}: %v", where, err)
		}
		if whole.Sheet == nil || whole.Sheet.Code == nil {
			return page.Result{}, invalidf("%s: the sheet and its code are required", where)
		}
		setCode(&out, *whole.Sheet.Code)
		out.Sheet.Progressive, out.Sheet.DeclaredCount, out.Sheet.Date = nil, nil, nil
		if p := whole.Sheet.Progressive; p != nil {
			if err := setProgressive(&out, *p); err != nil {
				return page.Result{}, invalidf("%s: %v", where, err)
			}
		}
		if c := whole.Sheet.DeclaredCount; c != nil {
			if *c < 0 || *c > 28 {
				return page.Result{}, invalidf("%s: declared_count %d out of range 0-28", where, *c)
			}
			out.Sheet.DeclaredCount = page.Int(*c)
		}
		if d := whole.Sheet.Date; d != nil {
			if err := setDate(&out, *d); err != nil {
				return page.Result{}, invalidf("%s: %v", where, err)
			}
		}
		seen := map[int]bool{}
		out.Slots = out.Slots[:0:0]
		for _, s := range whole.Slots {
			if s.Slot < 1 || s.Slot > 28 || seen[s.Slot] {
				return page.Result{}, invalidf("%s: slot number %d out of range 1-28 or repeated", where, s.Slot)
			}
			seen[s.Slot] = true
			fixed, err := correctedSlot(s.Slot, s, nil)
			if err != nil {
				return page.Result{}, invalidf("%s: slot %d: %v", where, s.Slot, err)
			}
			out.Slots = append(out.Slots, fixed)
		}
		sort.Slice(out.Slots, func(i, j int) bool { return out.Slots[i].Slot < out.Slots[j].Slot })
		out.Reasons = page.Reasons{}
		out.Status = page.OK
		return out, nil

	case FieldCode:
		var code string
		if err := strictJSON(after, &code); err != nil {
			return page.Result{}, invalidf("%s: want the 17-digit sheet code as a string: %v", where, err)
		}
		c, err := sheet.ParseCode(code)
		if err != nil {
			return page.Result{}, invalidf("%s: %v", where, err)
		}
		setCode(&out, c)
		out.Reasons = out.Reasons.Without(codeReasons...)

	case FieldProgressive:
		out.Sheet.Progressive = nil
		if err := optionalField(after, isNull, where, `"2", "D2"`, func(p string) error { return setProgressive(&out, p) }); err != nil {
			return page.Result{}, err
		}
		out.Reasons = out.Reasons.Without(page.ReasonProgressiveUnread)

	case FieldCount:
		out.Sheet.DeclaredCount = nil
		if !isNull {
			var n int
			if err := strictJSON(after, &n); err != nil || n < 0 || n > 28 {
				return page.Result{}, invalidf("%s: want an integer 0-28 or null, got %s", where, after)
			}
			out.Sheet.DeclaredCount = page.Int(n)
		}
		out.Reasons = out.Reasons.Without(page.ReasonCountUnread)

	case FieldDate:
		out.Sheet.Date = nil
		if err := optionalField(after, isNull, where, `"YYYY-MM-DD"`, func(d string) error { return setDate(&out, d) }); err != nil {
			return page.Result{}, err
		}
		out.Reasons = out.Reasons.Without(page.ReasonDateUnread)

	case FieldSlot:
		if item.Slot < 1 || item.Slot > 28 {
			return page.Result{}, invalidf("%s: the item names no slot", where)
		}
		var s page.Slot
		if err := strictJSON(after, &s); err != nil {
			return page.Result{}, invalidf("%s: want {\"state\":\"filled\",\"aic\":...,\"targatura\":...} or {\"state\":\"empty\"}: %v", where, err)
		}
		i := slices.IndexFunc(out.Slots, func(x page.Slot) bool { return x.Slot == item.Slot })
		var old *page.Slot
		if i >= 0 {
			old = &out.Slots[i]
		}
		fixed, err := correctedSlot(item.Slot, s, old)
		if err != nil {
			return page.Result{}, invalidf("%s: %v", where, err)
		}
		if i >= 0 {
			out.Slots[i] = fixed
		} else {
			out.Slots = append(out.Slots, fixed)
			sort.Slice(out.Slots, func(i, j int) bool { return out.Slots[i].Slot < out.Slots[j].Slot })
		}
		out.Reasons = out.Reasons.WithoutSlot(page.ReasonUnreadableSlot, "", item.Slot)

	case FieldRule:
		if !page.Flag(item.Reason).Rule() {
			return page.Result{}, invalidf("%s: reason %q is not a rule flag", where, item.Reason)
		}
		out.Reasons = out.Reasons.WithoutSlot(page.ReasonRuleBroken, item.Reason, item.Slot)

	default:
		return page.Result{}, invalidf("%s: unknown field", where)
	}
	// low_resolution only explains unread slots and an unread code: once a
	// person has answered the last of them, it is answered too.
	if !out.Reasons.Has(page.ReasonUnreadableSlot, page.ReasonHeadUnread) {
		out.Reasons = out.Reasons.Without(page.ReasonLowResolution)
	}
	if out.Status != page.Rejected {
		out.Status = page.Review
		if len(out.Reasons) == 0 {
			out.Status = page.OK
		}
	}
	return out, nil
}

// correctedSlot validates a slot as keyed in by a person. Rule flags of
// the machine's read (old) are kept; flags about unread or disagreeing
// codes are dropped; confidence is 1 for a filled slot (a person read
// it).
func correctedSlot(n int, s page.Slot, old *page.Slot) (page.Slot, error) {
	out := page.Slot{Slot: n, State: s.State, Flags: []page.Flag{}}
	if old != nil {
		for _, f := range old.Flags {
			if f.Rule() {
				out.Flags = append(out.Flags, f)
			}
		}
	}
	switch s.State {
	case page.Filled:
		if s.AIC == nil || s.Targatura == nil {
			return page.Slot{}, fmt.Errorf("a filled slot needs both aic and targatura")
		}
		a, err := fustella.ParseAIC(*s.AIC)
		if err != nil {
			return page.Slot{}, err
		}
		t, err := fustella.ParseTargatura(*s.Targatura)
		if err != nil {
			return page.Slot{}, err
		}
		out.AIC, out.Targatura, out.Confidence = page.Str(string(a)), page.Str(string(t)), 1
	case page.Empty:
		if s.AIC != nil || s.Targatura != nil {
			return page.Slot{}, fmt.Errorf("an empty slot has no aic or targatura")
		}
	default:
		return page.Slot{}, fmt.Errorf("state %q: want filled or empty", s.State)
	}
	return out, nil
}

// setCode sets the sheet's code as a person read it: head and tail agree.
func setCode(res *page.Result, c sheet.Code) {
	res.Sheet.Code, res.Sheet.TailCode = page.CodeOf(c), page.CodeOf(c)
}

func setProgressive(res *page.Result, s string) error {
	p, err := sheet.ParseProgressive(s)
	if err != nil {
		return err
	}
	res.Sheet.Progressive = page.Str(p.String())
	return nil
}

// setDate sets the sheet's date, d as YYYY-MM-DD.
func setDate(res *page.Result, d string) error {
	if _, err := time.Parse(time.DateOnly, d); err != nil {
		return fmt.Errorf("date %q: want YYYY-MM-DD", d)
	}
	res.Sheet.Date = page.Str(d)
	return nil
}

// optionalField applies the correction of an optional sheet field given
// alone (progressive, date): null leaves it cleared; anything else must
// decode as a T (want says what, in the error) that set accepts.
func optionalField[T any](after json.RawMessage, isNull bool, where, want string, set func(T) error) error {
	if isNull {
		return nil
	}
	var v T
	if err := strictJSON(after, &v); err != nil {
		return invalidf("%s: want %s or null: %v", where, want, err)
	}
	if err := set(v); err != nil {
		return invalidf("%s: %v", where, err)
	}
	return nil
}

// strictJSON decodes b into v, refusing unknown fields and trailing data.
func strictJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("trailing data after the value")
	}
	return nil
}

// copyResult deep-copies a result (its pointers and slices).
func copyResult(res page.Result) (page.Result, error) {
	b, err := json.Marshal(res)
	if err != nil {
		return page.Result{}, err
	}
	var out page.Result
	err = json.Unmarshal(b, &out)
	if out.Reasons == nil {
		out.Reasons = page.Reasons{}
	}
	if out.Slots == nil {
		out.Slots = []page.Slot{}
	}
	return out, err
}

// sheetMembersKnown refuses a keyed-in page whose sheet has a member a
// page.Sheet does not: the sheet decodes through its own UnmarshalJSON,
// which the decoder's DisallowUnknownFields does not reach.
func sheetMembersKnown(after json.RawMessage) error {
	var whole struct {
		Sheet map[string]json.RawMessage `json:"sheet"`
	}
	if err := json.Unmarshal(after, &whole); err != nil {
		return err
	}
	all, err := json.Marshal(page.Sheet{Written: &page.Written{}, Sources: &page.Sources{}, Suggestions: &page.Suggestions{}})
	if err != nil {
		return err
	}
	var known map[string]json.RawMessage
	if err := json.Unmarshal(all, &known); err != nil {
		return err
	}
	for k := range whole.Sheet {
		if _, ok := known[k]; !ok {
			return fmt.Errorf("json: unknown field %q", k)
		}
	}
	return nil
}
